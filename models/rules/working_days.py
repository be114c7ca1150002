"""The official working-day calendar (docs/POLICY.md §5) and deadlines counted in working days.

A year's days off and make-up working days come from the State Council's holiday notice, kept as data in the parameter
`calendar.holidays_YYYY` (one file per year), so the bureau can add next year's notice when it is published each
November. A year with no notice falls back to Monday–Friday and is reported loudly (`fallback_years`),
never a crash. The `chinesecalendar` package is not used at run time: it raises for years it does not cover.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from models.rules.parameters import ParameterSet

PREFIX = "calendar.holidays_"


class WorkingCalendar:
    def __init__(self, params: ParameterSet, as_of: dt.date):
        self._off: set[dt.date] = set()
        self._makeup: set[dt.date] = set()
        self.years: set[int] = set()
        for name in params.names():
            if not name.startswith(PREFIX) or params.get(name).values[0].effective_from > as_of:
                continue
            self.years.add(int(name.removeprefix(PREFIX)))
            spec = params.value(name, as_of)
            for day in spec.get("days_off", []):
                self._off.add(dt.date.fromisoformat(str(day)))
            for day in spec.get("makeup_working_days", []):
                self._makeup.add(dt.date.fromisoformat(str(day)))
        self.fallback_years: set[int] = set()  # years a deadline was counted in without a notice

    def missing_years(self, years) -> list[int]:
        """Of these years, those with no holiday notice (counted Monday–Friday)."""
        return sorted(y for y in set(years) if y not in self.years)

    def is_working(self, day: dt.date) -> bool:
        if day.year not in self.years:
            return day.weekday() < 5
        if day in self._makeup:
            return True
        return day.weekday() < 5 and day not in self._off

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """The n-th working day after `start` (the first working day after `start` is day 1)."""
        day, counted = start, 0
        while counted < n:
            day += dt.timedelta(days=1)
            if self.is_working(day):
                counted += 1
        self.fallback_years.update(self.missing_years({start.year, day.year}))
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end]; negative when end is before start."""
        if end < start:
            return -self.working_days_between(end, start)
        return sum(1 for i in range(1, (end - start).days + 1) if self.is_working(start + dt.timedelta(days=i)))

    def to_duckdb(self, con, first: dt.date, last: dt.date) -> None:
        """Write `working_days(date, is_working, working_day_index)`: the calendar for SQL; the index counts working days
        from `first`, so the working days between two dates is a subtraction."""
        days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
        flags = [self.is_working(d) for d in days]
        calendar = pl.DataFrame({"date": days, "is_working": flags}).with_columns(
            working_day_index=pl.col("is_working").cast(pl.Int32).cum_sum()
        )
        with con.cursor() as cur:  # a fresh connection to the same database: no pending result can block it
            cur.register("calendar_frame", calendar)
            cur.execute("CREATE OR REPLACE TABLE working_days AS SELECT * FROM calendar_frame ORDER BY date")
