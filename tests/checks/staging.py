"""Build a night's staging database for the checks from small Python literals (no ingest needed).

`build(rows, typing_quarantine)` creates, in a fresh in-memory DuckDB, what the ingest hands to the checks:
`stg_<feed>` typed as the contract says plus `_drop_date`, `_file`, `_line`; `quarantine` with the rows the typing step
rejected; `raw_counts` with the data rows read per file (staged rows + typing rejects). With `parquet_dir`, each
`stg_<feed>` is instead a view over a Parquet file written there (same columns), as a staging that caches Parquet gives.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from checks.contract import DUCKDB_TYPES, FEEDS
from checks.id_number import check_char

AS_OF = dt.date(2026, 3, 2)
DROP_1 = dt.date(2026, 3, 1)
DROP_2 = dt.date(2026, 3, 2)
QUARANTINE_DDL = (
    "CREATE TABLE quarantine (feed VARCHAR, drop_date DATE, file VARCHAR, line BIGINT, record_id VARCHAR, "
    "check_code VARCHAR, reason_en VARCHAR, reason_zh VARCHAR)"
)


def make_id(birth: str, seq: str, region: str = "500106") -> str:
    """A valid GB 11643 number: region, birth YYYYMMDD, 3-digit sequence (last digit odd = man), check character."""
    first17 = region + birth + seq
    return first17 + check_char(first17)


def stg_ddl(feed: str) -> str:
    cols = [f"{c.name} {DUCKDB_TYPES[c.type]}" for c in FEEDS[feed].columns]
    return f"CREATE TABLE stg_{feed} ({', '.join(cols)}, _drop_date DATE, _file VARCHAR, _line BIGINT)"


def build(
    rows: dict[str, list[dict]], typing_quarantine: list[dict] | None = None, parquet_dir: Path | None = None
) -> duckdb.DuckDBPyConnection:
    """rows: feed -> list of dicts with the contract columns and `_drop_date` (default: the as-of date).
    Lines are numbered per file in list order from 2 (line 1 is the header); `_line` in a dict overrides."""
    con = duckdb.connect()
    con.execute("SET autoinstall_known_extensions = false")
    con.execute(QUARANTINE_DDL)
    con.execute("CREATE TABLE raw_counts (feed VARCHAR, file VARCHAR, drop_date DATE, rows_in BIGINT)")
    counts: dict[tuple[str, str, dt.date], int] = {}
    for feed, spec in FEEDS.items():
        con.execute(stg_ddl(feed))
        names = spec.column_names
        next_line: dict[str, int] = {}
        for r in rows.get(feed, []):
            drop = r.get("_drop_date", AS_OF)
            file = f"{drop.isoformat()}/{feed}.csv"
            line = r.get("_line", next_line.get(file, 2))
            next_line[file] = line + 1
            con.execute(
                f"INSERT INTO stg_{feed} VALUES ({', '.join('?' * (len(names) + 3))})",
                [r.get(n) for n in names] + [drop, file, line],
            )
            counts[(feed, file, drop)] = counts.get((feed, file, drop), 0) + 1
    for q in typing_quarantine or []:
        drop = q.get("drop_date", AS_OF)
        file = f"{drop.isoformat()}/{q['feed']}.csv"
        con.execute(
            "INSERT INTO quarantine VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                q["feed"],
                drop,
                file,
                q["line"],
                q.get("record_id", ""),
                q["check_code"],
                q.get("reason_en", "could not be typed"),
                q.get("reason_zh", "类型转换失败"),
            ],
        )
        counts[(q["feed"], file, drop)] = counts.get((q["feed"], file, drop), 0) + 1
    con.executemany(
        "INSERT INTO raw_counts VALUES (?, ?, ?, ?)", [(f, file, d, n) for (f, file, d), n in sorted(counts.items())]
    )
    if parquet_dir is not None:
        for feed in FEEDS:
            path = Path(parquet_dir) / f"stg_{feed}.parquet"
            con.execute(f"COPY stg_{feed} TO '{path}' (FORMAT parquet)")
            con.execute(f"DROP TABLE stg_{feed}")
            con.execute(f"CREATE VIEW stg_{feed} AS SELECT * FROM read_parquet('{path}')")
    return con
