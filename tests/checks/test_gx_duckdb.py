"""The GX-on-DuckDB workaround (checks/gx_duckdb.py, `UPSTREAM_ISSUES`): it works, and it is still needed.

When `test_the_workaround_is_still_needed` fails, a GX (or duckdb-engine) upgrade reads DuckDB through a plain
duckdb-engine connection: drop `_ReadsWithoutTransaction` and pass duckdb-engine's connection. When the other tests fail
after an upgrade, the upgrade broke the workaround.
"""

from __future__ import annotations

import duckdb
import great_expectations as gx
import great_expectations.expectations as gxe
from duckdb_engine import ConnectionWrapper

from checks import gx_duckdb

EXPECTATIONS = [
    gxe.ExpectColumnValuesToBeInSet(column="sex", value_set=["M", "F"]),  # passes
    gxe.ExpectColumnValuesToBeBetween(column="age", min_value=0, max_value=120),  # fails on one row
]


def _people():
    con = duckdb.connect()
    con.execute("CREATE TABLE people AS SELECT * FROM (VALUES ('M', 30), ('F', 41), ('F', 130)) v(sex, age)")
    return con


def _validate(source, table: str = "people", expectations=EXPECTATIONS):
    asset = source.add_table_asset(table, table_name=table)
    batch = asset.get_batch(asset.build_batch_request())
    return batch.validate(gx.ExpectationSuite(name=table, expectations=expectations), result_format="BASIC").results


def test_one_expectation_passes_and_one_fails_on_a_duckdb_table():
    con = _people()
    source = gx_duckdb.add_duckdb_datasource(gx_duckdb.ephemeral_context(), con)
    passing, failing = _validate(source)
    gx_duckdb.close_datasource(source)
    assert passing.success and passing.result["unexpected_count"] == 0
    assert not failing.success and failing.result["unexpected_count"] == 1
    assert not failing.exception_info.get("raised_exception")


def test_the_workaround_is_still_needed():
    """Through duckdb-engine's own connection every metric query loses its result (upstream #10738, #11579)."""
    con = _people()
    source = gx_duckdb.ephemeral_context().data_sources.add_sql(
        "plain", connection_string="duckdb:///:memory:", kwargs={"creator": lambda: ConnectionWrapper(con.cursor())}
    )
    results = _validate(source)
    source.get_execution_engine().engine.dispose()
    assert all(not r.success and "unexpected_count" not in r.result for r in results), (
        "GX now reads DuckDB through duckdb-engine's own connection: checks/gx_duckdb.py's workaround is unnecessary"
    )


def test_one_data_source_reads_what_the_caller_commits_between_validations():
    """No transaction pins a snapshot: rows and tables the caller adds after GX's first query are seen."""
    con = _people()
    source = gx_duckdb.add_duckdb_datasource(gx_duckdb.ephemeral_context(), con)
    assert _validate(source)[1].result["unexpected_count"] == 1
    con.execute("INSERT INTO people VALUES ('X', 200)")
    con.execute("CREATE TABLE later AS SELECT * FROM people")
    assert [r.result["unexpected_count"] for r in _validate(source, "later")] == [1, 2]
    gx_duckdb.close_datasource(source)


def test_gx_cannot_match_a_regex_on_duckdb():
    """Why the code-format checks are plain SQL checks: GX builds regex SQL only for dialects it knows. When this fails,
    GX can evaluate them natively (a `MatchesRegex` rule in checks/row_check.py)."""
    con = duckdb.connect()
    con.execute("CREATE TABLE codes AS SELECT * FROM (VALUES ('500106001001'), ('x')) v(code)")
    source = gx_duckdb.add_duckdb_datasource(gx_duckdb.ephemeral_context(), con)
    (result,) = _validate(source, "codes", [gxe.ExpectColumnValuesToMatchRegex(column="code", regex="^[0-9]{12}$")])
    gx_duckdb.close_datasource(source)
    assert not result.success and result.result.get("unexpected_count") is None
