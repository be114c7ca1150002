"""The store's database file: its name, and the only ways to open it — each checks the schema version first, migrating
an older store in place and refusing a newer one (flows/store/migrations.py).

Nothing outside flows/store names the file: code opens the store by its folder (`connect`, `attach`), tests too
(`db_path` where a test must look at the file itself).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from flows.store import migrations

DB_FILE = "safetynet.duckdb"


class StoreBusy(Exception):
    """Another process holds the store's database (a night or an outcome import): DuckDB locks the file."""


def db_path(root: Path) -> Path:
    return Path(root) / DB_FILE


def exists(root: Path) -> bool:
    return db_path(root).is_file()


def _busy(path: Path, exc: Exception) -> StoreBusy:
    return StoreBusy(f"the store {path} is in use by another process (a night or an outcome import running?)")


def _migrate_file(path: Path) -> None:
    try:
        con = duckdb.connect(str(path))
    except duckdb.IOException as exc:
        raise _busy(path, exc) from exc
    with con:
        migrations.migrate(con, con.execute("SELECT current_database()").fetchone()[0], path)


def connect(root: Path, read_only: bool = False, config: dict | None = None):
    """A connection to the store database of the folder `root`, at the current schema version (an older store is
    migrated first, a newer one refused: StoreTooNew); StoreBusy when another process holds it. Read-only opens of a
    missing file fail as DuckDB's do; callers that may meet a folder without a store check `exists` first."""
    path = db_path(root)
    try:
        con = duckdb.connect(str(path), read_only=read_only, config=config or {})
    except duckdb.IOException as exc:
        raise _busy(path, exc) from exc
    db = con.execute("SELECT current_database()").fetchone()[0]
    try:
        if read_only:
            if migrations.refuse_newer(con, db, path) < migrations.schema.SCHEMA_VERSION:
                con.close()
                _migrate_file(path)
                return connect(root, read_only, config)
        else:
            migrations.migrate(con, db, path)
    except BaseException:
        con.close()
        raise
    return con


def attach(con, root: Path, alias: str = "store", read_only: bool = False) -> None:
    """Attach the store database of `root` to `con` as `alias`, at the current schema version (see `connect`)."""
    path = db_path(root)
    mode = " (READ_ONLY)" if read_only else ""
    try:
        con.execute(f"ATTACH '{path}' AS {alias}{mode}")
    except duckdb.IOException as exc:
        raise _busy(path, exc) from exc
    try:
        if not read_only:
            migrations.migrate(con, alias, path)
        elif migrations.refuse_newer(con, alias, path) < migrations.schema.SCHEMA_VERSION:
            con.execute(f"DETACH {alias}")
            _migrate_file(path)
            con.execute(f"ATTACH '{path}' AS {alias}{mode}")
    except BaseException:
        if alias in {r[0] for r in con.execute("SELECT database_name FROM duckdb_databases()").fetchall()}:
            con.execute(f"DETACH {alias}")
        raise
