"""The nightly schedule without a server: the deployment object, what a scheduled run decides, the CLI."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import types

import duckdb
import pytest

from flows import serve
from flows.store import Store, db_path


def test_importing_the_module_does_not_import_prefect():
    # the CLI builds its parser before runtime.configure(store); Prefect must not be imported by then
    code = "import sys, flows.serve, flows.outputs.report; sys.exit('prefect' in sys.modules)"
    import subprocess

    assert subprocess.run([sys.executable, "-c", code], capture_output=True).returncode == 0


def test_default_deployment_runs_at_0130_shanghai_time(tmp_path):
    dep = serve.deployment(tmp_path / "drops", tmp_path / "store")
    assert dep.name == "nightly" and dep.flow_name == "safetynet-scheduled-night"
    assert len(dep.schedules) == 1
    schedule = dep.schedules[0].schedule
    assert schedule.cron == "30 1 * * *"
    assert schedule.timezone == "Asia/Shanghai"  # a bare cron string would mean UTC
    assert dep.schedules[0].active
    assert dep.parameters == {
        "drops": str((tmp_path / "drops").resolve()),
        "store": str((tmp_path / "store").resolve()),
    }


def test_other_time_and_zone(tmp_path):
    schedule = serve.deployment("d", "s", time="23:05", timezone="UTC").schedules[0].schedule
    assert (schedule.cron, schedule.timezone) == ("5 23 * * *", "UTC")


@pytest.mark.parametrize("bad", ["1:30", "24:00", "01:60", "0130", ""])
def test_bad_time(bad):
    with pytest.raises(ValueError, match="HH:MM"):
        serve.cron_for(bad)


def test_bad_timezone():
    with pytest.raises(ValueError, match="IANA"):
        serve.check_timezone("China/Chongqing")


def _drops(tmp_path, *dates):
    (tmp_path / "drops").mkdir()
    for d in dates:
        (tmp_path / "drops" / d).mkdir(parents=True)
    return tmp_path / "drops"


def _store_with_ok(tmp_path, night: str):
    store = Store(tmp_path / "store")
    store.init()
    with duckdb.connect(str(store.db_path)) as con:
        con.execute(
            "INSERT INTO runs (run_id, as_of, status) VALUES (?, ?, 'ok')", [f"{night}-x", dt.date.fromisoformat(night)]
        )
    return store.root


def test_plan_runs_every_drop_after_the_latest_successful_night_in_order(tmp_path):
    drops = _drops(tmp_path, "2026-03-02", "2026-03-03", "2026-03-04", "not-a-date")
    nights = [dt.date(2026, 3, 2), dt.date(2026, 3, 3), dt.date(2026, 3, 4)]
    assert serve.plan(drops, tmp_path / "fresh") == ("run", nights, None)
    store = _store_with_ok(tmp_path, "2026-03-02")
    assert serve.plan(drops, store) == ("run", nights[1:], None)  # 03-03 was missed: run before 03-04


def test_plan_retries_a_halted_night_before_the_next(tmp_path):
    drops = _drops(tmp_path, "2026-03-02", "2026-03-03", "2026-03-04")
    store = _store_with_ok(tmp_path, "2026-03-02")
    with duckdb.connect(str(db_path(store))) as con:
        con.execute("INSERT INTO runs (run_id, as_of, status) VALUES ('h', DATE '2026-03-03', 'halted')")
    assert serve.plan(drops, store) == ("run", [dt.date(2026, 3, 3), dt.date(2026, 3, 4)], None)


def test_plan_no_new_drop(tmp_path):
    drops = _drops(tmp_path, "2026-03-02", "2026-03-03")
    store = _store_with_ok(tmp_path, "2026-03-03")
    assert serve.plan(drops, store) == ("no_new_drop", [dt.date(2026, 3, 3)], "2026-03-03-x")


def test_plan_empty_or_missing_drops(tmp_path):
    with pytest.raises(serve.ServeError, match="no drop folder"):
        serve.plan(_drops(tmp_path), tmp_path / "store")
    with pytest.raises(serve.ServeError, match="does not exist"):
        serve.plan(tmp_path / "nowhere", tmp_path / "store")


def test_no_new_drop_is_recorded_and_nothing_else(tmp_path):
    drops = _drops(tmp_path, "2026-03-03")
    store = _store_with_ok(tmp_path, "2026-03-03")
    doc = serve.run_scheduled_night(str(drops), str(store))
    assert doc["status"] == "no_new_drop" and doc["ok_run_id"] == "2026-03-03-x"
    with duckdb.connect(str(db_path(store)), read_only=True) as con:
        rows = con.execute("SELECT status, as_of, manifest FROM runs ORDER BY status").fetchall()
    assert [(r[0], r[1]) for r in rows] == [("no_new_drop", dt.date(2026, 3, 3)), ("ok", dt.date(2026, 3, 3))]
    assert "no new drop" in json.loads(rows[0][2])["message"]


def _fake_nightly(monkeypatch, fn):
    """Stand in for flows.nightly (whose import pulls in Great Expectations) with a plain function."""
    monkeypatch.setitem(sys.modules, "flows.nightly", types.SimpleNamespace(nightly=fn, run_night=fn))


def test_new_drops_run_the_nightly_flow_in_date_order(tmp_path, monkeypatch):
    calls = []
    _fake_nightly(monkeypatch, lambda **kw: calls.append(kw) or {"status": "ok", "run_id": f"r-{kw['as_of']}"})
    drops = _drops(tmp_path, "2026-03-02", "2026-03-03", "2026-03-04")
    store = _store_with_ok(tmp_path, "2026-03-02")
    assert serve.run_scheduled_night(str(drops), str(store)) == {"status": "ok", "run_id": "r-2026-03-04"}
    assert calls == [{"drops": str(drops), "as_of": dt.date(2026, 3, d), "store": str(store)} for d in (3, 4)]


def test_halted_night_fails_the_scheduled_run_and_the_later_nights_wait(tmp_path, monkeypatch):
    calls = []
    halted = {"status": "halted", "halt": {"feed": "income", "check_code": "FEED_MISSING", "message": "no income.csv"}}
    _fake_nightly(monkeypatch, lambda **kw: calls.append(kw["as_of"]) or halted)
    state = serve.run_scheduled_night(str(_drops(tmp_path, "2026-03-03", "2026-03-04")), str(tmp_path / "store"))
    assert state.is_failed() and "feed 'income'" in state.message and "(2026-03-04) wait" in state.message
    assert calls == [dt.date(2026, 3, 3)]


def test_a_missing_drops_folder_fails_the_scheduled_run_with_the_reason(tmp_path, monkeypatch):
    _fake_nightly(monkeypatch, lambda **kw: pytest.fail("no night may run"))
    state = serve.run_scheduled_night(str(tmp_path / "nowhere"), str(tmp_path / "store"))
    assert state.is_failed() and "does not exist" in state.message


def test_cli(tmp_path, capsys):
    p = argparse.ArgumentParser(prog="safetynet")
    serve.register(p.add_subparsers(dest="command"))
    (tmp_path / "d").mkdir()
    args = p.parse_args(["serve", "--drops", str(tmp_path / "d"), "--store", "s"])
    assert (args.time, args.timezone, args.func) == ("01:30", "Asia/Shanghai", serve.cmd_serve)
    with pytest.raises(SystemExit):
        p.parse_args(["serve", "--drops", str(tmp_path / "d"), "--store", "s", "--time", "25:00"])
    assert "HH:MM" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        p.parse_args(["serve", "--drops", str(tmp_path / "nowhere"), "--store", "s"])
    assert "does not exist" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        p.parse_args(["serve", "--help"])
    assert "PREFECT_API_URL" in capsys.readouterr().out
