"""Load the selected files into typed staging tables `stg_<feed>` (STYLE.md: staging renames and casts only).

Each file is read as text, then every contract column is cast to its contract type. A record the CSV reader cannot split
into the header's columns (check `CSV_STRUCTURE`) or whose value cannot be typed (check `TYPE_<column>`) goes to the
`quarantine` table with its file, line and reason; nothing is dropped silently. `raw_counts` keeps the records read per
file, so that rows in = rows loaded + rows quarantined can be shown for every feed.

Line numbers count the header as line 1 and one record per line (department extracts carry no embedded line breaks).
"""

from __future__ import annotations

from checks import halt
from checks.contract import DUCKDB_TYPES, FEEDS, Column
from checks.halt import NightHalted
from flows.drops import DropFile, Selection, header

QUARANTINE_DDL = """CREATE OR REPLACE TABLE quarantine (feed VARCHAR, drop_date DATE, file VARCHAR, line BIGINT,
    record_id VARCHAR, check_code VARCHAR, reason_en VARCHAR, reason_zh VARCHAR)"""

# Strict text forms (CONTRACT.md §1): what a value must look like before it is cast.
PATTERNS = {
    "date": r"^\d{4}-\d{2}-\d{2}$",
    "month": r"^\d{4}-\d{2}$",
    "decimal": r"^-?\d+(\.\d{1,2})?$",
    "int": r"^-?\d+$",
    "bool": r"^(true|false)$",
}
TYPE_ZH = {"date": "日期(YYYY-MM-DD)", "month": "月份(YYYY-MM)", "decimal": "金额(最多两位小数)", "int": "整数", "bool": "true/false"}


def _cast(col: Column, prefix: str = "") -> str:
    """SQL that casts the text value, NULL when it cannot be typed."""
    v = f'{prefix}"{col.name}"'
    if col.type == "str":
        return v
    if col.type == "month":
        return f"CASE WHEN regexp_full_match({v}, '{PATTERNS['month']}') THEN TRY_CAST({v} || '-01' AS DATE) END"
    if col.type == "bool":
        return f"CASE {v} WHEN 'true' THEN TRUE WHEN 'false' THEN FALSE END"
    return f"CASE WHEN regexp_full_match({v}, '{PATTERNS[col.type]}') THEN TRY_CAST({v} AS {DUCKDB_TYPES[col.type]}) END"


def _create_staging(con) -> None:
    con.execute(QUARANTINE_DDL)
    con.execute("CREATE OR REPLACE TABLE raw_counts (feed VARCHAR, file VARCHAR, drop_date DATE, rows_in BIGINT, manifest_rows BIGINT)")
    for name, feed in FEEDS.items():
        cols = ", ".join(f'"{c.name}" {DUCKDB_TYPES[c.type]}' for c in feed.columns)
        con.execute(f"CREATE OR REPLACE TABLE stg_{name} ({cols}, _drop_date DATE, _file VARCHAR, _line BIGINT)")


def _read_raw(con, f: DropFile) -> None:
    """`raw_read(<contract columns as text>)`, one row per record read, in file order (its rowid), and `raw_rejects`."""
    select_cols = ", ".join(f'CAST("{c}" AS VARCHAR) AS "{c}"' for c in FEEDS[f.feed].column_names)
    con.execute("DROP TABLE IF EXISTS reject_errors; DROP TABLE IF EXISTS reject_scans")
    if f.fmt == "parquet":
        con.execute(f"CREATE OR REPLACE TEMP TABLE raw_read AS SELECT {select_cols} "
                    f"FROM read_parquet(?, file_row_number = true) ORDER BY file_row_number", [str(f.path)])
        con.execute("CREATE OR REPLACE TEMP TABLE raw_rejects (line BIGINT, error_type VARCHAR, message VARCHAR)")
        return
    spec = "{" + ", ".join(f"'{n}': 'VARCHAR'" for n in header(f.path)) + "}"
    # A table keeps the reader's record order, so its rowid is the record's order among the good records.
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE raw_read AS SELECT {select_cols} FROM read_csv(?, columns = {spec}, header = true, "
        f"delim = ',', quote = '\"', escape = '\"', auto_detect = false, strict_mode = true, store_rejects = true, "
        f"null_padding = false)",
        [str(f.path)],
    )
    con.execute("CREATE OR REPLACE TEMP TABLE raw_rejects AS SELECT line, error_type, error_message AS message FROM reject_errors")


def _type(con, feed, rejected: int, rows_in: int) -> None:
    """`typed`: every record cast in one pass, with its line and the list of columns whose value could not be typed."""
    typed = [c for c in feed.columns if c.type != "str"]
    failing = ", ".join(f"""CASE WHEN r."{c.name}" IS NOT NULL AND ({_cast(c, 'r.')}) IS NULL THEN '{c.name}' END"""
                        for c in typed)
    bad = f"list_filter([{failing}], lambda x: x IS NOT NULL)" if typed else "[]::VARCHAR[]"
    casts = ", ".join(f'{_cast(c, "r.")} AS "{c.name}"' for c in feed.columns)
    if rejected == 0:  # lines 2, 3, ... in order
        con.execute(f"CREATE OR REPLACE TEMP TABLE typed AS SELECT {casts}, r.rowid AS _k, r.rowid + 2 AS _line, "
                    f"{bad} AS _bad FROM raw_read AS r")
        return
    # Physical line of each good record: the lines 2.. not taken by rejected records, in order.
    con.execute(f"""CREATE OR REPLACE TEMP TABLE typed AS
        WITH free AS (SELECT l, row_number() OVER (ORDER BY l) - 1 AS k FROM range(2, ? + 2) t(l)
                      WHERE l NOT IN (SELECT line FROM raw_rejects))
        SELECT {casts}, r.rowid AS _k, free.l AS _line, {bad} AS _bad
        FROM raw_read AS r JOIN free ON free.k = r.rowid""", [rows_in])


def _load_file(con, f: DropFile) -> None:
    feed = FEEDS[f.feed]
    _read_raw(con, f)
    good, bad = con.execute("SELECT (SELECT count(*) FROM raw_read), (SELECT count(DISTINCT line) FROM raw_rejects)").fetchone()
    rows_in = good + bad
    con.execute("INSERT INTO raw_counts VALUES (?, ?, ?, ?, ?)", [f.feed, f.rel, f.drop_date, rows_in, f.manifest_rows])
    if f.manifest_rows is not None and f.manifest_rows != rows_in:
        raise NightHalted(f.feed, halt.MANIFEST_MISMATCH,
                          f"{f.rel}: {rows_in} data rows read, _MANIFEST.csv says {f.manifest_rows}: truncated delivery",
                          f"{f.rel}：实际读到 {rows_in} 行，交付清单为 {f.manifest_rows} 行，文件可能被截断")
    params = [f.feed, f.drop_date, f.rel]
    # Records the reader could not split into columns.
    con.execute("""INSERT INTO quarantine SELECT ?, ?, ?, line, NULL, 'CSV_STRUCTURE',
                       'malformed CSV record: ' || message, 'CSV 行格式错误（列数不符或引号不匹配）：' || error_type
                   FROM (SELECT DISTINCT ON (line) * FROM raw_rejects ORDER BY line, error_type)""", params)
    _type(con, feed, bad, rows_in)
    # Values that could not be typed: one quarantine row per record and column, with the value as delivered.
    typed_cols = [c for c in feed.columns if c.type != "str"]
    if typed_cols:
        key = " || '|' || ".join(f'coalesce(r."{k}", \'\')' for k in feed.key)
        raw_value = "CASE u.col " + " ".join(f"""WHEN '{c.name}' THEN r."{c.name}" """ for c in typed_cols) + "END"
        type_en = "CASE u.col " + " ".join(f"WHEN '{c.name}' THEN '{c.type}' " for c in typed_cols) + "END"
        type_zh = "CASE u.col " + " ".join(f"WHEN '{c.name}' THEN '{TYPE_ZH[c.type]}' " for c in typed_cols) + "END"
        con.execute(f"""INSERT INTO quarantine
            SELECT ?, ?, ?, t._line, {key}, 'TYPE_' || u.col,
                   u.col || ': cannot read "' || {raw_value} || '" as ' || {type_en},
                   '字段 ' || u.col || ' 的值 “' || {raw_value} || '” 不是有效的' || {type_zh}
            FROM typed AS t JOIN raw_read AS r ON r.rowid = t._k, UNNEST(t._bad) AS u(col)
            ORDER BY t._line, u.col""", params)
    names = ", ".join(f'"{c.name}"' for c in feed.columns)
    con.execute(f"INSERT INTO stg_{f.feed} SELECT {names}, ?::DATE, ?, _line FROM typed WHERE len(_bad) = 0 ORDER BY _line",
                [f.drop_date, f.rel])


def load(con, selection: Selection) -> None:
    """Create `stg_<feed>` for every feed (empty when not delivered), `quarantine` and `raw_counts`."""
    _create_staging(con)
    for f in selection.all_files():
        _load_file(con, f)
    con.execute("DROP TABLE IF EXISTS raw_read; DROP TABLE IF EXISTS typed; DROP TABLE IF EXISTS raw_rejects")
