"""The output contract of raise_candidates: one table `candidates` with five VARCHAR columns, sorted, one row per
household and condition, evidence JSON with sorted keys at every level; every rule code can fire; deterministic."""

import json

import duckdb
import pytest

from models.rules import catalogue
from models.rules.candidates import CANDIDATE_COLUMNS, raise_candidates
from models.rules.catalogue import CATALOGUE
from models.rules.parameters import ParameterSet
from tests.rules.conftest import AS_OF, PRIOR, RECENT, StateBuilder, load_working_days

RULE_CODES = set(CATALOGUE) - set(getattr(catalogue, "RAISED_BY_ML", ()))  # codes the rule SQL raises


def everything() -> StateBuilder:
    """A handful of households that together raise every code once or more."""
    s = StateBuilder()
    # not covered: low pension with drop + unemployment + medical, an elder without support, no assets
    e, c = s.household(
        "A_EXCL",
        members=[
            dict(birth_date="1950-01-01", labor_capacity="none"),
            dict(birth_date="1990-01-01", labor_capacity="partial"),
        ],
    )
    s.monthly(c, 1000, months=PRIOR, source_type="pension")
    s.monthly(c, 200, months=RECENT, source_type="pension")
    s.event(c, "unemployment_registered", "2026-02-01", source="hr")
    s.expense(e, "2025-12-01", 25000)
    s.staff_relative("S1", c)
    s.event(c, "hukou_out", "2026-01-01")
    s.event(c, "hukou_in", "2026-01-02")
    # edge family candidate and rigid family candidate
    [p] = s.household("B_EDGE")
    s.monthly(p, 800, source_type="pension")
    [p] = s.household("C_RIGID")
    s.monthly(p, 1000, source_type="pension")
    s.expense(p, "2025-12-01", 7000, "education")
    [p] = s.household("D_SEVERE", members=[dict(disability_grade=1, disability_type="visual")])
    s.enroll("D_SEVERE", program="edge")
    # covered household with everything wrong
    a, b, c = s.household("E_INCL", members=3)
    s.enroll("E_INCL", covered_persons=3, monthly_benefit=900)
    s.enroll("E_INCL", program="tekun", covered_persons=1)
    s.monthly(a, 3000, source_type="pension")
    s.asset(a, "vehicle", "car", 50000)
    s.event(b, "death", "2025-12-01")
    s.event(c, "incarceration", "2025-12-15", source="justice")
    s.staff_relative("S1", a)
    s.payment("E_INCL", "2026-01", 800, "2026-02-03", "OUTSIDER-ID")
    s.household("F_DUP", members=[dict(person_id=a)])
    s.enroll("F_DUP")
    [p] = s.household("G_END")
    s.enroll("G_END", status="terminated", end_date="2025-10-31", monthly_benefit=500)
    s.payment("G_END", "2025-12", 500, "2025-12-15", p)
    s.application("G_END", "2025-11-03")
    # an 85-year-old living alone: no age allowance, one call in the week (a concern), a meter showing no use
    [p] = s.household("H_CARE", members=[dict(birth_date="1940-06-01", labor_capacity="none")])
    s.contact(p, "2026-03-04", result="concern")
    s.readings("H_CARE", "2026-02-01", "2026-03-08", 90)
    s.reading("H_CARE", "2026-03-09", 0)
    return s


@pytest.fixture(scope="module")
def con():
    con = duckdb.connect()
    everything().load(con)
    load_working_days(con)
    n = raise_candidates(con, ParameterSet.load(), AS_OF)
    assert n == con.execute("SELECT count(*) FROM candidates").fetchone()[0]
    return con


def _assert_sorted_keys(obj, where):
    if isinstance(obj, dict):
        assert list(obj) == sorted(obj), f"{where}: keys not sorted: {list(obj)}"
        for k, v in obj.items():
            _assert_sorted_keys(v, f"{where}.{k}")
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            _assert_sorted_keys(v, f"{where}[{i}]")


def test_every_code_fires(con):
    codes = {c for (c,) in con.execute("SELECT DISTINCT warning_code FROM candidates").fetchall()}
    assert codes == RULE_CODES


def test_shape_and_order(con):
    desc = con.execute("DESCRIBE candidates").fetchall()
    assert [(r[0], r[1]) for r in desc] == [(c, "VARCHAR") for c in CANDIDATE_COLUMNS]
    rows = con.execute("SELECT household_id, warning_code, condition_key FROM candidates").fetchall()
    assert rows == sorted(rows) and len(rows) == len(set(rows))


def test_evidence_sorted_json_with_parameters(con):
    for hid, code, key, reasons, evidence in con.execute("SELECT * FROM candidates").fetchall():
        ev = json.loads(evidence)
        _assert_sorted_keys(ev, f"{hid}/{key}")
        assert key == code or key.startswith(code + ":")
        assert reasons and any("\u4e00" <= ch <= "\u9fff" for ch in reasons), (hid, key)
        for p in ev["parameters"]:
            assert set(p) == {"effective_from", "name", "reference", "status", "value"}


def test_deterministic():
    def once():
        c = duckdb.connect()
        everything().load(c)
        load_working_days(c)
        raise_candidates(c, ParameterSet.load(), AS_OF)
        return c.execute("SELECT * FROM candidates").fetchall()

    assert once() == once()
