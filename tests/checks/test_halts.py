"""Each feed-level fault raises NightHalted with its check code and a message naming the file, what was expected and
what was found."""

from __future__ import annotations

import pytest

from checks.halt import NightHalted
from checks.runner import run_checks
from tests.checks.clean_night import clean
from tests.checks.staging import AS_OF, build


def _halt(rows, params, previous=None, feeds=None, con=None) -> NightHalted:
    con = con or build(rows)
    with pytest.raises(NightHalted) as exc:
        run_checks(con, AS_OF, params, previous, feeds=feeds)
    return exc.value


@pytest.mark.parametrize(
    "feed, key", [("households", "household_id"), ("enrollment", "enrollment_id"), ("assets", "asset_id")]
)
def test_full_extract_key_not_unique(params, feed, key):
    rows = clean()
    twin = dict(rows[feed][0])
    rows[feed].append(twin)
    err = _halt(rows, params, feeds=(feed,))
    assert (err.feed, err.check_code) == (feed, "KEY_NOT_UNIQUE")
    assert f"2026-03-02/{feed}.csv" in err.message and twin[key] in err.message and "expected" in err.message
    assert "重复" in err.message_zh


def test_persons_key_is_person_and_household(params):
    rows = clean()
    moved = dict(rows["persons"][0], household_id="H3")  # same person in two households: allowed
    rows["persons"].append(moved)
    report = run_checks(build(rows), AS_OF, params, None, feeds=("persons",))
    assert report["halted"] == []
    rows["persons"].append(dict(moved))  # the same (person, household) twice: not allowed
    err = _halt(rows, params, feeds=("persons",))
    assert err.check_code == "KEY_NOT_UNIQUE" and "person_id, household_id" in err.message
    # the repeated key is named with its ID number masked: the message goes to logs, manifests and reports
    pid = moved["person_id"]
    masked = f"{pid[:6]}********{pid[-4:]}|H3"
    assert pid not in err.message + err.message_zh and masked in err.message and masked in err.message_zh


def test_row_count_change_against_the_previous_night(params):
    err = _halt(clean(), params, previous={"persons": 10}, feeds=("persons",))
    assert (err.feed, err.check_code) == ("persons", "ROW_COUNT_CHANGE")
    assert "5 data rows" in err.message and "had 10" in err.message and "±20%" in err.message


def test_row_count_change_within_limit_first_night_and_increments_pass(params):
    report = run_checks(build(clean()), AS_OF, params, {"persons": 6, "income": 1000}, feeds=("persons", "income"))
    assert report["halted"] == []  # 5 vs 6 is -16.7 %; increments are not compared
    assert run_checks(build(clean()), AS_OF, params, None, feeds=("persons",))["halted"] == []


def test_quarantine_rate_above_limit(params):
    rows = clean()
    rows["households"][0]["hukou_type"] = "city"  # 1 of 3 rows
    err = _halt(rows, params, feeds=("households",))
    assert (err.feed, err.check_code) == ("households", "QUARANTINE_RATE")
    assert "1 of 3 data rows" in err.message and "CODE_hukou_type 1" in err.message and "2.00%" in err.message


def test_row_accounting_catches_a_lost_row(params):
    con = build(clean())
    con.execute("UPDATE raw_counts SET rows_in = rows_in + 1 WHERE feed = 'events'")
    err = _halt(None, params, feeds=("events",), con=con)
    assert (err.feed, err.check_code) == ("events", "ROW_ACCOUNTING")
    assert "2 data rows were read" in err.message and "1 are in stg_events" in err.message


def test_halt_carries_the_report_and_every_failure(params):
    rows = clean()
    rows["households"].append(dict(rows["households"][0]))
    err = _halt(rows, params, previous={"households": 100}, feeds=("households",))
    codes = [f.check_code for f in err.failures]
    assert codes == ["ROW_COUNT_CHANGE", "KEY_NOT_UNIQUE", "QUARANTINE_RATE"] and err.check_code == codes[0]
    assert [h["check_code"] for h in err.report["halted"]] == codes
