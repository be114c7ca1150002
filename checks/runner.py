"""The checks stage of a night (docs/DESIGN.md step 2): run every feed's GX suite on the DuckDB staging tables, quarantine the
failing rows, and halt the night on feed-level failures.

Input (written by the ingest): `stg_<feed>` for every feed (contract columns typed, plus `_drop_date`, `_file`, `_line`),
`quarantine` already holding the rows that could not be typed, and `raw_counts(feed, file, drop_date, rows_in)`.

Row-level failures -> `quarantine`, one row per failed check per row, record_id = the feed's key joined by '|'.
Feed-level failures -> `NightHalted` (after every suite has run, so the quarantine and the report show the whole picture;
the exception carries the report in `.report` and every feed-level failure in `.failures`):
  ROW_COUNT_CHANGE  a full extract's rows_in moved more than checks.max_row_count_change against the previous night
                    (an optional feed delivered with only a header is not compared: it has none that night)
  QUARANTINE_RATE   distinct quarantined lines / rows_in above checks.max_quarantine_rate
  KEY_NOT_UNIQUE    a key that must be unique in a full extract is not
  ROW_ACCOUNTING    the rows read (raw_counts) are not all either in staging or quarantined by the typing step

Both are SQL in the caller's DuckDB database. Per feed, ONE set-based pass evaluates every row check (`check_pass_sql`)
and keeps the failing rows with a flag per check in the temp table `chk_<feed>`; the quarantine is one `INSERT ... SELECT`
from it. GX (through its SQL data source, checks/gx_duckdb.py) evaluates the checks it has natively (checks/row_check.py
`NativeRule`) on `stg_<feed>` itself, and the runner requires its counts to agree with the quarantine's, check by check.
The other checks are plain SQL: their counts come from the quarantine and are reported beside GX's results, in the same
structure (`sql_check_result`), so the results files and the summary page show every check. The SQL phase is all a
halt or the as-of state depends on, so a night runs GX in a thread beside its state and rules (`start_checks` /
`PendingChecks.wait`); `run_checks` does both in one call.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

import duckdb

import sql
from checks.contract import FEEDS
from checks.halt import KEY_NOT_UNIQUE, QUARANTINE_RATE, ROW_COUNT_CHANGE, NightHalted
from checks.id_number import mask_id_like
from checks.row_check import RowCheck, check_table, duplicates_table, flag_column, lit
from checks.suites import SuiteContext, suite_modules
from models.rules.parameters import ParameterSet

ROW_ACCOUNTING = "ROW_ACCOUNTING"
# Keys the contract declares unique in a full extract (docs/CONTRACT.md §2). A repeat halts the night: which of two rows of
# the department's whole current state is the truth cannot be decided here. staff_relatives repeats are only quarantined.
UNIQUE_KEYS = {
    "households": ("household_id",),
    "persons": ("person_id", "household_id"),
    "enrollment": ("enrollment_id",),
    "assets": ("asset_id",),
    "applications": ("application_id",),
}
# Each is also the feed's record key, so the DUPLICATE_IN_FILE check's repeated rows give the repeated keys of a staging
# table that holds one file (`_quarantine_feed`), with no second aggregate over the feed.
assert all(FEEDS[f].key == k for f, k in UNIQUE_KEYS.items())
# Unexpected counts only: the failing rows themselves go to quarantine through SQL, not GX lists, so GX's sample of
# unexpected values (a query per expectation, a full scan when nothing fails) is asked for zero rows.
RESULT_FORMAT = {"result_format": "BASIC", "partial_unexpected_count": 0}
_VOLATILE_KEYS = {
    "run_id",
    "validation_time",
    "batch_markers",
    "id",
    "ge_load_time",
    "checkpoint_id",
    "validation_id",
    "partial_unexpected_list",
    "partial_unexpected_counts",
    "partial_unexpected_index_list",
    "details",
}


# The expectation type of a plain SQL check in the feed's results (GX's own results carry GX's type names).
SQL_CHECK_TYPE = "safetynet_sql_check"


class CheckDefinitionError(RuntimeError):
    """GX and the quarantine SQL disagree about a native check: a bug in its rule, never a data problem."""


def record_id_sql(feed: str) -> str:
    return "concat_ws('|', " + ", ".join(f"coalesce(CAST(t.{k} AS VARCHAR), '')" for k in FEEDS[feed].key) + ")"


def _shared(checks: list[RowCheck], attr: str) -> dict[str, str]:
    """The checks' derived columns or prepared tables by name, each once (the same name must mean the same SQL)."""
    out: dict[str, str] = {}
    for c in checks:
        for name, predicate in getattr(c, attr):
            assert out.setdefault(name, predicate) == predicate, f"{c.feed}: {attr} {name} defined twice, differently"
    return out


def check_pass_sql(feed: str, checks: list[RowCheck], empty: frozenset[str] = frozenset()) -> str:
    """The feed's one set-based pass: every row of stg_<feed> read once, its derived columns computed once, one flag per
    check; only rows with at least one flag are kept, in `chk_<feed>` (usually a few hundred rows; dropped after the
    feed's quarantine INSERT).
    `empty` names prepared tables known to hold no row: a check whose prepared tables are all empty fails no row
    (`RowCheck.prepare`), so its flag is FALSE without a lookup per row (on 25 M income rows the two lookups of empty
    tables cost as much as all the other checks together)."""
    derived = "".join(f", {sql} AS {name}" for name, sql in _shared(checks, "derived").items())

    def predicate(c: RowCheck) -> str:
        return "false" if c.prepare and all(name in empty for name, _ in c.prepare) else c.predicate

    flags = ", ".join(f"coalesce({predicate(c)}, false) AS {flag_column(c.code)}" for c in checks)
    return (
        f"CREATE OR REPLACE TEMP TABLE {check_table(feed)} AS SELECT * FROM (SELECT t.*, {flags} FROM "
        f"(SELECT t.*{derived} FROM stg_{feed} t) t) WHERE {' OR '.join(flag_column(c.code) for c in checks)}"
    )


def quarantine_sql(feed: str, checks: list[RowCheck]) -> str:
    """One INSERT for all of a feed's row checks, from the failing rows of `chk_<feed>` (one UNION ALL branch per check:
    the flags were computed by `check_pass_sql`, the reasons are computed here, for failing rows only)."""
    branches = [
        f"SELECT {lit(feed)} AS feed, t._drop_date AS drop_date, t._file AS file, t._line AS line, "
        f"{record_id_sql(feed)} AS record_id, {lit(c.code)} AS check_code, {c.reason_en} AS reason_en, "
        f"{c.reason_zh} AS reason_zh FROM {check_table(feed)} t WHERE t.{flag_column(c.code)}"
        for c in checks
    ]
    return (
        "INSERT INTO quarantine (feed, drop_date, file, line, record_id, check_code, reason_en, reason_zh)\n"
        + "\nUNION ALL\n".join(branches)
        + "\nORDER BY file, line, check_code"
    )


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
        [feed, as_of],
    ).fetchall()
    if FEEDS[feed].kind == "full" and rows:
        newest = max(r[1] for r in rows)
        rows = [r for r in rows if r[1] == newest]
    return [(r[0], int(r[2])) for r in rows]


def _count(con, sql: str, params=()) -> int:
    return int(con.execute(sql, list(params)).fetchone()[0])


def run_checks(
    con: duckdb.DuckDBPyConnection,
    as_of: dt.date,
    params: ParameterSet,
    previous_counts: dict[str, int] | None,
    results_dir: Path | None = None,
    docs_dir: Path | None = None,
    feeds: tuple[str, ...] | None = None,
) -> dict:
    """Run all suites; quarantine failing rows; raise NightHalted on feed-level failures; return the report.

    `feeds` limits the run to some suites (diagnostics and tests); a night always runs them all. The same as
    `start_checks(...).wait()`, with nothing in between."""
    return start_checks(con, as_of, params, previous_counts, results_dir, docs_dir, feeds).wait()


def start_checks(
    con: duckdb.DuckDBPyConnection,
    as_of: dt.date,
    params: ParameterSet,
    previous_counts: dict[str, int] | None,
    results_dir: Path | None = None,
    docs_dir: Path | None = None,
    feeds: tuple[str, ...] | None = None,
) -> PendingChecks:
    """The SQL phase of the checks, then GX's validation of the native checks started in a thread; `wait` on the result.

    The SQL phase writes the whole quarantine and decides every feed-level check (`failures`): what the as-of state and
    a halt depend on. GX evaluates the native checks on `stg_<feed>` and must agree with the quarantine, check by check;
    it changes nothing the night computes after it, so it can run beside the state and the rules as long as the staging
    tables stay until `wait` returns and nothing is published before it (timings: docs/adr/0012)."""
    ctx = SuiteContext.from_parameters(params, as_of)
    max_change = float(params.value("checks.max_row_count_change", as_of))
    max_rate = float(params.value("checks.max_quarantine_rate", as_of))
    suites = {f: m.checks(ctx) for f, m in suite_modules().items() if feeds is None or f in feeds}
    for feed, checks in suites.items():
        codes = [c.code for c in checks]
        assert len(set(codes)) == len(codes), f"suite {feed}: duplicate check codes"

    sql_counts: dict[str, dict[str, int]] = {}
    key_repeats: dict[str, tuple[int, str | None]] = {}
    sql_seconds: dict[str, float] = {}
    for feed, checks in suites.items():
        t0 = time.perf_counter()
        sql_counts[feed], key_repeats[feed] = _quarantine_feed(con, feed, checks)
        sql_seconds[feed] = time.perf_counter() - t0

    report: dict = {
        "as_of": as_of.isoformat(),
        "parameters": {
            "checks.max_row_count_change": max_change,
            "checks.max_quarantine_rate": max_rate,
            "checks.max_age_years": ctx.max_age_years,
            "district.county_code": ctx.county_code,
        },
        "feeds": {},
        "gx_success": {},
    }
    failures: list[NightHalted] = []
    staged_rows: dict[str, int] = {}
    for feed in suites:
        counts = sql_counts[feed]
        # ---- row accounting over the files the night uses
        used = _files_used(con, feed, as_of)
        files = [f for f, _ in used]
        rows_in = sum(n for _, n in used)
        quarantined, staged, staged_total, typing_only = _accounting(con, feed, files)
        staged_rows[feed] = staged_total
        report["feeds"][feed] = {
            "rows_in": rows_in,
            "rows_quarantined": quarantined,
            "rows_loaded": rows_in - quarantined,
            "checks": {c: counts[c] for c in sorted(counts) if counts[c]},
            "seconds": None,  # with GX's, once it is done
            "quarantine_seconds": round(sql_seconds[feed], 3),
            "gx_seconds": None,
        }

        # ---- feed-level checks (collected, raised after every suite has run)
        if staged + typing_only != rows_in or staged != staged_total:
            failures.append(
                NightHalted(
                    feed,
                    ROW_ACCOUNTING,
                    f"{feed}: {rows_in} data rows were read from {', '.join(files) or 'no file'} but {staged} are in "
                    f"stg_{feed} and {typing_only} were quarantined by the typing step "
                    f"({staged_total - staged} staging rows come from other files); expected every row exactly once",
                    f"{feed}：从 {', '.join(files) or '（无文件）'} 读入 {rows_in} 行数据，但暂存表 stg_{feed} 中有 {staged} 行、"
                    f"类型转换隔离 {typing_only} 行（另有 {staged_total - staged} 行来自其他文件）；每行应恰好出现一次",
                )
            )
        # an optional feed delivered with only a header says "none tonight" (docs/CONTRACT.md v2), not a truncated extract
        optional_emptied = not FEEDS[feed].required and rows_in == 0
        if FEEDS[feed].kind == "full" and previous_counts and previous_counts.get(feed) and not optional_emptied:
            prev = int(previous_counts[feed])
            change = (rows_in - prev) / prev
            if abs(change) > max_change:
                failures.append(
                    NightHalted(
                        feed,
                        ROW_COUNT_CHANGE,
                        f"{', '.join(files) or feed}: {rows_in} data rows, the previous successful night had {prev} "
                        f"({change:+.1%}); expected a change of at most ±{max_change:.0%} (checks.max_row_count_change) "
                        "— a truncated or wrong full extract?",
                        f"{', '.join(files) or feed}：本期 {rows_in} 行，上一次成功运行为 {prev} 行（{change:+.1%}）；"
                        f"变化应不超过 ±{max_change:.0%}（checks.max_row_count_change），疑似全量文件被截断或报送错误",
                    )
                )
        if feed in UNIQUE_KEYS:
            key = UNIQUE_KEYS[feed]
            one_file = staged == staged_total and len(files) == 1  # every staged row comes from the one file used
            dup = key_repeats[feed] if one_file else _key_repeats(con, feed)
            if dup[0]:
                first_key = mask_id_like(str(dup[1]))  # the message goes to logs and reports: no ID number in it
                failures.append(
                    NightHalted(
                        feed,
                        KEY_NOT_UNIQUE,
                        f"{', '.join(files) or feed}: {dup[0]} values of the key ({', '.join(key)}) occur more than once "
                        f"(first: {first_key}); expected each at most once in a full extract",
                        f"{', '.join(files) or feed}：主键（{', '.join(key)}）有 {dup[0]} 个取值重复（首个：{first_key}）；"
                        "全量文件中每个取值应只出现一次",
                    )
                )
        rate = quarantined / rows_in if rows_in else 0.0
        if rate > max_rate:
            top = ", ".join(
                f"{c} {n}"
                for c, n in sorted(report["feeds"][feed]["checks"].items(), key=lambda kv: (-kv[1], kv[0]))[:5]
            )
            failures.append(
                NightHalted(
                    feed,
                    QUARANTINE_RATE,
                    f"{', '.join(files) or feed}: {quarantined} of {rows_in} data rows quarantined ({rate:.2%}); expected at "
                    f"most {max_rate:.2%} (checks.max_quarantine_rate); most frequent checks: {top or 'typing step'}",
                    f"{', '.join(files) or feed}：{rows_in} 行中隔离 {quarantined} 行（{rate:.2%}），"
                    f"应不超过 {max_rate:.2%}（checks.max_quarantine_rate）；主要原因：{top or '类型转换'}",
                )
            )
    report["halted"] = [f.to_dict() for f in failures]
    return PendingChecks(con, suites, sql_counts, staged_rows, report, failures, results_dir, docs_dir)


class PendingChecks:
    """A night's checks after their SQL phase (`start_checks`): the report so far, the feed-level `failures`, and GX
    validating the native checks in a thread, on a connection of its own. `wait` joins it, compares GX with the
    quarantine, adds the SQL checks' results to GX's (`feed_result`), completes and writes the report, and raises the
    first feed-level failure (NightHalted) or a disagreement (CheckDefinitionError). `stg_<feed>` must outlive `wait`.
    `report["gx_success"][feed]` is the feed's whole result: every check passed, GX's and the SQL ones."""

    def __init__(
        self,
        con,
        suites: dict[str, list[RowCheck]],
        sql_counts: dict[str, dict[str, int]],
        staged_rows: dict[str, int],
        report: dict,
        failures: list[NightHalted],
        results_dir: Path | None,
        docs_dir: Path | None,
    ):
        self._suites, self._sql_counts, self._staged_rows = suites, sql_counts, staged_rows
        self.report, self.failures = report, failures
        self._results_dir, self._docs_dir = results_dir, docs_dir
        self._gx = sql.InThread(con, self._validate, "gx-checks")

    def _validate(self, cursor) -> dict[str, tuple[dict, float]]:
        from checks import gx_duckdb  # GX is imported here, in the thread, beside the night's state and rules

        return gx_duckdb.validate_tables(
            gx_duckdb.ephemeral_context(),
            cursor,
            {f"stg_{feed}": _suite(feed, checks) for feed, checks in self._suites.items() if _natives(checks)},
            RESULT_FORMAT,
        )

    def done(self) -> bool:
        return self._gx.done()

    def wait(self) -> dict:
        gx_out = self._gx.wait()
        report, results = self.report, {}
        for feed, checks in self._suites.items():
            gx_result, gx_seconds = gx_out.get(f"stg_{feed}", (None, 0.0))
            counts = self._sql_counts[feed]
            gx_counts = _gx_counts(gx_result) if gx_result is not None else {}
            for code in (c.code for c in _natives(checks)):
                if gx_counts.get(code) != counts.get(code, 0):
                    raise CheckDefinitionError(
                        f"suite {feed}, check {code}: GX counted {gx_counts.get(code)} failing rows, the quarantine SQL "
                        f"{counts.get(code, 0)}"
                    )
            results[feed] = feed_result(feed, gx_result, checks, counts, self._staged_rows[feed])
            report["gx_success"][feed] = bool(results[feed]["success"])
            entry = report["feeds"][feed]
            entry["seconds"] = round(entry["quarantine_seconds"] + gx_seconds, 3)
            entry["gx_seconds"] = round(gx_seconds, 3)
        if self._results_dir is not None:
            _write_results(Path(self._results_dir), results, report)
        if self._docs_dir is not None:
            from checks.docs import write_docs

            write_docs(Path(self._docs_dir), report, results)
        if self.failures:
            first = self.failures[0]
            first.report = report
            first.failures = self.failures
            raise first
        return report


def _quarantine_feed(con, feed: str, checks: list[RowCheck]) -> tuple[dict[str, int], tuple[int, str | None]]:
    """The feed's SQL: its prepared tables, its one pass into chk_<feed>, its quarantine rows. Returns the
    quarantined rows per check code and, for a feed with a unique key, (keys repeated in a file, the smallest)."""
    codes = [c.code for c in checks]
    con.execute(
        f"DELETE FROM quarantine WHERE feed = ? AND check_code IN ({', '.join(lit(c) for c in codes)})", [feed]
    )  # a rerun on the same database replaces, never doubles, this stage's rows
    prepared = _shared(checks, "prepare")
    try:
        for name, select in prepared.items():
            if isinstance(select, str):
                con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {select}")
            else:
                select.create(con, name)
        empty = frozenset(n for n in prepared if not con.execute(f"SELECT EXISTS (FROM {n})").fetchone()[0])
        con.execute(check_pass_sql(feed, checks, empty))
        con.execute(quarantine_sql(feed, checks))
        repeats = (0, None)
        if feed in UNIQUE_KEYS:  # the keys the DUPLICATE_IN_FILE check found repeated (see the feed-level check)
            key = ", ".join(UNIQUE_KEYS[feed])
            repeats = con.execute(
                f"SELECT count(*), min(k) FROM (SELECT DISTINCT concat_ws('|', {key}) AS k "
                f"FROM {duplicates_table(feed)})"
            ).fetchone()
    finally:
        for name in (*prepared, check_table(feed)):
            con.execute(f"DROP TABLE IF EXISTS {name}")
    counts = dict(
        con.execute("SELECT check_code, count(*) FROM quarantine WHERE feed = ? GROUP BY ALL", [feed]).fetchall()
    )
    return {c: int(counts.get(c, 0)) for c in codes}, (int(repeats[0]), repeats[1])


def _key_repeats(con, feed: str) -> tuple[int, str | None]:
    """(keys repeated anywhere in stg_<feed>, the smallest): for a full extract whose staging holds more than one file."""
    key = UNIQUE_KEYS[feed]
    n, first = con.execute(
        f"SELECT count(*), min(k) FROM (SELECT concat_ws('|', {', '.join(key)}) AS k FROM stg_{feed} "
        f"WHERE {' AND '.join(f'{k} IS NOT NULL' for k in key)} GROUP BY ALL HAVING count(*) > 1)"
    ).fetchone()
    return int(n), first


def _accounting(con, feed: str, files: list[str]) -> tuple[int, int, int, int]:
    """(distinct lines quarantined, staged rows from `files`, all staged rows, quarantined lines that are not staged:
    the typing step's), over the files the night uses. The anti-join probes the few quarantined lines against staging
    (DuckDB builds its hash table on the smaller side), never a hash table of the whole feed."""
    in_files = f"IN ({', '.join(lit(f) for f in files)})" if files else "IN (NULL)"  # no file: no row
    quarantined, typing_only = con.execute(
        f"WITH q AS (SELECT DISTINCT file, line FROM quarantine WHERE feed = ? AND file {in_files}) "
        f"SELECT (SELECT count(*) FROM q), "
        f"(SELECT count(*) FROM q ANTI JOIN stg_{feed} s ON s._file = q.file AND s._line = q.line)",
        [feed],
    ).fetchone()
    staged = _count(con, f"SELECT count(*) FROM stg_{feed} WHERE _file {in_files}")
    staged_total = _count(con, f"SELECT count(*) FROM stg_{feed}")
    return int(quarantined), staged, staged_total, int(typing_only)


def _natives(checks: list[RowCheck]) -> list[RowCheck]:
    return [c for c in checks if c.native]


def _suite(feed: str, checks: list[RowCheck]):
    import great_expectations as gx

    return gx.ExpectationSuite(name=feed, expectations=[c.expectation() for c in _natives(checks)])


def sql_check_result(check: RowCheck, failing: int, rows: int) -> dict:
    """A plain SQL check's result, shaped like one of GX's expectation results (BASIC format) so the results files and
    the summary read every check alike: `failing` quarantined rows of the `rows` in stg_<feed>."""
    return {
        "exception_info": {"exception_message": None, "exception_traceback": None, "raised_exception": False},
        "expectation_config": {
            "description": f"{check.code}: {check.description}",
            "kwargs": {"table_name": f"stg_{check.feed}"},
            "meta": {"check_code": check.code},
            "severity": "critical",
            "type": SQL_CHECK_TYPE,
        },
        "meta": {},
        "result": {
            "element_count": rows,
            "unexpected_count": failing,
            "unexpected_percent": 100.0 * failing / rows if rows else None,
        },
        "success": failing == 0,
    }


def feed_result(feed: str, gx_result: dict | None, checks: list[RowCheck], counts: dict[str, int], rows: int) -> dict:
    """The feed's validation result: GX's (its native checks; None when the feed has none) with the SQL checks' results
    appended and the success and statistics recomputed over all of them."""
    out = json.loads(json.dumps(gx_result)) if gx_result is not None else {"meta": {}, "suite_name": feed}
    out["results"] = [
        *out.get("results", []),
        *(sql_check_result(c, counts.get(c.code, 0), rows) for c in checks if not c.native),
    ]
    passed = sum(1 for r in out["results"] if r["success"])
    total = len(out["results"])
    out["success"] = passed == total
    out["statistics"] = {
        "evaluated_expectations": total,
        "success_percent": 100.0 * passed / total if total else None,
        "successful_expectations": passed,
        "unsuccessful_expectations": total - passed,
    }
    return out


def _gx_counts(result: dict) -> dict[str, int | None]:
    """Failing rows per check code as GX counted them (None: the expectation raised).

    On a table with no row (an optional feed absent or header-only, a quiet increment) GX's column-map expectations
    succeed with `element_count` 0 and `unexpected_count` None (no rows, so no ratio): that is a count of 0, not a
    missing count. A None with rows still means GX did not count, and the runner refuses it."""
    counts: dict[str, int | None] = {}
    for r in result["results"]:
        code = r["expectation_config"]["meta"]["check_code"]
        if (r.get("exception_info") or {}).get("raised_exception"):
            counts[code] = None
            continue
        res = r["result"]
        n = res.get("unexpected_count", res.get("observed_value"))
        if n is None and res.get("element_count") == 0 and r["success"]:
            n = 0
        counts[code] = None if n is None else int(n)
    return counts


def _write_results(results_dir: Path, results: dict[str, dict], report: dict) -> None:
    """`<feed>.json`: the feed's validation result (`feed_result`) without run ids, times or sample rows
    (deterministic, hashable); `_volatile/<feed>.json`: the full result, GX's part as GX returned it; `report.json`
    without timings."""
    results_dir.mkdir(parents=True, exist_ok=True)
    (results_dir / "_volatile").mkdir(exist_ok=True)
    for feed, res in results.items():
        (results_dir / f"{feed}.json").write_text(
            json.dumps(_strip_volatile(res), ensure_ascii=False, indent=1, sort_keys=True, default=str) + "\n",
            encoding="utf-8",
        )
        (results_dir / "_volatile" / f"{feed}.json").write_text(
            json.dumps(res, ensure_ascii=False, indent=1, sort_keys=True, default=str) + "\n", encoding="utf-8"
        )
    (results_dir / "report.json").write_text(
        json.dumps(without_timings(report), ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    (results_dir / "_volatile" / "timings.json").write_text(
        json.dumps(
            {f: {k: v for k, v in d.items() if k.endswith("seconds")} for f, d in report["feeds"].items()},
            indent=1,
            sort_keys=True,
        )
        + "\n",
        encoding="utf-8",
    )
