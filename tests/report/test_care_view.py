"""The care view (flows/outputs/care_view.py): the night's figures per street, the meter feed's notice as a quarantine row, and
the report's HTML block.

By hand, D = 2026-03-10, judged week 2026-03-02..08 (2026-W10), reading day 2026-03-09. Street 500106001: two people
living alone, one with 1 visit + 3 calls (met), one with 2 calls (missed); one meter with a reading (not silent).
Street 500106002: one person living alone with no contact (missed), a silent meter (last reading 2026-03-07).
2 metered, 1 silent: 50 % > 30 %, so the notice fires.
"""

from __future__ import annotations

import duckdb
import pytest

from flows.outputs import care_view
from models.rules.candidates import raise_candidates
from models.rules.parameters import ParameterSet
from tests.rules.conftest import AS_OF, StateBuilder, load_working_days

OLD = dict(birth_date="1950-01-01", labor_capacity="none")


@pytest.fixture(scope="module")
def con():
    s = StateBuilder()
    [a] = s.household("A", members=[OLD], region_code="500106001001")
    s.contact(a, "2026-03-02", "visit")
    for d in ("2026-03-03", "2026-03-04", "2026-03-05"):
        s.contact(a, d)
    [b] = s.household("B", members=[OLD], region_code="500106001002")
    s.contact(b, "2026-03-03")
    s.contact(b, "2026-03-04")
    s.readings("B", "2026-02-01", "2026-03-09", 100)
    s.household("C", members=[OLD], region_code="500106002001")
    s.readings("C", "2026-02-01", "2026-03-07", 100)
    con = duckdb.connect()
    s.load(con)
    load_working_days(con)
    raise_candidates(con, ParameterSet.load(), AS_OF)
    return con


def test_night_figures_per_street(con):
    fig = care_view.night_figures(con)
    assert (fig["iso_week"], fig["week"], fig["contacts_evaluated"]) == ("2026-W10", "2026-03-02..2026-03-08", True)
    assert fig["by_street"] == [
        {"street_code": "500106001", "living_alone": 2, "met": 1, "missed": 1, "metered": 1, "silent": 0},
        {"street_code": "500106002", "living_alone": 1, "met": 0, "missed": 1, "metered": 1, "silent": 1},
    ]
    assert (fig["meter_notice"]["metered"], fig["meter_notice"]["silent"]) == (2, 1)


def test_the_notice_is_one_quarantine_row(con):
    rows = care_view.notice_rows(con, AS_OF)
    assert rows.height == 1 and rows["check_code"][0] == care_view.NOTICE_CODE and rows["file"][0] is None
    assert "2 户已装表家庭中有 1 户" in rows["reason_zh"][0]


def test_report_block_shows_the_figures(con):
    fig = care_view.night_figures(con)
    rows = [
        {
            "street_code": r["street_code"],
            "street_name": r["street_code"],
            "iso_week": fig["iso_week"],
            "living_alone": r["living_alone"],
            "met": r["met"],
            "missed": r["missed"],
            "metered": r["metered"],
            "silent": r["silent"],
            "open_care_alerts": 0,
            "open_contact_missed": 0,
            "open_concern": 0,
            "open_water": 0,
        }
        for r in fig["by_street"]
    ]
    html = care_view.render_html(fig | {"fast_track_open": 5, "by_street": rows})
    assert 'id="kpi-fast-track">5<' in html and "达标 met 1+3" in html and care_view.NOTICE_CODE in html
    assert "<td>合计 total</td><td>3</td><td>1</td><td>2</td><td>2</td><td>1</td><td>0</td>" in html
