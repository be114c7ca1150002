"""applications.csv — applications in process (full extract, optional): contract checks, decided date not before the
submitted date, the household present in households.csv."""

from __future__ import annotations

from checks.row_check import RowCheck, contract_checks, end_not_before_start, orphan_check

FEED = "applications"


def checks(ctx) -> list[RowCheck]:
    return [
        *contract_checks(FEED),
        end_not_before_start(FEED, start="submitted_date", end="decided_date"),
        orphan_check(FEED, "household_id", "households", "household_id"),
    ]
