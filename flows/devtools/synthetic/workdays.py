"""Working days on the official PRC calendar, as a vectorisable index.

Why: application deadlines are counted in working days (holidays and make-up Saturdays included), and planting an
"exactly 30 working days" near miss needs the same calendar the rules use. `chinesecalendar` covers 2004-2026; for
other years this falls back to Monday-Friday (the pipeline's documented fallback).
"""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import numpy as np


def is_workday(day: dt.date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


class WorkdayIndex:
    """Cumulative working-day counts over a date range: count(a, b] = cum[b] - cum[a]."""

    def __init__(self, first: dt.date, last: dt.date):
        self.first = first
        n = (last - first).days + 1
        flags = np.array([is_workday(first + dt.timedelta(days=i)) for i in range(n)], dtype=np.int32)
        self.cum = np.cumsum(flags)
        self.flags = flags

    def count_after(self, submitted: dt.date, until: dt.date) -> int:
        """Working days after `submitted` up to and including `until`."""
        return int(self.cum[(until - self.first).days] - self.cum[(submitted - self.first).days])

    def back(self, until: dt.date, working_days: int) -> dt.date:
        """The latest date s with count_after(s, until) == working_days."""
        i = (until - self.first).days
        target = self.cum[i] - working_days
        j = int(np.searchsorted(self.cum, target, side="right")) - 1
        # cum[j] == target; any s with cum[s] == target works; take the last such day
        return self.first + dt.timedelta(days=j)

    def forward(self, start: dt.date, working_days: int) -> dt.date:
        """The first date e with count_after(start, e) == working_days."""
        i = (start - self.first).days
        target = self.cum[i] + working_days
        j = int(np.searchsorted(self.cum, target, side="left"))
        return self.first + dt.timedelta(days=j)
