"""A partitioned night on a real Dask cluster (issue 21 §4): a `dask scheduler` and two `dask worker` processes started
here, on 127.0.0.1 only, and stopped at the end; the night is run through `--dask tcp://127.0.0.1:PORT`. A second test
kills a worker in the middle of the night: the night either completes on the remaining worker, equal to an undisturbed
night, or fails with one line and nothing published.
"""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from flows.store import db_path
from tests.flows import municipality as m

DASK = str(Path(sys.executable).parent / "dask")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """`dask scheduler` and `dask worker`s (no nanny: the process started is the worker) on the loopback address."""

    def __init__(self, workers: int, tmp: Path):
        self.port = _free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.logs = tmp / "dask-logs"
        self.logs.mkdir()
        self.scheduler = self._start(
            "scheduler", [DASK, "scheduler", "--host", "127.0.0.1", "--port", str(self.port), "--no-dashboard"]
        )
        self.workers = [
            self._start(
                f"worker{i}",
                [
                    DASK,
                    "worker",
                    self.address,
                    "--host",
                    "127.0.0.1",
                    "--nthreads",
                    "1",
                    "--no-nanny",
                    "--no-dashboard",
                    "--name",
                    f"w{i}",
                    "--local-directory",
                    str(tmp / f"w{i}"),
                ],
            )  # fmt: skip
            for i in range(workers)
        ]
        self._wait_for_workers(workers)

    def _start(self, name: str, argv: list[str]) -> subprocess.Popen:
        log = (self.logs / f"{name}.log").open("w")
        return subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    def _wait_for_workers(self, n: int) -> None:
        from distributed import Client

        with Client(self.address, timeout=60) as client:
            client.wait_for_workers(n, timeout=90)
            self.addresses = sorted(client.scheduler_info()["workers"])

    def stop(self) -> None:
        for p in [*self.workers, self.scheduler]:
            if p.poll() is None:
                p.terminate()
        for p in [*self.workers, self.scheduler]:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


@pytest.fixture
def cluster(tmp_path):
    c = Cluster(2, tmp_path)
    yield c
    c.stop()


def _published(store: Path) -> list[str]:
    """Counties whose store holds a published (ok) night for AS_OF."""
    found = []
    for county in sorted((store / "counties").glob("*")):
        with duckdb.connect(str(db_path(county)), read_only=True) as con:
            if con.execute("SELECT count(*) FROM runs WHERE status = 'ok' AND as_of = ?", [m.AS_OF]).fetchone()[0]:
                found.append(county.name)
    return found


def _nightly(drops: Path, params: Path, store: Path, address: str) -> list[str]:
    return ["nightly", "--drops", str(drops), "--as-of", m.AS_OF.isoformat(), "--store", str(store),
            "--params", str(params), "--partition", "county", "--dask", address]  # fmt: skip


def test_night_through_a_scheduler_address(cluster, tmp_path):
    drops, params = m.tiny(tmp_path / "tiny")
    store = tmp_path / "store"
    done = m.safetynet(*_nightly(drops, params, store, cluster.address))
    assert done.returncode == 0, done.stderr[-3000:]
    doc = json.loads(next((store / "runs").glob("*.json")).read_text(encoding="utf-8"))
    used = {e["worker"][half] for e in doc["counties"].values() for half in ("prepare", "finish")}
    assert used <= set(cluster.addresses)  # ran on the cluster's workers, not in the command's process
    assert _published(store) == ["500106", "500160"]
    assert sorted({r[1] for r in m.partitioned_queue(store)}) == ["H1", "H2"]  # each county's household warned


def test_a_worker_killed_mid_night_completes_or_publishes_nothing(cluster, tmp_path):
    drops, params = m.tiny(tmp_path / "tiny")
    undisturbed = tmp_path / "undisturbed"
    assert m.safetynet(*_nightly(drops, params, undisturbed, cluster.address)).returncode == 0
    store = tmp_path / "store"
    argv = [sys.executable, "-c", "import sys; from flows.cli import main; sys.exit(main())"]
    night = subprocess.Popen(
        argv + _nightly(drops, params, store, cluster.address),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while not list((store / "nights").glob("*/work/*/scratch.duckdb")) and time.monotonic() < deadline:
        time.sleep(0.1)  # a county's first half has finished on some worker: the night is under way
    cluster.workers[0].send_signal(signal.SIGKILL)
    out, err = night.communicate(timeout=240)
    print(f"night after the kill: exit {night.returncode}\n{out[-1500:]}\n{err[-1500:]}")  # which way it went (-s)
    if night.returncode == 0:  # completed on the remaining worker: the same night as without the kill
        assert m.partitioned_queue(store) == m.partitioned_queue(undisturbed)
        assert _published(store) == ["500106", "500160"]
    else:  # failed cleanly: one line, no traceback, nothing published
        assert "Traceback" not in err, err[-3000:]
        assert _published(store) == []


def test_a_countys_bad_delivery_halts_that_county_only(tmp_path):
    """500160's only person has an invalid ID number (its persons file 100 % quarantined: QUARANTINE_RATE halts a
    night): that county is recorded halted, 500106 publishes, and the summary and NIGHT_STATUS.txt say so."""
    drops, params = m.tiny(tmp_path / "tiny")
    folder = drops / m.AS_OF.isoformat()
    persons = (folder / "persons.csv").read_text(encoding="utf-8").splitlines()
    persons[-1] = persons[-1].replace(persons[-1].split(",")[0], persons[-1].split(",")[0][:-1] + "0", 1)
    (folder / "persons.csv").write_text("\n".join(persons) + "\n", encoding="utf-8")
    (folder / "_MANIFEST.csv").unlink()
    store = tmp_path / "store"
    done = m.safetynet(*_nightly(drops, params, store, "")[:-2], "--workers", "1")
    assert done.returncode == 3, done.stderr[-3000:]
    assert "county 500160: HALTED, feed 'persons' failed QUARANTINE_RATE" in done.stderr
    assert "counties published: 500106" in done.stderr
    assert _published(store) == ["500106"]
    status = (store / "exports" / m.AS_OF.isoformat() / "NIGHT_STATUS.txt").read_text(encoding="utf-8")
    assert "partial" in status and "已停止的区县 / counties halted: 500160" in status
