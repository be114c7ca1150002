"""A bad delivery halts the night before scoring (exit 3), leaves yesterday's queue and exports exactly as they were, and
the night succeeds once the drop is fixed."""

import hashlib
import shutil

import duckdb
import pytest

from flows import night
from flows.cli import main
from flows.ingest.drops import drop_dates
from flows.store import db_path


def _queue(store):
    with duckdb.connect(str(db_path(store)), read_only=True) as con:
        return con.execute("SELECT * FROM warning_snapshots ORDER BY as_of, warning_id").fetchall()


def _exports(store):
    return {
        p.relative_to(store).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted((store / "exports").rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def first_night_done(sample_drops, tmp_path):
    drops = tmp_path / "drops"
    nights = drop_dates(sample_drops)[:2]
    for n in nights:
        shutil.copytree(sample_drops / n.isoformat(), drops / n.isoformat())
    store = tmp_path / "store"
    assert night.sequence(drops, nights[0], store)["status"] == "ok"
    return drops, store, nights[1]


def test_truncated_feed_halts_with_exit_3_and_the_queue_is_untouched(first_night_done, prefect_harness, capsys):
    drops, store, second = first_night_done
    before = (_queue(store), _exports(store))
    persons = drops / second.isoformat() / "persons.csv"
    good = persons.read_bytes()
    persons.write_bytes(good[: len(good) // 2])  # a transfer cut in half: _MANIFEST.csv no longer matches
    code = main(["nightly", "--drops", str(drops), "--as-of", second.isoformat(), "--store", str(store)])
    err = capsys.readouterr().err
    assert code == 3
    assert "MANIFEST_MISMATCH" in err and f"{second.isoformat()}/persons.csv" in err
    assert (_queue(store), _exports(store)) == before
    with duckdb.connect(str(db_path(store)), read_only=True) as con:
        assert con.execute(
            "SELECT status, halted_feed, halted_check FROM runs WHERE as_of = ?", [second]
        ).fetchall() == [("halted", "persons", "MANIFEST_MISMATCH")]
    persons.write_bytes(good)  # the department delivers again
    assert main(["nightly", "--drops", str(drops), "--as-of", second.isoformat(), "--store", str(store)]) == 0
    assert _queue(store) != before[0]


def test_full_extract_far_off_yesterday_halts_before_scoring(first_night_done):
    drops, store, second = first_night_done
    before = (_queue(store), _exports(store))
    folder = drops / second.isoformat()
    lines = (folder / "households.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (folder / "households.csv").write_text("".join(lines[: len(lines) // 2]), encoding="utf-8")  # half the register
    (folder / "_MANIFEST.csv").unlink()  # no manifest to catch it: the row-count check must
    doc = night.sequence(drops, second, store)
    assert doc["status"] == "halted" and doc["halt"]["check_code"] == "ROW_COUNT_CHANGE"
    assert doc["halt"]["feed"] == "households"
    assert (_queue(store), _exports(store)) == before


def test_a_halt_in_the_checks_is_one_log_line_not_a_traceback(first_night_done, prefect_harness, capsys, caplog):
    drops, store, second = first_night_done
    folder = drops / second.isoformat()
    lines = (folder / "households.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (folder / "households.csv").write_text("".join(lines[: len(lines) // 2]), encoding="utf-8")
    (folder / "_MANIFEST.csv").unlink()
    code = main(["nightly", "--drops", str(drops), "--as-of", second.isoformat(), "--store", str(store)])
    assert code == 3 and "ROW_COUNT_CHANGE" in capsys.readouterr().err
    task_records = [r for r in caplog.records if r.name.startswith("prefect.task_runs")]
    assert [r.getMessage() for r in task_records if r.levelname == "ERROR"] == [
        next(r.getMessage() for r in task_records if "night halted: [ROW_COUNT_CHANGE] households" in r.getMessage())
    ]
    assert not any(r.exc_info for r in task_records)


def test_only_an_io_error_reading_the_drops_is_retried():
    from types import SimpleNamespace

    from checks.halt import NightHalted
    from flows.night import _retry_io_only

    def retried(exc):
        return _retry_io_only(None, None, SimpleNamespace(data=exc))

    assert retried(OSError("mount gone"))
    assert not retried(NightHalted("persons", "FEED_MISSING", "x")) and not retried(ValueError("bad"))


def test_a_halted_rerun_keeps_the_published_check_results_and_its_own_apart(first_night_done):
    """Night 2 succeeds; run again on a bad delivery it halts: the check results in checks/<D>/ stay those of the
    published night, the halted run's are kept beside them under its run id, and each halt is its own record."""
    drops, store, second = first_night_done
    assert night.sequence(drops, second, store)["status"] == "ok"
    published = {
        p.relative_to(store).as_posix(): p.read_bytes()
        for p in sorted((store / "checks" / second.isoformat()).rglob("*.json"))
        if "_volatile" not in p.parts
    }
    assert published
    folder = drops / second.isoformat()
    lines = (folder / "households.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (folder / "households.csv").write_text("".join(lines[: len(lines) // 2]), encoding="utf-8")
    (folder / "_MANIFEST.csv").unlink()  # the row-count check catches it, after the checks have run
    halted = night.sequence(drops, second, store)
    assert halted["status"] == "halted" and halted["halt"]["check_code"] == "ROW_COUNT_CHANGE"
    assert halted["checks_results"] == f"checks/{second.isoformat()}-halted-{halted['run_id']}"
    assert (store / halted["checks_results"] / "report.json").exists()
    assert {k: (store / k).read_bytes() for k in published} == published
    (folder / "persons.csv").unlink()  # another halt of the same night: another record
    missing = night.sequence(drops, second, store)
    assert missing["halt"]["check_code"] == "FEED_MISSING" and missing["run_id"] != halted["run_id"]
    with duckdb.connect(str(db_path(store)), read_only=True) as con:
        assert sorted(
            con.execute("SELECT halted_check FROM runs WHERE as_of = ? AND status = 'halted'", [second]).fetchall()
        ) == [("FEED_MISSING",), ("ROW_COUNT_CHANGE",)]
