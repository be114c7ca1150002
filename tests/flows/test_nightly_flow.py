"""The whole night on the bundled samples, under Prefect: exports, manifest, summary, and byte-identical reruns."""

import datetime as dt
import json
import os

import duckdb
import polars as pl
import pytest

from flows.drops import drop_dates
from flows.exports import EXPORT_COLUMNS


@pytest.fixture(scope="module")
def first_night(sample_drops, prefect_harness, tmp_path_factory):
    from flows.nightly import nightly

    night = drop_dates(sample_drops)[0]
    stores = [tmp_path_factory.mktemp(f"store{i}") for i in range(2)]
    docs = [nightly(drops=str(sample_drops), as_of=night, store=str(s)) for s in stores]
    return night, stores, docs


def test_night_succeeds_and_records_its_manifest(first_night):
    night, (store, _), (doc, _) = first_night
    assert doc["status"] == "ok"
    manifest = json.loads((store / "runs" / f"{doc['run_id']}.json").read_text(encoding="utf-8"))
    assert manifest["as_of"] == night.isoformat()
    assert {i["feed"] for i in manifest["inputs"]} >= {"households", "persons", "enrollment", "income", "expenses",
                                                       "assets", "events"}
    assert all(len(i["sha256"]) == 64 for i in manifest["inputs"])
    assert set(manifest["timings_seconds"]) >= {"receive", "load", "checks", "state", "rules", "queue", "export"}
    assert manifest["parameters"]["needing_confirmation"], "the 2021 standards and local settings must be reported"
    for feed, counts in manifest["checks"]["feeds"].items():
        assert counts["rows_in"] == counts["rows_loaded"] + counts["rows_quarantined"], feed


def test_every_street_gets_its_own_files_with_only_its_households(first_night):
    night, (store, _), (doc, _) = first_night
    out = store / "exports" / night.isoformat()
    csvs = sorted(p for p in out.glob("500106*.csv"))
    assert len(csvs) == 26 and len(list(out.glob("500106*.xlsx"))) == 26
    total = 0
    for path in csvs:
        frame = pl.read_csv(path, infer_schema=False)
        assert tuple(frame.columns) == EXPORT_COLUMNS
        assert frame["street_code"].eq(path.stem).all()
        assert frame["region_code"].str.starts_with(path.stem).all()
        assert frame["head_id_masked"].str.contains(r"^\d{6}\*{8}\d{3}[\dX]$").all()
        total += frame.height
    assert total == doc["queue"]["by_status"].get("open", 0)
    assert total > 0


def test_two_fresh_runs_of_the_same_night_give_identical_files(first_night):
    _, _, (a, b) = first_night
    assert a["outputs"] == b["outputs"] and a["output_hash"] == b["output_hash"]
    assert a["queue_hash"] == b["queue_hash"] and a["run_id"] == b["run_id"]


def test_no_personal_id_number_in_any_export(first_night):
    night, (store, _), _ = first_night
    import re

    for path in (store / "exports" / night.isoformat()).glob("*.csv"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\d{17}[\dX]", text), path.name
