"""Raise candidate warnings: every rule of docs/rulebook.md as set-based SQL over the as-of state.

`raise_candidates(con, params, as_of)` expects the state tables named after the feeds (households, persons, enrollment,
income, expenses, assets, events, payments, applications, staff_relatives, care_contacts, meter_readings) and
`working_days(date, is_working)` in `con`; `quarantined_households` (sql/state/) when the checks ran (else it is empty).
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
    # An amount divided, to the cent below or above: a reason that says "below the standard" shows a figure below it
    # (per capita 635.998 is 635.99, never 636.00 "below 636"), one that says "above" a figure above it. Exact: the
    # amount in cents is a whole number, and a double quotient of two whole numbers is never on the wrong side of one.
    "CREATE OR REPLACE MACRO cents_down(amount, divisor) AS"
    " (floor((amount * 100)::DOUBLE / divisor) / 100)::DECIMAL(18, 2)",
    "CREATE OR REPLACE MACRO cents_up(amount, divisor) AS (ceil((amount * 100)::DOUBLE / divisor) / 100)::DECIMAL(18, 2)",
    "CREATE OR REPLACE MACRO program_zh(p) AS CASE p WHEN 'dibao' THEN '低保' WHEN 'tekun' THEN '特困供养'"
    " WHEN 'edge' THEN '低保边缘' WHEN 'rigid' THEN '刚性支出困难' ELSE p END",
    "CREATE OR REPLACE MACRO mask_id(x) AS CASE WHEN length(x) > 10 THEN left(x, 6) || repeat('*', length(x) - 10)"
    " || right(x, 4) ELSE x END",
    # Severe disability (docs/POLICY.md §2, docs/rulebook.md "Severe disability"): a grade in disability.severe_grades, or grade
    # disability.severe_typed_grade of a type in disability.severe_grade3_types; TEKUN_CANDIDATE and
    # SEVERE_DISABILITY_SINGLE both read it.
    "CREATE OR REPLACE MACRO is_severe_disability(grade, type, severe_grades, typed_grade, grade3_types) AS"
    " coalesce(list_contains(severe_grades, grade) OR (grade = typed_grade AND list_contains(grade3_types, type)), false)",
    "CREATE OR REPLACE MACRO disability_type_zh(t) AS CASE t WHEN 'visual' THEN '视力' WHEN 'hearing' THEN '听力'"
    " WHEN 'speech' THEN '言语' WHEN 'physical' THEN '肢体' WHEN 'intellectual' THEN '智力' WHEN 'mental' THEN '精神'"
    " WHEN 'multiple' THEN '多重' ELSE '' END",
    # The asset test an asset held on D falls under (docs/rulebook.md "Asset tests"), NULL for none (an exempt vehicle):
    # household_assets counts by it, the ASSET_OVER_LIMIT evidence lists by it.
    "CREATE OR REPLACE MACRO asset_test(asset_type, subtype, exempt_vehicle_subtypes) AS CASE"
    " WHEN asset_type IN ('deposit', 'securities') THEN 'financial'"
    " WHEN asset_type = 'vehicle' AND NOT coalesce(list_contains(exempt_vehicle_subtypes, subtype), false) THEN 'vehicle'"
    " WHEN asset_type = 'real_estate' AND subtype = 'residential' THEN 'real_estate_residential'"
    " WHEN asset_type = 'real_estate' AND subtype = 'commercial' THEN 'real_estate_commercial'"
    " WHEN asset_type = 'business' THEN 'business' END",
)
# Evidence lists evaluated for raised households only (sorting a list per household for all of them cost most of the
# rule pass at a million households). They read feature relations, so they are created after `sql/features/` is built
# (DuckDB binds a macro's tables when the macro is created).
_EVIDENCE_MACROS = (
    # The income records behind a household's figures (its present members' income from `from_month` up to the month of
    # D), for the income rules.
    "CREATE OR REPLACE MACRO income_record_ids(hid, from_month) AS coalesce(("
    " SELECT list(i.record_id ORDER BY i.record_id) FROM member_presence m JOIN income i ON i.person_id = m.person_id,"
    " rule_context c WHERE m.household_id = hid AND m.is_present AND i.month >= from_month AND i.month < c.month_of_d),"
    " [])",
    # The expenses behind household_expenses' totals (medical_* only, or all rigid categories), sorted by date then
    # record_id, keys in sorted order; NULL when there is none (as the list aggregate gives).
    "CREATE OR REPLACE MACRO expense_records(hid, medical_only) AS ("
    " SELECT list_transform(list_sort(list({'date': strftime(e.date, '%Y-%m-%d'), 'record_id': e.record_id,"
    " 'amount': e.self_paid_amount::DECIMAL(18, 2), 'category': e.category})),"
    " lambda r: {'amount': r.amount, 'category': r.category, 'date': r.date, 'record_id': r.record_id})"
    " FROM member_presence m JOIN expenses e ON e.person_id = m.person_id, rule_context c"
    " WHERE m.household_id = hid AND m.is_present AND e.date > c.expense_after AND e.date <= c.as_of"
    " AND (e.category LIKE 'medical\\_%' ESCAPE '\\'"
    " OR (NOT medical_only AND e.category IN ('education', 'disability_rehab'))))",
    # The assets behind household_assets' counts that fall under a test, sorted by asset_id, keys in sorted order;
    # NULL when there is none.
    "CREATE OR REPLACE MACRO tested_assets(hid) AS ("
    " SELECT list_sort(list({'asset_id': a.asset_id, 'asset_type': a.asset_type, 'subtype': a.subtype,"
    " 'test': CASE WHEN asset_test(a.asset_type, a.subtype, c.exempt_vehicle_subtypes) LIKE 'real_estate%'"
    " THEN 'real_estate' ELSE asset_test(a.asset_type, a.subtype, c.exempt_vehicle_subtypes) END,"
    " 'value': a.value::DECIMAL(18, 2)}) FILTER (WHERE asset_test(a.asset_type, a.subtype, c.exempt_vehicle_subtypes) IS NOT NULL))"
    " FROM member_presence m JOIN assets a ON a.person_id = m.person_id, rule_context c"
    " WHERE m.household_id = hid AND m.is_present AND a.start_date <= c.as_of AND (a.end_date IS NULL OR a.end_date > c.as_of))",
)


def parameters_named_in_sql(layers: tuple[str, ...] = RULE_LAYERS) -> dict[str, list[str]]:
    """Every parameter name quoted in the rule SQL -> the files naming it (comments excluded)."""
    found: dict[str, list[str]] = {}
    for layer in layers:
        for path in sql.relation_files(layer).values():
            text = sql.strip_comments(path.read_text(encoding="utf-8"))
            for param in sorted(set(PARAMETER_NAME.findall(text))):
                found.setdefault(param, []).append(f"sql/{layer}/{path.name}")
    return found


def _check_parameters(params: ParameterSet, as_of: dt.date) -> None:
    for name, files in sorted(parameters_named_in_sql().items()):
        if name not in params:
            raise ParameterError(
                f"{files[0]}: names parameter '{name}', which has no file under models/rules/parameters/"
            )
        if params.get(name).values[0].effective_from > as_of:
            # SQL reads NULL for it and the rules using it raise nothing: say so instead of failing the night.
            log.warning(
                "parameter %s (used by %s) has no value in force on %s; those rules raise nothing",
                name,
                ", ".join(files),
                as_of.isoformat(),
            )


def raise_candidates(con, params: ParameterSet, as_of: dt.date) -> int:
    """Build features and warnings for `as_of` and (re)create table `candidates`; return its row count."""
    _check_parameters(params, as_of)
    # the households with a quarantined row (sql/state/quarantined_households.sql), empty where no checks ran
    con.execute(
        "CREATE TABLE IF NOT EXISTS quarantined_households (household_id VARCHAR, feed VARCHAR, check_code VARCHAR)"
    )
    params.to_duckdb(con, as_of)
    for macro in _MACROS:
        con.execute(macro)
    sql.build(con, "features")
    for macro in _EVIDENCE_MACROS:
        con.execute(macro)
    rules = sql.build(con, "warnings")
    for rule in rules:
        cols = tuple(r[0] for r in con.execute(f"DESCRIBE {rule}").fetchall())
        if cols != CANDIDATE_COLUMNS:
            raise RuntimeError(f"sql/warnings/{rule}.sql: expected columns {CANDIDATE_COLUMNS}, found {cols}")
    union = " UNION ALL ".join(
        f"SELECT {', '.join(f'{c}::VARCHAR AS {c}' for c in CANDIDATE_COLUMNS)} FROM {rule}" for rule in rules
    )
    con.execute(
        f"CREATE OR REPLACE TABLE candidates AS SELECT * FROM ({union}) "
        "ORDER BY household_id, warning_code, condition_key"
    )
    unknown = con.execute("SELECT DISTINCT warning_code FROM candidates").fetchall()
    bad = sorted(c for (c,) in unknown if c not in CATALOGUE)
    if bad:
        raise RuntimeError(f"sql/warnings: warning codes {bad} are not in the catalogue (models/rules/catalogue.py)")
    dup = con.execute(
        "SELECT household_id, warning_code, condition_key, count(*) FROM candidates GROUP BY ALL"
        " HAVING count(*) > 1 ORDER BY ALL LIMIT 1"
    ).fetchone()
    if dup:
        raise RuntimeError(
            f"candidates: household {dup[0]} has {dup[3]} rows for {dup[1]} / {dup[2]};"
            " expected one row per household and condition"
        )
    return con.execute("SELECT count(*) FROM candidates").fetchone()[0]
