"""Forward migrations of the store database, from any earlier schema version to flows/store/schema.py's.

Version 1 is every store made before the store kept a version (up to commit bee6278): no `store_meta` table, and its
tables made lazily — `input_log` and `runs` when a night opened it, `warning_snapshots` and `outcomes` at the first
queue merge or outcome import, `models` at the first registration — so a version-1 file may hold any subset of them.

Each step brings the tables a store has from one version to the next (it may find a table absent); once the steps ran,
the tables still missing are created from schema.py, and the version is written. All of it is one transaction: a
store is either migrated or left as it was, and migrating a migrated store does nothing.
"""

from __future__ import annotations

from flows.store import schema


class StoreTooNew(Exception):
    """The store was written by a newer safetynet than this one: its tables may mean something this code cannot tell."""


def _to_2(con, db: str) -> None:
    """Version 2 keeps its version in `store_meta` and has all its tables from the start. A `runs` table made before
    runs had an order (`seq`) gets the column, numbered in the order of the nights."""
    con.execute(f"ALTER TABLE IF EXISTS {db}.runs ADD COLUMN IF NOT EXISTS seq BIGINT")
    if _has_table(con, db, "runs"):
        con.execute(f"""UPDATE {db}.runs AS r SET seq = o.seq FROM (
                            SELECT run_id, coalesce((SELECT max(seq) FROM {db}.runs), 0)
                                           + row_number() OVER (ORDER BY as_of, run_id) AS seq
                            FROM {db}.runs WHERE seq IS NULL) AS o
                        WHERE r.run_id = o.run_id""")


STEPS = {2: _to_2}  # version reached -> the step that reaches it from the version before


def _has_table(con, db: str, name: str) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = ? AND table_name = ?", [db, name]
        ).fetchone()[0]
    )


def version(con, db: str) -> int:
    """The schema version of the database attached as `db` — its catalog name, which for a file opened directly is
    `current_database()`, not `main` — (1 when it keeps none: a store from before versions)."""
    if not _has_table(con, db, "store_meta"):
        return 1
    found = con.execute(f"SELECT max(schema_version) FROM {db}.store_meta").fetchone()[0]
    return 1 if found is None else int(found)


def refuse_newer(con, db: str, path) -> int:
    """The database's version; StoreTooNew when it is newer than this code's."""
    found = version(con, db)
    if found > schema.SCHEMA_VERSION:
        raise StoreTooNew(
            f"the store {path} has schema version {found}, newer than this safetynet's ({schema.SCHEMA_VERSION}): "
            "it was written by a later release; run that release on it (nothing was changed) / 该数据库由更新版本的 "
            f"safetynet 写入（结构版本 {found}），本版本无法使用，请使用新版本运行；未做任何更改"
        )
    return found


def migrate(con, db: str, path) -> int:
    """Bring the database attached (writable) as `db` to the current version, in one transaction; return the version
    it had. StoreTooNew when it is newer."""
    found = refuse_newer(con, db, path)
    if found == schema.SCHEMA_VERSION:
        return found
    con.execute("BEGIN TRANSACTION")
    try:
        for target in range(found + 1, schema.SCHEMA_VERSION + 1):
            STEPS[target](con, db)
        schema.create_missing(con, db)
        con.execute(f"DELETE FROM {db}.store_meta")
        con.execute(f"INSERT INTO {db}.store_meta (schema_version) VALUES (?)", [schema.SCHEMA_VERSION])
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return found
