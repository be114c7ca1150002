"""The `input_log` table: the index of every input received (its files are the content-addressed objects,
flows/store/objects.py). Its writes and reads."""

from __future__ import annotations

COLUMNS = ("kind", "drop_date", "name", "sha256", "bytes", "first_seen_as_of")


def log(con, rows: list[tuple], db: str = "main") -> None:
    """Index received inputs, each row a tuple in the order of COLUMNS; an input already indexed is kept as first
    seen. One statement: on a night's connection each statement is a commit to the store file."""
    if rows:
        con.execute(
            f"INSERT OR IGNORE INTO {db}.input_log ({', '.join(COLUMNS)}) VALUES "
            + ", ".join([f"({', '.join('?' * len(COLUMNS))})"] * len(rows)),
            [v for row in rows for v in row],
        )


def names_by_sha(con, kind: str, db: str = "main") -> dict[str, str]:
    """sha256 -> the first name (by sort order) an input of `kind` with that content arrived under."""
    return dict(
        con.execute(f"SELECT sha256, min(name) FROM {db}.input_log WHERE kind = ? GROUP BY sha256", [kind]).fetchall()
    )


def applied_files(con, kind: str, after, as_of, db: str = "src") -> list[tuple]:
    """Inputs of `kind` applied from a night in (after, as_of], in order: (night applied from, day received, name,
    sha256)."""
    return con.execute(
        f"""SELECT drop_date, first_seen_as_of, name, sha256 FROM {db}.input_log
            WHERE kind = ? AND drop_date <= ? AND (? IS NULL OR drop_date > ?)
            ORDER BY drop_date, first_seen_as_of, name, sha256""",
        [kind, as_of, after, after],
    ).fetchall()
