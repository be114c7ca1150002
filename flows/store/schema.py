"""The store database's tables, all of them, at the current schema version (docs/adr/0010-store-schema.md).

This is the one place the store's DDL lives: a new store is made by running every migration (flows/store/migrations.py)
from an empty file, and the last migration leaves exactly these tables. A change to a table is a new version: bump
SCHEMA_VERSION, add the step that brings the previous version here, and change the DDL below to match.

Tables (the night attaches the store as `store`, so set-based SQL reads them as `store.<table>`):
    store_meta          one row: the schema version this file is at
    input_log           every input received (drop files, manifests, parameter overrides, outcome files), by sha256
    runs                one row per recorded run: ok, halted or no_new_drop, with its manifest; `seq` the order recorded
    warning_snapshots   the warning queue after each successful night
    outcomes            caseworker outcomes as imported, with the night they apply from
    models              the model registry (models/ml/registry.py)
"""

from __future__ import annotations

SCHEMA_VERSION = 2

# The queue snapshot's columns after `as_of`, in order: the night's `queue_next` has them too (sql/queue/).
WARNING_COLUMNS = (
    ("warning_id", "VARCHAR"),
    ("household_id", "VARCHAR"),
    ("condition_key", "VARCHAR"),
    ("warning_code", "VARCHAR"),
    ("category", "VARCHAR"),
    ("label_zh", "VARCHAR"),
    ("severity", "VARCHAR"),
    ("region_code", "VARCHAR"),
    ("street_code", "VARCHAR"),
    ("street_name", "VARCHAR"),
    ("reasons", "VARCHAR"),
    ("evidence", "VARCHAR"),
    ("evidence_hash", "VARCHAR"),
    ("score", "DOUBLE"),
    ("raised_date", "DATE"),
    ("deadline", "DATE"),
    ("last_seen_date", "DATE"),
    ("status", "VARCHAR"),
    ("resolved_date", "DATE"),
)

TABLES = {
    "store_meta": "schema_version INTEGER NOT NULL",
    "input_log": "kind VARCHAR, drop_date DATE, name VARCHAR, sha256 VARCHAR, bytes BIGINT, first_seen_as_of DATE, "
    "PRIMARY KEY (kind, drop_date, name, sha256)",
    "runs": "run_id VARCHAR PRIMARY KEY, as_of DATE, status VARCHAR, halted_feed VARCHAR, halted_check VARCHAR, "
    "warnings_open INTEGER, warnings_raised INTEGER, output_hash VARCHAR, manifest VARCHAR, seq BIGINT",
    "warning_snapshots": "as_of DATE, " + ", ".join(f"{name} {kind}" for name, kind in WARNING_COLUMNS),
    "outcomes": "warning_id VARCHAR, outcome VARCHAR, resolved_date DATE, action VARCHAR, caseworker_id VARCHAR, "
    "note VARCHAR, source_file VARCHAR, source_row INTEGER, imported_as_of DATE",
    "models": "model_id VARCHAR PRIMARY KEY, kind VARCHAR, sha256 VARCHAR, training_data_sha256 VARCHAR, "
    "trained_as_of DATE, activation_date DATE, params_json VARCHAR, registered_seq BIGINT",
}


def create_missing(con, db: str) -> None:
    """Create every table of the current version that the database `db` lacks (a table it has is left as it is)."""
    for name, columns in TABLES.items():
        con.execute(f"CREATE TABLE IF NOT EXISTS {db}.{name} ({columns})")
