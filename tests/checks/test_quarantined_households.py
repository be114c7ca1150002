"""sql/state/quarantined_households.sql: the households a quarantined row belongs to (the 免申即享 fast track needs "no
quarantined row for the household that night"). By hand, from tests/checks/known_bad.py: the negative income I91 is
HEAD_3's (household H3), the asset A92 disposed before acquired is HEAD_1's (H1), the contact C92 dated after its drop
and the negative reading M91 are household H2's; the typing reject on income line 90 names only its record id, which
names no household, so it is attributed to none."""

from __future__ import annotations

import sql
from checks.runner import run_checks
from tests.checks.clean_night import clean
from tests.checks.known_bad import TYPING_REJECTS, corrupted_night
from tests.checks.staging import AS_OF, build


def test_quarantined_rows_are_attributed_to_their_households(lenient_params):
    rows, _ = corrupted_night()
    con = build(rows, TYPING_REJECTS)
    run_checks(con, AS_OF, lenient_params, None)
    sql.build(con, "state")
    got = set(con.execute("SELECT household_id, feed, check_code FROM quarantined_households").fetchall())
    assert {
        ("H3", "income", "NEGATIVE_amount"),
        ("H1", "assets", "END_BEFORE_START"),
        ("H2", "care_contacts", "CONTACT_DATE_AFTER_DROP"),
        ("H2", "meter_readings", "NEGATIVE_litres"),
        ("H3", "enrollment", "NEGATIVE_monthly_benefit"),
    } <= got
    assert not [r for r in got if r[2].startswith("TYPE_")]


def test_a_clean_night_has_no_quarantined_household(params):
    con = build(clean())
    run_checks(con, AS_OF, params, None)
    sql.build(con, "state")
    assert con.execute("SELECT count(*) FROM quarantined_households").fetchall() == [(0,)]
