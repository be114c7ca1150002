"""A row-level check: one SQL predicate that both GX and the quarantine use (docs/DESIGN.md step 2, row-level failures).

Every check is written once, as a SQL boolean over `t`, one row of `stg_<feed>` (TRUE = the row fails). The checks stage
(checks/runner.py) evaluates all predicates of a feed in ONE set-based pass and keeps the failing rows, with one boolean
flag column per check (`flag_column(code)`), in the table `chk_<feed>` (`check_table(feed)`). From it:
- the runner quarantines the failing rows with one `INSERT ... SELECT` per feed, the reasons computed per row from the
  row's own values (English and Chinese SQL text expressions over the same `t`);
- the GX suite gets an expectation: the native one given (`expect_column_values_to_be_in_set`, ...) when it says exactly
  the same thing — GX then evaluates it on `stg_<feed>` itself, independently of the predicate — otherwise an
  `UnexpectedRowsExpectation` selecting the rows of its batch that `chk_<feed>` flags for this check.
The runner then asserts that GX counted exactly as many failing rows as it quarantined, so the two cannot drift apart.
NULL semantics follow GX: a predicate that is NULL (a missing optional value) does not fail; missing required values are
the NULL_<column> checks.

Per-row facts several checks share (the digits of an ID number) are `derived` columns, computed once per row in the pass;
facts that need a set operation (rows repeating a key, values missing from another feed) are built once by `prepare`
steps (small temp tables) that the predicate tests with an uncorrelated IN.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import great_expectations.expectations as gxe

from checks.contract import FEEDS
from checks.repeated_keys import RepeatedKeys


@dataclass(frozen=True)
class RowCheck:
    code: str  # stable check code, stored in quarantine.check_code
    feed: str
    predicate: str  # SQL over alias `t` (a row of stg_<feed>); TRUE = the row is quarantined
    reason_en: str  # SQL text expression over `t`: what was expected, what was found
    reason_zh: str
    description: str  # one English sentence for GX Data Docs and the report
    native: gxe.Expectation | None = field(default=None, compare=False)  # an equivalent built-in expectation, if any
    derived: tuple[
        tuple[str, str], ...
    ] = ()  # (name, SQL over `t`): per-row facts the predicate/reasons read as t.<name>
    # (temp table, SELECT or RepeatedKeys): built once before the feed's pass, dropped after. A check with prepared
    # tables fails only rows found in them: when they are all empty, the pass skips its predicate (checks/runner.py).
    prepare: tuple[tuple[str, str | RepeatedKeys], ...] = ()

    def expectation(self) -> gxe.Expectation:
        meta = {"check_code": self.code}
        if self.native is not None:
            exp = self.native
            exp.meta = meta
            exp.description = f"{self.code}: {self.description}"
            return exp
        # The rows of the batch (a row is its file and line, as in the quarantine) that the feed's one pass flagged for this
        # check. chk_<feed> holds only failing rows, so this is a semi-join of the batch against a small hash table, not
        # a second evaluation of the predicate (which, with ID arithmetic or joins, costs seconds at district scale);
        # when no row is flagged DuckDB ends the semi-join without reading the batch.
        return gxe.UnexpectedRowsExpectation(
            unexpected_rows_query=f"SELECT t.* FROM {{batch}} t SEMI JOIN (SELECT c._file, c._line FROM "
            f"{check_table(self.feed)} c WHERE c.{flag_column(self.code)}) c ON t._file = c._file AND t._line = c._line",
            description=f"{self.code}: {self.description}",
            meta=meta,
        )


def check_table(feed: str) -> str:
    """The table of a feed's failing rows: the staging columns, the derived columns and one flag per check. Built and
    dropped by the runner around the feed's GX validation (a plain table: GX queries it through another cursor)."""
    return f"chk_{feed}"


def duplicates_table(feed: str) -> str:
    """The prepared table of DUPLICATE_IN_FILE: every row whose (file, key) occurs on an earlier line, and that line."""
    return f"dup_{feed}"


def flag_column(code: str) -> str:
    return f'"_f_{code}"'


# ---- SQL text helpers --------------------------------------------------------------------------------------------------


def lit(value: str) -> str:
    """A SQL string literal."""
    return "'" + str(value).replace("'", "''") + "'"


def shown(expr: str, empty: str = "(empty)") -> str:
    """A value as text for a reason; NULL shows as `empty`."""
    return f"coalesce(CAST({expr} AS VARCHAR), {lit(empty)})"


def fmt(template: str, *exprs: str) -> str:
    """`format(template, exprs...)` with every argument shown NULL-safe (the template uses `{}` placeholders)."""
    args = "".join(f", {shown(e, '(empty)')}" for e in exprs)
    return f"format({lit(template)}{args})"


def fmt_zh(template: str, *exprs: str) -> str:
    args = "".join(f", {shown(e, '(空)')}" for e in exprs)
    return f"format({lit(template)}{args})"


def in_list(values) -> str:
    return "(" + ", ".join(lit(v) for v in values) + ")"


# ---- checks every feed gets from the contract --------------------------------------------------------------------------


def contract_checks(feed: str) -> list[RowCheck]:
    """Required values present, codes inside the contract's sets, amounts >= 0, no record id repeated inside one file."""
    f = FEEDS[feed]
    out: list[RowCheck] = []
    for c in f.columns:
        if not c.nullable:
            out.append(
                RowCheck(
                    f"NULL_{c.name}",
                    feed,
                    f"t.{c.name} IS NULL",
                    lit(f"{feed}.{c.name} is required but empty"),
                    lit(f"{feed}.{c.name} 为必填项，但为空"),
                    f"{c.name} is present (required by the contract)",
                    gxe.ExpectColumnValuesToNotBeNull(column=c.name),
                )
            )
        if c.codes:
            codes = ", ".join(c.codes)
            out.append(
                RowCheck(
                    f"CODE_{c.name}",
                    feed,
                    f"t.{c.name} NOT IN {in_list(c.codes)}",
                    fmt(f"{feed}.{c.name} must be one of {codes}; found '{{}}'", f"t.{c.name}"),
                    fmt_zh(f"{feed}.{c.name} 应为以下代码之一：{codes}；实际为 '{{}}'", f"t.{c.name}"),
                    f"{c.name} is one of the contract's codes: {codes}",
                    gxe.ExpectColumnValuesToBeInSet(column=c.name, value_set=list(c.codes)),
                )
            )
        if c.type == "decimal" and not c.signed:
            out.append(
                RowCheck(
                    f"NEGATIVE_{c.name}",
                    feed,
                    f"t.{c.name} < 0",
                    fmt(f"{feed}.{c.name} must be >= 0 {c.unit[0]}; found {{}}", f"t.{c.name}"),
                    fmt_zh(f"{feed}.{c.name} 应不小于 0 {c.unit[1]}；实际为 {{}}", f"t.{c.name}"),
                    f"{c.name} is not negative",
                    gxe.ExpectColumnValuesToBeBetween(column=c.name, min_value=0),
                )
            )
    key = f.key
    # Built once (checks/repeated_keys.py): every row whose (file, key) already occurs on an earlier line, with that first
    # line. "a row of the same file and key on an earlier line exists" <=> "the key's first line in the file is
    # earlier". The pass then flags rows by an uncorrelated IN (a small hash table), not by a correlated EXISTS, which
    # DuckDB decorrelates into a join over every row.
    dup = duplicates_table(feed)
    keys = ", ".join(key)
    prepare = ((dup, RepeatedKeys(f"stg_{feed}", key)),)
    first_line = (
        f"(SELECT min(d.first_line) FROM {dup} d WHERE d._file = t._file AND d._line = t._line AND "
        + " AND ".join(f"d.{k} = t.{k}" for k in key)
        + ")"
    )
    key_text = "(" + ", ".join(key) + ")" if len(key) > 1 else key[0]
    out.append(
        RowCheck(
            "DUPLICATE_IN_FILE",
            feed,
            f"(t._file, t._line, {', '.join(f't.{k}' for k in key)}) IN (SELECT _file, _line, {keys} FROM {dup})",
            fmt(
                f"{feed}.{key_text} repeats line {{}} of the same file; the first row is kept, this later duplicate is "
                "quarantined",
                first_line,
            ),
            fmt_zh(f"{feed}.{key_text} 与同一文件第 {{}} 行重复；保留第一行，隔离此后重复行", first_line),
            f"{key_text} appears once per file (later duplicates are quarantined, the first row is kept)",
            prepare=prepare,
        )
    )
    return out


# ---- shared builders used by several suites ----------------------------------------------------------------------------


def orphan_check(feed: str, column: str, target_feed: str, target_column: str) -> RowCheck:
    """Referential integrity: `feed.column` must be present in `stg_<target_feed>.<target_column>`.

    The values missing from the target are found once, by an anti-join (`orphans_<feed>_<column>`, no NULLs); the pass
    flags rows with an uncorrelated IN against that small set."""
    code = {"households": "ORPHAN_HOUSEHOLD", "persons": "ORPHAN_PERSON"}[target_feed]
    orphans = f"orphans_{feed}_{column}"
    return RowCheck(
        code,
        feed,
        f"t.{column} IN (SELECT v FROM {orphans})",
        fmt(f"{feed}.{column} '{{}}' is not in {target_feed}.csv ({target_column}) of this night", f"t.{column}"),
        fmt_zh(f"{feed}.{column} '{{}}' 在本期 {target_feed}.csv（{target_column}）中不存在", f"t.{column}"),
        f"{column} refers to a {target_column} present in {target_feed}",
        prepare=(
            (
                orphans,
                f"SELECT DISTINCT t.{column} AS v FROM stg_{feed} t ANTI JOIN stg_{target_feed} r "
                f"ON r.{target_column} = t.{column} WHERE t.{column} IS NOT NULL",
            ),
        ),
    )


def date_not_after_drop(feed: str, column: str, code: str) -> RowCheck:
    """A date the department reports as past must not be after the night the row was delivered."""
    return RowCheck(
        code,
        feed,
        f"t.{column} > t._drop_date",
        fmt(f"{feed}.{column} {{}} is after the drop date {{}} of its file", f"t.{column}", "t._drop_date"),
        fmt_zh(f"{feed}.{column} {{}} 晚于所在文件的报送日期 {{}}", f"t.{column}", "t._drop_date"),
        f"{column} is not after the row's drop date",
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="_drop_date", column_B=column, or_equal=True, ignore_row_if="either_value_is_missing"
        ),
    )


def end_not_before_start(feed: str, start: str = "start_date", end: str = "end_date") -> RowCheck:
    return RowCheck(
        "END_BEFORE_START",
        feed,
        f"t.{end} < t.{start}",
        fmt(f"{feed}.{end} {{}} is before {start} {{}}", f"t.{end}", f"t.{start}"),
        fmt_zh(f"{feed}.{end} {{}} 早于 {start} {{}}", f"t.{end}", f"t.{start}"),
        f"{end} is empty or not before {start}",
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A=end, column_B=start, or_equal=True, ignore_row_if="either_value_is_missing"
        ),
    )
