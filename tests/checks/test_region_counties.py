"""REGION_OUTSIDE_DISTRICT and REGION_UNKNOWN_STREET follow `district.counties`: one county (沙坪坝区) as shipped, any
county of a municipality once an override names them (docs/CONTRACT.md v2, "Municipality scale")."""

from __future__ import annotations

import datetime as dt

import duckdb

from checks.suites import SuiteContext, households
from models.rules.parameters import ParameterSet

AS_OF = dt.date(2026, 3, 2)
REGIONS = ["500106001001", "500160001001", "500160009001", "500199001001"]


def _failing(params: ParameterSet) -> dict[str, list[str]]:
    ctx = SuiteContext.from_parameters(params, AS_OF)
    con = duckdb.connect()
    con.execute("CREATE TABLE h (region_code VARCHAR)")
    con.executemany("INSERT INTO h VALUES (?)", [[r] for r in REGIONS])
    out = {}
    for check in households.checks(ctx):
        if check.code in ("REGION_OUTSIDE_DISTRICT", "REGION_UNKNOWN_STREET"):
            sql = f"SELECT t.region_code FROM h t WHERE {check.predicate} ORDER BY 1"
            out[check.code] = [r[0] for r in con.execute(sql).fetchall()]
    return out


def _municipality(tmp_path) -> ParameterSet:
    path = tmp_path / "municipality.yaml"
    path.write_text(
        "district.counties:\n  values:\n    2023-01-01:\n      value: {'500106': 沙坪坝区, '500160': 示例县01}\n"
        "      reference: test\n      status: unconfirmed\n"
        "district.streets:\n  values:\n    2023-01-01:\n      value: {'500106001': 小龙坎街道, '500160001': 示例县01·街道01}\n"
        "      reference: test\n      status: unconfirmed\n",
        encoding="utf-8",
    )
    return ParameterSet.load(override=path)


def test_one_county_by_default():
    failing = _failing(ParameterSet.load())
    assert failing["REGION_OUTSIDE_DISTRICT"] == ["500160001001", "500160009001", "500199001001"]
    assert failing["REGION_UNKNOWN_STREET"] == []


def test_a_municipality_accepts_each_configured_county_and_checks_its_streets(tmp_path):
    failing = _failing(_municipality(tmp_path))
    assert failing["REGION_OUTSIDE_DISTRICT"] == ["500199001001"]
    assert failing["REGION_UNKNOWN_STREET"] == ["500160009001"]


def test_the_reason_names_the_configured_counties(tmp_path):
    one = {c.code: c for c in households.checks(SuiteContext.from_parameters(ParameterSet.load(), AS_OF))}
    assert "start with 500106" in one["REGION_OUTSIDE_DISTRICT"].reason_en
    many = {c.code: c for c in households.checks(SuiteContext.from_parameters(_municipality(tmp_path), AS_OF))}
    assert "500106, 500160" in many["REGION_OUTSIDE_DISTRICT"].reason_en
