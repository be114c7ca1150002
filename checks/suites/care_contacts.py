"""care_contacts.csv — visits and calls to older people living alone (increment, optional, docs/CONTRACT.md v2): contract
checks (mode and result in their code sets, contact_id once per file), the contact date not after the drop, the person in
persons.csv (a contact for an unknown person is quarantined: it cannot count towards anyone's weekly visits)."""

from __future__ import annotations

from checks.row_check import RowCheck, contract_checks, date_not_after_drop, orphan_check

FEED = "care_contacts"


def checks(ctx) -> list[RowCheck]:
    return [
        *contract_checks(FEED),
        date_not_after_drop(FEED, "contact_date", "CONTACT_DATE_AFTER_DROP"),
        orphan_check(FEED, "person_id", "persons", "person_id"),
    ]
