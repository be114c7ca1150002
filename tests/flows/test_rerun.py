"""Auditor reruns: three recorded nights with an outcome import between them, rebuilt from the input log."""

import datetime as dt
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from flows.drops import drop_dates
from flows.store import TamperedInput

PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def recorded(sample_drops, prefect_harness, tmp_path_factory):
    """A store with every sample night recorded, and one caseworker outcome file imported after the first night."""
    from flows.nightly import nightly
    from flows.outcomes import import_outcomes

    store = tmp_path_factory.mktemp("recorded")
    nights = drop_dates(sample_drops)
    docs = {nights[0]: nightly(drops=str(sample_drops), as_of=nights[0], store=str(store))}
    with duckdb.connect(str(store / "safetynet.duckdb"), read_only=True) as con:
        first = con.execute("SELECT warning_id, raised_date FROM warning_snapshots WHERE as_of = ? AND status = 'open' "
                            "ORDER BY warning_id LIMIT 2", [nights[0]]).fetchall()
    outcome = store.parent / "outcomes.csv"
    outcome.write_text("warning_id,outcome,resolved_date,action,caseworker_id,note\n"
                       f"{first[0][0]},dismissed,{nights[0]},none,CW001,核实无误\n"
                       f"{first[1][0]},in_progress,,,CW001,已入户\n", encoding="utf-8")
    import_outcomes(store, outcome, nights[1])
    for night in nights[1:]:
        docs[night] = nightly(drops=str(sample_drops), as_of=night, store=str(store))
    assert all(d["status"] == "ok" for d in docs.values())
    return store, nights, docs, first


def test_every_recorded_night_rebuilds_byte_identical(recorded):
    from flows.rerun import compare, rebuild

    store, nights, docs, _ = recorded
    for night in nights:
        result = rebuild(store, night)
        assert compare(result) == [], night
        assert result["rebuilt"]["output_hash"] == docs[night]["output_hash"]


def test_chain_rerun_from_inputs_alone_matches(recorded):
    from flows.rerun import compare, rebuild

    store, nights, _, _ = recorded
    assert compare(rebuild(store, nights[-1], chain=True)) == []


def test_imported_outcome_is_applied_on_the_next_night(recorded):
    store, nights, _, first = recorded
    with duckdb.connect(str(store / "safetynet.duckdb"), read_only=True) as con:
        statuses = dict(con.execute("SELECT warning_id, status FROM warning_snapshots WHERE as_of = ?", [nights[1]]).fetchall())
    assert statuses[first[0][0]] == "dismissed"
    assert statuses[first[1][0]] == "in_progress"


def test_what_if_lists_exactly_the_warnings_the_parameter_drives(recorded, tmp_path):
    from flows.rerun import rebuild, warning_diff

    store, nights, _, _ = recorded
    night = nights[-1]
    override = tmp_path / "no-medical-shock.yaml"
    override.write_text("medical.shock_threshold_yuan:\n  values:\n    2026-01-01:\n      value: 100000000\n"
                        "      reference: what-if test\n      status: unconfirmed\n", encoding="utf-8")
    result = rebuild(store, night, params_file=override)
    diff = warning_diff(store, result["fresh_store"], night)
    with duckdb.connect(str(store / "safetynet.duckdb"), read_only=True) as con:
        expected = {r[0] for r in con.execute("SELECT household_id FROM warning_snapshots WHERE as_of = ? AND "
                                              "warning_code = 'MEDICAL_SHOCK' AND status IN ('open', 'in_progress')",
                                              [night]).fetchall()}
    assert expected, "the samples plant MEDICAL_SHOCK households"
    assert set(diff["household_id"]) == expected
    assert diff["condition_key"].str.starts_with("MEDICAL_SHOCK").all()


def test_tampered_input_is_detected(recorded, tmp_path):
    import shutil

    from flows.rerun import rebuild

    store, nights, docs, _ = recorded
    copy = tmp_path / "store"
    shutil.copytree(store, copy)
    sha = next(i["sha256"] for i in docs[nights[0]]["inputs"] if i["file"] == "households.csv")
    obj = copy / "log" / "objects" / sha
    obj.write_bytes(obj.read_bytes().replace(b"urban", b"rural", 1))
    with pytest.raises(TamperedInput, match="altered"):
        rebuild(copy, nights[0])


KILLER = textwrap.dedent("""
    import os, signal, sys, datetime as dt
    from pathlib import Path
    from flows import night as st, queue
    stage = sys.argv[3]
    def die(*a, **k):
        os.kill(os.getpid(), signal.SIGKILL)
    if stage == "before_publish":
        st.publish = die
    elif stage == "inside_publish":
        original = queue.publish
        def half(con, as_of):
            original(con, as_of)   # the snapshot rows are written inside the open transaction...
            die()                  # ...and the process dies before COMMIT
        queue.publish = half
    st.run(Path(sys.argv[2]), Path(sys.argv[1]), dt.date.fromisoformat(sys.argv[4]))
""")


@pytest.mark.parametrize("stage", ["before_publish", "inside_publish"])
def test_night_killed_mid_way_leaves_store_consistent_and_rerun_is_identical(recorded, sample_drops, tmp_path, stage):
    import shutil

    from flows import night as st

    store, nights, docs, _ = recorded
    copy = tmp_path / "store"
    shutil.copytree(store, copy)
    night = nights[-1]
    with duckdb.connect(str(copy / "safetynet.duckdb")) as con:  # forget the last night, as if it never ran
        con.execute("DELETE FROM warning_snapshots WHERE as_of = ?", [night])
        con.execute("DELETE FROM runs WHERE as_of = ?", [night])
    shutil.rmtree(copy / "exports" / night.isoformat())
    proc = subprocess.run([sys.executable, "-c", KILLER, str(sample_drops), str(copy), stage, night.isoformat()],
                          cwd=PROJECT, env=os.environ.copy(), capture_output=True, text=True)
    assert proc.returncode == -9, proc.stderr[-2000:]
    with duckdb.connect(str(copy / "safetynet.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM warning_snapshots WHERE as_of = ?", [night]).fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM runs WHERE as_of = ?", [night]).fetchone()[0] == 0
    doc = st.run(copy, sample_drops, night)
    assert doc["output_hash"] == docs[night]["output_hash"] and doc["queue_hash"] == docs[night]["queue_hash"]
