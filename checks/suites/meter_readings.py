"""meter_readings.csv — daily smart water meter readings (increment, optional, docs/CONTRACT.md v2): contract checks (litres
not negative, reading_id once per file), the reading date not after the drop (a reading of a day that has not happened),
the household in households.csv."""

from __future__ import annotations

from checks.row_check import RowCheck, contract_checks, date_not_after_drop, orphan_check

FEED = "meter_readings"


def checks(ctx) -> list[RowCheck]:
    return [
        *contract_checks(FEED),
        date_not_after_drop(FEED, "reading_date", "READING_DATE_AFTER_DROP"),
        orphan_check(FEED, "household_id", "households", "household_id"),
    ]
