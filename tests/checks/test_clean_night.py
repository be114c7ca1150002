from __future__ import annotations

import json

from checks.contract import FEEDS
from checks.runner import run_checks
from tests.checks.clean_night import clean
from tests.checks.staging import AS_OF, build


def test_clean_night_passes_every_suite(params):
    con = build(clean())
    report = run_checks(con, AS_OF, params, {"households": 3, "persons": 5, "enrollment": 2, "assets": 2})
    assert report["gx_success"] == {f: True for f in FEEDS}
    assert con.execute("SELECT count(*) FROM quarantine").fetchone()[0] == 0
    assert report["halted"] == []
    for feed, r in report["feeds"].items():
        assert r["rows_quarantined"] == 0 and r["checks"] == {} and r["rows_loaded"] == r["rows_in"], feed
    assert report["feeds"]["income"]["rows_in"] == 3  # increments: all drops on or before the as-of date
    json.dumps(report)  # JSON-able


def test_optional_feeds_not_delivered_pass_their_suites(params):
    """An optional feed absent from the night (docs/CONTRACT.md v2: optional means optional) is an empty staging table: GX
    gives no count on an empty batch, which is no failing row, not a disagreement with the quarantine."""
    rows = clean()
    optional = [name for name, feed in FEEDS.items() if not feed.required]
    for name in optional:
        rows[name] = []
    report = run_checks(build(rows), AS_OF, params, None)
    assert report["halted"] == [] and all(report["gx_success"].values())
    assert all(report["feeds"][name]["rows_in"] == 0 for name in optional)
