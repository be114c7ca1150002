"""Rows that repeat a key inside their file (the DUPLICATE_IN_FILE check's prepared table), found by sorting hashes.

The direct SQL — group the feed by (file, key), keep groups of more than one row — is a hash aggregate with one group per
row: on the 1M-household district's 25 M income rows it was the costliest statement of the checks stage (~9 s), though it
almost never finds anything. Here DuckDB hashes each row's (file, key) to one 64-bit number (a scan of those columns)
and Polars sorts the numbers (about 10x cheaper per row than DuckDB's aggregate on 2 cores, measured); equal neighbours
are the hashes that occur more than once. Equal (file, key) pairs always hash equal, so every repeated key is among
them; a collision of two different keys merely adds a candidate. Only when there are candidates is the exact SQL run,
on the candidates' rows alone. The result is the same table, row for row, as the direct SQL.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb


@dataclass(frozen=True)
class RepeatedKeys:
    """A prepared table built in Python rather than by one SELECT (see checks/row_check.py `RowCheck.prepare`)."""

    table: str
    key: tuple[str, ...]

    def create(self, con: duckdb.DuckDBPyConnection, name: str) -> None:
        create_repeats_table(con, name, self.table, self.key)


def create_repeats_table(con: duckdb.DuckDBPyConnection, name: str, table: str, key: tuple[str, ...]) -> None:
    """TEMP TABLE `name` (_file, _line, *key, first_line): every row of `table` whose (_file, key) occurs on an earlier
    line of the same file, with that key's first line. Rows with a NULL file or key part never repeat."""
    cols = ("_file", *key)
    not_null = " AND ".join(f"{c} IS NOT NULL" for c in cols)
    hashed = f"hash({', '.join(cols)})"
    hashes = con.sql(f"SELECT {hashed} AS h FROM {table} WHERE {not_null}").pl()["h"].sort()
    candidates = hashes.filter(hashes == hashes.shift(1)).unique().to_frame()  # hashes on two rows or more
    keys = ", ".join(key)
    if candidates.is_empty():
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT _file, _line, {keys}, _line AS first_line "
            f"FROM {table} WHERE false"
        )
        return
    view = f"_{name}_candidates"
    con.register(view, candidates)
    try:
        con.execute(f"""CREATE OR REPLACE TEMP TABLE {name} AS
            WITH rows AS (SELECT _file, _line, {keys} FROM {table}
                          WHERE {not_null} AND {hashed} IN (SELECT h FROM {view})),
                 repeated AS (SELECT _file, {keys}, min(_line) AS first_line FROM rows GROUP BY ALL HAVING count(*) > 1)
            SELECT r._file, r._line, {", ".join(f"r.{k}" for k in key)}, g.first_line FROM rows r
            JOIN repeated g ON g._file = r._file AND {" AND ".join(f"g.{k} = r.{k}" for k in key)}
            WHERE r._line > g.first_line""")
    finally:
        con.unregister(view)
