"""Raise candidate warnings: every rule of RULEBOOK.md as set-based SQL over the as-of state.

`raise_candidates(con, params, as_of)` expects the state tables named after the feeds (households, persons, enrollment,
income, expenses, assets, events, payments, applications, staff_relatives) and `working_days(date, is_working)` in `con`.
It writes the parameters in force (`params.to_duckdb`), builds `sql/features/` (as-of household features) and
`sql/warnings/` (one relation per rule, each yielding candidate rows), and collects them in one table:

    candidates(household_id, warning_code, condition_key, reasons, evidence)
        one row per household and condition, sorted by household_id, warning_code, condition_key;
        `reasons` in Chinese, `evidence` JSON text with sorted keys (record ids, amounts, parameters used).
"""

from __future__ import annotations

import datetime as dt
import logging
import re

import sql
from models.rules.catalogue import CATALOGUE
from models.rules.parameters import ParameterError, ParameterSet

log = logging.getLogger(__name__)

RULE_LAYERS = ("features", "warnings")
CANDIDATE_COLUMNS = ("household_id", "warning_code", "condition_key", "reasons", "evidence")
# A quoted dotted lower-case name in SQL is a parameter name: 'dibao.standard_urban'.
PARAMETER_NAME = re.compile(r"'([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+)'")

# Formatting helpers the rule SQL uses for reasons. A parameter value prints as given (636, 0.3, 1.5), money with 2 decimals.
_MACROS = (
    "CREATE OR REPLACE MACRO fmt_num(x) AS CASE WHEN x IS NULL THEN NULL WHEN x = trunc(x) THEN printf('%d', x::BIGINT)"
    " ELSE rtrim(rtrim(printf('%.4f', x), '0'), '.') END",
    "CREATE OR REPLACE MACRO fmt_yuan(x) AS printf('%.2f', x)",
    "CREATE OR REPLACE MACRO program_zh(p) AS CASE p WHEN 'dibao' THEN '低保' WHEN 'tekun' THEN '特困供养'"
    " WHEN 'edge' THEN '低保边缘' WHEN 'rigid' THEN '刚性支出困难' ELSE p END",
    "CREATE OR REPLACE MACRO mask_id(x) AS CASE WHEN length(x) > 10 THEN left(x, 6) || repeat('*', length(x) - 10)"
    " || right(x, 4) ELSE x END",
)
# The income records behind a raised household's figures (its present members' income from `from_month` up to the month
# of D), for the evidence of the income rules; evaluated for raised households only. It reads feature relations, so it is
# created after `sql/features/` is built (DuckDB binds a macro's tables when the macro is created).
_INCOME_RECORD_IDS = (
    "CREATE OR REPLACE MACRO income_record_ids(hid, from_month) AS coalesce(("
    " SELECT list(i.record_id ORDER BY i.record_id) FROM member_presence m JOIN income i ON i.person_id = m.person_id,"
    " rule_context c WHERE m.household_id = hid AND m.is_present AND i.month >= from_month AND i.month < c.month_of_d),"
    " [])"
)


def parameters_named_in_sql(layers: tuple[str, ...] = RULE_LAYERS) -> dict[str, list[str]]:
    """Every parameter name quoted in the rule SQL -> the files naming it (comments excluded)."""
    found: dict[str, list[str]] = {}
    for layer in layers:
        for name, path in sql.relation_files(layer).items():
            text = sql.strip_comments(path.read_text(encoding="utf-8"))
            for param in sorted(set(PARAMETER_NAME.findall(text))):
                found.setdefault(param, []).append(f"sql/{layer}/{path.name}")
    return found


def _check_parameters(params: ParameterSet, as_of: dt.date) -> None:
    for name, files in sorted(parameters_named_in_sql().items()):
        if name not in params:
            raise ParameterError(f"{files[0]}: names parameter '{name}', which has no file under models/rules/parameters/")
        if params.get(name).values[0].effective_from > as_of:
            # SQL reads NULL for it and the rules using it raise nothing: say so instead of failing the night.
            log.warning("parameter %s (used by %s) has no value in force on %s; those rules raise nothing",
                        name, ", ".join(files), as_of.isoformat())


def raise_candidates(con, params: ParameterSet, as_of: dt.date) -> int:
    """Build features and warnings for `as_of` and (re)create table `candidates`; return its row count."""
    _check_parameters(params, as_of)
    params.to_duckdb(con, as_of)
    for macro in _MACROS:
        con.execute(macro)
    sql.build(con, "features")
    con.execute(_INCOME_RECORD_IDS)
    rules = sql.build(con, "warnings")
    for rule in rules:
        cols = tuple(r[0] for r in con.execute(f"DESCRIBE {rule}").fetchall())
        if cols != CANDIDATE_COLUMNS:
            raise RuntimeError(f"sql/warnings/{rule}.sql: expected columns {CANDIDATE_COLUMNS}, found {cols}")
    union = " UNION ALL ".join(
        f"SELECT {', '.join(f'{c}::VARCHAR AS {c}' for c in CANDIDATE_COLUMNS)} FROM {rule}" for rule in rules)
    con.execute(f"CREATE OR REPLACE TABLE candidates AS SELECT * FROM ({union}) "
                "ORDER BY household_id, warning_code, condition_key")
    unknown = con.execute("SELECT DISTINCT warning_code FROM candidates").fetchall()
    bad = sorted(c for (c,) in unknown if c not in CATALOGUE)
    if bad:
        raise RuntimeError(f"sql/warnings: warning codes {bad} are not in the catalogue (models/rules/catalogue.py)")
    dup = con.execute("SELECT household_id, warning_code, condition_key, count(*) FROM candidates GROUP BY ALL"
                      " HAVING count(*) > 1 ORDER BY ALL LIMIT 1").fetchone()
    if dup:
        raise RuntimeError(f"candidates: household {dup[0]} has {dup[3]} rows for {dup[1]} / {dup[2]};"
                           " expected one row per household and condition")
    return con.execute("SELECT count(*) FROM candidates").fetchone()[0]


