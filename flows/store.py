"""The store: one folder holding everything a deployment keeps (docs/DESIGN.md "Storage").

    <store>/safetynet.duckdb     the queue, its history, outcomes, runs and the input log index
    <store>/log/objects/<sha256> every input file exactly as received, content-addressed (the append-only input log)
    <store>/exports/<as-of>/     per-street exports, quarantine list, report of one night
    <store>/runs/<run_id>.json   run manifests
    <store>/checks/<as-of>/      Great Expectations validation results and their offline HTML summary (docs/index.html)
                                 of the night's published run; a halted run's are in <as-of>-halted-<run id>/
    <store>/prefect/             Prefect's home (ephemeral mode database; a new one is a copy of the migrated
                                 template in the environment, .venv/share/safetynet: flows/runtime.py)
    <store>/cache/staged/        typed rows of increment files already read (flows/staging.py; derived, safe to delete)

Inputs are stored by content: a drop file is looked up by the sha256 that a run manifest recorded, so an audit rerun
reads exactly the bytes that night read, and a file whose bytes no longer match its name has been tampered with.

A delivered file is read once (`Store.ingest`): hashed while it is copied to a temporary file inside the log, then renamed
to its sha256 — so the object holds exactly the bytes that were hashed, and a crash leaves no object under a wrong name.
When the log already holds the object the delivery's manifest names, the file is only hashed, never copied again.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

SCHEMA = """
CREATE TABLE IF NOT EXISTS input_log (
    kind VARCHAR, drop_date DATE, name VARCHAR, sha256 VARCHAR, bytes BIGINT, first_seen_as_of DATE,
    PRIMARY KEY (kind, drop_date, name, sha256));
CREATE TABLE IF NOT EXISTS runs (
    run_id VARCHAR PRIMARY KEY, as_of DATE, status VARCHAR, halted_feed VARCHAR, halted_check VARCHAR,
    warnings_open INTEGER, warnings_raised INTEGER, output_hash VARCHAR, manifest VARCHAR, seq BIGINT);
"""


BLOCK = 1 << 20


def _stream(path: Path, sink=None) -> tuple[str, int]:
    """(sha256, bytes) of the file at `path`, read once in blocks; each block is also written to `sink` when given."""
    digest, size = hashlib.sha256(), 0
    buffer = bytearray(BLOCK)
    view = memoryview(buffer)
    with path.open("rb", buffering=0) as fh:
        while n := fh.readinto(buffer):
            digest.update(view[:n])
            if sink is not None:
                sink.write(view[:n])
            size += n
    return digest.hexdigest(), size


def sha256_file(path: Path) -> str:
    return _stream(Path(path))[0]


class StoreBusy(Exception):
    """Another process holds the store's database (a night or an outcome import): DuckDB locks the file."""


class TamperedInput(Exception):
    pass


class DigestMismatch(TamperedInput):
    """A file's sha256 is not the one expected of it; nothing was stored."""

    def __init__(self, path: Path, found: str, expected: str):
        super().__init__(f"{path}: sha256 is {found}, expected {expected}")
        self.found = found
        self.expected = expected


@dataclass(frozen=True)
class Store:
    root: Path

    @property
    def db_path(self) -> Path:
        return self.root / "safetynet.duckdb"

    @property
    def objects(self) -> Path:
        return self.root / "log" / "objects"

    def exports_dir(self, as_of) -> Path:
        return self.root / "exports" / as_of.isoformat()

    def checks_dir(self, as_of) -> Path:
        return self.root / "checks" / as_of.isoformat()

    @property
    def runs_dir(self) -> Path:
        return self.root / "runs"

    def latest_ok_night(self):
        """(as_of, run id) of the latest night recorded as successful, or None (no store or no such night yet). Read
        without taking the store; StoreBusy when another process holds it."""
        if not self.db_path.exists():
            return None
        try:
            con = duckdb.connect(str(self.db_path), read_only=True)
        except duckdb.IOException as exc:
            raise StoreBusy(f"the store {self.db_path} is in use by another process (a night or an outcome import "
                            "running?)") from exc
        with con:
            if not con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'runs'").fetchall()[0][0]:
                return None
            rows = con.execute("SELECT as_of, run_id FROM runs WHERE status = 'ok' ORDER BY as_of DESC, run_id DESC "
                               "LIMIT 1").fetchall()
        return rows[0] if rows else None

    def init(self) -> None:
        """Create the store's folders and tables; remove partial copies a killed night left in the input log. (The store
        file is opened first: it admits one process at a time, so no other night can be copying into the log now.)"""
        for folder in (self.objects, self.root / "exports", self.runs_dir):
            folder.mkdir(parents=True, exist_ok=True)
        with duckdb.connect(str(self.db_path)) as con:
            con.execute(SCHEMA)
            for partial in self.objects.glob(".incoming-*"):
                partial.unlink(missing_ok=True)

    def ingest(self, path: Path, expected: str | None = None) -> tuple[str, Path]:
        """Log a received file, reading it once; return (its sha256, the stored copy).

        With `expected` (the sha256 a delivery manifest or the caller declares): when the log already holds that object
        the file is only hashed; when the file's sha256 differs, nothing is stored and DigestMismatch is raised.
        """
        path = Path(path)
        if expected is not None and (self.objects / expected).exists():
            found = sha256_file(path)
            if found != expected:
                raise DigestMismatch(path, found, expected)
            return found, self.objects / expected
        fd, tmp_name = tempfile.mkstemp(dir=self.objects, prefix=".incoming-")
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as sink:  # buffered: a short write is retried, a failed one raises
                found, size = _stream(path, sink)
            if tmp.stat().st_size != size:
                raise OSError(f"{tmp}: {tmp.stat().st_size} bytes written, {size} read from {path}")
            if expected is not None and found != expected:
                raise DigestMismatch(path, found, expected)
            if not (self.objects / found).exists():  # else the log holds these bytes already: it is never rewritten
                os.chmod(tmp, 0o644)
                os.replace(tmp, self.objects / found)
        finally:
            tmp.unlink(missing_ok=True)
        return found, self.objects / found

    def put(self, path: Path, sha256: str) -> Path:
        """Copy a received file, whose sha256 the caller has computed, into the log (once); return the stored path."""
        try:
            return self.ingest(path, sha256)[1]
        except DigestMismatch as exc:
            raise TamperedInput(f"{path}: changed while it was being copied into the input log; deliver it again") from exc

    def get(self, sha256: str) -> Path:
        """The stored input with this content hash, verified (tampering is detected, never trusted)."""
        path = self.objects / sha256
        if not path.exists():
            raise TamperedInput(f"input log: object {sha256} is missing from {self.objects}")
        found = sha256_file(path)
        if found != sha256:
            raise TamperedInput(f"input log: {path} has sha256 {found}, expected {sha256}: the stored input was altered")
        return path
