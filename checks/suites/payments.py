"""payments.csv — benefit payouts (increment, optional): contract checks, paid date not after the drop, the household
present in households.csv."""

from __future__ import annotations

from checks.row_check import RowCheck, contract_checks, date_not_after_drop, orphan_check

FEED = "payments"


def checks(ctx) -> list[RowCheck]:
    return [
        *contract_checks(FEED),
        date_not_after_drop(FEED, "paid_date", "PAID_DATE_AFTER_DROP"),
        orphan_check(FEED, "household_id", "households", "household_id"),
    ]
