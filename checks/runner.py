"""The checks stage of a night (DESIGN.md step 2): run every feed's GX suite on the DuckDB staging tables, quarantine the
failing rows, and halt the night on feed-level failures.

Input (written by the ingest): `stg_<feed>` for every feed (contract columns typed, plus `_drop_date`, `_file`, `_line`),
`quarantine` already holding the rows that could not be typed, and `raw_counts(feed, file, drop_date, rows_in)`.

Row-level failures -> `quarantine`, one row per failed check per row, record_id = the feed's key joined by '|'.
Feed-level failures -> `NightHalted` (after every suite has run, so the quarantine and the report show the whole picture;
the exception carries the report in `.report` and every feed-level failure in `.failures`):
  ROW_COUNT_CHANGE  a full extract's rows_in moved more than checks.max_row_count_change against the previous night
  QUARANTINE_RATE   distinct quarantined lines / rows_in above checks.max_quarantine_rate
  KEY_NOT_UNIQUE    a key that must be unique in a full extract is not
  ROW_ACCOUNTING    the rows read (raw_counts) are not all either in staging or quarantined by the typing step

Both are SQL in the caller's DuckDB database. Per feed, ONE set-based pass evaluates every row check (`check_pass_sql`)
and keeps the failing rows with a flag per check in the temp table `chk_<feed>`; the quarantine is one `INSERT ... SELECT`
from it; the GX suite (through its SQL data source, checks/gx_duckdb.py) runs the native expectations on `stg_<feed>`
itself and counts the flagged rows of its batch for the others. The runner asserts that GX and the quarantine agree,
check by check.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

import duckdb

from checks import gx_duckdb
from checks.contract import FEEDS
from checks.halt import KEY_NOT_UNIQUE, QUARANTINE_RATE, ROW_COUNT_CHANGE, NightHalted
from checks.row_check import RowCheck, check_table, flag_column, lit
from checks.suites import SuiteContext, suite_modules
from models.rules.parameters import ParameterSet

ROW_ACCOUNTING = "ROW_ACCOUNTING"
# Keys the contract declares unique in a full extract (CONTRACT.md §2). A repeat halts the night: which of two rows of
# the department's whole current state is the truth cannot be decided here. staff_relatives repeats are only quarantined.
UNIQUE_KEYS = {
    "households": ("household_id",),
    "persons": ("person_id", "household_id"),
    "enrollment": ("enrollment_id",),
    "assets": ("asset_id",),
    "applications": ("application_id",),
}
RESULT_FORMAT = "BASIC"  # unexpected counts; the failing rows themselves go to quarantine through SQL, not GX lists
_VOLATILE_KEYS = {"run_id", "validation_time", "batch_markers", "id", "ge_load_time", "checkpoint_id", "validation_id",
                  "partial_unexpected_list", "partial_unexpected_counts", "partial_unexpected_index_list", "details"}


class CheckDefinitionError(RuntimeError):
    """GX and the quarantine SQL disagree about a check: a bug in its definition, never a data problem."""


def record_id_sql(feed: str) -> str:
    return "concat_ws('|', " + ", ".join(f"coalesce(CAST(t.{k} AS VARCHAR), '')" for k in FEEDS[feed].key) + ")"


def _shared(checks: list[RowCheck], attr: str) -> dict[str, str]:
    """The checks' derived columns or prepared tables by name, each once (the same name must mean the same SQL)."""
    out: dict[str, str] = {}
    for c in checks:
        for name, sql in getattr(c, attr):
            assert out.setdefault(name, sql) == sql, f"{c.feed}: {attr} {name} defined twice, differently"
    return out


def check_pass_sql(feed: str, checks: list[RowCheck]) -> str:
    """The feed's one set-based pass: every row of stg_<feed> read once, its derived columns computed once, one flag per
    check; only rows with at least one flag are kept, in `chk_<feed>` (usually a few hundred rows; dropped after the feed)."""
    derived = "".join(f", {sql} AS {name}" for name, sql in _shared(checks, "derived").items())
    flags = ", ".join(f"coalesce({c.predicate}, false) AS {flag_column(c.code)}" for c in checks)
    # a plain table, not TEMP: GX reads it through its own cursor, and DuckDB temp tables are private to one connection
    return (f"CREATE OR REPLACE TABLE {check_table(feed)} AS SELECT * FROM (SELECT t.*, {flags} FROM "
            f"(SELECT t.*{derived} FROM stg_{feed} t) t) WHERE {' OR '.join(flag_column(c.code) for c in checks)}")


def quarantine_sql(feed: str, checks: list[RowCheck]) -> str:
    """One INSERT for all of a feed's row checks, from the failing rows of `chk_<feed>` (one UNION ALL branch per check:
    the flags were computed by `check_pass_sql`, the reasons are computed here, for failing rows only)."""
    branches = [
        f"SELECT {lit(feed)} AS feed, t._drop_date AS drop_date, t._file AS file, t._line AS line, "
        f"{record_id_sql(feed)} AS record_id, {lit(c.code)} AS check_code, {c.reason_en} AS reason_en, "
        f"{c.reason_zh} AS reason_zh FROM {check_table(feed)} t WHERE t.{flag_column(c.code)}"
        for c in checks
    ]
    return ("INSERT INTO quarantine (feed, drop_date, file, line, record_id, check_code, reason_en, reason_zh)\n"
            + "\nUNION ALL\n".join(branches) + "\nORDER BY file, line, check_code")


def _strip_volatile(obj):
    if isinstance(obj, dict):
        return {k: _strip_volatile(v) for k, v in sorted(obj.items()) if k not in _VOLATILE_KEYS}
    if isinstance(obj, list):
        return [_strip_volatile(v) for v in obj]
    return obj


def without_timings(report: dict) -> dict:
    """The report without its only wall-clock fields (`seconds`): what a rerun must reproduce byte for byte."""
    out = json.loads(json.dumps(report))
    for f in out["feeds"].values():
        f.pop("seconds", None)
        f.pop("gx_seconds", None)
        f.pop("quarantine_seconds", None)
    return out


def _files_used(con, feed: str, as_of: dt.date) -> list[tuple[str, int]]:
    """(file, rows_in) of the drops the night uses: the newest file on or before D (full) or all of them (increment)."""
    rows = con.execute(
        "SELECT file, drop_date, rows_in FROM raw_counts WHERE feed = ? AND drop_date <= ? ORDER BY drop_date, file",
        [feed, as_of]).fetchall()
    if FEEDS[feed].kind == "full" and rows:
        newest = max(r[1] for r in rows)
        rows = [r for r in rows if r[1] == newest]
    return [(r[0], int(r[2])) for r in rows]


def _count(con, sql: str, params=()) -> int:
    return int(con.execute(sql, list(params)).fetchone()[0])


def run_checks(con: duckdb.DuckDBPyConnection, as_of: dt.date, params: ParameterSet,
               previous_counts: dict[str, int] | None, results_dir: Path | None = None,
               docs_dir: Path | None = None, feeds: tuple[str, ...] | None = None) -> dict:
    """Run all suites; quarantine failing rows; raise NightHalted on feed-level failures; return the report.

    `feeds` limits the run to some suites (diagnostics and tests); a night always runs them all."""
    ctx = SuiteContext.from_parameters(params, as_of)
    max_change = float(params.value("checks.max_row_count_change", as_of))
    max_rate = float(params.value("checks.max_quarantine_rate", as_of))
    modules = {f: m for f, m in suite_modules().items() if feeds is None or f in feeds}

    context = gx_duckdb.ephemeral_context()
    gx_results: dict[str, dict] = {}
    report: dict = {"as_of": as_of.isoformat(), "parameters": {
        "checks.max_row_count_change": max_change, "checks.max_quarantine_rate": max_rate,
        "checks.max_age_years": ctx.max_age_years, "district.county_code": ctx.county_code},
        "feeds": {}, "gx_success": {}}
    failures: list[NightHalted] = []

    for feed, module in modules.items():
        checks = module.checks(ctx)
        codes = [c.code for c in checks]
        assert len(set(codes)) == len(codes), f"suite {feed}: duplicate check codes"

        t0 = time.perf_counter()
        con.execute(f"DELETE FROM quarantine WHERE feed = ? AND check_code IN ({', '.join(lit(c) for c in codes)})",
                    [feed])  # a rerun on the same database replaces, never doubles, this stage's rows
        prepared = _shared(checks, "prepare")
        for name, select in prepared.items():
            con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {select}")
        con.execute(check_pass_sql(feed, checks))
        con.execute(quarantine_sql(feed, checks))
        sql_counts = dict(con.execute(
            "SELECT check_code, count(*) FROM quarantine WHERE feed = ? GROUP BY ALL", [feed]).fetchall())
        t1 = time.perf_counter()

        # A data source per feed, added after chk_<feed> exists: GX's connection reads one snapshot (checks/gx_duckdb.py)
        datasource = gx_duckdb.add_duckdb_datasource(context, con, name=f"staging_{feed}")
        gx_counts, gx_result = _run_gx_suite(context, datasource, feed, checks)  # reads chk_<feed>: drop it after
        gx_duckdb.close_datasource(datasource)
        for name in (*prepared, check_table(feed)):
            con.execute(f"DROP TABLE IF EXISTS {name}")
        t2 = time.perf_counter()
        gx_results[feed] = gx_result
        report["gx_success"][feed] = bool(gx_result["success"])
        for code in codes:
            if gx_counts.get(code) != sql_counts.get(code, 0):
                raise CheckDefinitionError(
                    f"suite {feed}, check {code}: GX counted {gx_counts.get(code)} failing rows, the quarantine SQL "
                    f"{sql_counts.get(code, 0)}")

        # ---- row accounting over the files the night uses
        used = _files_used(con, feed, as_of)
        files = [f for f, _ in used]
        rows_in = sum(n for _, n in used)
        in_files = f"file IN ({', '.join(lit(f) for f in files)})" if files else "FALSE"
        quarantined = _count(con, f"SELECT count(*) FROM (SELECT DISTINCT file, line FROM quarantine "
                                  f"WHERE feed = ? AND {in_files})", [feed])
        staged = _count(con, f"SELECT count(*) FROM stg_{feed} WHERE {in_files.replace('file', '_file')}")
        typing_only = _count(con, f"SELECT count(*) FROM (SELECT DISTINCT file, line FROM quarantine q WHERE feed = ? "
                                  f"AND {in_files} AND NOT EXISTS (SELECT 1 FROM stg_{feed} s "
                                  f"WHERE s._file = q.file AND s._line = q.line))", [feed])
        staged_total = _count(con, f"SELECT count(*) FROM stg_{feed}")
        report["feeds"][feed] = {
            "rows_in": rows_in,
            "rows_quarantined": quarantined,
            "rows_loaded": rows_in - quarantined,
            "checks": {c: sql_counts.get(c, 0) for c in sorted(codes) if sql_counts.get(c, 0)},
            "seconds": round(t2 - t0, 3),
            "quarantine_seconds": round(t1 - t0, 3),
            "gx_seconds": round(t2 - t1, 3),
        }

        # ---- feed-level checks (collected, raised after every suite has run)
        if staged + typing_only != rows_in or staged != staged_total:
            failures.append(NightHalted(
                feed, ROW_ACCOUNTING,
                f"{feed}: {rows_in} data rows were read from {', '.join(files) or 'no file'} but {staged} are in "
                f"stg_{feed} and {typing_only} were quarantined by the typing step "
                f"({staged_total - staged} staging rows come from other files); expected every row exactly once",
                f"{feed}：从 {', '.join(files) or '（无文件）'} 读入 {rows_in} 行数据，但暂存表 stg_{feed} 中有 {staged} 行、"
                f"类型转换隔离 {typing_only} 行（另有 {staged_total - staged} 行来自其他文件）；每行应恰好出现一次"))
        if FEEDS[feed].kind == "full" and previous_counts and previous_counts.get(feed):
            prev = int(previous_counts[feed])
            change = (rows_in - prev) / prev
            if abs(change) > max_change:
                failures.append(NightHalted(
                    feed, ROW_COUNT_CHANGE,
                    f"{', '.join(files) or feed}: {rows_in} data rows, the previous successful night had {prev} "
                    f"({change:+.1%}); expected a change of at most ±{max_change:.0%} (checks.max_row_count_change) "
                    "— a truncated or wrong full extract?",
                    f"{', '.join(files) or feed}：本期 {rows_in} 行，上一次成功运行为 {prev} 行（{change:+.1%}）；"
                    f"变化应不超过 ±{max_change:.0%}（checks.max_row_count_change），疑似全量文件被截断或报送错误"))
        if feed in UNIQUE_KEYS:
            key = UNIQUE_KEYS[feed]
            dup = con.execute(
                f"SELECT count(*), min(k) FROM (SELECT concat_ws('|', {', '.join(key)}) AS k FROM stg_{feed} "
                f"WHERE {' AND '.join(f'{k} IS NOT NULL' for k in key)} GROUP BY ALL HAVING count(*) > 1)").fetchone()
            if dup[0]:
                failures.append(NightHalted(
                    feed, KEY_NOT_UNIQUE,
                    f"{', '.join(files) or feed}: {dup[0]} values of the key ({', '.join(key)}) occur more than once "
                    f"(first: {dup[1]}); expected each at most once in a full extract",
                    f"{', '.join(files) or feed}：主键（{', '.join(key)}）有 {dup[0]} 个取值重复（首个：{dup[1]}）；"
                    "全量文件中每个取值应只出现一次"))
        rate = quarantined / rows_in if rows_in else 0.0
        if rate > max_rate:
            top = ", ".join(f"{c} {n}" for c, n in sorted(report["feeds"][feed]["checks"].items(),
                                                         key=lambda kv: (-kv[1], kv[0]))[:5])
            failures.append(NightHalted(
                feed, QUARANTINE_RATE,
                f"{', '.join(files) or feed}: {quarantined} of {rows_in} data rows quarantined ({rate:.2%}); expected at "
                f"most {max_rate:.2%} (checks.max_quarantine_rate); most frequent checks: {top or 'typing step'}",
                f"{', '.join(files) or feed}：{rows_in} 行中隔离 {quarantined} 行（{rate:.2%}），"
                f"应不超过 {max_rate:.2%}（checks.max_quarantine_rate）；主要原因：{top or '类型转换'}"))

    report["halted"] = [f.to_dict() for f in failures]
    if results_dir is not None:
        _write_results(Path(results_dir), gx_results, report)
    if docs_dir is not None:
        from checks.docs import write_docs
        write_docs(Path(docs_dir), report, gx_results)
    if failures:
        first = failures[0]
        first.report = report
        first.failures = failures
        raise first
    return report


def _run_gx_suite(context, datasource, feed: str, checks: list[RowCheck]) -> tuple[dict[str, int | None], dict]:
    import great_expectations as gx

    asset = datasource.add_table_asset(name=f"stg_{feed}", table_name=f"stg_{feed}")
    batch_definition = asset.add_batch_definition_whole_table("whole_table")
    suite = context.suites.add(gx.ExpectationSuite(name=feed, expectations=[c.expectation() for c in checks]))
    validation = context.validation_definitions.add(gx.ValidationDefinition(name=feed, data=batch_definition,
                                                                            suite=suite))
    result = validation.run(result_format=RESULT_FORMAT)
    counts: dict[str, int | None] = {}
    for r in result.results:
        code = r.expectation_config.meta["check_code"]
        if r.exception_info and r.exception_info.get("raised_exception"):
            counts[code] = None
            continue
        n = r.result.get("unexpected_count", r.result.get("observed_value"))
        counts[code] = None if n is None else int(n)
    return counts, result.to_json_dict()


def _write_results(results_dir: Path, gx_results: dict[str, dict], report: dict) -> None:
    """`<feed>.json`: the GX validation result without run ids, times or sample rows (deterministic, hashable);
    `_volatile/<feed>.json`: the full result as GX returned it; `report.json` without timings."""
    results_dir.mkdir(parents=True, exist_ok=True)
    (results_dir / "_volatile").mkdir(exist_ok=True)
    for feed, res in gx_results.items():
        (results_dir / f"{feed}.json").write_text(
            json.dumps(_strip_volatile(res), ensure_ascii=False, indent=1, sort_keys=True, default=str) + "\n",
            encoding="utf-8")
        (results_dir / "_volatile" / f"{feed}.json").write_text(
            json.dumps(res, ensure_ascii=False, indent=1, sort_keys=True, default=str) + "\n", encoding="utf-8")
    (results_dir / "report.json").write_text(
        json.dumps(without_timings(report), ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    (results_dir / "_volatile" / "timings.json").write_text(json.dumps(
        {f: {k: v for k, v in d.items() if k.endswith("seconds")} for f, d in report["feeds"].items()},
        indent=1, sort_keys=True) + "\n", encoding="utf-8")
