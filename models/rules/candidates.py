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

# The macros (sql/macros/) created before sql/features/ is built; `evidence` reads feature relations, so after it.
MACRO_THEMES = ("format", "months", "policy")
EVIDENCE_MACROS = "evidence"


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
    for theme in MACRO_THEMES:
        sql.create_macros(con, theme)
    sql.build(con, "features")
    sql.create_macros(con, EVIDENCE_MACROS)
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
