"""Deadlines in working days on the official calendar (docs/CONTRACT.md §3, docs/POLICY.md §5)."""

import datetime as dt

import pytest

from models.rules.parameters import ParameterSet
from models.rules.working_days import WorkingCalendar


@pytest.fixture(scope="module")
def cal():
    return WorkingCalendar(ParameterSet.load(), dt.date(2026, 12, 31))


def test_contract_example_across_spring_festival(cal):
    # raised 2026-02-13 with 5 days: 2/14 (make-up Saturday) is day 1, 2/15-2/23 off, 2/24..2/27 are days 2..5
    assert cal.add_working_days(dt.date(2026, 2, 13), 5) == dt.date(2026, 2, 27)


def test_around_national_day(cal):
    # raised 2026-09-30: 10/1-10/7 off; 10/8 (Thu) 1, 10/9 2, 10/10 (make-up Saturday) 3, 10/12 4, 10/13 5
    assert cal.add_working_days(dt.date(2026, 9, 30), 5) == dt.date(2026, 10, 13)
    # 9/20 is a make-up Sunday: raised on Saturday 9/19, day 1 is Sunday 9/20
    assert cal.add_working_days(dt.date(2026, 9, 19), 1) == dt.date(2026, 9, 20)


def test_year_without_a_notice_falls_back_to_weekdays_and_says_so(cal):
    # 2026-12-28 (Mon) + 5: 12/29, 12/30, 12/31, then 2027 (no notice yet) Fri 1/1, Mon 1/4
    assert cal.add_working_days(dt.date(2026, 12, 28), 5) == dt.date(2027, 1, 4)
    assert cal.fallback_years == {2027}


def test_working_days_between_is_negative_when_overdue(cal):
    assert cal.working_days_between(dt.date(2026, 2, 27), dt.date(2026, 3, 2)) == 2  # 2/28 is a make-up Saturday
    assert cal.working_days_between(dt.date(2026, 3, 2), dt.date(2026, 2, 27)) == -2
