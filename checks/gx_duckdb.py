"""Great Expectations on DuckDB: the one small fix GX 1.x needs, and the context the suites run in.

The problem (docs/adr/0003-gx-on-duckdb-one-connection.md; upstream great_expectations issues #10738 and #11579, a native DuckDB engine is an open pull
request): GX has no DuckDB dialect. Its SqlAlchemyExecutionEngine opens a connection per query, executes, *closes the
connection* and only then fetches the result. Returning a duckdb-engine connection to the pool issues a rollback on the
same DuckDB connection, which discards the pending result, so every metric ends in
`MetricResolutionError: list index out of range` and every expectation fails.

The fix: GX already keeps one persisted connection for dialects whose state lives in the connection (sqlite, SQL Server,
BigQuery, Databricks: `_PERSISTED_CONNECTION_DIALECTS`). We add `duckdb` to that tuple. With that GX also builds the
engine with a StaticPool, so one DuckDB connection serves every query of a validation. Nothing else is changed.
Remove this module when GX ships DuckDB support (then `test_gx_duckdb.py` shows whether the fix is still needed).

The engine connects to the *caller's* database: its connections are `con.cursor()` duplicates of the DuckDB connection
that holds the staging tables (in-memory or file), so GX pushes its SQL down into the same database, nothing is copied.

One more consequence of the persisted connection: SQLAlchemy begins a transaction on it (duckdb-engine's `do_begin` runs
`BEGIN`) and GX never ends it, so every later GX query would read the database as it was at GX's first query (DuckDB
snapshot isolation): a table the caller creates or fills afterwards (the checks' `chk_<feed>`) is missing or stale.
So a data source is only good for data committed before its first query: the checks runner builds every feed's tables
first and then validates all suites through ONE data source (`validate_tables`).

What a suite costs in GX is mostly fixed overhead, not SQL (measured on the 500-household sample: ~0.45 s a suite).
`validate_tables` pays the per-night parts once: one context, one data source (one engine, one connection), and one
reflection of every table's columns for all suites. GX reflects a table through SQLAlchemy's PostgreSQL inspector, which
duckdb-engine answers from DuckDB's pg_catalog emulation: ~0.1-0.3 s a table for the same few catalog queries. We ask
the dialect's own batched reflection (`get_multi_columns`, `get_multi_pk_constraint`) once for all the tables and let
the engine's dialect answer GX's per-table calls from that, so the column types GX sees are exactly what it would have
reflected itself.
"""

from __future__ import annotations

import copy
import os
import time
import types

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")  # no telemetry; must be set before GX is imported

import duckdb
import great_expectations as gx
import great_expectations.execution_engine.sqlalchemy_execution_engine as _sa_engine
from duckdb_engine import ConnectionWrapper
from great_expectations.core.result_format import ResultFormatUnion
from great_expectations.data_context.types.base import (
    DataContextConfig,
    InMemoryStoreBackendDefaults,
    ProgressBarsConfig,
)

UPSTREAM_ISSUES = (
    "https://github.com/great-expectations/great_expectations/issues/10738",
    "https://github.com/great-expectations/great_expectations/issues/11579",
)


class _DuckDBDialect:
    """Stands in the tuple of GXSqlDialect members: has `.value` and compares equal to the dialect name."""

    value = "duckdb"

    def __eq__(self, other: object) -> bool:
        return str(getattr(other, "value", other)).lower() == self.value

    def __hash__(self) -> int:
        return hash(self.value)

    def __repr__(self) -> str:
        return "<duckdb dialect (safetynet checks.gx_duckdb)>"


def apply_fix() -> None:
    """Make GX keep one persisted connection for the `duckdb` dialect. Idempotent."""
    dialects = _sa_engine._PERSISTED_CONNECTION_DIALECTS
    if "duckdb" not in dialects:
        _sa_engine._PERSISTED_CONNECTION_DIALECTS = (*dialects, _DuckDBDialect())


def fix_applied() -> bool:
    return "duckdb" in _sa_engine._PERSISTED_CONNECTION_DIALECTS


def ephemeral_context():
    """A GX context that writes no files, makes no network calls and shows no progress bars. (GX's default ephemeral
    context creates a temporary Data Docs folder it never removes, one per night; our summary is checks/docs.py.)"""
    apply_fix()
    config = DataContextConfig(store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False))
    context = gx.get_context(mode="ephemeral", project_config=config)
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


def add_duckdb_datasource(context, con: duckdb.DuckDBPyConnection, name: str = "staging"):
    """A GX SQL data source whose queries run in the database of `con` (through duplicate connections)."""
    apply_fix()
    return context.data_sources.add_sql(
        name,
        connection_string="duckdb:///:memory:",  # the URL only selects the dialect; `creator` supplies the connection
        kwargs={"creator": lambda: ConnectionWrapper(con.cursor())},
    )


def close_datasource(datasource) -> None:
    """Close GX's persisted connection and pool now, while the caller's DuckDB connection is still open: left to the
    garbage collector, SQLAlchemy would roll them back after the night closed that connection, and log errors."""
    engine = datasource.get_execution_engine()
    persisted = getattr(engine, "_connection", None)
    if persisted is not None:
        persisted.close()
    engine.engine.dispose()


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
    source; returns table -> (the validation result as JSON, seconds). Everything the suites read must be committed
    before this is called (one snapshot, see above). The data source is closed before returning."""
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
