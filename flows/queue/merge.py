"""The warning queue across nights (docs/DESIGN.md step 5): inputs for `sql/queue/`, then the merge.

The queue after night D is a function of the queue after the latest earlier night, the night's candidates and the outcomes
imported on or before D, so re-running a night replaces its own snapshot instead of compounding on it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import sql
from flows.store import outcomes, snapshots
from flows.store.snapshots import QUEUE_COLUMNS
from models.rules.catalogue import CATALOGUE
from models.rules.parameters import ParameterSet
from models.rules.working_days import WorkingCalendar

CALENDAR_YEARS_BACK = 3  # old raised dates and application submissions reach back this far
CALENDAR_YEARS_AHEAD = 2  # deadlines of up to a few weeks never leave this range


def write_reference_tables(con, params: ParameterSet, as_of: dt.date) -> WorkingCalendar:
    """`catalogue`, `streets` and `working_days` for the queue SQL, all read from dated parameters in force on D."""
    deadlines = params.value("catalogue.deadline_working_days", as_of)
    con.execute(
        "CREATE OR REPLACE TABLE catalogue (warning_code VARCHAR, category VARCHAR, label_zh VARCHAR, "
        "severity VARCHAR, deadline_days INTEGER, evidence_patch JSON)"
    )
    con.executemany(
        "INSERT INTO catalogue VALUES (?, ?, ?, ?, ?, ?)",
        [
            (w.code, w.category, w.label_zh, w.severity, int(deadlines[w.code]), w.evidence_patch())
            for w in CATALOGUE.values()
        ],
    )
    streets = params.value("district.streets", as_of)
    con.execute("CREATE OR REPLACE TABLE streets (street_code VARCHAR, street_name VARCHAR)")
    con.executemany("INSERT INTO streets VALUES (?, ?)", sorted((str(k), v) for k, v in streets.items()))
    calendar = WorkingCalendar(params, as_of)
    calendar.to_duckdb(
        con, dt.date(as_of.year - CALENDAR_YEARS_BACK, 1, 1), dt.date(as_of.year + CALENDAR_YEARS_AHEAD, 12, 31)
    )
    return calendar


def merge(con, as_of: dt.date) -> dict:
    """Build `queue_next` from the store's previous snapshot, the candidates and the outcomes; return counts.

    Expects the store attached as schema `store`, and `candidates`, `households`, reference tables and `run_context`.
    """
    # Without an active model (or when no scorer ran) every score is empty and the export keeps the rules' order.
    con.execute(
        "CREATE TABLE IF NOT EXISTS candidate_scores (household_id VARCHAR, condition_key VARCHAR, score DOUBLE, "
        "explanation VARCHAR)"
    )
    prev = snapshots.previous_night(con, as_of)
    snapshots.copy_night_to_table(con, prev, "prev_queue")
    con.execute(f"CREATE OR REPLACE TABLE outcomes_in_force AS {outcomes.IN_FORCE}", [as_of])
    # An in-progress warning's latest report (who, from which night, the note): the workbook shows it every night until
    # the warning is closed, so the next caseworker sees that the family was already called on.
    con.execute(
        """CREATE OR REPLACE TABLE progress_in_force AS
        SELECT warning_id, imported_as_of, caseworker_id, note FROM store.outcomes
        WHERE imported_as_of <= ? AND outcome = 'in_progress'
        QUALIFY row_number() OVER (PARTITION BY warning_id ORDER BY imported_as_of DESC, source_file DESC,
                                   source_row DESC) = 1""",
        [as_of],
    )
    sql.build(con, "queue")
    counts = dict(con.execute("SELECT status, count(*) FROM queue_next GROUP BY status ORDER BY status").fetchall())
    raised = con.execute("SELECT count(*) FROM queue_next WHERE raised_date = ?", [as_of]).fetchone()[0]
    return {
        "previous_night": prev.isoformat() if prev else None,
        "by_status": counts,
        "raised": raised,
        "candidates": con.execute("SELECT count(*) FROM queue_candidates").fetchone()[0],
    }


def publish(con, as_of: dt.date) -> None:
    """Replace the snapshot of night D in the store with `queue_next` (inside the caller's transaction)."""
    snapshots.publish(con, as_of)


def snapshot_hash(con, table: str, as_of: dt.date | None = None) -> str:
    """sha256 of a queue snapshot's rows in canonical form (sorted by warning id), for the manifest and reruns."""
    cols = ", ".join(QUEUE_COLUMNS)
    where = "WHERE as_of = ?" if as_of else ""
    rows = con.execute(f"SELECT {cols} FROM {table} {where} ORDER BY warning_id", [as_of] if as_of else []).fetchall()
    digest = hashlib.sha256()
    for row in rows:
        digest.update(json.dumps(row, default=str, ensure_ascii=False).encode() + b"\n")
    return digest.hexdigest()
