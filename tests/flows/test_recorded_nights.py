"""Everything measured on the recorded sample nights (the session's `recorded` store: three nights run by the Prefect
flow, with an outcome file imported after the first). One module, so that pytest-xdist (`--dist loadfile`) runs it on
one worker and the store is built once: a whole night costs seconds."""

import json
import re
import shutil

import duckdb
import polars as pl
import pytest

from flows.devtools.recovery import recovery_table
from flows.outputs.exports import CSV_COLUMNS, EXPORT_COLUMNS
from flows.store import TamperedInput, db_path
from models.rules.catalogue import CATALOGUE, RAISED_BY_ML
from tests.conftest import SAMPLES

# -------------------- The night under Prefect: manifest, exports, determinism


def test_night_succeeds_and_records_its_manifest(recorded):
    from flows.runs import summary_lines

    store, nights, docs, _ = recorded
    doc = docs[nights[0]]
    manifest = json.loads((store / "runs" / f"{doc['run_id']}.json").read_text(encoding="utf-8"))
    summary = summary_lines(manifest)  # what `safetynet runs show RUN` prints (--json: the manifest)
    assert summary[0] == f"run {doc['run_id']} · night {nights[0]} · ok" and len(summary) <= 12
    assert any(line.startswith(f"queue: open {manifest['queue']['by_status']['open']}") for line in summary)
    assert summary[-1] == f"whole manifest: safetynet runs show {doc['run_id']} --json"
    assert manifest["status"] == "ok" and manifest["as_of"] == nights[0].isoformat()
    assert {i["feed"] for i in manifest["inputs"]} >= {
        "households",
        "persons",
        "enrollment",
        "income",
        "expenses",
        "assets",
        "events",
        "_manifest",
    }
    assert all(len(i["sha256"]) == 64 for i in manifest["inputs"])
    assert set(manifest["timings_seconds"]) >= {"receive", "load", "checks", "state", "rules", "ml", "queue", "export"}
    assert manifest["parameters"]["needing_confirmation"], "the 2021 standards and local settings must be reported"
    for feed, counts in manifest["checks"]["feeds"].items():
        assert counts["rows_in"] == counts["rows_loaded"] + counts["rows_quarantined"], feed


def test_every_street_gets_its_own_files_with_only_its_households(recorded):
    store, nights, docs, _ = recorded
    out = store / "exports" / nights[0].isoformat()
    csvs = sorted(out.glob("500106*.csv"))
    assert len(csvs) == 26 and len(list(out.glob("500106*_*街道.xlsx")) + list(out.glob("500106*_*镇.xlsx"))) == 26
    total = 0
    for path in csvs:
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel shows the Chinese right
        frame = pl.read_csv(path, infer_schema=False)
        assert tuple(frame.columns) == CSV_COLUMNS and CSV_COLUMNS[: len(EXPORT_COLUMNS)] == EXPORT_COLUMNS
        assert frame["community_code"].eq(frame["region_code"]).all() and frame["address"].is_not_null().all()
        assert frame["community_name"].str.contains("(社区|村)$").all()  # the samples deliver communities.csv
        assert frame["street_code"].eq(path.stem).all()
        assert frame["region_code"].str.starts_with(path.stem).all()
        assert frame["head_id_masked"].str.contains(r"^\d{6}\*{8}\d{3}[\dX]$").all()
        total += frame.height
    assert total == docs[nights[0]]["queue"]["by_status"].get("open", 0) > 0


def test_a_fresh_run_of_a_recorded_night_gives_identical_files(recorded, sample_drops, tmp_path):
    from flows.nightly import nightly

    _, nights, docs, _ = recorded
    again = nightly(drops=str(sample_drops), as_of=nights[0], store=str(tmp_path))
    first = docs[nights[0]]
    assert again["outputs"] == first["outputs"] and again["output_hash"] == first["output_hash"]
    assert again["queue_hash"] == first["queue_hash"] and again["run_id"] == first["run_id"]


def test_no_personal_id_number_in_any_export(recorded):
    store, nights, _, _ = recorded
    for night in nights:
        for path in (store / "exports" / night.isoformat()).glob("*.csv"):
            text = path.read_text(encoding="utf-8")
            assert not re.search(r"(?<![0-9A-Za-z])\d{17}[\dX](?![0-9A-Za-z])", text), path.name
            assert not re.search(r"X\d*\*{8}", text), f"{path.name}: an expense record id was masked as an ID number"


# -------------------- Planted truth recovered per rule code


def test_each_rule_code_finds_every_planted_case_and_no_twin(recorded):
    store, nights, _, _ = recorded
    for night in nights:
        by_code = {r["warning_code"]: r for r in recovery_table(store, SAMPLES / "truth", night).iter_rows(named=True)}
        for code in sorted(set(CATALOGUE) - RAISED_BY_ML):
            row = by_code.get(code)
            assert row is not None and row["tp"] > 0, f"{night} {code}: no planted case found"
            assert (row["fn"], row["fp"]) == (0, 0), f"{night} {code}: {row}"
            assert row["twins"] > 0, f"{night} {code}: the samples must plant a near-miss twin"


def test_planted_fast_track_flags_are_exported(recorded):
    """The 免申即享 scenarios' warnings carry the flag truth/fast_track.csv gives (worked out in flows/devtools/synthetic/care.py)."""
    store, nights, _, _ = recorded
    truth = pl.read_csv(SAMPLES / "truth" / "fast_track.csv", infer_schema=False)
    assert set(truth["fast_track"]) == {"true", "false"}
    out = store / "exports" / nights[-1].isoformat()
    exported = pl.concat([pl.read_csv(p, infer_schema=False) for p in sorted(out.glob("500106*.csv"))])
    got = truth.join(
        exported.select("household_id", "warning_code", pl.col("fast_track").alias("exported")),
        on=["household_id", "warning_code"],
        how="left",
    )
    assert got["exported"].to_list() == got["fast_track"].to_list()


# -------------------- Auditor reruns from the input log


def test_night_after_an_outcome_import_rebuilds_byte_identical(recorded):
    """Night 2 from the input log: night 1's queue (hash-checked), the outcome file replayed, night 2's drops."""
    from flows.rerun import compare, rebuild

    store, nights, docs, _ = recorded
    result = rebuild(store, nights[1])
    assert compare(result) == []
    assert result["rebuilt"]["output_hash"] == docs[nights[1]]["output_hash"]


def test_chain_rerun_from_inputs_alone_matches_every_night(recorded):
    from flows.rerun import chain_match_line, rebuild

    store, nights, docs, _ = recorded
    result = rebuild(store, nights[-1], chain=True)
    assert result["chain"] == {n.isoformat(): docs[n]["output_hash"] for n in nights}
    assert result["rebuilt"]["queue_hash"] == docs[nights[-1]]["queue_hash"]
    assert chain_match_line(result, nights[-1]).startswith(
        f"MATCH: 3 nights rebuilt in order from the input log alone ({nights[0]} .. {nights[-1]})"
    )


def test_imported_outcome_is_applied_on_the_next_night(recorded):
    store, nights, _, picked = recorded
    with duckdb.connect(str(db_path(store)), read_only=True) as con:
        statuses = dict(
            con.execute("SELECT warning_id, status FROM warning_snapshots WHERE as_of = ?", [nights[1]]).fetchall()
        )
    assert statuses[picked[0]] == "dismissed"
    assert statuses[picked[1]] == "in_progress"


def test_what_if_lists_exactly_the_warnings_the_parameter_drives(recorded, tmp_path):
    import openpyxl

    from flows.rerun import rebuild, summarise_changes, warning_diff, write_whatif

    store, nights, _, _ = recorded
    night = nights[-1]
    override = tmp_path / "no-medical-shock.yaml"
    override.write_text(
        "medical.shock_threshold_yuan:\n  values:\n    2026-01-01:\n      value: 100000000\n"
        "      reference: what-if test\n      status: unconfirmed\n",
        encoding="utf-8",
    )
    result = rebuild(store, night, params_file=override)
    diff = warning_diff(store, result["fresh_store"], night)
    with duckdb.connect(str(db_path(store)), read_only=True) as con:
        expected = {
            r[0]
            for r in con.execute(
                "SELECT household_id FROM warning_snapshots WHERE as_of = ? AND "
                "warning_code = 'MEDICAL_SHOCK' AND status IN ('open', 'in_progress')",
                [night],
            ).fetchall()
        }
    assert expected, "the samples plant MEDICAL_SHOCK households"
    assert set(diff["household_id"]) == expected
    assert diff["condition_key"].str.starts_with("MEDICAL_SHOCK").all()
    # a threshold no one reaches: every open MEDICAL_SHOCK warning would close (the data no longer shows it)
    assert diff["change"].to_list() == ["would_close"] * len(expected)
    assert summarise_changes(diff) == f"{len(expected)} would close (MEDICAL_SHOCK {len(expected)})"
    texts = diff.select(pl.concat_str(pl.col(pl.String), separator=" ", ignore_nulls=True))[:, 0]
    assert not texts.str.contains(r"(^|[^0-9A-Za-z])\d{17}[\dX]([^0-9A-Za-z]|$)").any()
    out = write_whatif(store, night, override, None, diff, "parameters no-medical-shock.yaml")
    assert (out / "diff.csv").read_bytes().startswith(b"\xef\xbb\xbfchange,household_id,condition_key,street_code,")
    ws = openpyxl.load_workbook(out / "diff.xlsx")["差异"]
    assert [c.value for c in ws[1]][:5] == ["变化类型", "户编号", "预警条件", "镇街代码", "变化字段"]
    assert ws.cell(2, 1).value == "将关闭" and ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.fitToHeight) == 0 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_area[0].endswith("$N$" + str(ws.max_row)) or ws.print_area.endswith("$N$" + str(ws.max_row))
    shutil.rmtree(out)


def test_tampered_input_is_detected(recorded, tmp_path):
    from flows.rerun import rebuild

    store, nights, docs, _ = recorded
    copy = tmp_path / "store"
    shutil.copytree(store, copy)
    sha = next(i["sha256"] for i in docs[nights[0]]["inputs"] if i["file"] == "households.csv")
    obj = copy / "log" / "objects" / sha
    obj.write_bytes(obj.read_bytes().replace(b"urban", b"rural", 1))
    work = tmp_path / "work"
    work.mkdir()
    with pytest.raises(TamperedInput, match="altered"):
        rebuild(copy, nights[0], keep=work)
    assert list(work.iterdir()) == []  # the rebuild's copy of the drops (personal data) is gone
