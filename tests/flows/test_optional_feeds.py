"""Optional means optional (docs/CONTRACT.md "Changes in v2"): a drop without the optional feeds, or with them header-only,
and required increments holding only a header, run end to end; the rules that need an absent feed are reported as not
evaluated, in the manifest and in the summary. The drops are written by hand, not by the generator."""

import datetime as dt
import json

import pytest

from checks.contract import FEEDS
from flows import night as night_flow
from flows.outputs.summary import night_summary
from models.rules.feed_needs import absent_optional_feeds, rules_not_evaluated
from tests.checks.clean_night import clean
from tests.flows.drop_writer import write_drop

OPTIONAL = ("payments", "applications", "staff_relatives")
# Read from docs/CONTRACT.md §3 and the rule texts: the four payment rules read payments.csv, APPLICATION_OVERDUE
# applications.csv, STAFF_RELATIVE_UNFILED staff_relatives.csv; no other rule reads an optional feed.
NEED_PAYMENTS = {"PAYMENT_AFTER_END", "PAYMENT_MISMATCH", "PAYMENT_LATE", "ACCOUNT_HOLDER_OUTSIDE"}


def _csv_rows(feed: str, rows: list[dict]) -> list[dict]:
    months = {c.name for c in FEEDS[feed].columns if c.type == "month"}

    def text(k, v):
        if isinstance(v, dt.date):
            return v.strftime("%Y-%m") if k in months else v.isoformat()
        return "" if v is None else "true" if v is True else "false" if v is False else str(v)

    return [{k: text(k, v) for k, v in r.items() if not k.startswith("_")} for r in rows]


def _rows(without: tuple[str, ...] = (), header_only: tuple[str, ...] = ()) -> dict[str, list[dict]]:
    rows = {feed: _csv_rows(feed, r) for feed, r in clean().items() if feed not in without}
    rows["income"] = rows["income"][1:]  # one delivery: the clean night's I1 and its later correction, the correction
    for feed in header_only:
        rows[feed] = []
    return rows


def _run(tmp_path, drops: dict[str, dict], as_of: str) -> dict:
    for date, rows in drops.items():
        write_drop(tmp_path / "drops", date, rows, manifest=True)
    doc = night_flow.sequence(tmp_path / "drops", dt.date.fromisoformat(as_of), tmp_path / "store")
    assert doc["status"] == "ok", doc.get("halt")
    return doc


def test_a_drop_without_the_optional_feeds_runs_and_names_the_rules_not_evaluated(tmp_path):
    doc = _run(
        tmp_path, {"2026-03-02": _rows(without=OPTIONAL, header_only=("income", "expenses", "events"))}, "2026-03-02"
    )
    assert doc["feeds_absent"] == sorted(OPTIONAL)
    got = {r["warning_code"]: r["feeds_absent"] for r in doc["rules_not_evaluated"]}
    assert got == {
        **{c: ["payments"] for c in NEED_PAYMENTS},
        "APPLICATION_OVERDUE": ["applications"],
        "STAFF_RELATIVE_UNFILED": ["staff_relatives"],
    }
    feeds = doc["checks"]["feeds"]
    for feed in (*OPTIONAL, "income", "expenses", "events"):
        assert (feeds[feed]["rows_in"], feeds[feed]["rows_loaded"], feeds[feed]["rows_quarantined"]) == (0, 0, 0)
        assert doc["checks"]["gx_success"][feed] is True
    assert feeds["households"]["rows_loaded"] == 3
    on_disk = json.loads((tmp_path / "store" / "runs" / f"{doc['run_id']}.json").read_text(encoding="utf-8"))
    assert on_disk["rules_not_evaluated"] == doc["rules_not_evaluated"]
    text = night_summary(tmp_path / "store", doc)
    assert "未评估" in text and "STAFF_RELATIVE_UNFILED" in text and "payments.csv" in text
    docs = (tmp_path / "store" / "checks" / "2026-03-02" / "docs" / "index.html").read_text(encoding="utf-8")
    assert "0 rows / 0 行" in docs and ">None<" not in docs


def test_header_only_optional_feeds_are_evaluated_and_raise_nothing(tmp_path):
    doc = _run(tmp_path, {"2026-03-02": _rows(header_only=OPTIONAL)}, "2026-03-02")
    assert doc["feeds_absent"] == [] and doc["rules_not_evaluated"] == []
    assert all(doc["checks"]["feeds"][f]["rows_in"] == 0 for f in OPTIONAL)


def test_optional_feeds_absent_on_a_later_night_only(tmp_path):
    """Night 2 has no optional feed: the full extracts of night 1 are still the newest truth (docs/CONTRACT.md §1), the
    payments increment of night 1 still counts; every rule is evaluated."""
    doc = _run(
        tmp_path,
        {"2026-03-02": _rows(), "2026-03-03": _rows(without=OPTIONAL, header_only=("income", "expenses", "events"))},
        "2026-03-03",
    )
    assert doc["rules_not_evaluated"] == []
    assert doc["checks"]["feeds"]["applications"]["rows_in"] == 1
    assert doc["checks"]["feeds"]["payments"]["rows_in"] == 1


def test_an_optional_extract_emptied_to_its_header_is_no_truncation(tmp_path):
    """Applications on night 1, a header-only applications.csv on night 2: none in process that night, not a
    ROW_COUNT_CHANGE halt (a required extract emptied still halts: the test below)."""
    doc = _run(
        tmp_path,
        {
            "2026-03-02": _rows(),
            "2026-03-03": _rows(header_only=("applications", "income", "expenses", "events", "payments")),
        },
        "2026-03-02",
    )
    night_2 = night_flow.sequence(tmp_path / "drops", dt.date(2026, 3, 3), tmp_path / "store")
    assert doc["status"] == "ok" and night_2["status"] == "ok", night_2.get("halt")
    assert night_2["checks"]["feeds"]["applications"]["rows_in"] == 0 and night_2["rules_not_evaluated"] == []


def test_a_required_extract_emptied_to_its_header_still_halts():
    from checks.halt import NightHalted
    from checks.runner import run_checks
    from models.rules.parameters import ParameterSet
    from tests.checks.staging import AS_OF, build

    rows = clean() | {"applications": [], "assets": []}
    report = run_checks(build(rows), AS_OF, ParameterSet.load(), {"applications": 4}, feeds=("applications",))
    assert report["halted"] == []
    with pytest.raises(NightHalted) as err:
        run_checks(build(rows), AS_OF, ParameterSet.load(), {"assets": 4}, feeds=("assets",))
    assert err.value.check_code == "ROW_COUNT_CHANGE"


@pytest.mark.parametrize("feed", OPTIONAL)
def test_only_the_rules_of_the_absent_feed_are_not_evaluated(feed):
    got = {r["warning_code"] for r in rules_not_evaluated([feed])}
    assert (
        got
        == {
            "payments": NEED_PAYMENTS,
            "applications": {"APPLICATION_OVERDUE"},
            "staff_relatives": {"STAFF_RELATIVE_UNFILED"},
        }[feed]
    )


def test_no_absent_feed_no_rule_left_out():
    assert rules_not_evaluated([]) == []
    every_optional = [f for f, feed in FEEDS.items() if not feed.required]
    assert absent_optional_feeds({f: [object()] for f in every_optional}) == []


def test_a_night_without_optional_feeds_reruns_byte_identical(tmp_path, prefect_harness):
    """The auditor's rerun of a night that had no optional feed, after one that had only headers, matches."""
    from flows.rerun import compare, rebuild

    _run(
        tmp_path,
        {
            "2026-03-02": _rows(header_only=OPTIONAL),
            "2026-03-03": _rows(without=OPTIONAL, header_only=("income", "expenses", "events")),
        },
        "2026-03-02",
    )
    doc = night_flow.sequence(tmp_path / "drops", dt.date(2026, 3, 3), tmp_path / "store")
    assert doc["status"] == "ok" and doc["rules_not_evaluated"] == []  # header-only files of night 1 still count
    result = rebuild(tmp_path / "store", dt.date(2026, 3, 3), keep=tmp_path)
    assert compare(result) == [] and result["rebuilt"]["output_hash"] == doc["output_hash"]
