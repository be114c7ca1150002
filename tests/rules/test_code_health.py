"""Conventions the rule code keeps (docs/STYLE.md 1, 2, 6, 8): sourced dated parameters, no policy literal in SQL,
one SQL relation per warning code."""

import json
import re

import sql
from models.rules import catalogue
from models.rules.candidates import parameters_named_in_sql
from models.rules.catalogue import CATALOGUE
from models.rules.parameters import ROOT, ParameterSet, _read_yaml

RULE_CODES = set(CATALOGUE) - set(getattr(catalogue, "RAISED_BY_ML", ()))  # codes the rule SQL raises

# numbers that are not policy values: 0 and 1, 2 (2 x recent months, 2 decimals), 12 months a year, 100 per cent,
# 9: the digits of a street code in a region code (docs/CONTRACT.md §2)
ALLOWED_LITERALS = {"0", "1", "2", "9", "12", "100"}


def test_every_parameter_file_is_dated_sourced_and_has_a_status():
    for path in sorted(ROOT.rglob("*.yaml")):
        data = _read_yaml(path)
        assert str(data.get("description", "")).strip(), f"{path}: no description"
        assert str(data.get("unit", "")).strip(), f"{path}: no unit"
        assert data.get("values"), f"{path}: no dated values"
        for date, entry in data["values"].items():
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(date)), f"{path}: value key {date} is not a date"
            assert str(entry.get("reference", "")).strip(), f"{path} {date}: no reference"
            assert entry.get("status") in ("verified", "unconfirmed"), f"{path} {date}: status {entry.get('status')!r}"
            if "[LOCAL]" in entry["reference"] and "[V]" not in entry["reference"] and "[V2]" not in entry["reference"]:
                assert entry["status"] == "unconfirmed", f"{path} {date}: a [LOCAL] value must be status: unconfirmed"


def test_every_parameter_named_in_sql_exists():
    params = ParameterSet.load()
    named = parameters_named_in_sql()
    assert named, "the rule SQL names no parameter at all?"
    missing = {name: files for name, files in named.items() if name not in params}
    assert not missing, f"parameters named in SQL without a file under models/rules/parameters/: {missing}"


def test_the_rule_parameters_of_issue_4_keep_their_defaults():
    params = ParameterSet.load()
    import datetime as dt

    on = dt.date(2026, 3, 10)
    expected = {
        "dibao.standard_urban": 770,
        "dibao.standard_rural": 630,
        "tekun.basic_living_standard": 1001,
        "income.window_months": 6,
        "income.excluded_sources": ["allowance_exempt", "assistance"],
        "income.employment_cost_share": 0.3,
        "assets.financial_limit_months": 24,
        "assets.exempt_vehicle_subtypes": ["disability_mobility", "agricultural"],
        "assets.max_residential_properties": 1,
        "tekun.min_age": 60,
        "tekun.max_child_age": 16,
        "disability.severe_grades": [1, 2],
        "disability.severe_grade3_types": ["intellectual", "mental"],
        "edge.income_multiple": 1.5,
        "shock.event_lookback_days": 90,
        "shock.income_drop_share": 0.5,
        "medical.shock_threshold_yuan": 20000,
        "payment.mismatch_tolerance_yuan": 0,
        "payment.due_offset_days": 0,
        "application.processing_limit_working_days": 30,
        "rigid.disposable_income_annual": 37595,
        "rigid.expense_share_of_income": 0.5,
    }
    for name, value in expected.items():
        assert params.value(name, on) == value, name
    assert params.at("edge.income_multiple", on).status == "verified"


def test_the_standards_are_those_of_policy_section_3_on_each_side_of_the_2025_report():
    """docs/POLICY.md §3: the 2021 values (verified) until the day before the 2025-07-29 report, its values (in force by
    that date, the exact date of each raise unknown: unconfirmed) from that day."""
    import datetime as dt

    params = ParameterSet.load()
    standards = ("dibao.standard_urban", "dibao.standard_rural", "tekun.basic_living_standard")
    before, on = dt.date(2025, 7, 28), dt.date(2025, 7, 29)
    assert [params.value(n, before) for n in standards] == [636, 515, 827]
    assert [params.value(n, on) for n in standards] == [770, 630, 1001]
    assert {params.at(n, before).status for n in standards} == {"verified"}
    assert {params.at(n, on).status for n in standards} == {"unconfirmed"}
    assert {params.at(n, on).verified_on for n in standards} == {on}
    assert all(
        "2025-07-29" in params.at(n, on).reference and "cqrd.gov.cn" in params.at(n, on).reference for n in standards
    )


def _code_without_strings(text: str) -> str:
    text = sql.strip_comments(text)
    text = re.sub(r"'(?:[^']|'')*'", "''", text)  # string literals
    text = re.sub(r"DECIMAL\(\s*\d+\s*,\s*\d+\s*\)", "DECIMAL", text)  # types are not policy values
    return text


def test_no_policy_number_is_a_literal_in_rule_sql():
    for layer in ("features", "warnings"):
        for path in sql.relation_files(layer).values():
            code = _code_without_strings(path.read_text(encoding="utf-8"))
            numbers = set(re.findall(r"(?<![\w.])\d+(?:\.\d+)?(?![\w.])", code))
            assert numbers <= ALLOWED_LITERALS, (
                f"sql/{layer}/{path.name}: numeric literals {sorted(numbers - ALLOWED_LITERALS)}; policy values belong in "
                "a parameter file read through param()"
            )


def test_one_warning_relation_per_catalogue_code():
    files = sql.relation_files("warnings")
    codes_in_sql = {}
    for name, path in files.items():
        text = path.read_text(encoding="utf-8")
        codes = set(re.findall(r"AS warning_code", text)) and set(re.findall(r"'([A-Z_]+)' AS warning_code", text))
        assert codes, f"sql/warnings/{path.name}: yields no warning_code"
        for code in codes:
            codes_in_sql.setdefault(code, []).append(name)
        assert name == "warn_" + next(iter(codes)).lower(), f"sql/warnings/{path.name}: name it after its code"
    assert sorted(codes_in_sql) == sorted(RULE_CODES)


def test_parameter_evidence_json_is_sorted_and_complete():
    import datetime as dt

    import duckdb

    con = duckdb.connect()
    ParameterSet.load().to_duckdb(con, dt.date(2026, 3, 10))
    from models.rules.candidates import MACRO_THEMES

    for theme in MACRO_THEMES:
        sql.create_macros(con, theme)
    sql.build(con, "features", only=["param_evidence"])
    for (text,) in con.execute("SELECT evidence FROM param_evidence").fetchall():
        obj = json.loads(text)
        assert list(obj) == ["effective_from", "name", "reference", "status", "value"]


SQL_FOLDERS = ("state", "features", "warnings", "queue", "exports", "macros")


def _tables_in_tree(node, tables: set[str], ctes: set[str]) -> None:
    if isinstance(node, dict):
        if node.get("type") == "BASE_TABLE":
            tables.add(node["table_name"])
        cte_map = node.get("cte_map")
        if isinstance(cte_map, dict):
            ctes.update(entry["key"] for entry in cte_map.get("map", []))
        for value in node.values():
            _tables_in_tree(value, tables, ctes)
    elif isinstance(node, list):
        for value in node:
            _tables_in_tree(value, tables, ctes)


def _relations_read(con, text: str) -> set[str]:
    """The tables a relation file (one SELECT) or a macro file (each macro's body) reads, from DuckDB's own parse tree
    (json_serialize_sql: parsed, not bound, so nothing needs to exist), CTE names left out."""
    code = sql.strip_comments(text)
    if re.search(r"\bCREATE\s+OR\s+REPLACE\s+MACRO\b", code):
        queries = []
        for statement in code.split(";"):
            macro = re.search(r"MACRO\s+\w+\s*\([^)]*\)\s+AS\s+(TABLE\s+)?(.*)", statement, re.S)
            if macro:
                queries.append(macro.group(2) if macro.group(1) else f"SELECT {macro.group(2)}")
    else:
        queries = [code.strip().rstrip(";")]
    tables: set[str] = set()
    ctes: set[str] = set()
    for query in queries:
        tree = json.loads(con.execute("SELECT json_serialize_sql(?)", [query]).fetchone()[0])
        assert not tree["error"], tree.get("error_message")
        _tables_in_tree(tree, tables, ctes)
    return tables - ctes


def test_every_sql_file_declares_exactly_the_relations_it_reads():
    import duckdb

    con = duckdb.connect()
    for folder in SQL_FOLDERS:
        for path in sql.relation_files(folder).values():
            text = path.read_text(encoding="utf-8")
            assert text.startswith("-- depends:"), f"sql/{folder}/{path.name}: the first line must be '-- depends: ...'"
            declared = set(sql.declared_dependencies(path))
            read = _relations_read(con, text)
            assert declared == read, (
                f"sql/{folder}/{path.name}: reads {sorted(read - declared)} without declaring them; declares "
                f"{sorted(declared - read)} that it does not read"
            )


def test_a_dependency_cycle_is_refused_with_its_path():
    import pytest

    with pytest.raises(sql.DependencyError, match="a -> b -> a"):
        sql.dependency_order({"a": ("b",), "b": ("a",), "c": ()})
    assert sql.dependency_order({"b": ("a", "outside"), "a": (), "c": ("b",)}) == ["a", "b", "c"]


def test_a_missing_dependency_is_refused_before_anything_runs(tmp_path, monkeypatch):
    import duckdb
    import pytest

    (tmp_path / "layer").mkdir()
    (tmp_path / "layer" / "first.sql").write_text("-- depends: seen\nSELECT * FROM seen\n", encoding="utf-8")
    (tmp_path / "layer" / "second.sql").write_text(
        "-- depends: first, nowhere\nSELECT * FROM first\n", encoding="utf-8"
    )
    (tmp_path / "layer" / "bare.sql").write_text("SELECT 1\n", encoding="utf-8")
    monkeypatch.setattr(sql, "ROOT", tmp_path)
    con = duckdb.connect()
    con.execute("CREATE TABLE seen AS SELECT 1 AS x")
    with pytest.raises(sql.DependencyError, match="no '-- depends:' header"):
        sql.build(con, "layer")
    (tmp_path / "layer" / "bare.sql").unlink()
    with pytest.raises(sql.DependencyError, match="second.sql depends on nowhere"):
        sql.build(con, "layer")
    assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'first'").fetchone() == (0,)
    (tmp_path / "layer" / "second.sql").write_text("-- depends: first\nSELECT * FROM first\n", encoding="utf-8")
    assert sql.build(con, "layer") == ["first", "second"]


def _source_files():
    root = sql.ROOT.parent
    for folder in ("flows", "checks", "models", "sql"):
        for path in sorted((root / folder).rglob("*")):
            if path.suffix in (".py", ".sql") and "__pycache__" not in path.parts:
                yield root, path


def test_macros_live_in_sql_macros_only():
    for root, path in _source_files():
        if path.parent == sql.ROOT / "macros":
            continue
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"CREATE\s+(OR\s+REPLACE\s+)?(TEMP\s+)?MACRO", text, re.I), (
            f"{path.relative_to(root)}: a DuckDB macro belongs in sql/macros/<theme>.sql (docs/adr/0013)"
        )


def test_covered_is_defined_once():
    """ "Covered" (dibao or tekun, active or gradual_exit, in force on D) is the macro is_covering of
    sql/macros/policy.sql; a second spelling of it could drift from the first."""
    spelled = re.compile(r"status\s+IN\s*\(\s*'active'\s*,\s*'gradual_exit'\s*\)", re.I)
    places = [str(path.relative_to(root)) for root, path in _source_files() if spelled.search(path.read_text("utf-8"))]
    assert places == ["sql/macros/policy.sql"]
