"""The `warning_snapshots` table: the warning queue after each successful night. Its writes and its reads by night.

Set-based SQL that joins the queue with other tables (sql/, the report's and care figures) reads `store.warning_snapshots`
by name; the column list it can rely on is `QUEUE_COLUMNS` (flows/store/schema.py).
"""

from __future__ import annotations

from flows.store.schema import WARNING_COLUMNS

QUEUE_COLUMNS = tuple(name for name, _ in WARNING_COLUMNS)
_COLS = ", ".join(QUEUE_COLUMNS)


def previous_night(con, as_of, db: str = "store"):
    """The latest night before `as_of` with a snapshot, or None."""
    return con.execute(f"SELECT max(as_of) FROM {db}.warning_snapshots WHERE as_of < ?", [as_of]).fetchall()[0][0]


def copy_night_to_table(con, as_of, table: str, db: str = "store") -> None:
    """(Re)create `table` on the connection as the queue of night `as_of` (no rows when `as_of` is None)."""
    con.execute(
        f"CREATE OR REPLACE TABLE {table} AS SELECT {_COLS} FROM {db}.warning_snapshots WHERE as_of = ?", [as_of]
    )


def publish(con, as_of, source: str = "queue_next", db: str = "store") -> None:
    """Replace the snapshot of night `as_of` with the rows of `source` (inside the caller's transaction)."""
    con.execute(f"DELETE FROM {db}.warning_snapshots WHERE as_of = ?", [as_of])
    con.execute(
        f"INSERT INTO {db}.warning_snapshots (as_of, {_COLS}) SELECT ?::DATE, {_COLS} FROM {source} ORDER BY warning_id",
        [as_of],
    )


def copy_night(con, as_of, src: str, dst: str) -> None:
    """Copy the snapshot of night `as_of` from one attached store to another (an audit rerun's seed)."""
    con.execute(
        f"INSERT INTO {dst}.warning_snapshots (as_of, {_COLS}) SELECT as_of, {_COLS} FROM {src}.warning_snapshots "
        "WHERE as_of = ?",
        [as_of],
    )
