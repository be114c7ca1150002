"""One night: its stages as Prefect tasks, and `sequence`, the one order they run in.

Everything for night D is computed in a scratch in-memory DuckDB; the store is touched only by `publish`, in one
transaction, after every stage succeeded. A halt or a crash before that leaves the store's queue and exports as they were.

Each stage is a Prefect task taking and returning plain values (the night's key, paths, counts, small dicts), so the
Prefect UI shows what went in and came out of each. What cannot be a value stays in the night's context (`Night`): the
live scratch connection, the checks' GX cross-check and the staging-cache writes still going on in threads, the parsed
parameters. A connection cannot be serialised, hashed or shown, and a task argument is all three; so `open_night`
registers the context under a key (the night and its store), the tasks take the key and look the context up
(`context`), and `close` removes it. The context lives in the process that opened the night, so a whole night runs in
one process: the partitioned night runs `sequence` as one task per county.

`sequence` is the only place the stages are ordered. Inside a flow or task run (the nightly flow, a county's task) each
stage is a task run; anywhere else (tests, benches, `rerun`, tools) the same stages run as plain
functions, with no Prefect API server.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import logging
import os
import shutil
import time
from pathlib import Path
from types import SimpleNamespace

import duckdb
from prefect import task
from prefect.cache_policies import NONE
from prefect.context import FlowRunContext, TaskRunContext
from prefect.logging import get_run_logger

import sql
from checks.contract import FEEDS
from checks.halt import NightHalted
from checks.runner import PendingChecks, start_checks
from flows import runtime
from flows.ingest import drops, staging
from flows.outputs import care_view, exports, gongshi
from flows.queue import merge as queue
from flows.store import Store, StoreBusy, StoreTooNew, input_log, manifest, runs, sha256_file
from flows.store import attach as attach_store
from models.ml.nightly import score_night
from models.rules.candidates import raise_candidates
from models.rules.feed_needs import absent_optional_feeds, rules_not_evaluated
from models.rules.parameters import ParameterSet
from models.rules.working_days import WorkingCalendar

# DuckDB spills beyond this; with Python and Polars on top a 1M-household night peaks at ~5.3 GB RSS (target <= 6 GB).
# At 6GB the peak was 5.8-6.1 GB for a 6-18% shorter night.
MEMORY_LIMIT = "5GB"


@dataclasses.dataclass
class Night:
    """The context of an open night: what its tasks share that is no value (the connection, the work in threads)."""

    store: Store
    as_of: dt.date
    params: ParameterSet
    con: duckdb.DuckDBPyConnection
    selection: drops.Selection | None = None
    timings: dict[str, float] = dataclasses.field(default_factory=dict)
    calendar: WorkingCalendar | None = None
    cache_writer: staging.CacheWriter | None = None  # the staging cache's writes, going on beside the checks
    checks: PendingChecks | None = None  # the checks' GX cross-check, going on beside the state and the rules
    staging_released: bool = False
    checks_report: dict | None = None  # the checks' report, once `settle_staging` has it

    def timed(self, stage: str, started: float) -> None:
        self.timings[stage] = round(time.perf_counter() - started, 3)


_OPEN: dict[str, Night] = {}  # the open nights of this process, by key (see the module docstring)


def context(key: str) -> Night:
    """The open night `key` (from `open_night`)."""
    return _OPEN[key]


TASK = {"cache_policy": NONE, "persist_result": False}


# The parameters a night reads with no fallback (its routing, deadlines, checks, exports and random review). The rules'
# own parameters are not here: a rule whose parameter is not in force raises nothing and the night's log says so
# (models/rules/candidates.py); a missing holiday calendar year falls back to weekends and is flagged.
REQUIRED_PARAMETERS = ("catalogue.", "district.", "checks.", "queue.", "ml.random_review_")


class NightRefused(Exception):
    """Night D cannot start (a usage error, exit 2): nothing was read and nothing written."""


def preflight(
    store_root: Path, as_of: dt.date, params_file: Path | None = None, params: ParameterSet | None = None
) -> None:
    """Refuse a night that cannot be run into this store, before anything starts:
    - a parameter the night reads with no fallback has no value in force on D (`REQUIRED_PARAMETERS`: the night
      would stop halfway with a traceback);
    - the disk holding the store is (nearly) full (`runtime.low_disk`);
    - the store cannot be written (a read-only mount), or is in use by another process (a night or an outcome
      import: DuckDB locks the file);
    - a later night has already run: each night takes the queue of the night before it, so a night run late would
      build on the wrong queue, and the later night's audit rerun would no longer match. A past night is rebuilt with
      `safetynet rerun`, in a store of its own.
    `params`: the parameter set already loaded from `params_file`, if any."""
    missing = (params or ParameterSet.load(params_file)).not_in_force(as_of, REQUIRED_PARAMETERS)
    if missing:
        names = ", ".join(f"{p.name} (from {p.values[0].effective_from})" for p in missing)
        raise NightRefused(
            f"no value in force on {as_of} for: {names}; give values dated on or before {as_of} in a --params file"
        )
    folder = next(p for p in (Path(store_root).resolve(), *Path(store_root).resolve().parents) if p.exists())
    full = runtime.low_disk(store_root)
    if full:
        raise NightRefused(full)
    if not os.access(folder, os.W_OK):  # a read-only mount: the night would fail deep inside Prefect and DuckDB
        raise NightRefused(f"the store folder {store_root} is not writable ({folder}: read-only or no permission)")
    try:
        latest = Store(store_root).latest_ok_night()
    except StoreBusy as exc:
        raise NightRefused(f"{exc}; run the night when it has ended") from exc
    except StoreTooNew as exc:
        raise NightRefused(str(exc)) from exc
    if latest is not None and latest[0] > as_of:
        raise NightRefused(
            f"night {as_of} is before the latest night already run into {store_root} ({latest[0]}): each "
            "night builds on the queue of the night before it, so a past night is not run again into "
            f"this store; to rebuild it, run 'safetynet rerun --as-of {as_of} --store {store_root}'"
        )


def open_night(store_root: Path, as_of: dt.date, params_file: Path | None = None) -> str:
    """Open night `as_of` on the store (NightRefused when it cannot run there): the scratch connection with the store
    attached, interrupted exports settled, the parameters and working days in force. Returns the night's key. Not a
    task (nor is `close`): the night's set-up, where a refusal is a usage error to say in one line, not a failed task
    logged with its traceback."""
    if _key(as_of, store_root) in _OPEN:
        raise NightRefused(f"night {as_of} is already open on {store_root} in this process")
    params = ParameterSet.load(params_file)
    preflight(store_root, as_of, params=params)
    store = Store(store_root)
    store.init()
    con = scratch_connection()
    tmp = store.root / "tmp"
    tmp.mkdir(exist_ok=True)
    con.execute(f"SET temp_directory = '{tmp}'")
    try:
        attach_store(con, store.root)
    except StoreBusy as exc:  # taken since `preflight` looked, or held by a reader it could not see
        con.close()
        raise NightRefused(
            f"the store {store.db_path} is in use by another process; run the night when it has ended"
        ) from exc
    _settle_interrupted_exports(con, store)
    params.to_duckdb(con, as_of)
    night = Night(store, as_of, params, con)
    night.calendar = queue.write_reference_tables(con, params, as_of)
    return register(night)


def scratch_connection(database: str = ":memory:", memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    """A night's scratch DuckDB: offline (no extension installed or loaded), two threads, spilling beyond the memory
    limit. In memory for a night; a file for a county's night reopened from its checkpoint."""
    return duckdb.connect(
        database,
        config={
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
            "memory_limit": memory_limit or MEMORY_LIMIT,
            "threads": 2,
        },
    )


def _key(as_of: dt.date, store_root: Path) -> str:
    return f"{as_of.isoformat()}@{Path(store_root).resolve()}"


def _settle_interrupted_exports(con, store: Store) -> None:
    """A run killed between recording its night and putting its exports in place left them staged: install them if
    they are exactly what the record says, with that run's check results and manifest file, else remove them
    (flows/outputs/exports.py `settle_staged`); an unfinished run's check results are removed."""
    root, checks = store.root / "exports", store.root / "checks"
    exports.restore_interrupted_swaps(checks)
    if root.is_dir() and any(p.suffix in (".partial", ".old") for p in root.iterdir()):
        docs = runs.latest_ok_manifests(con)
        installed, lines = exports.settle_staged(root, {d: doc.get("outputs", {}) for d, doc in docs.items()})
        for night in installed:
            if exports.staged(store.checks_dir(night)).exists():
                exports.install_staged(store.checks_dir(night))
            if not (store.runs_dir / f"{docs[night]['run_id']}.json").exists():
                manifest.write(store.runs_dir / f"{docs[night]['run_id']}.json", docs[night])
        for line in lines:
            logging.getLogger("safetynet").warning(line)
    for left in sorted(checks.glob("*.partial")) if checks.is_dir() else []:  # an unrecorded run's check results
        shutil.rmtree(left, ignore_errors=True)


def _retry_io_only(task, task_run, state) -> bool:
    """Retry a failure to read or copy the drops (an OSError: a mount that hiccups), never any other error (retrying
    would only repeat it). A bad delivery is no failure: it is returned (`_halt_returned`)."""
    return isinstance(state.data, OSError)


def _halt_returned(stage):
    """A halt is the answer of the receive and load-and-check stages, not their failure: it is returned as
    {"halt": ...} (the manifest's form). Raised, Prefect would log it with a traceback, which reads like a crash (and is
    no use: the message names the file and the reason); one error line says it instead."""

    @functools.wraps(stage)
    def answered(*args, **kwargs) -> dict:
        try:
            return stage(*args, **kwargs)
        except NightHalted as halted:
            _logger().error("night halted: %s", halted)
            return {"halt": halted.to_dict()}

    return answered


def _logger():
    """The run's logger (shown in the Prefect UI) inside a flow or task run, else the project's."""
    return get_run_logger() if _in_a_run() else logging.getLogger("safetynet")


@task(name="receive drops", retries=2, retry_delay_seconds=10, retry_condition_fn=_retry_io_only, **TASK)
@_halt_returned
def receive(key: str, drops_dir: Path, allow_stale: bool = False) -> dict:
    """Select the night's files, verifying and copying each into the input log in a single read of it (a file that fails
    its manifest halts the night and is not logged); later stages read the logged copies. Returns what was selected:
    the number of files, the latest drop and whether it is stale (or the halt)."""
    night = context(key)
    t = time.perf_counter()
    selection = drops.select(drops_dir, night.as_of, allow_stale, log=night.store)
    rows = [
        ("drop", f.drop_date, f.name, f.sha256, f.path.stat().st_size, night.as_of)
        for f in selection.all_files() + selection.manifests
    ]
    override = night.params.override_file
    if override is not None:
        sha, stored = night.store.ingest(override)
        rows.append(("params", night.as_of, override.name, sha, stored.stat().st_size, night.as_of))
    input_log.log(night.con, rows, db="store")
    night.selection = selection
    night.timed("receive", t)
    return {"files": len(rows), "latest_drop": selection.latest_drop.isoformat(), "stale": bool(selection.stale)}


def previous_counts(night: Night) -> dict[str, int] | None:
    """Rows read per full-extract feed on the latest earlier night that completed, for the row-count check."""
    doc = runs.latest_ok_manifest_before(night.con, night.as_of)
    if doc is None:
        return None
    feeds = doc.get("checks", {}).get("feeds", {})
    return {name: v["rows_in"] for name, v in feeds.items() if FEEDS[name].kind == "full" and "rows_in" in v}


@task(name="load and check", **TASK)
@_halt_returned
def load_and_check(key: str) -> dict:
    """Type the night's files into staging and run the checks' SQL phase: the quarantine and every feed-level check.
    A feed-level failure halts here (after GX has also run, for the full report); otherwise GX's cross-check goes on in
    a thread (`night.checks`) until `settle_staging` joins it. Returns the staging tables loaded (or the halt)."""
    night = context(key)
    t = time.perf_counter()
    night.cache_writer = staging.load(night.con, night.selection, cache_root=night.store.root / "cache" / "staged")
    night.timed("load", t)
    t = time.perf_counter()
    # GX results and an offline HTML summary, kept per night: staged, and put in place by `publish` (or kept apart by
    # `record_halt`), so a halted run never replaces the results of the night that was published
    results = exports.staged(night.store.checks_dir(night.as_of))
    shutil.rmtree(results, ignore_errors=True)
    pending = start_checks(
        night.con, night.as_of, night.params, previous_counts(night), results_dir=results, docs_dir=results / "docs"
    )
    if pending.failures:
        pending.wait()  # raises the first failure
    night.checks = pending
    night.timed("checks", t)
    staged = night.con.execute(
        "SELECT view_name FROM duckdb_views() WHERE NOT internal AND view_name LIKE 'stg\\_%' ESCAPE '\\' ORDER BY 1"
    ).fetchall()
    return {"staged_feeds": [name for (name,) in staged], "quarantine_failures": len(pending.failures)}


def settle_staging(night: Night, block: bool) -> None:
    """Once the checks' GX cross-check and the staging cache's writes are done with the staging tables, take the checks'
    report and drop the staging (at a million households its per-file tables hold gigabytes that the rules need).
    Called after each stage from the state on without blocking, so the staging goes as soon as it can, and with
    `block` before the exports: nothing is written out before GX has agreed with the quarantine. Time spent blocked
    counts to the checks."""
    if night.staging_released:
        return
    busy = [w for w in (night.checks, night.cache_writer) if w is not None and not w.done()]
    if busy and not block:
        return
    t = time.perf_counter()
    if night.checks is not None:
        night.checks_report = night.checks.wait()
        night.checks = None
    if night.cache_writer is not None:
        night.cache_writer.wait()
        night.cache_writer = None
    staging.release(night.con)
    night.staging_released = True
    if busy:
        night.timings["checks"] = round(night.timings.get("checks", 0) + time.perf_counter() - t, 3)


@task(name="as-of state", **TASK)
def build_state(key: str) -> dict:
    """The as-of state tables of night D (sql/state); returns their row counts."""
    night = context(key)
    t = time.perf_counter()
    sql.build(night.con, "state")
    rows = {f: night.con.execute(f"SELECT count(*) FROM {f}").fetchone()[0] for f in sorted(FEEDS)}
    night.timed("state", t)
    settle_staging(night, block=False)
    return {"state_rows": rows}


@task(name="rules", **TASK)
def score(key: str) -> dict:
    """Raise the candidates. An optional feed with no file on or before D leaves its state table empty, so its rules
    raise nothing: they are listed as not evaluated (manifest and summary), not taken for "nothing found". Returns the
    candidates by code, the absent feeds, the rules not evaluated and the care figures."""
    night = context(key)
    t = time.perf_counter()
    candidates = raise_candidates(night.con, night.params, night.as_of)
    absent = absent_optional_feeds(night.selection.files if night.selection else {})
    figures = {
        "candidates": candidates,
        "feeds_absent": absent,
        "rules_not_evaluated": rules_not_evaluated(absent),
        "care": care_view.night_figures(night.con),
    }
    night.timed("rules", t)
    settle_staging(night, block=False)
    return figures


@task(name="ml scores", **TASK)
def score_ml(key: str) -> dict:
    """Random review slice, proxy signals and the confirmation scores of the model active on D (none: rules order)."""
    night = context(key)
    t = time.perf_counter()
    ml = score_night(night.con, night.store.root, night.params, night.as_of)
    night.timed("ml", t)
    settle_staging(night, block=False)
    return {"ml": ml, "model": ml["model"]}


@task(name="queue", **TASK)
def merge_queue(key: str) -> dict:
    """Merge the night's warnings into yesterday's queue (in the scratch database); returns the queue's counts and the
    years whose holidays fell back to weekends."""
    night = context(key)
    t = time.perf_counter()
    counts = queue.merge(night.con, night.as_of)
    touched = {night.as_of.year} | {
        r[0]
        for r in night.con.execute(
            "SELECT DISTINCT year(deadline) FROM queue_next WHERE status IN ('open', 'in_progress')"
        ).fetchall()
    }
    fallback = night.calendar.missing_years(touched)
    night.timed("queue", t)
    return {"queue": counts, "calendar_fallback_years": fallback}


@task(name="exports", **TASK)
def export(key: str) -> dict:
    """Stage the night's exports (put in place by `publish`), once the checks' cross-check has agreed; returns the
    outputs ({file: sha256}) and the checks' report."""
    night = context(key)
    settle_staging(night, block=True)
    t = time.perf_counter()
    outputs = exports.stage_exports(night.con, night.store.exports_dir(night.as_of), night.as_of)
    if gongshi.is_first_night_of_month(night.con, night.as_of):  # the monthly 公示 roster, among the night's outputs
        folder = exports.staged(night.store.exports_dir(night.as_of)) / gongshi.ROSTER_DIR
        outputs = dict(sorted((outputs | gongshi.write_roster(night.con, folder, night.as_of)).items()))
    night.timed("export", t)
    return {"outputs": outputs, "checks": night.checks_report}


def base_manifest(night: Night, report: dict, halt: dict | None = None) -> dict:
    files = (night.selection.all_files() + night.selection.manifests) if night.selection else []
    inputs = [{"feed": f.feed, "drop_date": f.drop_date.isoformat(), "file": f.name, "sha256": f.sha256} for f in files]
    override = night.params.override_file
    code = manifest.code_version()
    return {
        "run_id": manifest.run_id(night.as_of, inputs, night.params.hash, code, halt),
        "as_of": night.as_of.isoformat(),
        "inputs": inputs,
        "stale": bool(night.selection and night.selection.stale),
        "latest_drop": night.selection.latest_drop.isoformat() if night.selection else None,
        "parameters": {
            "hash": night.params.hash,
            "override_file": override.name if override else None,
            "override_sha256": sha256_file(override) if override else None,
            "needing_confirmation": night.params.needing_confirmation(night.as_of),
        },
        "code_version": code,
        "lock_sha256": manifest.lock_hash(),
        **report,
        "timings_seconds": night.timings,
    }


@task(name="publish", **TASK)
def publish(key: str, report: dict, outputs: dict[str, str]) -> dict:
    """Record the night: queue snapshot, run row and manifest, in one store transaction. `report`: what the stages
    returned, for the manifest. Returns the manifest."""
    night = context(key)
    doc = base_manifest(night, report) | {
        "status": "ok",
        "outputs": outputs,
        "output_hash": manifest.output_hash(outputs),
        "queue_hash": queue.snapshot_hash(night.con, "queue_next"),
    }
    by_status = doc["queue"]["by_status"]
    con = night.con
    con.execute("BEGIN TRANSACTION")
    try:
        queue.publish(con, night.as_of)
        runs.record(
            con,
            doc["run_id"],
            night.as_of,
            "ok",
            manifest.dumps(doc),
            warnings_open=by_status.get("open", 0) + by_status.get("in_progress", 0),
            warnings_raised=doc["queue"]["raised"],
            output_hash=doc["output_hash"],
        )
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    exports.install_staged(night.store.exports_dir(night.as_of))  # after a crash here, `open_night` installs them
    if exports.staged(night.store.checks_dir(night.as_of)).exists():
        exports.install_staged(night.store.checks_dir(night.as_of))
    manifest.write(night.store.runs_dir / f"{doc['run_id']}.json", doc)
    return doc


@task(name="record halt", **TASK)
def record_halt(key: str, halt: dict) -> dict:
    """A halted night is recorded (status `halted`, the feed and the reason); the queue and exports are not touched.
    `halt`: the halt as a stage returned it. Returns the manifest."""
    night = context(key)
    halted = SimpleNamespace(**halt)
    doc = base_manifest(night, {}, halt) | {
        "status": "halted",
        "halt": halt,
        "outputs": {},
        "output_hash": None,
    }
    staged = exports.staged(night.store.checks_dir(night.as_of))
    if staged.exists():  # the halted run's check results, beside (never over) those of the night's published run
        kept = staged.with_name(f"{night.as_of.isoformat()}-halted-{doc['run_id']}")
        shutil.rmtree(kept, ignore_errors=True)
        os.replace(staged, kept)
        doc["checks_results"] = kept.relative_to(night.store.root).as_posix()
    runs.record(
        night.con,
        doc["run_id"],
        night.as_of,
        "halted",
        manifest.dumps(doc),
        halted_feed=halted.feed,
        halted_check=halted.check_code,
    )
    manifest.write(night.store.runs_dir / f"{doc['run_id']}.json", doc)
    return doc


@task(name="report", **TASK)
def report(key: str) -> dict[str, str]:
    """The night's KPI report and its CSV files beside the exports, and (in a run) the KPIs as Prefect artifacts.
    Returns the files written ({name: sha256})."""
    from flows.outputs.report import build_report, publish_artifacts

    night = context(key)
    kpis = build_report(night.store.root, night.as_of, con=night.con)
    if _in_a_run():
        publish_artifacts(kpis)
    return kpis["files"]


def close(key: str) -> None:
    """End the night's database session. Background work still going on (a night that halted or failed before it was
    settled) is finished first: the GX cross-check, then the staging-cache writes; a cache write that fails then only
    leaves its entry out of the cache."""
    night = _OPEN.pop(key)
    for work in (night.checks, night.cache_writer):
        if work is not None:
            try:
                work.wait()
            except Exception:
                pass
    night.con.close()


def _in_a_run() -> bool:
    return FlowRunContext.get() is not None or TaskRunContext.get() is not None


def _stage(stage, *args, plain: bool = False):
    """`stage(*args)`: a task run inside a flow or task run, its plain function anywhere else (module docstring), or
    when `plain` (a county's night on a Dask worker: the county's task is the task run, its stages plain calls)."""
    return stage(*args) if _in_a_run() and not plain else stage.fn(*args)


def register(night: Night) -> str:
    """Open `night` under its key (as `open_night` does): for a night reopened from a checkpoint on another process
    (flows/partition/county_night.py)."""
    key = _key(night.as_of, night.store.root)
    if key in _OPEN:
        raise NightRefused(f"night {night.as_of} is already open on {night.store.root} in this process")
    _OPEN[key] = night
    return key


def first_half(key: str, drops_dir: Path, allow_stale: bool = False, plain: bool = False) -> dict:
    """receive -> load and check -> state -> rules: what the stages found, or {"halt": ...}. The partitioned night runs
    its cross-county stage between the two halves."""
    received = _stage(receive, key, Path(drops_dir), allow_stale, plain=plain)
    loaded = received if "halt" in received else _stage(load_and_check, key, plain=plain)
    if "halt" in loaded:
        return loaded
    found = {}
    for stage in (build_state, score):
        found |= _stage(stage, key, plain=plain)
    return found


def second_half(key: str, found: dict, plain: bool = False, before_export=None) -> dict:
    """ML -> queue -> exports -> publish -> report, after `first_half` found `found`: the manifest. `before_export`:
    called with the night before the exports are written (a county's night keeps only its own streets)."""
    for stage in (score_ml, merge_queue):
        found |= _stage(stage, key, plain=plain)
    if before_export is not None:
        before_export(context(key))
    exported = _stage(export, key, plain=plain)
    doc = _stage(publish, key, found | {"checks": exported["checks"]}, exported["outputs"], plain=plain)
    _stage(report, key, plain=plain)
    return doc


def sequence(
    drops_dir: Path, as_of: dt.date, store_root: Path, params_file: Path | None = None, allow_stale: bool = False
) -> dict:
    """Night `as_of` on the drops under `drops_dir` into the store at `store_root`, with the parameter override
    `params_file` if any: the manifest (status `ok`, or `halted` when the checks halted it; the queue and exports then
    stay as they were). Raises NightRefused when the night cannot run into this store. The one order of the stages:
    `first_half` then `second_half`."""
    key = open_night(Path(store_root), as_of, Path(params_file) if params_file else None)
    try:
        found = first_half(key, drops_dir, allow_stale)
        if "halt" in found:
            return _stage(record_halt, key, found["halt"])
        return second_half(key, found)
    finally:
        close(key)
