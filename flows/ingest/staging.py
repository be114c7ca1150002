"""Load the selected files into typed staging `stg_<feed>` (docs/STYLE.md: staging renames and casts only).

Each file is read once: every value is read as text and cast to its contract type in the same pass. A record the CSV
reader cannot split into the header's columns (check `CSV_STRUCTURE`) or whose value cannot be typed (check
`TYPE_<column>`) goes to the `quarantine` table with its file, line and reason; nothing is dropped silently.
`raw_counts` keeps the records read per file, so that rows in = rows loaded + rows quarantined can be shown for every feed.

Each file's typed rows become one table (`stg_<feed>_<i>`; a view over its cached rows when they are cached), and
`stg_<feed>` is a view over the feed's files in drop order, with the file's drop date and name as columns: no row is
copied from one table to another.

Typing depends only on a file's bytes and this code, so the typed rows of an increment file (an increment is read again
every later night) are kept in the store's staging cache, `<store>/cache/staged/<version>/`, keyed by the file's sha256:
a later night types only the files it has not seen. The version is a hash of this module and the contract, so a change
to either retypes everything; the cache is derived data and may be deleted at any time.

Line numbers count the header as line 1 and one record per line. After a quoted value that spans lines, or a blank line,
a record's number is therefore its place among the records, not its physical line; every line is still accounted for
(a file with quotes must show the lines beyond one per record as line breaks inside its values: flows/ingest/csv_records.py).
A partition file of a county's night (flows/partition/split.py) carries each record's line in the delivered file as its
`_line`, and names the delivered file (`DropFile.delivered`): the county's quarantine names what was delivered, as one
process would.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import duckdb

import checks.contract
import sql
from checks import halt
from checks.contract import DUCKDB_TYPES, FEEDS, Column, Feed
from checks.halt import NightHalted
from flows.ingest import csv_records
from flows.ingest.drops import DropFile, Selection, header

QUARANTINE_DDL = """CREATE OR REPLACE TABLE quarantine (feed VARCHAR, drop_date DATE, file VARCHAR, line BIGINT,
    record_id VARCHAR, check_code VARCHAR, reason_en VARCHAR, reason_zh VARCHAR)"""
# What the typing step quarantines in one file, independent of where and when the file was delivered.
FILE_QUARANTINE_COLUMNS = "line, record_id, check_code, reason_en, reason_zh"

# Strict text forms (docs/CONTRACT.md §1): what a value must look like before it is cast.
PATTERNS = {
    "date": r"^\d{4}-\d{2}-\d{2}$",
    "month": r"^\d{4}-\d{2}$",
    "decimal": r"^-?\d+(\.\d{1,2})?$",
    "int": r"^-?\d+$",
    "bool": r"^(true|false)$",
}
TYPE_ZH = {
    "date": "日期(YYYY-MM-DD)",
    "month": "月份(YYYY-MM)",
    "decimal": "金额(最多两位小数)",
    "int": "整数",
    "bool": "true/false",
}
CACHE_VERSION = hashlib.sha256(Path(__file__).read_bytes() + Path(checks.contract.__file__).read_bytes()).hexdigest()[
    :16
]


def _cast(col: Column) -> str:
    """SQL that casts the text value, NULL when it cannot be typed."""
    v = f'"{col.name}"'
    if col.type == "str":
        return v
    if col.type == "month":
        return f"CASE WHEN regexp_full_match({v}, '{PATTERNS['month']}') THEN TRY_CAST({v} || '-01' AS DATE) END"
    if col.type == "bool":
        return f"CASE {v} WHEN 'true' THEN TRUE WHEN 'false' THEN FALSE END"
    return (
        f"CASE WHEN regexp_full_match({v}, '{PATTERNS[col.type]}') THEN TRY_CAST({v} AS {DUCKDB_TYPES[col.type]}) END"
    )


def _typed_select(feed: Feed, source: str, line: bool = False) -> str:
    """One pass over `source` (the file's columns as text, in file order): the typed values, `_bad` (the names of the
    columns whose value could not be typed, comma-separated; NULL when none) and `_raw` (the text of the typed and key
    columns as a JSON object, for bad records only, for their reasons). Created as a table, its rowid is the record's
    order in the file. With `line`, `source`'s `_line` (the record's line in the delivered file) is kept.

    `_bad` and `_raw` are text, not a list and a struct: a nested column costs its children's storage on every row, even
    when NULL, and typing a million households' income costs markedly more with them (docs/adr/0013)."""
    typed = [c for c in feed.columns if c.type != "str"]
    casts = ", ".join(f'{_cast(c)} AS "c.{c.name}"' for c in typed)
    failing = [f'("{c.name}" IS NOT NULL AND "c.{c.name}" IS NULL)' for c in typed]
    any_failing = " OR ".join(failing) or "false"
    bad = (
        "concat_ws(',', " + ", ".join(f"CASE WHEN {f} THEN '{c.name}' END" for f, c in zip(failing, typed)) + ")"
        if typed
        else "NULL"
    )
    raw_cols = [c.name for c in feed.columns if c.type != "str" or c.name in feed.key]
    raw = "to_json({" + ", ".join(f"""'{n}': "{n}" """ for n in raw_cols) + "})"
    values = ", ".join(f'"c.{c.name}" AS "{c.name}"' if c.type != "str" else f'"{c.name}"' for c in feed.columns)
    values += ", _line" if line else ""
    return f"""SELECT {values}, CASE WHEN {any_failing} THEN {bad} END AS _bad, CASE WHEN {any_failing} THEN {raw} END AS _raw
               FROM (SELECT *{", " + casts if casts else ""} FROM ({source}))"""


def _line(con, table: str, alias: str = "") -> str:
    """SQL for a staged record's line in its file: `_line` where the table was rebuilt around quarantined records, else
    its rowid (the record's order among good records; no numbering column, which would make the read single-threaded)
    + 2 for the header line."""
    explicit = con.execute(
        "SELECT count(*) FROM duckdb_columns() WHERE table_name = ? AND column_name = '_line' "
        "AND database_name = current_database()",
        [table],
    ).fetchone()[0]
    return f"{alias}_line" if explicit else f"{alias}rowid + 2"


def _read_file(con, f: DropFile, table: str) -> int:
    """Type the file into table `table`; put the reader's rejects in temp table `raw_rejects`; return rows read."""
    feed = FEEDS[f.feed]
    con.execute("DROP TABLE IF EXISTS reject_errors; DROP TABLE IF EXISTS reject_scans")
    if f.fmt == "parquet":
        text = ", ".join(f'CAST("{c}" AS VARCHAR) AS "{c}"' for c in feed.column_names)
        text += ", _line" if f.origin else ""  # a partition file's records carry their line in the delivered file
        source = f"SELECT {text} FROM read_parquet('{_quote(f.path)}', file_row_number = true) ORDER BY file_row_number"
        con.execute(f"CREATE OR REPLACE TABLE {table} AS {_typed_select(feed, source, bool(f.origin))}")
        con.execute("CREATE OR REPLACE TEMP TABLE raw_rejects (line BIGINT, error_type VARCHAR, message VARCHAR)")
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    names = ", ".join(f'"{c}"' for c in feed.column_names)
    try:
        con.execute(f"CREATE OR REPLACE TABLE {table} AS {_typed_select(feed, f'SELECT {names} FROM {_csv(f, True)}')}")
    except duckdb.InvalidInputException as exc:  # the reader gave up on the whole file (not one record)
        reason = str(exc).splitlines()[0].removeprefix("Invalid Input Error: ")  # its first line quotes no value
        raise NightHalted(
            f.feed,
            halt.FILE_UNREADABLE,
            f"{f.rel}: the CSV reader cannot read the file ({reason}); a file that mixes line endings "
            "(CRLF and LF) does this: deliver it again with one kind of line end",
            f"{f.rel}：CSV 文件无法解析（{reason}），常见原因是换行符混用（CRLF 与 LF），请统一换行符后重新交付",
        ) from None
    # a rejected record that runs over several lines says so (an unterminated quote takes the following lines with it)
    con.execute("""CREATE OR REPLACE TEMP TABLE raw_rejects AS
        SELECT line, error_type || CASE WHEN breaks > 0 THEN '（该记录跨 ' || (breaks + 1) || ' 行，疑似引号未闭合）' ELSE '' END
                   AS error_type,
               error_message || CASE WHEN breaks > 0 THEN ' (the record runs over ' || (breaks + 1)
                   || ' lines: an unterminated quote?)' ELSE '' END AS message, breaks
        FROM (SELECT *, len(rtrim(csv_line, chr(13) || chr(10))) - len(replace(rtrim(csv_line, chr(13) || chr(10)), chr(10), ''))
                  AS breaks FROM reject_errors)""")
    _check_not_truncated(con, f)
    good, bad = con.execute(
        f"SELECT (SELECT count(*) FROM {table}), (SELECT count(DISTINCT line) FROM raw_rejects)"
    ).fetchone()
    if csv_records.has_quotes(f.path):
        _check_lines_accounted(con, f, good + bad)
    if bad:  # the physical line of each good record: the lines 2.. not taken by rejected records, in order
        con.execute(
            f"""CREATE OR REPLACE TABLE {table} AS
            WITH free AS (SELECT l, row_number() OVER (ORDER BY l) - 1 AS k FROM range(2, ? + 2) t(l)
                          WHERE l NOT IN (SELECT line FROM raw_rejects))
            SELECT t.* EXCLUDE (_k), free.l AS _line FROM (SELECT *, rowid AS _k FROM {table}) AS t
            JOIN free ON free.k = t._k ORDER BY free.l""",
            [good + bad],
        )
    return good + bad


def _csv(f: DropFile, rejects: bool) -> str:
    """DuckDB's strict reader over the CSV file: every column of its header as text; with `rejects`, the records it
    cannot split go to its reject tables, else they are skipped."""
    spec = "{" + ", ".join(f"""'{n.replace("'", "''")}': 'VARCHAR'""" for n in header(f.path)) + "}"
    errors = "store_rejects = true" if rejects else "ignore_errors = true"
    return (
        f"read_csv('{_quote(f.path)}', columns = {spec}, header = true, delim = ',', quote = '\"', escape = '\"', "
        f"auto_detect = false, strict_mode = true, {errors}, null_padding = false)"
    )


def _check_not_truncated(con, f: DropFile) -> None:
    """Halt when the file's last line has no line end and the reader rejected it: the delivery was cut off in the middle
    of a record. Quarantining that one record would hide the rest of the file that never came (a full extract cut short
    makes its missing households look unenrolled), and without a `_MANIFEST.csv` nothing else would notice. A last
    record that is whole is fine without its line end."""
    tail = csv_records.unterminated_last_line(f.path)
    if (
        tail is None
        or not con.execute(
            "SELECT count(*) FROM reject_errors WHERE error_type = 'MISSING COLUMNS' "
            "AND rtrim(csv_line, chr(13) || chr(10)) = ?",
            [tail],
        ).fetchall()[0][0]
    ):
        return
    raise NightHalted(
        f.feed,
        halt.FILE_TRUNCATED,
        f"{f.rel}: the file ends in the middle of a record (its last line has no line end and too few "
        "values): a truncated delivery; deliver the whole file again",
        f"{f.rel}：文件在一条记录中间结束（最后一行没有换行且字段不全），疑似传输截断，请重新交付完整文件",
    )


def _check_lines_accounted(con, f: DropFile, records: int) -> None:
    """Halt when some of the file's lines belong to no record the reader returned (flows/ingest/csv_records.py): the lines
    beyond one per record must be the line breaks inside the records' values, in any column of the good records
    (read again: this runs only for a file with quotes) or in the rejected ones (whose text is kept up to 10,000
    characters, so a long run of swallowed lines always shows)."""
    columns = [n.replace('"', '""') for n in header(f.path)]
    in_values = " + ".join(f"""coalesce(sum(len("{n}") - len(replace("{n}", chr(10), ''))), 0)""" for n in columns)
    good_breaks = con.execute(f"SELECT {in_values} FROM {_csv(f, False)}").fetchone()[0]
    reject_breaks, first = con.execute(
        "SELECT coalesce(sum(b), 0), min(line) FROM (SELECT line, max(breaks) AS b FROM raw_rejects GROUP BY line)"
    ).fetchone()
    unseen = csv_records.nonblank_lines(f.path) - 1 - records - good_breaks - reject_breaks
    if unseen > 0:
        near = f" (the first malformed record is near line {first})" if first is not None else ""
        raise NightHalted(
            f.feed,
            halt.FILE_UNREADABLE,
            f"{f.rel}: {unseen} line(s) belong to no record the CSV reader returned{near}: an unterminated "
            "quote takes the lines after it; fix the quoting and deliver the file again",
            f"{f.rel}：有 {unseen} 行未能读成任何记录（疑似引号未闭合"
            + (f"，首个格式错误记录约在第 {first} 行" if first is not None else "")
            + "），请修正后重新交付",
        )


def _quote(path: Path) -> str:
    return str(path).replace("'", "''")


def _quarantine_file(con, f: DropFile, table: str) -> None:
    """The file's typing quarantine, in temp table `file_quarantine`: reader rejects, then values that could not be typed
    (one row per record and column, with the value as delivered); the bad records leave `table`."""
    feed = FEEDS[f.feed]
    con.execute("""CREATE OR REPLACE TEMP TABLE file_quarantine AS
        SELECT line, NULL::VARCHAR AS record_id, 'CSV_STRUCTURE' AS check_code, 'malformed CSV record: ' || message AS reason_en,
               'CSV 行格式错误（列数不符或引号不匹配）：' || error_type AS reason_zh
        FROM (SELECT DISTINCT ON (line) * FROM raw_rejects ORDER BY line, error_type)""")
    typed_cols = [c for c in feed.columns if c.type != "str"]
    if not typed_cols or con.execute(f"SELECT count(*) FROM {table} WHERE _bad IS NOT NULL").fetchone()[0] == 0:
        return
    line = _line(con, table, "t.")
    key = " || '|' || ".join(f"""coalesce(json_extract_string(t._raw, '$."{k}"'), '')""" for k in feed.key)
    raw_value = (
        "CASE u.col "
        + " ".join(f"""WHEN '{c.name}' THEN json_extract_string(t._raw, '$."{c.name}"') """ for c in typed_cols)
        + "END"
    )
    type_en = "CASE u.col " + " ".join(f"WHEN '{c.name}' THEN '{c.type}' " for c in typed_cols) + "END"
    type_zh = "CASE u.col " + " ".join(f"WHEN '{c.name}' THEN '{TYPE_ZH[c.type]}' " for c in typed_cols) + "END"
    con.execute(f"""INSERT INTO file_quarantine
        SELECT {line}, {key}, 'TYPE_' || u.col,
               u.col || ': cannot read "' || {raw_value} || '" as ' || {type_en},
               '字段 ' || u.col || ' 的值 “' || {raw_value} || '” 不是有效的' || {type_zh}
        FROM {table} AS t, UNNEST(string_split(t._bad, ',')) AS u(col)
        WHERE t._bad IS NOT NULL
        ORDER BY {line}, u.col""")
    kept = "t.*" if line == "t._line" else f"t.*, {line} AS _line"  # the good records, their lines made explicit
    con.execute(
        f"CREATE OR REPLACE TABLE {table} AS SELECT {kept} FROM {table} AS t WHERE t._bad IS NULL ORDER BY {line}"
    )


class StagingCache:
    """Typed rows, typing quarantine and rows read of files already typed once (see the module docstring)."""

    def __init__(self, root: Path):
        self.dir = root / CACHE_VERSION
        if root.is_dir():  # other versions' entries can never be read again
            for old in root.iterdir():
                if old.name != CACHE_VERSION:
                    shutil.rmtree(old, ignore_errors=True)
        self.dir.mkdir(parents=True, exist_ok=True)

    def _paths(self, f: DropFile) -> tuple[Path, Path, Path]:
        stem = self.dir / f"{f.feed}-{f.sha256}"
        return stem.with_suffix(".rows.parquet"), stem.with_suffix(".quarantine.parquet"), stem.with_suffix(".json")

    def read(self, con, f: DropFile, table: str) -> int | None:
        rows, quarantine, meta = self._paths(f)
        if not meta.exists():  # written last: an entry without it is incomplete
            return None
        # read in place, not copied into memory: a million households' cached income is tens of millions of rows, and
        # a copy costs time and the memory the state then has to spill for (docs/adr/0013)
        con.execute(f"CREATE OR REPLACE VIEW {table} AS SELECT * FROM read_parquet('{_quote(rows)}')")
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE file_quarantine AS SELECT {FILE_QUARANTINE_COLUMNS} "
            f"FROM read_parquet('{_quote(quarantine)}') ORDER BY _ord"
        )
        return json.loads(meta.read_text(encoding="utf-8"))["rows_in"]

    def write_quarantine(self, con, f: DropFile) -> None:
        """The file's typing quarantine (temp table `file_quarantine`, seen only by `con`): written at once, it is small."""
        quarantine = self._paths(f)[1]
        partial = quarantine.with_name(quarantine.name + ".partial")
        con.execute(
            f"COPY (SELECT {FILE_QUARANTINE_COLUMNS}, row_number() OVER () AS _ord FROM file_quarantine) "
            f"TO '{_quote(partial)}' (FORMAT parquet)"
        )
        os.replace(partial, quarantine)

    def write_rows(self, con, f: DropFile, table: str, rows_in: int) -> None:
        """The file's typed rows, then the entry's metadata, which completes the entry (after `write_quarantine`)."""
        names = ", ".join(f'"{n}"' for n in FEEDS[f.feed].column_names)
        rows, _, meta = self._paths(f)
        partial = rows.with_name(rows.name + ".partial")
        con.execute(
            f"COPY (SELECT {names}, {_line(con, table)} AS _line FROM {table}) TO '{_quote(partial)}' (FORMAT parquet)"
        )
        os.replace(partial, rows)
        partial = meta.with_name(meta.name + ".partial")
        partial.write_text(json.dumps({"feed": f.feed, "sha256": f.sha256, "rows_in": rows_in}), encoding="utf-8")
        os.replace(partial, meta)


class CacheWriter:
    """Writes the typed rows of the night's new increment files into the staging cache in a thread, on a cursor of its
    own, while the night goes on to its checks: encoding them is DuckDB's work (the GIL released), and the checks are
    mostly Python (GX), so the two share the cores instead of following each other (docs/adr/0013). The staging tables must outlive the writes: call `wait` before they are dropped or the connection is
    closed. A write that fails leaves no entry (its metadata is written last); `wait` raises its error."""

    def __init__(self, con, cache: StagingCache, jobs: list[tuple[DropFile, str, int]]):
        def write(cursor) -> None:
            for f, table, rows_in in jobs:
                cache.write_rows(cursor, f, table, rows_in)

        self._work = sql.InThread(con, write, "staging-cache")

    def done(self) -> bool:
        return self._work.done()

    def wait(self) -> None:
        self._work.wait()


def _create_staging(con) -> None:
    con.execute(QUARANTINE_DDL)
    con.execute(
        "CREATE OR REPLACE TABLE raw_counts (feed VARCHAR, file VARCHAR, drop_date DATE, rows_in BIGINT, manifest_rows BIGINT)"
    )


def _stage_file(con, f: DropFile, table: str, cache: StagingCache | None) -> int | None:
    """Stage one file; returns its rows read when they are to be written to the cache (a new increment file)."""
    use_cache = cache is not None and FEEDS[f.feed].kind == "increment"
    rows_in = cache.read(con, f, table) if use_cache else None
    fresh = rows_in is None
    if fresh:
        rows_in = _read_file(con, f, table)
    con.execute(
        "INSERT INTO raw_counts VALUES (?, ?, ?, ?, ?)", [f.feed, f.delivered, f.drop_date, rows_in, f.manifest_rows]
    )
    if f.manifest_rows is not None and f.manifest_rows != rows_in:
        raise NightHalted(
            f.feed,
            halt.MANIFEST_MISMATCH,
            f"{f.rel}: {rows_in} data rows read, _MANIFEST.csv says {f.manifest_rows}: truncated delivery",
            f"{f.rel}：实际读到 {rows_in} 行，交付清单为 {f.manifest_rows} 行，文件可能被截断",
        )
    to_cache = None
    if fresh:
        _quarantine_file(con, f, table)
        if use_cache:
            cache.write_quarantine(con, f)
            to_cache = rows_in
    con.execute(
        f"INSERT INTO quarantine SELECT ?, ?, ?, {FILE_QUARANTINE_COLUMNS} FROM file_quarantine",
        [f.feed, f.drop_date, f.delivered],
    )
    return to_cache


def _create_view(con, feed: Feed, parts: list[tuple[DropFile, str]]) -> None:
    names = ", ".join(f'"{c.name}"' for c in feed.columns)
    if parts:
        body = " UNION ALL ".join(
            f"SELECT {names}, DATE '{f.drop_date.isoformat()}' AS _drop_date, "
            f"'{f.delivered.replace(chr(39), chr(39) * 2)}' AS _file, {_line(con, table)} AS _line FROM {table}"
            for f, table in parts
        )
    else:  # not delivered: empty, with the contract's types
        cols = ", ".join(f'NULL::{DUCKDB_TYPES[c.type]} AS "{c.name}"' for c in feed.columns)
        body = f"SELECT {cols}, NULL::DATE AS _drop_date, NULL::VARCHAR AS _file, NULL::BIGINT AS _line WHERE false"
    name = f"stg_{feed.name}"
    kind = con.execute(
        "SELECT 'table' FROM duckdb_tables() WHERE table_name = ? AND database_name = current_database() "
        "UNION ALL SELECT 'view' FROM duckdb_views() WHERE view_name = ? AND NOT internal "
        "AND database_name = current_database()",
        [name, name],
    ).fetchone()
    if kind:
        con.execute(f"DROP {kind[0].upper()} {name}")
    con.execute(f"CREATE VIEW {name} AS {body}")


def load(con, selection: Selection, cache_root: Path | None = None) -> CacheWriter | None:
    """Create `stg_<feed>` for every feed (empty when not delivered), `quarantine` and `raw_counts`.

    With `cache_root` (the store's `cache/staged`), increment files typed on an earlier night are read from the cache,
    and the new ones are written to it by the returned `CacheWriter` (None when there are none): wait for it before
    `release` or closing `con`."""
    _create_staging(con)
    cache = StagingCache(cache_root) if cache_root is not None else None
    jobs: list[tuple[DropFile, str, int]] = []
    for name, feed in sorted(FEEDS.items()):
        parts = []
        for i, f in enumerate(selection.files.get(name, [])):
            table = f"stg_{name}_{i}"
            rows_in = _stage_file(con, f, table, cache)
            if rows_in is not None:
                jobs.append((f, table, rows_in))
            parts.append((f, table))
        _create_view(con, feed, parts)
    con.execute(
        "DROP TABLE IF EXISTS raw_rejects; DROP TABLE IF EXISTS file_quarantine; "
        "DROP TABLE IF EXISTS reject_errors; DROP TABLE IF EXISTS reject_scans"
    )
    return CacheWriter(con, cache, jobs) if jobs else None


def release(con) -> None:
    """Drop the staging once the as-of state is built: nothing after the state reads it, and at a million households its
    per-file tables hold gigabytes that the rules need."""
    names = con.execute("""SELECT 'VIEW', view_name FROM duckdb_views() WHERE NOT internal AND view_name LIKE 'stg\\_%' ESCAPE '\\'
                           AND database_name = current_database() ORDER BY 2""").fetchall()
    names += con.execute("""SELECT 'TABLE', table_name FROM duckdb_tables() WHERE table_name LIKE 'stg\\_%' ESCAPE '\\'
                            AND database_name = current_database() ORDER BY 2""").fetchall()
    for kind, name in names:
        con.execute(f"DROP {kind} {name}")
