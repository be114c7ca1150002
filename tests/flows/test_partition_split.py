"""The split stage routes every delivered row to its county in the file's order (flows/partition/split.py), whether a
county's rows sit together in the file or are interleaved with another county's, as docs/adr/0015 states the routing:
households by digits 1-6 of their region code, persons and enrollment by household, income by every county where the
person is listed, an unknown household or person to the first (default) county.

Hand-made rows, not the generator's: the generator writes county by county, so its drops only exercise one run per
county."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from flows.ingest import drops
from flows.partition import split
from tests.flows.drop_writer import write_drop

AS_OF = dt.date(2026, 3, 2)
COUNTIES = ["500106", "500160"]
# household -> its county, in the order of the households file: interleaved, and one run at the end
HOUSEHOLDS = [("H1", "500106"), ("H2", "500160"), ("H3", "500106"), ("H4", "500160"), ("H5", "500160")]


def _drop(root, interleave: bool):
    order = HOUSEHOLDS if interleave else sorted(HOUSEHOLDS, key=lambda h: h[1])
    rows: dict[str, list[dict]] = {"households": [], "persons": [], "income": []}
    for hh, county in order:
        rows["households"].append(
            {"household_id": hh, "region_code": f"{county}001001", "hukou_type": "urban", "address": "a",
             "registered_date": "2020-01-01"}
        )  # fmt: skip
        rows["persons"].append({"person_id": f"P{hh}", "household_id": hh, "relation": "head"})
    rows["persons"].append({"person_id": "PH1", "household_id": "H2", "relation": "son"})  # listed in both counties
    rows["persons"].append({"person_id": "PX", "household_id": "H9", "relation": "head"})  # no such household
    for i, (hh, _) in enumerate(order * 2):  # two months of income per head, in household order
        rows["income"].append({"record_id": f"R{i}", "person_id": f"P{hh}", "month": "2026-01-01", "amount": "1"})
    rows["income"].append({"record_id": "RX", "person_id": "nobody", "month": "2026-01-01", "amount": "1"})
    write_drop(root, AS_OF.isoformat(), rows, manifest=True)
    return rows


def _expected(rows: dict[str, list[dict]], feed: str, key: str, county: str) -> list[str]:
    of_household = dict(HOUSEHOLDS)
    counties_of_person: dict[str, set[str]] = {}
    for p in rows["persons"]:
        counties_of_person.setdefault(p["person_id"], set()).add(of_household.get(p["household_id"], COUNTIES[0]))
    if feed == "households":
        route = {r[key]: {of_household[r["household_id"]]} for r in rows[feed]}
    elif feed == "persons":
        return [r[key] for r in rows[feed] if of_household.get(r["household_id"], COUNTIES[0]) == county]
    else:
        route = {r[key]: counties_of_person.get(r["person_id"], {COUNTIES[0]}) for r in rows[feed]}
    return [r[key] for r in rows[feed] if county in route[r[key]]]


@pytest.mark.parametrize("interleave", [True, False], ids=["interleaved", "one-run-per-county"])
def test_every_row_goes_to_its_counties_in_file_order(tmp_path, interleave):
    rows = _drop(tmp_path / "drops", interleave)
    with duckdb.connect() as con:
        report = split.split(con, drops.select(tmp_path / "drops", AS_OF), COUNTIES, tmp_path / "split")
    assert report["counties"] == COUNTIES
    for county in COUNTIES:
        folder = split.county_dir(tmp_path / "split", county) / AS_OF.isoformat()
        for feed, key in (("households", "household_id"), ("persons", "person_id"), ("income", "record_id")):
            with duckdb.connect() as con:
                got = [r[0] for r in con.execute(f"SELECT {key} FROM '{folder / feed}.parquet'").fetchall()]
            assert got == _expected(rows, feed, key, county), (county, feed)
            assert report["files"][county][f"{AS_OF.isoformat()}/{feed}.parquet"] == len(got)
