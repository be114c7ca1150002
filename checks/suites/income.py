"""income.csv — monthly income by person and source (increment): contract checks and the person present in persons.csv."""

from __future__ import annotations

from checks.row_check import RowCheck, contract_checks, orphan_check

FEED = "income"


def checks(ctx) -> list[RowCheck]:
    return [*contract_checks(FEED), orphan_check(FEED, "person_id", "persons", "person_id")]
