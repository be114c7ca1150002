"""A county's quarantine names the delivered file and the line one process names (flows/partition/split.py carries each
row's origin; flows/ingest/staging.py reports it), so a data steward finds the record in what was delivered.

Hand-made households of two counties, interleaved, with what moves a record's line away from its place in the county's
partition: a value holding a quoted line break (one process numbers records, not physical lines: flows/ingest/staging.py),
a record the CSV reader rejects (not routed: it has no county); then a value that cannot be typed (the staging's
quarantine) and a code outside its set (the checks')."""

from __future__ import annotations

import datetime as dt

import duckdb

from checks.contract import FEEDS
from checks.runner import run_checks
from flows.ingest import drops, staging
from flows.partition import split
from tests.flows.drop_writer import write_drop

AS_OF = dt.date(2026, 3, 2)
COUNTIES = ["500106", "500160"]
FILE = f"{AS_OF.isoformat()}/households.csv"
# (household, county, hukou type, address, registered date) in file order; the malformed record goes before H4
HOUSEHOLDS = [
    ("H1", "500106", "urban", "a", "2020-01-01"),  # line 2
    ("H2", "500160", "urban", "b", "2020-01-01"),  # line 3
    ("H3", "500106", "urban", "c\nd", "2020-01-01"),  # line 4 (physical lines 4-5); the malformed record is line 5
    ("H4", "500160", "urban", "e", "2020-13-45"),  # line 6 (physical line 7): cannot be typed
    ("H5", "500106", "rural", "f", "2020-01-01"),  # line 7
    ("H6", "500106", "town", "g", "2020-01-01"),  # line 8: not a hukou type
    ("H7", "500160", "rural", "h", "2020-01-01"),  # line 9
]


def _drop(root):
    rows = [
        {"household_id": hh, "region_code": f"{county}001001", "hukou_type": hukou, "address": address,
         "registered_date": date}
        for hh, county, hukou, address, date in HOUSEHOLDS
    ]  # fmt: skip
    folder = write_drop(root, AS_OF.isoformat(), {"households": rows})
    path = folder / "households.csv"
    malformed = ",".join(["HX"] * (len(FEEDS["households"].column_names) + 1))
    path.write_text(path.read_text(encoding="utf-8").replace("\nH4,", f"\n{malformed}\nH4,", 1), encoding="utf-8")


def _quarantine(selection, params) -> list[tuple]:
    with duckdb.connect() as con:
        staging.load(con, selection)
        run_checks(con, AS_OF, params, None, feeds=("households",))
        return con.execute(
            "SELECT feed, drop_date, file, line, record_id, check_code, reason_en, reason_zh FROM quarantine "
            "WHERE feed = 'households' ORDER BY ALL"
        ).fetchall()


def test_a_countys_quarantine_names_the_delivered_file_and_line(tmp_path, lenient_params):
    _drop(tmp_path / "drops")
    delivered = drops.select(tmp_path / "drops", AS_OF)
    one_process = _quarantine(delivered, lenient_params)
    with duckdb.connect() as con:
        report = split.split(con, delivered, COUNTIES, tmp_path / "split")
    assert report["unsplit_records"] == {FILE: 1}
    by_county = {
        c: _quarantine(drops.select(split.county_dir(tmp_path / "split", c), AS_OF), lenient_params) for c in COUNTIES
    }
    where = {(r[2], r[3], r[4], r[5]) for rows in by_county.values() for r in rows}
    assert (FILE, 6, "H4", "TYPE_registered_date") in where  # by hand: the line one process names
    assert ("households", AS_OF, FILE, 8, "H6") in {r[:5] for r in by_county["500106"]}
    # every row, reasons included, is one process's; only the rejected record is not (it has no county)
    assert sorted(r for rows in by_county.values() for r in rows) == [r for r in one_process if r[5] != "CSV_STRUCTURE"]
    assert [r[3] for r in one_process if r[5] == "CSV_STRUCTURE"] == [5]


def test_partition_files_name_their_delivered_file(tmp_path):
    _drop(tmp_path / "drops")
    with duckdb.connect() as con:
        split.split(con, drops.select(tmp_path / "drops", AS_OF), COUNTIES, tmp_path / "split")
    for county in COUNTIES:
        files = drops.select(split.county_dir(tmp_path / "split", county), AS_OF).files["households"]
        assert [(f.rel, f.delivered) for f in files] == [(f"{AS_OF.isoformat()}/households.parquet", FILE)]
