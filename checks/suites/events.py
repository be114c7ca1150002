"""events.csv — life events (increment): contract checks, event date not after the drop, the person in persons.csv."""

from __future__ import annotations

from checks.row_check import RowCheck, contract_checks, date_not_after_drop, orphan_check

FEED = "events"


def checks(ctx) -> list[RowCheck]:
    return [
        *contract_checks(FEED),
        date_not_after_drop(FEED, "event_date", "EVENT_DATE_AFTER_DROP"),
        orphan_check(FEED, "person_id", "persons", "person_id"),
    ]
