"""A night that cannot run into a store is refused before it starts (exit 2, one line, nothing read or written): a
later night already ran, the store is locked by another process, or a parameter has no value in force on D."""

import argparse
import datetime as dt
import subprocess
import sys

import duckdb
import pytest

from flows import cli
from flows.night import NightRefused, preflight
from flows.store import Store

D = dt.date(2026, 3, 3)


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "store")
    s.init()
    return s


def _ran(store: Store, as_of: dt.date, status: str = "ok") -> None:
    with duckdb.connect(str(store.db_path)) as con:
        con.execute(
            "INSERT INTO runs (run_id, as_of, status, seq) VALUES (?, ?, ?, "
            "(SELECT coalesce(max(seq), 0) + 1 FROM runs))",
            [f"{as_of}-{status}", as_of, status],
        )


def test_a_night_before_the_latest_night_run_is_refused(store):
    _ran(store, D + dt.timedelta(days=1))
    with pytest.raises(
        NightRefused,
        match=r"before the latest night already run .*\(2026-03-04\).*safetynet rerun "
        r"--as-of 2026-03-03",
    ):
        preflight(store.root, D)


def test_the_latest_night_again_or_after_a_halted_later_night_is_allowed(store):
    _ran(store, D)
    _ran(store, D + dt.timedelta(days=1), status="halted")
    preflight(store.root, D)  # the same night again: idempotent
    preflight(store.root, D + dt.timedelta(days=1))  # the halted night, fixed
    preflight(store.root.parent / "new-store", D)  # no store yet


def test_a_store_locked_by_another_process_is_refused(store):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('locked', flush=True); time.sleep(60)",
            str(store.db_path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(NightRefused, match="in use by another process"):
            preflight(store.root, D)
    finally:
        holder.kill()
        holder.wait()


def test_only_the_parameters_a_night_reads_without_a_fallback_are_required(store):
    preflight(store.root, dt.date(2025, 6, 2))  # assessment.* (the report's estimate) is from 2026: not required


def test_a_store_that_cannot_be_written_is_refused(store, monkeypatch):
    import os

    writable = os.access
    monkeypatch.setattr(os, "access", lambda path, mode: False if mode == os.W_OK else writable(path, mode))
    with pytest.raises(NightRefused, match=r"store folder .* is not writable"):
        preflight(store.root, D)
    with pytest.raises(NightRefused, match="is not writable"):  # a store not created yet: its nearest folder counts
        preflight(store.root / "new" / "store", D)


def test_a_date_before_a_parameter_is_in_force_is_refused(store):
    with pytest.raises(
        NightRefused,
        match=r"no value in force on 2023-06-01 for: .*catalogue\.deadline_working_days "
        r"\(from 2023-10-19\)",
    ):
        preflight(store.root, dt.date(2023, 6, 1))


def test_the_command_exits_2_with_the_reason(store, tmp_path, capsys):
    _ran(store, D + dt.timedelta(days=1))
    args = argparse.Namespace(drops=tmp_path, as_of=D, store=store.root, allow_stale=False, params=None)
    assert cli.cmd_nightly(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("safetynet nightly: night 2026-03-03 is before the latest night") and err.count("\n") == 1
