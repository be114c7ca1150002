"""The `outcomes` table: caseworker outcomes as imported (flows/caseworker/outcomes.py), each with the night it applies
from (`imported_as_of`). Its writes, its plain reads, and the one rule of which outcome is in force for a warning on a night
(`IN_FORCE`, read by the queue merge and by PROXY_SIGNAL's street capacity)."""

from __future__ import annotations

COLUMNS = (
    "warning_id",
    "outcome",
    "resolved_date",
    "action",
    "caseworker_id",
    "note",
    "source_file",
    "source_row",
    "imported_as_of",
)


# The caseworkers' latest outcome per warning imported on or before the night (one `?`: the night): the newest import,
# then the latest resolution, then the file and row it came from. From `store.outcomes`, the store attached as `store`.
IN_FORCE = """SELECT warning_id, outcome, resolved_date FROM store.outcomes WHERE imported_as_of <= ?
    QUALIFY row_number() OVER (PARTITION BY warning_id ORDER BY imported_as_of DESC, resolved_date DESC NULLS LAST,
                               source_file DESC, source_row DESC) = 1"""


def insert(con, rows: list[tuple], db: str = "main") -> None:
    """Add outcome rows, each a tuple in the order of COLUMNS (inside the caller's transaction)."""
    if rows:
        con.executemany(
            f"INSERT INTO {db}.outcomes ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})", rows
        )


def count(con, db: str = "main") -> int:
    return int(con.execute(f"SELECT count(*) FROM {db}.outcomes").fetchone()[0])


def labelled_counts(con, as_of, db: str = "main") -> tuple[int, int]:
    """(confirmed, dismissed) outcomes imported on or before `as_of`."""
    row = con.execute(
        f"SELECT count(*) FILTER (WHERE outcome = 'confirmed'), count(*) FILTER (WHERE outcome = 'dismissed') "
        f"FROM {db}.outcomes WHERE imported_as_of <= ?",
        [as_of],
    ).fetchone()
    return int(row[0]), int(row[1])


def history(con, db: str = "main") -> list[tuple]:
    """Every outcome as (warning id, outcome, resolved, action, caseworker, note, imported, file, row), in the order
    they were applied."""
    return con.execute(f"""SELECT warning_id, outcome, resolved_date, action, caseworker_id, note, imported_as_of,
                                  source_file, source_row
                           FROM {db}.outcomes
                           ORDER BY imported_as_of, resolved_date NULLS FIRST, source_file, source_row""").fetchall()


def copy_until(con, as_of, src: str, dst: str) -> None:
    """Copy the outcomes imported on or before `as_of` from one attached store to another (an audit rerun's seed)."""
    cols = ", ".join(COLUMNS)
    con.execute(
        f"INSERT INTO {dst}.outcomes ({cols}) SELECT {cols} FROM {src}.outcomes WHERE imported_as_of <= ?", [as_of]
    )
