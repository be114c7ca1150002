"""Each row-level check quarantines its known-bad row under its code, with reasons in English and Chinese; row
accounting holds on the corrupted night; GX and the quarantine agree (the runner asserts it)."""

from __future__ import annotations

import json
import re

import pytest

from checks.contract import FEEDS
from checks.halt import NightHalted
from checks.runner import SQL_CHECK_TYPE, run_checks, without_timings
from tests.checks.known_bad import CASES, TYPING_REJECTS, corrupted_night
from tests.checks.staging import AS_OF, build


@pytest.fixture(scope="module")
def corrupted(lenient_params, tmp_path_factory):
    rows, _ = corrupted_night()
    con = build(rows, TYPING_REJECTS)
    out = tmp_path_factory.mktemp("results")
    report = run_checks(con, AS_OF, lenient_params, None, results_dir=out / "results", docs_dir=out / "docs")
    return con, report, out


def _record_id(case) -> str:
    return "|".join(str(case.row[k]) for k in FEEDS[case.feed].key)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_known_bad_row_is_quarantined_with_its_code(corrupted, case):
    con, _, _ = corrupted
    rows = con.execute(
        "SELECT line, check_code, reason_en, reason_zh, file, drop_date FROM quarantine "
        "WHERE feed = ? AND record_id = ? ORDER BY line, check_code",
        [case.feed, _record_id(case)],
    ).fetchall()
    last_line = max(r[0] for r in rows) if rows else None
    mine = [r for r in rows if r[0] == last_line]
    assert [r[1] for r in mine] == [case.code], rows
    line, _, reason_en, reason_zh, file, drop_date = mine[0]
    assert case.reason in reason_en
    assert case.feed in reason_en and re.search(r"[\u4e00-\u9fff]", reason_zh)
    assert file == f"{drop_date.isoformat()}/{case.feed}.csv" and line >= 2
    if case.extra:  # a repeated record id: the first row is kept, only the later one is quarantined
        assert [r[0] for r in rows] == [last_line]


def test_clean_rows_of_the_corrupted_night_are_not_quarantined(corrupted):
    con, _, _ = corrupted
    bad = {(c.feed, _record_id(c)) for c in CASES} | {("income", "I99")}
    found = set(con.execute("SELECT DISTINCT feed, record_id FROM quarantine").fetchall())
    assert found == bad


def test_row_accounting_holds_on_the_corrupted_night(corrupted):
    con, report, _ = corrupted
    for feed, r in report["feeds"].items():
        raw = con.execute("SELECT coalesce(sum(rows_in), 0) FROM raw_counts WHERE feed = ?", [feed]).fetchone()[0]
        lines = con.execute(
            "SELECT count(*) FROM (SELECT DISTINCT file, line FROM quarantine WHERE feed = ?)", [feed]
        ).fetchone()[0]
        assert r["rows_in"] == r["rows_loaded"] + r["rows_quarantined"] == raw, feed
        assert r["rows_quarantined"] == lines, feed
    assert report["feeds"]["income"]["rows_quarantined"] == 5  # 4 bad rows + 1 typing reject
    assert report["feeds"]["persons"]["checks"]["ID_FORMAT_person_id"] == 2


def test_suites_with_bad_rows_fail_in_gx(corrupted):
    _, report, _ = corrupted
    assert set(report["gx_success"]) == set(FEEDS)
    assert not any(report["gx_success"].values())  # every feed has a known-bad row


def test_results_are_written_deterministically(corrupted, lenient_params, tmp_path):
    _, report, out = corrupted
    first = {p.name: p.read_bytes() for p in (out / "results").glob("*.json")}
    assert set(first) == {f"{f}.json" for f in FEEDS} | {"report.json"}
    rows, _ = corrupted_night()
    some = ("persons", "income")  # a second run of two suites keeps the test fast
    again = run_checks(build(rows, TYPING_REJECTS), AS_OF, lenient_params, None, results_dir=tmp_path, feeds=some)
    assert {f: (tmp_path / f"{f}.json").read_bytes() for f in some} == {f: first[f"{f}.json"] for f in some}
    assert {f: without_timings(again)["feeds"][f] for f in some} == {
        f: without_timings(report)["feeds"][f] for f in some
    }
    assert (out / "docs" / "index.html").exists()


def test_rerun_on_the_same_database_does_not_double_the_quarantine(corrupted, lenient_params):
    con, report, _ = corrupted
    before = con.execute("SELECT count(*) FROM quarantine").fetchone()[0]
    run_checks(con, AS_OF, lenient_params, None, feeds=("households",))
    assert con.execute("SELECT count(*) FROM quarantine").fetchone()[0] == before


def test_default_quarantine_limit_halts_this_tiny_corrupted_night(params):
    rows, _ = corrupted_night()
    with pytest.raises(NightHalted) as exc:
        run_checks(build(rows, TYPING_REJECTS), AS_OF, params, None, feeds=("households",))
    assert exc.value.check_code == "QUARANTINE_RATE"


def test_results_show_every_check_once_gx_for_native_rules_and_sql_for_the_rest(corrupted):
    """Each check appears once in its feed's results: the native ones as GX's own expectation (counted by GX on the
    staging table), the others as SQL checks counted by the quarantine; the counts are the quarantine's."""
    con, report, out = corrupted
    persons = json.loads((out / "results" / "persons.json").read_text(encoding="utf-8"))
    by_code = {r["expectation_config"]["meta"]["check_code"]: r for r in persons["results"]}
    assert len(by_code) == len(persons["results"]) == persons["statistics"]["evaluated_expectations"]
    assert by_code["ID_FORMAT_person_id"]["expectation_config"]["type"] == SQL_CHECK_TYPE
    assert by_code["ID_FORMAT_person_id"]["result"]["unexpected_count"] == 2
    assert by_code["DISABILITY_GRADE_RANGE"]["expectation_config"]["type"] == "expect_column_values_to_be_between"
    assert by_code["NULL_person_id"]["expectation_config"]["type"] == "expect_column_values_to_not_be_null"
    quarantined = dict(
        con.execute("SELECT check_code, count(*) FROM quarantine WHERE feed = 'persons' GROUP BY ALL").fetchall()
    )
    assert {c: r["result"]["unexpected_count"] for c, r in by_code.items() if quarantined.get(c)} == quarantined
    assert persons["success"] is False and persons["statistics"]["unsuccessful_expectations"] == len(quarantined)
