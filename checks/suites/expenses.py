"""expenses.csv — rigid expenditure (increment): contract checks, self-paid not above total, date not after the drop,
and the person present in persons.csv."""

from __future__ import annotations

from checks.row_check import AtLeast, RowCheck, contract_checks, date_not_after_drop, fmt, fmt_zh, orphan_check

FEED = "expenses"


def checks(ctx) -> list[RowCheck]:
    return [
        *contract_checks(FEED),
        RowCheck(
            "SELF_PAID_OVER_TOTAL",
            FEED,
            AtLeast("total_amount", "self_paid_amount"),
            fmt("expenses.self_paid_amount {} is more than total_amount {}", "t.self_paid_amount", "t.total_amount"),
            fmt_zh("expenses.self_paid_amount {} 大于 total_amount {}", "t.self_paid_amount", "t.total_amount"),
            "self_paid_amount is at most total_amount",
        ),
        date_not_after_drop(FEED, "date", "EXPENSE_DATE_AFTER_DROP"),
        orphan_check(FEED, "person_id", "persons", "person_id"),
    ]
