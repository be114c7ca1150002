"""A row that fails two checks is quarantined once and counted once: one of three households has a hukou type outside
the contract's codes AND a region code outside the district. Worked out by hand: 3 rows in, 2 quarantine entries (one
per check) for 1 line, 1 row quarantined, 2 rows loaded, and the as-of state holds the 2 others. The loaded count is
checked against the state, not only against rows_in minus rows_quarantined (which would hold whatever was counted)."""

import sql
from checks.runner import run_checks
from tests.checks.clean_night import clean
from tests.checks.staging import AS_OF, build


def test_one_row_two_checks_one_quarantined_row(lenient_params):
    rows = clean()
    rows["households"][1] |= {"hukou_type": "village", "region_code": "500107104203"}
    con = build(rows)
    report = run_checks(con, AS_OF, lenient_params, None, feeds=("households",))
    feed = report["feeds"]["households"]
    assert feed["checks"] == {"CODE_hukou_type": 1, "REGION_OUTSIDE_DISTRICT": 1}
    assert (feed["rows_in"], feed["rows_quarantined"], feed["rows_loaded"]) == (3, 1, 2)
    assert con.execute("SELECT line, count(*) FROM quarantine WHERE feed = 'households' GROUP BY line").fetchall() == [
        (3, 2)
    ]
    sql.build(con, "state", only=["households"])
    assert sorted(r[0] for r in con.execute("SELECT household_id FROM households").fetchall()) == ["H1", "H3"]
