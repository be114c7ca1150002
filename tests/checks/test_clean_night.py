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
