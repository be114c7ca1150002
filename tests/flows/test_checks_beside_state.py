"""The checks' GX cross-check runs beside the state and the rules (flows/night.py `settle_staging`): the night goes on
while GX validates, the staging stays until GX is done, and a GX disagreement stops the night before anything is written
out or recorded."""

import shutil
import threading

import duckdb
import pytest

from checks import gx_duckdb, runner
from checks.halt import NightHalted
from checks.runner import CheckDefinitionError
from flows import night
from flows.ingest import staging
from flows.ingest.drops import drop_dates
from flows.store import db_path


@pytest.fixture
def one_night(sample_drops, tmp_path) -> tuple:
    first = drop_dates(sample_drops)[0]
    shutil.copytree(sample_drops / first.isoformat(), tmp_path / "drops" / first.isoformat())
    return tmp_path / "drops", tmp_path / "store", first


def test_rules_run_while_gx_validates_and_the_staging_waits_for_it(one_night, monkeypatch):
    drops, store, as_of = one_night
    events: list[str] = []
    rules_started = threading.Event()
    validate, raise_candidates, release = gx_duckdb.validate_tables, night.raise_candidates, staging.release

    def slow_validate(*args, **kwargs):
        events.append("gx started")
        # GX finishes only once the rules have begun: a night that waited for GX before its state would not get there
        events.append("rules began during gx" if rules_started.wait(timeout=20) else "gx timed out")
        out = validate(*args, **kwargs)
        events.append("gx done")
        return out

    def rules(*args, **kwargs):
        rules_started.set()
        return raise_candidates(*args, **kwargs)

    def release_staging(con):
        events.append("staging released")
        release(con)

    monkeypatch.setattr(gx_duckdb, "validate_tables", slow_validate)
    monkeypatch.setattr(night, "raise_candidates", rules)
    monkeypatch.setattr(staging, "release", release_staging)
    doc = night.sequence(drops, as_of, store)
    assert doc["status"] == "ok"
    assert events == ["gx started", "rules began during gx", "gx done", "staging released"]
    # the checks' report came from the finished cross-check: every suite counted by GX, no table of it left behind
    assert set(doc["checks"]["gx_success"]) == set(doc["checks"]["feeds"])
    assert all(f["gx_seconds"] is not None for f in doc["checks"]["feeds"].values())


def test_a_gx_disagreement_stops_the_night_before_exports_and_records_nothing(one_night, monkeypatch):
    drops, store, as_of = one_night
    counts = runner._gx_counts
    monkeypatch.setattr(runner, "_gx_counts", lambda result: {k: (v or 0) + 1 for k, v in counts(result).items()})
    with pytest.raises(CheckDefinitionError, match="GX counted 1 failing rows, the quarantine SQL 0"):
        night.sequence(drops, as_of, store)
    assert not (store / "exports" / as_of.isoformat()).exists()
    with duckdb.connect(str(db_path(store)), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM runs").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM warning_snapshots").fetchone()[0] == 0


def test_start_checks_knows_a_halt_before_gx_is_done(one_night):
    """The SQL phase decides every feed-level check; `wait` completes the report and raises the halt."""
    drops, store, as_of = one_night
    key = night.open_night(store, as_of)
    nt = night.context(key)
    try:
        assert "halt" not in night.receive.fn(key, drops)
        nt.cache_writer = staging.load(nt.con, nt.selection)
        pending = runner.start_checks(nt.con, as_of, nt.params, {"households": 10_000})  # yesterday: 10,000 rows
        assert [f.check_code for f in pending.failures] == ["ROW_COUNT_CHANGE"]
        with pytest.raises(NightHalted) as halted:
            pending.wait()
        assert halted.value.feed == "households" and halted.value.report["gx_success"]["households"] is True
    finally:
        night.close(key)
