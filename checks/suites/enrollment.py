"""enrollment.csv — the assistance roster: contract checks, covered persons between 1 and the household's members,
end date not before start date, and the household present in households.csv."""

from __future__ import annotations

from checks.row_check import Between, RowCheck, contract_checks, end_not_before_start, fmt, fmt_zh, orphan_check

FEED = "enrollment"
MEMBERS = "(SELECT count(*) FROM stg_persons p WHERE p.household_id = t.household_id)"


def checks(ctx) -> list[RowCheck]:
    return [
        *contract_checks(FEED),
        RowCheck(
            "COVERED_PERSONS_MIN",
            FEED,
            Between("covered_persons", min=1),
            fmt("enrollment.covered_persons must be at least 1; found {}", "t.covered_persons"),
            fmt_zh("enrollment.covered_persons 应至少为 1；实际为 {}", "t.covered_persons"),
            "covered_persons is at least 1",
        ),
        RowCheck(
            "COVERED_OVER_MEMBERS",
            FEED,
            f"t.covered_persons > {MEMBERS}",
            fmt(
                "enrollment.covered_persons is {} but household {} has {} member rows in persons.csv",
                "t.covered_persons",
                "t.household_id",
                MEMBERS,
            ),
            fmt_zh(
                "enrollment.covered_persons 为 {}，但家庭 {} 在 persons.csv 中只有 {} 名成员",
                "t.covered_persons",
                "t.household_id",
                MEMBERS,
            ),
            "covered_persons is at most the number of persons rows of the household",
        ),
        end_not_before_start(FEED),
        orphan_check(FEED, "household_id", "households", "household_id"),
    ]
