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


def _cast(col: Column) -> str:
    """SQL that casts the text value, NULL when it cannot be typed."""
    v = f'"{col.name}"'
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
    """`raw_file(<contract columns as text>, _k)`: one row per record read, `_k` its 0-based order among good records."""
    cols = FEEDS[f.feed].column_names
    select_cols = ", ".join(f'CAST("{c}" AS VARCHAR) AS "{c}"' for c in cols)
    con.execute("DROP TABLE IF EXISTS reject_errors; DROP TABLE IF EXISTS reject_scans")
    if f.fmt == "parquet":
        con.execute(f"CREATE OR REPLACE TEMP TABLE raw_file AS SELECT {select_cols}, file_row_number AS _k "
                    f"FROM read_parquet(?, file_row_number = true)", [str(f.path)])
        con.execute("CREATE OR REPLACE TEMP TABLE raw_rejects (line BIGINT, error_type VARCHAR, message VARCHAR)")
        return
    names = header(f.path)
    spec = "{" + ", ".join(f"'{n}': 'VARCHAR'" for n in names) + "}"
    # A table keeps the reader's record order; its rowid is then the record's order among the good records.
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE raw_read AS SELECT * FROM read_csv(?, columns = {spec}, header = true, "
        f"delim = ',', quote = '\"', escape = '\"', auto_detect = false, strict_mode = true, store_rejects = true, "
        f"null_padding = false)",
        [str(f.path)],
    )
    con.execute(f"CREATE OR REPLACE TEMP TABLE raw_file AS SELECT {select_cols}, rowid AS _k FROM raw_read")
    con.execute("DROP TABLE raw_read")
    con.execute("CREATE OR REPLACE TEMP TABLE raw_rejects AS SELECT line, error_type, error_message AS message FROM reject_errors")


def _load_file(con, f: DropFile) -> None:
    feed = FEEDS[f.feed]
    _read_raw(con, f)
    good, bad = con.execute("SELECT (SELECT count(*) FROM raw_file), (SELECT count(DISTINCT line) FROM raw_rejects)").fetchone()
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
    # Physical line of each good record: the lines 2.. not taken by rejected records, in order.
    if f.fmt == "parquet":
        con.execute("CREATE OR REPLACE TEMP TABLE raw_lined AS SELECT *, _k + 2 AS _line FROM raw_file")
    else:
        con.execute("""CREATE OR REPLACE TEMP TABLE raw_lined AS
            WITH free AS (SELECT l, row_number() OVER (ORDER BY l) - 1 AS k FROM range(2, ? + 2) t(l)
                          WHERE l NOT IN (SELECT line FROM raw_rejects))
            SELECT r.*, free.l AS _line FROM raw_file r JOIN free ON free.k = r._k""", [rows_in])
    key = " || '|' || ".join(f'coalesce("{k}", \'\')' for k in feed.key)
    typed = [c for c in feed.columns if c.type != "str"]
    for c in typed:
        con.execute(f"""INSERT INTO quarantine SELECT ?, ?, ?, _line, {key}, 'TYPE_{c.name}',
                            '{c.name}: cannot read ' || '\"' || "{c.name}" || '\"' || ' as {c.type}',
                            '字段 {c.name} 的值 “' || "{c.name}" || '” 不是有效的{TYPE_ZH[c.type]}'
                        FROM raw_lined WHERE "{c.name}" IS NOT NULL AND ({_cast(c)}) IS NULL ORDER BY _line""", params)
    ok = " AND ".join(f'("{c.name}" IS NULL OR ({_cast(c)}) IS NOT NULL)' for c in typed) or "TRUE"
    casts = ", ".join(f'{_cast(c)} AS "{c.name}"' for c in feed.columns)
    con.execute(f"INSERT INTO stg_{f.feed} SELECT {casts}, ?::DATE, ?, _line FROM raw_lined WHERE {ok} ORDER BY _line",
                [f.drop_date, f.rel])


def load(con, selection: Selection) -> None:
    """Create `stg_<feed>` for every feed (empty when not delivered), `quarantine` and `raw_counts`."""
    _create_staging(con)
    for f in selection.all_files():
        _load_file(con, f)
    con.execute("DROP TABLE IF EXISTS raw_file; DROP TABLE IF EXISTS raw_lined; DROP TABLE IF EXISTS raw_rejects")
