"""A municipality's night, partitioned by county, as a Prefect flow on prefect-dask's `DaskTaskRunner`.

    receive + split (this process) -> prepare per county (Dask) -> cross-county (this process) -> finish per county (Dask)

- receive + split: the drops are selected and verified once (flows/ingest/drops.py), logged in the municipality store's
  input log, and split into one drop folder per county (flows/partition/split.py);
- prepare / finish: each county's night in its own store `STORE/counties/<code>/`, in two halves around the
  cross-county stage (flows/partition/county_night.py), as Prefect tasks run on Dask workers: a `LocalCluster`
  (`workers` processes of one thread, `memory_limit` each) or the scheduler at `address`;
- cross-county: flows/partition/cross_county.py over the keys of every county that ran.

A county whose delivery halts its night is recorded halted in its own store, its queue and exports untouched; the other
counties publish their whole nights (a county's night is whole for its households: every row of them is in its
partition), and the night's manifest, the command's summary and `STORE/exports/<as-of>/NIGHT_STATUS.txt` say which
counties ran and which halted, and that a person listed in a halted county was not compared across counties that night.
The partitioned night's files live under `STORE/nights/<as-of>/` (split drops, checkpoints, keys), removed when it ends
except the manifest.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import socket
import time
from pathlib import Path

import duckdb
from prefect import flow, task
from prefect.cache_policies import NONE

from checks.halt import NightHalted
from flows import night as stages
from flows.ingest import drops
from flows.memory import peak_rss_mb
from flows.partition import county_night, cross_county, split
from flows.store import Store, connect, input_log, runs
from flows.store.database import exists as store_exists
from models.rules.parameters import ParameterSet

TASK = {"cache_policy": NONE, "persist_result": False}


def configured_counties(params: ParameterSet, as_of: dt.date) -> list[str]:
    """The municipality's counties on `as_of`, the default (first) one first: `district.counties` when configured,
    else the one county of `district.county_code`."""
    if "district.counties" in params:
        counties = params.value("district.counties", as_of)
        codes = sorted(str(c) for c in (counties.keys() if isinstance(counties, dict) else counties))
    else:
        codes = []
    first = str(params.value("district.county_code", as_of))
    return [first] + [c for c in codes if c != first]


def _where() -> dict:
    """The worker running this task (its address, or host and pid outside Dask) and its peak RSS so far."""
    try:
        from distributed import get_worker

        worker = get_worker().address
    except (ImportError, ValueError):
        worker = f"{socket.gethostname()}:{os.getpid()}"
    return {"worker": worker, "peak_rss_mb": peak_rss_mb()}


@task(name="county night: load, check, state, rules", **TASK)
def prepare_county(county: str, drops_dir: str, as_of: dt.date, store: str, params: str | None, work: str, mem) -> dict:
    t = time.perf_counter()
    result = county_night.prepare(
        county, Path(drops_dir), as_of, Path(store), Path(params) if params else None, Path(work), mem
    )
    return result | {"seconds": round(time.perf_counter() - t, 3)} | _where()


@task(name="county night: ML, queue, exports, publish", **TASK)
def finish_county(county: str, store: str, as_of: dt.date, params: str | None, work: str, rows: str, mem) -> dict:
    t = time.perf_counter()
    result = county_night.finish(
        county, Path(store), as_of, Path(params) if params else None, Path(work), Path(rows), mem
    )
    return result | {"seconds": round(time.perf_counter() - t, 3)} | _where()


def _receive_and_split(root: Path, drops_dir: Path, as_of: dt.date, params: ParameterSet, allow_stale: bool):
    """Select, verify and log the drops, and split them; returns (selection, split report, seconds)."""
    t = time.perf_counter()
    store = Store(root)
    store.init()
    selection = drops.select(drops_dir, as_of, allow_stale, log=store)
    with connect(store.root) as con:
        rows = [
            ("drop", f.drop_date, f.name, f.sha256, f.path.stat().st_size, as_of)
            for f in selection.all_files() + selection.manifests
        ]
        input_log.log(con, rows)
    with duckdb.connect(config={"threads": 2, "memory_limit": stages.MEMORY_LIMIT}) as con:
        con.execute(f"SET temp_directory = '{root / 'tmp'}'")
        report = split.split(con, selection, configured_counties(params, as_of), night_dir(root, as_of) / "split")
    return selection, report, round(time.perf_counter() - t, 3)


def published_counties(root: Path, as_of: dt.date) -> list[str]:
    """The counties whose store holds a published night `as_of`."""
    found = []
    for county in sorted(p for p in (Path(root) / "counties").glob("*") if store_exists(p)):
        with connect(county, read_only=True) as con:
            if runs.ok_run_ids(con, as_of, db="main"):
                found.append(county.name)
    return found


def night_dir(root: Path, as_of: dt.date) -> Path:
    return root / "nights" / as_of.isoformat()


def county_store(root: Path, county: str) -> Path:
    return root / "counties" / county


@flow(name="safetynet-municipality-nightly", log_prints=False)
def municipality_night(
    drops: str,
    as_of: dt.date,
    store: str,
    allow_stale: bool = False,
    params_file: str | None = None,
    memory_limit: str | None = None,
) -> dict:
    """The partitioned night; returns its manifest (flows/partition/night_manifest.py)."""
    from flows.partition import night_manifest

    started = time.perf_counter()
    root = Path(store)
    params = ParameterSet.load(Path(params_file) if params_file else None)
    shutil.rmtree(night_dir(root, as_of), ignore_errors=True)
    try:
        selection, report, split_seconds = _receive_and_split(root, Path(drops), as_of, params, allow_stale)
    except NightHalted as halted:
        return night_manifest.record(root, as_of, params, None, {}, {}, {"halt": halted.to_dict()}, started)
    mem = _duckdb_limit(memory_limit)
    here = night_dir(root, as_of)
    work = {c: here / "work" / c for c in report["counties"]}
    for w in work.values():
        w.mkdir(parents=True, exist_ok=True)
    params_arg = params_file
    futures = {
        c: prepare_county.submit(
            c,
            str(split.county_dir(here / "split", c)),
            as_of,
            str(county_store(root, c)),
            params_arg,
            str(work[c]),
            mem,
        )
        for c in report["counties"]
    }
    prepared = {c: f.result() for c, f in futures.items()}
    del futures  # released: the scheduler holds no finished result it would recompute (PrefectHQ/prefect#15442)
    ran = [c for c, r in prepared.items() if r["status"] != "halted"]
    across = cross_county.raise_across({c: work[c] / "keys" for c in ran}, here / "cross")
    futures = {
        c: finish_county.submit(
            c, str(county_store(root, c)), as_of, params_arg, str(work[c]), str(here / "cross" / f"{c}.parquet"), mem
        )
        for c in ran
    }
    finished = {c: f.result() for c, f in futures.items()}
    del futures
    extra = {
        "split": report,
        "cross_county": across,
        "stage_seconds": {"receive_and_split": split_seconds, "cross_county": across["seconds"]},
    }
    return night_manifest.record(root, as_of, params, selection, prepared, finished, extra, started)


def _duckdb_limit(worker_limit: str | None) -> str | None:
    """The DuckDB memory limit of a county night on a worker with `worker_limit` (e.g. "6GB"): 5/6 of it, the rest for
    Python, Polars and the worker itself (the single night's 5 GB in 6 GB); None keeps the single night's."""
    if not worker_limit:
        return None
    from dask.utils import parse_bytes

    return f"{parse_bytes(worker_limit) * 5 // 6 // 2**20}MB"


def task_runner(address: str | None, workers: int, memory_limit: str | None):
    """prefect-dask's runner: the scheduler at `address`, else a `LocalCluster` of `workers` single-threaded worker
    processes on the loopback address, with no dashboard (a night opens no port beyond the loopback)."""
    from prefect_dask import DaskTaskRunner

    if address:
        return DaskTaskRunner(address=address)
    return DaskTaskRunner(
        cluster_kwargs={
            "n_workers": workers,
            "threads_per_worker": 1,
            "processes": True,
            "memory_limit": memory_limit or "auto",
            "host": "127.0.0.1",
            "dashboard_address": None,
            "scheduler_kwargs": {"dashboard": False},
            "silence_logs": logging.WARNING,
        }
    )


def run(
    drops_dir: Path,
    as_of: dt.date,
    store: Path,
    allow_stale: bool = False,
    params_file: Path | None = None,
    address: str | None = None,
    workers: int = 2,
    memory_limit: str | None = None,
) -> dict:
    """The partitioned night on Dask; its manifest."""
    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "warning")  # read when distributed is imported: start and stop
    logging.getLogger("distributed").setLevel(logging.WARNING)  # of the cluster are no news (imported already: tests)
    night = municipality_night.with_options(task_runner=task_runner(address, workers, memory_limit))
    return night(
        drops=str(drops_dir),
        as_of=as_of,
        store=str(store),
        allow_stale=allow_stale,
        params_file=str(params_file) if params_file else None,
        memory_limit=memory_limit,
    )
