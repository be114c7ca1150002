"""The GX-on-DuckDB fix (checks/gx_duckdb.py; upstream great_expectations #10738, #11579)."""

from __future__ import annotations

import duckdb
import great_expectations as gx
import great_expectations.execution_engine.sqlalchemy_execution_engine as sa_engine
import great_expectations.expectations as gxe

from checks import gx_duckdb


def _validate(con):
    context = gx_duckdb.ephemeral_context()
    source = gx_duckdb.add_duckdb_datasource(context, con)
    batch = source.add_table_asset("people", table_name="people").add_batch_definition_whole_table("all")
    suite = context.suites.add(
        gx.ExpectationSuite(
            "people",
            expectations=[
                gxe.ExpectColumnValuesToBeInSet(column="sex", value_set=["M", "F"]),  # passes
                gxe.ExpectColumnValuesToBeBetween(column="age", min_value=0, max_value=120),  # fails on one row
            ],
        )
    )
    return context.validation_definitions.add(gx.ValidationDefinition(name="v", data=batch, suite=suite)).run(
        result_format="BASIC"
    )


def _people():
    con = duckdb.connect()
    con.execute("CREATE TABLE people AS SELECT * FROM (VALUES ('M', 30), ('F', 41), ('F', 130)) v(sex, age)")
    return con


def test_one_expectation_passes_and_one_fails_on_a_duckdb_table():
    result = _validate(_people())
    passing, failing = result.results
    assert passing.success and passing.result["unexpected_count"] == 0
    assert not failing.success and failing.result["unexpected_count"] == 1
    assert not failing.exception_info.get("raised_exception")


def test_gx_reads_the_callers_in_memory_database():
    con = _people()
    con.execute("INSERT INTO people VALUES ('X', 1)")  # written after the fact, on the caller's connection
    assert _validate(con).results[0].result["unexpected_count"] == 1


def test_fix_is_still_needed(monkeypatch):
    """Without the fix every expectation errors. When this fails, GX handles DuckDB itself: drop checks/gx_duckdb's
    patch (keep the context helpers)."""
    original = tuple(d for d in sa_engine._PERSISTED_CONNECTION_DIALECTS if not isinstance(d, gx_duckdb._DuckDBDialect))
    monkeypatch.setattr(gx_duckdb, "apply_fix", lambda: None)
    monkeypatch.setattr(sa_engine, "_PERSISTED_CONNECTION_DIALECTS", original)
    result = _validate(_people())
    assert all(r.exception_info.get("raised_exception") or "unexpected_count" not in r.result for r in result.results)


def test_a_new_data_source_sees_tables_the_caller_created_after_earlier_queries():
    """GX pins its persisted connection's snapshot at its first query; the runner therefore adds a data source per feed,
    after building chk_<feed>. A fresh one must see what the caller committed since."""
    con = _people()
    context = gx_duckdb.ephemeral_context()

    def failing(source, table: str) -> int:
        batch = source.add_table_asset(table, table_name=table).add_batch_definition_whole_table("all")
        suite = context.suites.add(
            gx.ExpectationSuite(
                table, expectations=[gxe.ExpectColumnValuesToBeBetween(column="age", min_value=0, max_value=120)]
            )
        )
        return (
            context.validation_definitions.add(gx.ValidationDefinition(name=table, data=batch, suite=suite))
            .run(result_format="BASIC")
            .results[0]
            .result["unexpected_count"]
        )

    assert failing(gx_duckdb.add_duckdb_datasource(context, con, name="first"), "people") == 1
    con.execute("CREATE TABLE later AS SELECT * FROM people")
    con.execute("INSERT INTO later VALUES ('M', 200)")
    assert failing(gx_duckdb.add_duckdb_datasource(context, con, name="second"), "later") == 2
