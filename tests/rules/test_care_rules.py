"""Care for older people living alone (docs/CONTRACT.md v2, docs/POLICY.md §7): CARE_CONTACT_MISSED, CARE_CONCERN,
WATER_USAGE_ANOMALY and the meter feed's notice.

By hand, D = 2026-03-10 (a Tuesday). The last full Monday..Sunday week before D is 2026-03-02..2026-03-08, ISO week
2026-W10; with care.follow_up_days 14, every full week that ended in [2026-02-24, 2026-03-10) is judged: W10 and W09
(02-23..03-01), not W08 (ended 02-22). Living alone = the only present member, aged 60 or more on D (born 1966-03-10 is 60, 1966-03-11 is 59).
Each week needs 1 visit and 3 calls, counted separately; a no_answer contact is an attempt, not a contact.
CARE_CONCERN: a concern dated in (D - 14, D] = (2026-02-24, 2026-03-10]; or the latest 3 contacts all no_answer.
Water: the judged reading day is D - 1 = 2026-03-09; the baseline window is the 28 days before it, 2026-02-09..03-08;
a baseline needs readings on 14 of them; low use is below 20 % of the median (median 100 L -> limit 20 L).
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from models.rules.candidates import raise_candidates
from models.rules.parameters import ParameterSet
from tests.rules.conftest import StateBuilder, load_working_days

CM, CC, WU = "CARE_CONTACT_MISSED", "CARE_CONCERN", "WATER_USAGE_ANOMALY"
OLD = dict(birth_date="1950-01-01", labor_capacity="none")


def _met_week(s: StateBuilder, p: str) -> None:
    s.contact(p, "2026-03-02", "visit")
    for day in ("2026-03-03", "2026-03-05", "2026-03-08"):
        s.contact(p, day, "call")


def build() -> tuple[StateBuilder, dict]:
    s = StateBuilder()
    ids: dict[str, str] = {}

    def alone(hid: str, **kw) -> str:
        [p] = s.household(hid, members=[dict(OLD, **kw)])
        ids[hid] = p
        return p

    # ---- CARE_CONTACT_MISSED
    _met_week(s, alone("CM_MET"))
    p = alone("CM_TWO_CALLS")
    s.contact(p, "2026-03-02", "visit")
    s.contact(p, "2026-03-03")
    s.contact(p, "2026-03-04")
    p = alone("CM_CALLS_NO_VISIT")
    for day in ("2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05"):
        s.contact(p, day, "call")
    p = alone("CM_UNANSWERED_CALL")
    s.contact(p, "2026-03-02", "visit")
    s.contact(p, "2026-03-03")
    s.contact(p, "2026-03-04")
    s.contact(p, "2026-03-05", result="no_answer")
    p = alone("CM_CALL_AFTER_WEEK")  # the third call falls on Monday 2026-03-09, in the week still going on
    s.contact(p, "2026-03-02", "visit")
    s.contact(p, "2026-03-03")
    s.contact(p, "2026-03-04")
    s.contact(p, "2026-03-09")
    p = alone("CM_CONCERN_COUNTS")  # a visit that found a problem still reached the person
    s.contact(p, "2026-03-02", "visit", result="concern")
    for day in ("2026-03-03", "2026-03-05", "2026-03-08"):
        s.contact(p, day, "call")
    alone("CM_AGE_60", birth_date="1966-03-10")
    alone("CM_AGE_59", birth_date="1966-03-11")
    s.household("CM_WITH_SPOUSE", members=[OLD, dict(OLD, relation="spouse")])
    a, b = s.household("CM_SPOUSE_DIED", members=[OLD, dict(OLD, relation="spouse")])
    ids["CM_SPOUSE_DIED"] = a
    s.event(b, "death", "2026-01-15")

    # ---- CARE_CONCERN
    p = alone("CC_CONCERN_IN")
    ids["CC_CONCERN_IN:c"] = s.contact(p, "2026-02-25", "visit", result="concern")
    p = alone("CC_CONCERN_OLD")
    s.contact(p, "2026-02-24", "visit", result="concern")
    p = alone("CM_FEED_IN_W08")
    s.contact(p, "2026-02-20", "visit")  # the feed covers W08 (02-16..02-22) too
    p = alone("CC_NO_ANSWER_3")
    s.contact(p, "2026-03-01", result="ok")
    ids["CC_NO_ANSWER_3:first"] = s.contact(p, "2026-03-03", result="no_answer")
    s.contact(p, "2026-03-05", "visit", result="no_answer")
    s.contact(p, "2026-03-07", result="no_answer")
    p = alone("CC_NO_ANSWER_2")
    s.contact(p, "2026-03-01", result="ok")
    s.contact(p, "2026-03-05", result="no_answer")
    s.contact(p, "2026-03-07", result="no_answer")
    p = alone("CC_NO_ANSWER_BROKEN")
    s.contact(p, "2026-03-01", result="no_answer")
    s.contact(p, "2026-03-03", result="no_answer")
    s.contact(p, "2026-03-05", result="ok")
    s.contact(p, "2026-03-07", result="no_answer")
    p = alone("CC_NEVER_REACHED")
    ids["CC_NEVER_REACHED:first"] = s.contact(p, "2026-03-02", result="no_answer")
    s.contact(p, "2026-03-04", result="no_answer")
    s.contact(p, "2026-03-06", result="no_answer")
    p = alone("CC_CONCERN_DEAD")
    s.contact(p, "2026-03-05", "visit", result="concern")
    s.event(p, "death", "2026-03-06")

    # ---- WATER_USAGE_ANOMALY (13 metered households, 2 silent: 15 % <= 30 %, no feed notice)
    for hid in ("WU_NORMAL", "WU_NORMAL_2", "WU_NORMAL_3"):
        alone(hid)
        s.readings(hid, "2026-02-01", "2026-03-09", 100)
    alone("WU_ZERO")
    s.readings("WU_ZERO", "2026-02-01", "2026-03-08", 100)
    s.reading("WU_ZERO", "2026-03-09", 0)
    alone("WU_ZERO_RUN")
    s.readings("WU_ZERO_RUN", "2026-02-01", "2026-03-06", 100)
    s.readings("WU_ZERO_RUN", "2026-03-07", "2026-03-09", 0)
    alone("WU_LOW")
    s.readings("WU_LOW", "2026-02-01", "2026-03-08", 100)
    s.reading("WU_LOW", "2026-03-09", 19.99)
    alone("WU_AT_LIMIT")
    s.readings("WU_AT_LIMIT", "2026-02-01", "2026-03-08", 100)
    s.reading("WU_AT_LIMIT", "2026-03-09", 20)
    alone("WU_SILENT")
    s.readings("WU_SILENT", "2026-02-01", "2026-03-07", 100)
    # a reading dated D itself is not the judged day: 2026-03-09 is still missing
    alone("WU_ONLY_TODAY")
    s.readings("WU_ONLY_TODAY", "2026-02-01", "2026-03-08", 100)
    s.reading("WU_ONLY_TODAY", "2026-03-10", 100)
    alone("WU_NEW_ZERO")
    s.readings("WU_NEW_ZERO", "2026-03-01", "2026-03-08", 100)
    s.reading("WU_NEW_ZERO", "2026-03-09", 0)
    alone("WU_NEW_LOW")
    s.readings("WU_NEW_LOW", "2026-03-01", "2026-03-08", 100)
    s.reading("WU_NEW_LOW", "2026-03-09", 5)
    alone("WU_BASELINE_14")
    s.readings("WU_BASELINE_14", "2026-02-23", "2026-03-08", 100)
    s.reading("WU_BASELINE_14", "2026-03-09", 5)
    alone("WU_BASELINE_13")
    s.readings("WU_BASELINE_13", "2026-02-24", "2026-03-08", 100)
    s.reading("WU_BASELINE_13", "2026-03-09", 5)
    return s, ids


STATE, IDS = build()


@pytest.fixture(scope="module")
def result():
    return STATE.run()


@pytest.mark.parametrize(
    "hid,missed",
    [
        ("CM_TWO_CALLS", ["calls"]),
        ("CM_CALLS_NO_VISIT", ["visits"]),
        ("CM_UNANSWERED_CALL", ["calls"]),
        ("CM_CALL_AFTER_WEEK", ["calls"]),
        ("CM_AGE_60", ["visits", "calls"]),
        ("CM_SPOUSE_DIED", ["visits", "calls"]),
    ],
)
def test_contact_missed_fires(result, hid, missed):
    row = result.one(hid, CM, f"{CM}:{IDS[hid]}:2026-W10")
    assert row["evidence"]["missed"] == missed
    assert row["evidence"]["week"] == "2026-03-02..2026-03-08"


@pytest.mark.parametrize("hid", ["CM_MET", "CM_CONCERN_COUNTS", "CM_AGE_59", "CM_WITH_SPOUSE"])
def test_contact_missed_near_misses(result, hid):
    assert f"{CM}:{IDS.get(hid, hid + '-P1')}:2026-W10" not in result.keys(hid, CM)
    if hid in ("CM_AGE_59", "CM_WITH_SPOUSE"):  # not living alone at 60+: no week is judged for them at all
        assert CM not in result.codes(hid)


def test_every_week_within_the_follow_up_days_is_judged(result):
    """No contact at all: W10 and W09 are missed; W08 ended 2026-02-22, before D - 14, and is no longer judged."""
    p = IDS["CM_AGE_60"]
    assert result.keys("CM_AGE_60", CM) == {f"{CM}:{p}:2026-W10", f"{CM}:{p}:2026-W09"}


def test_contact_missed_counts(result):
    row = result.one("CM_UNANSWERED_CALL", CM, f"{CM}:{IDS['CM_UNANSWERED_CALL']}:2026-W10")
    ev = row["evidence"]
    assert (ev["visits"], ev["calls"], ev["unanswered_attempts"]) == (1, 2, 1)
    assert "另有 1 次未接通" in row["reasons"]


def test_a_sunday_night_judges_the_week_before():
    """On Sunday 2026-03-08 the week 03-02..03-08 is not over: the weeks judged are those that ended in
    [2026-02-22, 2026-03-08): W09 (02-23..03-01) and W08 (02-16..02-22), when CM_MET had no contact; not W10."""
    res = STATE.run(as_of=dt.date(2026, 3, 8))
    p = IDS["CM_MET"]
    assert res.keys("CM_MET", CM) == {f"{CM}:{p}:2026-W09", f"{CM}:{p}:2026-W08"}
    assert res.one("CM_MET", CM, f"{CM}:{p}:2026-W09")["evidence"]["week"] == "2026-02-23..2026-03-01"


def test_no_contact_feed_is_not_evaluated():
    s = StateBuilder()
    s.household("ALONE", members=[OLD])
    assert not [r for r in s.run().rows if r["warning_code"] == CM]


def test_a_week_before_the_feed_began_is_not_judged():
    """The feed's first contact is dated Tuesday 2026-03-03 (W10): on D = 2026-03-10 W10 is judged (ALONE had no
    contact), W09 (02-23..03-01) is not: no contact of anybody is dated in it, so the feed did not cover it."""
    s = StateBuilder()
    s.household("ALONE", members=[OLD])
    [other] = s.household("OTHER", members=[OLD])
    _met_week(s, other)
    [alone] = [r["condition_key"] for r in s.run().rows if r["warning_code"] == CM and r["household_id"] == "ALONE"]
    assert alone.endswith(":2026-W10")


def test_concern_fires(result):
    row = result.one("CC_CONCERN_IN", CC)
    assert row["condition_key"] == f"{CC}:{IDS['CC_CONCERN_IN:c']}"


def test_no_answer_runs_fire(result):
    for hid in ("CC_NO_ANSWER_3", "CC_NEVER_REACHED"):
        row = result.one(hid, CC)
        assert row["condition_key"] == f"{CC}:{IDS[hid]}:no_answer_since:{IDS[hid + ':first']}"
        assert row["evidence"]["no_answer_run"] == 3


@pytest.mark.parametrize(
    "hid", ["CC_CONCERN_OLD", "CC_NO_ANSWER_2", "CC_NO_ANSWER_BROKEN", "CC_CONCERN_DEAD", "CM_MET"]
)
def test_concern_near_misses(result, hid):
    assert CC not in result.codes(hid)


@pytest.mark.parametrize(
    "hid,status,since,days",
    [
        ("WU_ZERO", "no_use", "2026-03-09", 1),
        ("WU_ZERO_RUN", "no_use", "2026-03-07", 3),
        ("WU_LOW", "low_use", "2026-03-09", 1),
        ("WU_SILENT", "silent", "2026-03-08", 2),
        ("WU_ONLY_TODAY", "silent", "2026-03-09", 1),
        ("WU_NEW_ZERO", "no_use", "2026-03-09", 1),
        ("WU_BASELINE_14", "low_use", "2026-03-09", 1),
    ],
)
def test_water_anomaly_fires(result, hid, status, since, days):
    row = result.one(hid, WU)
    assert row["condition_key"] == f"{WU}:{status}:{since}"
    assert (row["evidence"]["status"], row["evidence"]["days"]) == (status, days)


@pytest.mark.parametrize("hid", ["WU_NORMAL", "WU_AT_LIMIT", "WU_NEW_LOW", "WU_BASELINE_13", "CM_MET"])
def test_water_anomaly_near_misses(result, hid):
    assert WU not in result.codes(hid)


def test_water_evidence_names_silence_and_baseline(result):
    silent = result.one("WU_SILENT", WU)
    assert silent["evidence"]["litres"] is None and "水表无数据，不等于未用水" in silent["reasons"]
    low = result.one("WU_LOW", WU)["evidence"]
    assert low["baseline"]["median_litres"] == 100 and low["baseline"]["low_use_limit"] == 20
    assert low["baseline"]["window"] == "2026-02-09..2026-03-08" and low["baseline"]["days_with_reading"] == 28
    new = result.one("WU_NEW_ZERO", WU)
    assert new["evidence"]["baseline"]["available"] is False and new["evidence"]["baseline"]["days_with_reading"] == 8
    assert "尚无用水基线" in new["reasons"]


def _notice_run(silent: int, normal: int) -> tuple[list[tuple], list[dict]]:
    s = StateBuilder()
    for i in range(normal):
        s.household(f"N{i}", members=[OLD])
        s.readings(f"N{i}", "2026-02-01", "2026-03-09", 100)
    for i in range(silent):
        s.household(f"S{i}", members=[OLD])
        s.readings(f"S{i}", "2026-02-01", "2026-03-05", 100)
    s.household("Z", members=[OLD])
    s.readings("Z", "2026-02-01", "2026-03-08", 100)
    s.reading("Z", "2026-03-09", 0)
    con = duckdb.connect(":memory:")
    s.load(con)
    load_working_days(con)
    raise_candidates(con, ParameterSet.load(), dt.date(2026, 3, 10))
    notice = con.execute("SELECT metered, silent FROM meter_feed_notice").fetchall()
    rows = [
        dict(zip(("household_id", "condition_key"), r))
        for r in con.execute(
            "SELECT household_id, condition_key FROM candidates WHERE warning_code = ? ORDER BY 1", [WU]
        ).fetchall()
    ]
    con.close()
    return notice, rows


def test_a_silent_feed_is_one_notice_not_a_warning_per_household():
    """4 of 10 metered households silent: 40 % > 30 %: one notice, no silent warning; zero use still fires."""
    notice, rows = _notice_run(silent=4, normal=5)
    assert notice == [(10, 4)]
    assert [r["household_id"] for r in rows] == ["Z"]


def test_silent_share_at_the_limit_raises_warnings():
    """3 of 10 silent: 30 % is not more than 30 %: no notice, a warning per silent household."""
    notice, rows = _notice_run(silent=3, normal=6)
    assert notice == []
    assert [r["household_id"] for r in rows] == ["S0", "S1", "S2", "Z"]
