"""The `runs` table: one row per recorded run (ok, halted, no_new_drop), with its manifest. Every read and write of it.

`db` is the name the store database has on the connection: `store` on a night's connection, `main` on one opened by
`flows.store.connect`, `src`/`dst` in an audit rerun.
"""

from __future__ import annotations

import json


def record(
    con,
    run_id: str,
    as_of,
    status: str,
    manifest: str,
    *,
    halted_feed: str | None = None,
    halted_check: str | None = None,
    warnings_open: int | None = None,
    warnings_raised: int | None = None,
    output_hash: str | None = None,
    db: str = "store",
) -> None:
    """Record a run, replacing the row of the same run id (the same night rerun on the same inputs): it becomes the
    latest recorded (`seq`). Inside the caller's transaction when there is one."""
    con.execute(f"DELETE FROM {db}.runs WHERE run_id = ?", [run_id])
    con.execute(
        f"""INSERT INTO {db}.runs (run_id, as_of, status, halted_feed, halted_check, warnings_open, warnings_raised,
                                   output_hash, manifest, seq)
            SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, coalesce(max(seq), 0) + 1 FROM {db}.runs""",
        [run_id, as_of, status, halted_feed, halted_check, warnings_open, warnings_raised, output_hash, manifest],
    )


def listing(con, db: str = "main") -> list[tuple]:
    """Every run in the order recorded: (run id, night, status, halt 'feed check' or '', open, raised, output hash)."""
    return con.execute(f"""SELECT run_id, as_of, status, coalesce(halted_feed || ' ' || halted_check, ''),
                                  warnings_open, warnings_raised, output_hash
                           FROM {db}.runs ORDER BY as_of, seq""").fetchall()


def manifest_text(con, run_id: str, db: str = "main") -> str | None:
    """The manifest recorded for run `run_id`, as stored (stable JSON text), or None."""
    rows = con.execute(f"SELECT manifest FROM {db}.runs WHERE run_id = ?", [run_id]).fetchall()
    return rows[0][0] if rows else None


def latest_manifest(con, as_of, db: str = "main") -> dict | None:
    """The manifest of the run of night `as_of` recorded last (whatever its status), or None."""
    rows = con.execute(f"SELECT manifest FROM {db}.runs WHERE as_of = ? ORDER BY seq DESC LIMIT 1", [as_of]).fetchall()
    return json.loads(rows[0][0]) if rows else None


def latest_ok(con, db: str = "main"):
    """(night, run id) of the latest successful night, or None."""
    rows = con.execute(
        f"SELECT as_of, run_id FROM {db}.runs WHERE status = 'ok' ORDER BY as_of DESC, run_id DESC LIMIT 1"
    ).fetchall()
    return rows[0] if rows else None


def ok_nights(con, db: str = "store") -> list:
    """The nights with a successful run, in order."""
    return [
        r[0] for r in con.execute(f"SELECT DISTINCT as_of FROM {db}.runs WHERE status = 'ok' ORDER BY as_of").fetchall()
    ]


def ok_run_ids(con, as_of, db: str = "store") -> list[str]:
    """The successful runs of night `as_of`, by run id."""
    return [
        r[0]
        for r in con.execute(
            f"SELECT run_id FROM {db}.runs WHERE status = 'ok' AND as_of = ? ORDER BY run_id", [as_of]
        ).fetchall()
    ]


def latest_ok_night_before(con, as_of, db: str = "store"):
    """The latest night before `as_of` with a successful run, or None."""
    return con.execute(f"SELECT max(as_of) FROM {db}.runs WHERE status = 'ok' AND as_of < ?", [as_of]).fetchone()[0]


def latest_ok_manifest(con, as_of, db: str = "main") -> dict | None:
    """The manifest of the last successful run recorded for night `as_of`."""
    rows = con.execute(
        f"SELECT manifest FROM {db}.runs WHERE as_of = ? AND status = 'ok' ORDER BY seq DESC LIMIT 1", [as_of]
    ).fetchall()
    return json.loads(rows[0][0]) if rows else None


def latest_ok_manifest_before(con, as_of, db: str = "store") -> dict | None:
    """The manifest of the latest successful night before `as_of` (its last run), or None."""
    rows = con.execute(
        f"SELECT manifest FROM {db}.runs WHERE status = 'ok' AND as_of < ? ORDER BY as_of DESC, seq DESC LIMIT 1",
        [as_of],
    ).fetchall()
    return json.loads(rows[0][0]) if rows else None


def latest_ok_manifests(con, db: str = "store") -> dict:
    """night -> the manifest of its last successful run, for every night with one."""
    return {
        as_of: json.loads(doc)
        for as_of, doc in con.execute(
            f"SELECT as_of, manifest FROM {db}.runs WHERE status = 'ok' "
            "QUALIFY row_number() OVER (PARTITION BY as_of ORDER BY seq DESC) = 1"
        ).fetchall()
    }
