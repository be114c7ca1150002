"""Great Expectations on DuckDB: the one workaround GX 1.x needs, and the context the suites run in.

The problem (docs/adr/0003 and 0012; upstream `UPSTREAM_ISSUES`): GX has no DuckDB dialect. Its SqlAlchemyExecutionEngine
runs each metric query inside `with engine.connect()`, and leaving that block ends SQLAlchemy's transaction with a
rollback *before* GX fetches the rows. Through duckdb-engine that rollback runs on the same DuckDB connection as the
query, which discards the pending result: every metric ends in `MetricResolutionError: list index out of range` and every
expectation fails. (Upstream closed the issues; the pull request that followed only turns the IndexError into a clearer
error, and a native DuckDB engine is an open pull request.)

The workaround uses public interfaces only: GX's SQL data source passes its `kwargs` to SQLAlchemy's `create_engine`,
whose `creator` supplies the DB-API connections. Ours (`_ReadsWithoutTransaction`) is duckdb-engine's own connection
wrapper around a cursor of the caller's DuckDB connection, with `begin`, `commit` and `rollback` doing nothing: GX only
reads, DuckDB commits every statement by itself, so there is no transaction to end and nothing discards a result. A
side effect is wanted too: no transaction pins a snapshot, so every GX query reads the database as it is now.
`tests/checks/test_gx_duckdb.py` fails when a GX upgrade makes the workaround unnecessary or breaks it.

The engine connects to the *caller's* database (in-memory or file): GX pushes its SQL down into the database that holds
the staging tables, nothing is copied.

What a suite costs in GX is mostly fixed overhead, not SQL. `validate_tables` pays the per-night parts once: one context,
one data source (one engine), and one reflection of every table's columns for all suites. GX reflects a table through
SQLAlchemy's PostgreSQL inspector, which duckdb-engine answers from DuckDB's pg_catalog emulation: ~0.1-0.3 s a table for
the same few catalog queries. We ask the dialect's own batched reflection (`get_multi_columns`,
`get_multi_pk_constraint`) once for all the tables and let the engine's dialect answer GX's per-table calls from that, so
the column types GX sees are exactly what it would have reflected itself.
"""

from __future__ import annotations

import copy
import os
import time
import types

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")  # no telemetry; must be set before GX is imported

import duckdb
import great_expectations as gx
from duckdb_engine import ConnectionWrapper
from great_expectations.core.result_format import ResultFormatUnion
from great_expectations.data_context.types.base import (
    DataContextConfig,
    InMemoryStoreBackendDefaults,
    ProgressBarsConfig,
)

UPSTREAM_ISSUES = (
    "https://github.com/fivetran/great_expectations/issues/10738",  # Enable Duckdb sqlalchemy data source
    "https://github.com/fivetran/great_expectations/issues/11579",  # resolve_metric_bundle IndexError with duckdb-engine
    "https://github.com/fivetran/great_expectations/pull/12084",  # native DuckDB execution engine (open)
)


class _ReadsWithoutTransaction(ConnectionWrapper):
    """duckdb-engine's DB-API connection whose transaction calls do nothing (see the module docstring): SQLAlchemy's
    rollback when GX closes its connection would otherwise discard the result GX has not fetched yet."""

    def begin(self) -> None:
        pass

    def commit(self) -> None:
        pass

    def rollback(self) -> None:
        pass


def ephemeral_context():
    """A GX context that writes no files, makes no network calls and shows no progress bars. (GX's default ephemeral
    context creates a temporary Data Docs folder it never removes, one per night; our summary is checks/docs.py.)"""
    config = DataContextConfig(store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False))
    context = gx.get_context(mode="ephemeral", project_config=config)
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


def add_duckdb_datasource(context, con: duckdb.DuckDBPyConnection, name: str = "staging"):
    """A GX SQL data source whose queries run in the database of `con` (through cursors of it)."""
    return context.data_sources.add_sql(
        name,
        connection_string="duckdb:///:memory:",  # the URL only selects the dialect; `creator` supplies the connection
        kwargs={"creator": lambda: _ReadsWithoutTransaction(con.cursor())},
    )


def close_datasource(datasource) -> None:
    """Close the engine's pooled cursors now, while the caller's DuckDB connection is still open (left to the garbage
    collector, they would be closed after the night closed that connection)."""
    datasource.get_execution_engine().engine.dispose()


def _reflect_once(engine, tables: list[str]) -> None:
    """Answer the engine dialect's per-table `get_columns` / `get_pk_constraint` for `tables` from one batched call each
    (the dialect's own multi-table reflection, so the answers are identical; where the batched call fails, each
    per-table call fails the same way, as it would have). Other tables reflect as usual. Only this engine's dialect
    instance is changed."""
    from sqlalchemy.engine.reflection import ObjectKind, ObjectScope

    dialect = engine.dialect
    cls = type(dialect)
    multi = dict(scope=ObjectScope.ANY, kind=ObjectKind.ANY, schema=None, filter_names=list(tables))

    def batched(method: str) -> dict | Exception:
        try:
            with engine.connect() as connection:
                return {name: value for (_, name), value in getattr(dialect, method)(connection, **multi)}
        except Exception as err:
            return err

    answers = {"get_columns": batched("get_multi_columns"), "get_pk_constraint": batched("get_multi_pk_constraint")}

    def answer(method: str):
        def per_table(self, connection, table_name, schema=None, **kw):
            found = answers[method]
            if schema is None and str(table_name) in tables:
                if isinstance(found, Exception):
                    raise found
                return copy.deepcopy(found[str(table_name)])
            return getattr(cls, method)(self, connection, table_name, schema, **kw)

        return per_table

    for method in answers:
        setattr(dialect, method, types.MethodType(answer(method), dialect))


def validate_tables(
    context, con: duckdb.DuckDBPyConnection, suites: dict[str, gx.ExpectationSuite], result_format: ResultFormatUnion
) -> dict[str, tuple[dict, float]]:
    """Validate each table of `suites` (table name -> suite) with its whole table as the batch, all through one data
    source; returns table -> (the validation result as JSON, seconds). The data source is closed before returning."""
    datasource = add_duckdb_datasource(context, con, name="staging")
    try:
        assets = {table: datasource.add_table_asset(name=table, table_name=table) for table in suites}
        _reflect_once(datasource.get_execution_engine().engine, list(suites))
        out: dict[str, tuple[dict, float]] = {}
        for table, suite in suites.items():
            t = time.perf_counter()
            batch = assets[table].get_batch(assets[table].build_batch_request())  # the whole table
            out[table] = (batch.validate(suite, result_format=result_format).to_json_dict(), time.perf_counter() - t)
        return out
    finally:
        close_datasource(datasource)
