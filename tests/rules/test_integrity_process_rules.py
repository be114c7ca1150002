"""Integrity and process: STAFF_RELATIVE_UNFILED and APPLICATION_OVERDUE.

Working days counted by hand from the 2026 holiday notice (docs/POLICY.md §5), D = 2026-03-10 (Tue):
  2026-01-22..01-30: Jan 22, 23, 26-30 = 7; February: 2-6, 9-13 (10), Sat 14 make-up (1), 24-27 (4), Sat 28 make-up (1) = 16
  (15-23 Spring Festival); March: 2-6, 9-10 = 7. Submitted 2026-01-21 -> days in (01-21, 03-10] = 7 + 16 + 7 = 30: not
  more than 30. Submitted 2026-01-20 adds Wed 01-21: 31 > 30, overdue.
"""

import datetime as dt

import chinese_calendar
import pytest

from models.rules.parameters import ParameterSet
from models.rules.working_days import WorkingCalendar
from tests.rules.conftest import StateBuilder

SR, AO = "STAFF_RELATIVE_UNFILED", "APPLICATION_OVERDUE"


def build():
    s = StateBuilder()
    expect = {}

    def relative(hid, filed, fires, covered=True, away=False):
        [p] = s.household(hid)
        if covered:
            s.enroll(hid)
        s.staff_relative("STAFF01", p, filed)
        if away:
            s.event(p, "hukou_out", "2025-01-01")
        expect[hid] = (SR, {f"{SR}:{p}"} if fires else set())

    relative("SR_UNFILED", None, True)
    relative("SR_FILED", "2025-01-01", False)
    relative("SR_FILED_ON_D", "2026-03-10", False)
    relative("SR_FILED_AFTER_D", "2026-03-11", True)
    relative("SR_NOT_COVERED", None, False, covered=False)
    relative("SR_MOVED_OUT", None, False, away=True)

    def application(hid, submitted, fires, decided=None):
        s.household(hid)
        aid = s.application(hid, submitted, decided, "approved" if decided else None)
        expect[hid] = (AO, {f"{AO}:{aid}"} if fires else set())

    application("AO_30_DAYS", "2026-01-21", False)
    application("AO_31_DAYS", "2026-01-20", True)
    application("AO_DECIDED", "2025-10-01", False, decided="2026-03-01")
    application("AO_DECIDED_AFTER_D", "2026-01-20", True, decided="2026-03-11")
    application("AO_SUBMITTED_AFTER_D", "2026-03-11", False)
    return s, expect


STATE, EXPECT = build()


@pytest.fixture(scope="module")
def result():
    return STATE.run()


@pytest.mark.parametrize("hid", sorted(EXPECT))
def test_integrity_process_case(result, hid):
    code, keys = EXPECT[hid]
    assert result.keys(hid, code) == keys, result.for_household(hid)


def test_hand_count_agrees_with_the_calendar():
    """The production calendar (what the rule counts with) and chinesecalendar (an independent encoding of the same
    State Council notice, kept in the tests as the oracle) both count the hand-made 30 working days."""
    days = [
        dt.date(2026, 1, 22) + dt.timedelta(days=i)
        for i in range((dt.date(2026, 3, 10) - dt.date(2026, 1, 22)).days + 1)
    ]
    calendar = WorkingCalendar(ParameterSet.load(), dt.date(2026, 3, 10))
    assert sum(calendar.is_working(d) for d in days) == 30
    assert sum(chinese_calendar.is_workday(d) for d in days) == 30


def test_overdue_reason(result):
    row = result.one("AO_31_DAYS", AO)
    assert row["evidence"]["working_days_elapsed"] == 31
    assert "已过 31 个工作日仍未办结，超过办理时限 30 个工作日（2021-09-01 起）" in row["reasons"]
