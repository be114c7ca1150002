"""The store: one folder holding everything a deployment keeps (docs/DESIGN.md "Storage").

    <store>/safetynet.duckdb     the queue, its history, outcomes, runs, models and the input log index
                                 (flows/store/schema.py; opened only through flows/store/database.py)
    <store>/log/objects/<sha256> every input file exactly as received, content-addressed (the append-only input log)
    <store>/exports/<as-of>/     per-street exports, quarantine list, report of one night
    <store>/runs/<run_id>.json   run manifests
    <store>/checks/<as-of>/      Great Expectations validation results and their offline HTML summary (docs/index.html)
                                 of the night's published run; a halted run's are in <as-of>-halted-<run id>/
    <store>/prefect/             Prefect's home (ephemeral mode database; a new one is a copy of the migrated
                                 template in the environment, .venv/share/safetynet: flows/runtime.py)
    <store>/cache/staged/        typed rows of increment files already read (flows/ingest/staging.py; derived, safe to delete)
    <store>/.safetynet-store     the marker: this folder is a store safetynet created, its format version and by which
                                 command; a command that empties a folder (`demo`) only ever empties a marked one

Inputs are stored by content: a drop file is looked up by the sha256 that a run manifest recorded, so an audit rerun
reads exactly the bytes that night read, and a file whose bytes no longer match its name has been tampered with.

The package's modules, one concern each:
    folder.py      `Store`: the folder's paths, marker and `init`
    objects.py     the input log's files (hashing, ingest, verification) and owner-only modes
    database.py    the database file's name and the only ways to open it (`connect`, `attach`), version-checked
    schema.py      every table's DDL and the schema version; migrations.py the steps from earlier versions
    runs.py, snapshots.py, outcomes.py, models.py, input_log.py   every read and write of those tables
"""

from flows.store import manifest
from flows.store.database import StoreBusy, attach, connect, db_path
from flows.store.folder import MARKER, STORE_FORMAT, Store
from flows.store.migrations import StoreTooNew
from flows.store.objects import DigestMismatch, TamperedInput, owner_only, sha256_file

__all__ = [
    "MARKER",
    "STORE_FORMAT",
    "DigestMismatch",
    "Store",
    "StoreBusy",
    "StoreTooNew",
    "TamperedInput",
    "attach",
    "connect",
    "db_path",
    "manifest",
    "owner_only",
    "sha256_file",
]
