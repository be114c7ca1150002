"""A row-level check, written once (docs/DESIGN.md step 2, row-level failures).

A check is a `RowCheck`: its code, its feed, what makes a row fail, and the reasons a quarantined row carries. What makes a
row fail is either
- a `NativeRule` (a value missing, outside a set or a range, one column less than another): rules Great Expectations has
  natively. The rule gives both the SQL predicate and the GX expectation, so they cannot say different things; GX
  evaluates its expectation on `stg_<feed>` itself, independently of our SQL, and the runner requires the two counts to
  agree check by check; or
- a SQL predicate (a string) for everything else (ID numbers, keys repeated in a file, values missing from another feed,
  code formats GX cannot test on DuckDB): a plain SQL check, counted by the quarantine alone and reported beside GX's
  results in the same structure (checks/runner.py). GX never counts these: re-counting our own flags would prove nothing.

The SQL is a boolean over `t`, one row of `stg_<feed>` (TRUE = the row fails). The checks stage (checks/runner.py)
evaluates all predicates of a feed in ONE set-based pass and keeps the failing rows, with one boolean flag column per
check (`flag_column(code)`), in the temp table `chk_<feed>` (`check_table(feed)`), from which the runner quarantines them
with one `INSERT ... SELECT` per feed, the reasons computed per row from the row's own values (English and Chinese SQL
text expressions over the same `t`). NULL semantics follow GX: a predicate that is NULL (a missing optional value) does
not fail; missing required values are the NULL_<column> checks.

Per-row facts several checks share (the digits of an ID number) are `derived` columns, computed once per row in the pass;
facts that need a set operation (rows repeating a key, values missing from another feed) are built once by `prepare`
steps (small temp tables) that the predicate tests with an uncorrelated IN.

Great Expectations is imported by the `expectation` methods, not by this module: defining and running the SQL of the
checks needs no GX, and a night imports GX in the thread that validates (checks/runner.py), beside its other work.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from checks.contract import FEEDS
from checks.repeated_keys import RepeatedKeys

if TYPE_CHECKING:
    import great_expectations.expectations as gxe

# ---- the rules GX has natively: one definition gives the SQL predicate and the expectation ------------------------------


@dataclass(frozen=True)
class NotNull:
    """The column has a value."""

    column: str

    def sql(self) -> str:
        return f"t.{self.column} IS NULL"

    def expectation(self) -> gxe.Expectation:
        import great_expectations.expectations as gxe

        return gxe.ExpectColumnValuesToNotBeNull(column=self.column)


@dataclass(frozen=True)
class InSet:
    """The column is empty or one of `values`."""

    column: str
    values: tuple[str, ...]

    def sql(self) -> str:
        return f"t.{self.column} NOT IN {in_list(self.values)}"

    def expectation(self) -> gxe.Expectation:
        import great_expectations.expectations as gxe

        return gxe.ExpectColumnValuesToBeInSet(column=self.column, value_set=list(self.values))


@dataclass(frozen=True)
class Between:
    """The column is empty or within [min, max] (an open bound is None; `strict_min` excludes the minimum). Numbers or
    dates; GX receives a date as its ISO text, which DuckDB compares as a date."""

    column: str
    min: int | dt.date | None = None
    max: int | dt.date | None = None
    strict_min: bool = False

    def sql(self) -> str:
        fails = []
        if self.min is not None:
            fails.append(f"t.{self.column} {'<=' if self.strict_min else '<'} {_sql_value(self.min)}")
        if self.max is not None:
            fails.append(f"t.{self.column} > {_sql_value(self.max)}")
        assert fails, f"Between({self.column}) without a bound"
        return fails[0] if len(fails) == 1 else "(" + " OR ".join(fails) + ")"

    def expectation(self) -> gxe.Expectation:
        import great_expectations.expectations as gxe

        bounds = {"min_value": _gx_value(self.min), "max_value": _gx_value(self.max)}
        return gxe.ExpectColumnValuesToBeBetween(
            column=self.column,
            **{k: v for k, v in bounds.items() if v is not None},
            **({"strict_min": True} if self.strict_min else {}),
        )


@dataclass(frozen=True)
class AtLeast:
    """`column` >= `other` on the same row; a row where either is empty is not judged."""

    column: str
    other: str

    def sql(self) -> str:
        return f"t.{self.column} < t.{self.other}"

    def expectation(self) -> gxe.Expectation:
        import great_expectations.expectations as gxe

        return gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A=self.column, column_B=self.other, or_equal=True, ignore_row_if="either_value_is_missing"
        )


NativeRule = NotNull | InSet | Between | AtLeast


def _sql_value(v: int | dt.date) -> str:
    return f"DATE '{v.isoformat()}'" if isinstance(v, dt.date) else str(int(v))


def _gx_value(v: int | dt.date | None) -> int | str | None:
    return v.isoformat() if isinstance(v, dt.date) else v


# ---- a check -------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowCheck:
    code: str  # stable check code, stored in quarantine.check_code
    feed: str
    rule: NativeRule | str  # a rule GX has natively, or SQL over alias `t` (a row of stg_<feed>); TRUE = quarantined
    reason_en: str  # SQL text expression over `t`: what was expected, what was found
    reason_zh: str
    description: str  # one English sentence for the validation summary and the report
    derived: tuple[
        tuple[str, str], ...
    ] = ()  # (name, SQL over `t`): per-row facts the predicate/reasons read as t.<name>
    # (temp table, SELECT or RepeatedKeys): built once before the feed's pass, dropped after. A check with prepared
    # tables fails only rows found in them: when they are all empty, the pass skips its predicate (checks/runner.py).
    prepare: tuple[tuple[str, str | RepeatedKeys], ...] = ()

    def __post_init__(self) -> None:
        assert isinstance(self.rule, str) or not (self.derived or self.prepare), (
            f"{self.code}: a native rule reads the row's own columns only"
        )

    @property
    def native(self) -> bool:
        """GX evaluates this check (its own expectation on stg_<feed>)."""
        return not isinstance(self.rule, str)

    @property
    def predicate(self) -> str:
        """The SQL that flags a failing row in the feed's one pass."""
        return self.rule if isinstance(self.rule, str) else self.rule.sql()

    def expectation(self) -> gxe.Expectation:
        """The GX expectation of a native check, tagged with the check code (for the runner and the summary)."""
        assert not isinstance(self.rule, str), f"{self.code} is a SQL check: GX does not evaluate it"
        exp = self.rule.expectation()
        exp.meta = {"check_code": self.code}
        exp.description = f"{self.code}: {self.description}"
        return exp


def check_table(feed: str) -> str:
    """The temp table of a feed's failing rows: the staging columns, the derived columns and one flag per check. Built
    and dropped by the runner around the feed's quarantine INSERT."""
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
                    NotNull(c.name),
                    lit(f"{feed}.{c.name} is required but empty"),
                    lit(f"{feed}.{c.name} 为必填项，但为空"),
                    f"{c.name} is present (required by the contract)",
                )
            )
        if c.codes:
            codes = ", ".join(c.codes)
            out.append(
                RowCheck(
                    f"CODE_{c.name}",
                    feed,
                    InSet(c.name, tuple(c.codes)),
                    fmt(f"{feed}.{c.name} must be one of {codes}; found '{{}}'", f"t.{c.name}"),
                    fmt_zh(f"{feed}.{c.name} 应为以下代码之一：{codes}；实际为 '{{}}'", f"t.{c.name}"),
                    f"{c.name} is one of the contract's codes: {codes}",
                )
            )
        if c.type == "decimal" and not c.signed:
            out.append(
                RowCheck(
                    f"NEGATIVE_{c.name}",
                    feed,
                    Between(c.name, min=0),
                    fmt(f"{feed}.{c.name} must be >= 0 {c.unit[0]}; found {{}}", f"t.{c.name}"),
                    fmt_zh(f"{feed}.{c.name} 应不小于 0 {c.unit[1]}；实际为 {{}}", f"t.{c.name}"),
                    f"{c.name} is not negative",
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
        AtLeast("_drop_date", column),
        fmt(f"{feed}.{column} {{}} is after the drop date {{}} of its file", f"t.{column}", "t._drop_date"),
        fmt_zh(f"{feed}.{column} {{}} 晚于所在文件的报送日期 {{}}", f"t.{column}", "t._drop_date"),
        f"{column} is not after the row's drop date",
    )


def end_not_before_start(feed: str, start: str = "start_date", end: str = "end_date") -> RowCheck:
    return RowCheck(
        "END_BEFORE_START",
        feed,
        AtLeast(end, start),
        fmt(f"{feed}.{end} {{}} is before {start} {{}}", f"t.{end}", f"t.{start}"),
        fmt_zh(f"{feed}.{end} {{}} 早于 {start} {{}}", f"t.{end}", f"t.{start}"),
        f"{end} is empty or not before {start}",
    )
