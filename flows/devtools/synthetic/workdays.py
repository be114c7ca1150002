"""Working days on the production calendar (models/rules/working_days.py), as a vectorisable index.

Why: application deadlines are counted in working days (holidays and make-up Saturdays included), and planting an
"exactly 30 working days" near miss needs the very calendar the rules count with: the holiday notices kept as dated
parameter files, Monday-Friday for a year without one (as a night counts it).
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from models.rules.parameters import ParameterSet
from models.rules.working_days import WorkingCalendar


class WorkdayIndex:
    """Cumulative working-day counts over a date range: count(a, b] = cum[b] - cum[a]."""

    def __init__(self, first: dt.date, last: dt.date):
        self.first = first
        n = (last - first).days + 1
        calendar = WorkingCalendar(ParameterSet.load(), last)
        flags = np.array([calendar.is_working(first + dt.timedelta(days=i)) for i in range(n)], dtype=np.int32)
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
