"""A full disk is one line naming the folder, exit 2, and the store keeps its last complete night. Real full disks are
small tmpfs mounts (skipped where mounting is not permitted); a disk that fills in the middle of a night is an ENOSPC
raised where the night writes its exports."""

import contextlib
import datetime as dt
import errno
import subprocess

import duckdb
import pytest

from flows import night as night_flow
from flows.cli import disk_full_folder, main
from flows.outputs import exports
from flows.store import db_path
from tests.flows.drop_writer import write_drop
from tests.flows.test_optional_feeds import _rows


@contextlib.contextmanager
def _tiny_disk(folder, size: str):
    folder.mkdir()
    if (
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True
        ).returncode
        != 0
    ):
        pytest.skip("mounting a tmpfs is not permitted here")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def test_a_command_that_fills_the_disk_says_which_folder(tmp_path, capsys):
    with _tiny_disk(tmp_path / "full", "128k") as full:
        code = main(["generate", "--out", str(full / "d"), "--households", "300", "--nights", "1", "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert f"no space left to write in {full / 'd'}" in err and "磁盘已满" in err


def test_a_night_on_a_full_disk_is_refused_before_it_starts(tmp_path, capsys):
    with _tiny_disk(tmp_path / "full", "1m") as full:
        (tmp_path / "drops" / "2026-03-02").mkdir(parents=True)
        code = main(
            ["nightly", "--drops", str(tmp_path / "drops"), "--as-of", "2026-03-02", "--store", str(full / "s")]
        )
        left = sorted(p.name for p in full.iterdir())
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and f"MB free in {full}" in err and left == []


def test_a_disk_that_fills_during_a_night_leaves_the_store_as_it_was(tmp_path, monkeypatch):
    write_drop(tmp_path / "drops", "2026-03-02", _rows(), manifest=True)
    write_drop(tmp_path / "drops", "2026-03-03", _rows(header_only=("income", "expenses", "events")), manifest=True)
    store = tmp_path / "store"
    first = night_flow.sequence(tmp_path / "drops", dt.date(2026, 3, 2), store)

    def full(con, out_dir, as_of):
        raise OSError(errno.ENOSPC, "No space left on device", str(out_dir / "500106001.xlsx"))

    monkeypatch.setattr(exports, "stage_exports", full)
    with pytest.raises(OSError) as err:
        night_flow.sequence(tmp_path / "drops", dt.date(2026, 3, 3), store)
    assert disk_full_folder(err.value) == str(store / "exports" / "2026-03-03")
    with duckdb.connect(str(db_path(store)), read_only=True) as con:
        runs = con.execute("SELECT run_id, status FROM runs").fetchall()
        nights = con.execute("SELECT DISTINCT as_of FROM warning_snapshots").fetchall()
    assert runs == [(first["run_id"], "ok")] and nights == [(dt.date(2026, 3, 2),)]
    assert not (store / "exports" / "2026-03-03").exists()


def test_duckdbs_full_disk_message_names_its_file():
    exc = duckdb.IOException(f'Could not write file "{db_path("/data/store")}.wal": No space left on device')
    assert disk_full_folder(RuntimeError("night failed")) is None
    assert disk_full_folder(exc) == "/data/store"
