"""One county's night in two halves around the cross-county stage: the ONLY module of the partitioned night that calls
the single night's stages (flows/night.py), so that a change of the single night's sequence is made here alone.

`prepare` runs receive -> load and check -> state -> rules on the county's drops into the county's own store, writes the
keys the cross-county stage reads, and checkpoints the night's scratch database to a file (a Dask task may run on any
worker and hand nothing but files and small results to the next). `finish` reopens the checkpoint, puts the
cross-county DUPLICATE_COVERAGE rows in place of the county's own, and runs ML -> queue -> exports -> publish.

Both halves are safe to run twice (Dask re-runs a finished task whose worker died, PrefectHQ/prefect#15442: see
flows/partition/rerun_guard.py): a county already published for the night returns its recorded manifest.
"""

from __future__ import annotations

import datetime as dt
import pickle
import shutil
from pathlib import Path

from flows import night as stages
from flows.partition import rerun_guard
from flows.store import Store, attach
from models.rules.parameters import ParameterSet

STATE_FILE = "night.pickle"
CHECKPOINT_DB = "scratch.duckdb"
# The keys the cross-county stage reads (flows/partition/cross_county.py), each a SELECT over the county's state after
# the rules. They hold what sql/warnings/warn_duplicate_coverage.sql reads, for covered households only.
KEYS = {
    "member_presence": """SELECT m.person_id, m.household_id, m.name FROM member_presence m
                          JOIN household_features f USING (household_id) WHERE f.is_covered""",
    "household_features": """SELECT household_id, is_covered, has_dibao_covered, has_tekun_covered,
                                    covered_persons_total, n, covered_enrollment_ids, '{county}' AS county
                             FROM household_features WHERE is_covered""",
}


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def prepare(
    county: str,
    drops_dir: Path,
    as_of: dt.date,
    store_dir: Path,
    params_file: Path | None,
    work: Path,
    memory_limit: str | None,
) -> dict:
    """The first half; returns {"status": "prepared" | "halted" | "published", "manifest"?: ..., "timings": ...}."""
    done = rerun_guard.published(work)
    if done is not None:
        return done
    key = stages.open_night(store_dir, as_of, params_file)
    try:
        night = stages.context(key)
        if memory_limit:
            night.con.execute(f"SET memory_limit = '{memory_limit}'")
        found = stages.first_half(key, drops_dir, plain=True)
        if "halt" in found:
            return {"status": "halted", "manifest": stages.record_halt.fn(key, found["halt"])}
        stages.settle_staging(night, block=True)
        keys = work / "keys"
        keys.mkdir(parents=True, exist_ok=True)
        for name, query in KEYS.items():
            night.con.execute(
                f"COPY ({query.format(county=county)} ORDER BY ALL) TO '{_sql_path(keys / name)}.parquet' (FORMAT parquet)"
            )
        _checkpoint(night, found, work)
        return {"status": "prepared", "timings": dict(night.timings)}
    finally:
        stages.close(key)


def _checkpoint(night: stages.Night, found: dict, work: Path) -> None:
    """The scratch database to `work/scratch.duckdb`, and what the night gathered and the first half found to
    `work/night.pickle`."""
    db = work / CHECKPOINT_DB
    db.unlink(missing_ok=True)
    night.con.execute(f"ATTACH '{_sql_path(db)}' AS checkpoint")
    night.con.execute("COPY FROM DATABASE memory TO checkpoint")
    night.con.execute("DETACH checkpoint")
    state = {
        "selection": night.selection,
        "timings": night.timings,
        "cal": night.calendar,
        "checks_report": night.checks_report,
        "found": found,
    }
    (work / STATE_FILE).write_bytes(pickle.dumps(state))


def _reopen(store_dir: Path, as_of: dt.date, params_file: Path | None, work: Path, memory_limit: str | None):
    """The night `prepare` checkpointed, its scratch database now the checkpoint file (settings as `open_night`), open
    under its key; and what the first half found."""
    params = ParameterSet.load(params_file)
    stages.preflight(store_dir, as_of, params=params)
    store = Store(store_dir)
    con = stages.scratch_connection(str(work / CHECKPOINT_DB), memory_limit)
    con.execute(f"SET temp_directory = '{_sql_path(store.root / 'tmp')}'")
    attach(con, store.root)
    state = pickle.loads((work / STATE_FILE).read_bytes())  # our own file, written by `_checkpoint`
    night = stages.Night(store, as_of, params, con, state["selection"], state["timings"], calendar=state["cal"])
    night.checks_report = state["checks_report"]
    night.staging_released = True
    return stages.register(night), state["found"]


def finish(
    county: str,
    store_dir: Path,
    as_of: dt.date,
    params_file: Path | None,
    work: Path,
    cross_rows: Path,
    memory_limit: str | None,
) -> dict:
    """The second half; returns {"status": "ok", "manifest": ...} (or the recorded one when already published)."""
    done = rerun_guard.published(work)
    if done is not None:
        return done
    key, found = _reopen(store_dir, as_of, params_file, work, memory_limit)
    try:
        con = stages.context(key).con
        con.execute(
            f"""CREATE OR REPLACE TABLE candidates AS
                SELECT * FROM candidates WHERE warning_code <> 'DUPLICATE_COVERAGE'
                UNION ALL SELECT household_id, warning_code, condition_key, reasons, evidence
                FROM read_parquet('{_sql_path(cross_rows)}')
                ORDER BY household_id, warning_code, condition_key"""
        )
        found["candidates"] = con.execute("SELECT count(*) FROM candidates").fetchone()[0]
        doc = stages.second_half(key, found, plain=True, before_export=lambda night: _own_streets(night, county))
    finally:
        stages.close(key)
    result = {"status": "ok", "manifest": doc}
    rerun_guard.mark_published(work, result)
    (work / CHECKPOINT_DB).unlink(missing_ok=True)
    shutil.rmtree(work / "keys", ignore_errors=True)
    return result


def _own_streets(night: stages.Night, county: str) -> None:
    """This county's exports hold its own streets only (every street's warnings are in its county's night)."""
    night.con.execute("DELETE FROM streets WHERE NOT starts_with(street_code, ?)", [county])
