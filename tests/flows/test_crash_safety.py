"""A night killed at any point (kill -9) leaves the store consistent, and running it again gives the same bytes."""

import datetime as dt
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from flows import night
from flows.ingest.drops import drop_dates
from flows.store import db_path

PROJECT = Path(__file__).resolve().parents[2]

# Runs night D in a child process that SIGKILLs itself at a chosen point.
KILLER = textwrap.dedent("""
    import os, signal, sys, datetime as dt
    from pathlib import Path
    from flows import night as st
    from flows.queue import merge as queue
    drops, store, stage, as_of = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], dt.date.fromisoformat(sys.argv[4])
    def die(*a, **k):
        os.kill(os.getpid(), signal.SIGKILL)
    if stage == "after_exports":      # exports staged, nothing recorded yet
        st.publish.fn = die
    elif stage == "after_commit":     # the night recorded, its exports still staged
        st.exports.install_staged = die
    elif stage == "inside_publish":   # queue rows written inside the open transaction, then death before COMMIT
        original = queue.publish
        def half(con, d):
            original(con, d)
            die()
        queue.publish = half
    st.sequence(drops, as_of, store)
""")


@pytest.fixture(scope="module")
def baseline(sample_drops, tmp_path_factory):
    """Night 1 run once without interruption: the bytes every recovered run must reproduce."""
    store = tmp_path_factory.mktemp("baseline")
    as_of = drop_dates(sample_drops)[0]
    return as_of, night.sequence(sample_drops, as_of, store)


def _state(store: Path, as_of: dt.date) -> tuple[int, int]:
    with duckdb.connect(str(db_path(store)), read_only=True) as con:
        return (
            con.execute("SELECT count(*) FROM warning_snapshots WHERE as_of = ?", [as_of]).fetchone()[0],
            con.execute("SELECT count(*) FROM runs WHERE as_of = ?", [as_of]).fetchone()[0],
        )


@pytest.mark.parametrize("stage", ["after_exports", "inside_publish"])
def test_killed_night_leaves_store_consistent_and_rerun_is_identical(sample_drops, baseline, tmp_path, stage):
    as_of, expected = baseline
    store = tmp_path / "store"
    proc = subprocess.run(
        [sys.executable, "-c", KILLER, str(sample_drops), str(store), stage, as_of.isoformat()],
        cwd=PROJECT,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
    )
    assert proc.returncode == -9, proc.stderr[-2000:]
    assert _state(store, as_of) == (0, 0), "nothing of the killed night may count as done"
    assert not (store / "exports" / as_of.isoformat()).exists(), "no exports without a recorded night"
    again = night.sequence(sample_drops, as_of, store)
    assert again["output_hash"] == expected["output_hash"] and again["queue_hash"] == expected["queue_hash"]
    assert _state(store, as_of)[1] == 1


def test_exports_left_staged_after_the_night_was_recorded_are_installed_by_the_next_run(
    sample_drops, baseline, tmp_path
):
    as_of, expected = baseline
    store = tmp_path / "store"
    proc = subprocess.run(
        [sys.executable, "-c", KILLER, str(sample_drops), str(store), "after_commit", as_of.isoformat()],
        cwd=PROJECT,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
    )
    assert proc.returncode == -9, proc.stderr[-2000:]
    assert _state(store, as_of)[1] == 1 and not (store / "exports" / as_of.isoformat()).exists()
    night.close(night.open_night(store, as_of))  # any later command on the store settles it
    folder = store / "exports" / as_of.isoformat()
    assert {
        p.relative_to(folder).as_posix(): night.sha256_file(p) for p in folder.rglob("*") if p.is_file()
    } == expected["outputs"]  # the exports and, on the first night of a month, the 公示 roster in gongshi/
    assert not list((store / "exports").glob("*.partial"))
    assert (store / "checks" / as_of.isoformat() / "report.json").exists()  # the recorded run's check results
    assert (store / "runs" / f"{expected['run_id']}.json").exists()
