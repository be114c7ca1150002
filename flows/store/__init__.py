"""The store: one folder holding everything a deployment keeps (docs/DESIGN.md "Storage").

    <store>/safetynet.duckdb     the queue, its history, outcomes, runs and the input log index
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

A delivered file is read once (`Store.ingest`): hashed while it is copied to a temporary file inside the log, then renamed
to its sha256 — so the object holds exactly the bytes that were hashed, and a crash leaves no object under a wrong name.
When the log already holds the object the delivery's manifest names, the file is only hashed, never copied again.
"""

from __future__ import annotations

import hashlib
import json
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
MARKER = ".safetynet-store"
STORE_FORMAT = 1


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


PRIVATE_DIR, PRIVATE_FILE = 0o700, 0o600


def owner_only() -> None:
    """Every file and folder this process creates from now on is its owner's only (umask 077), whatever the umask it
    was started with. The store holds every ID number, income and disability of the district, and much of it is
    written by libraries (DuckDB, Prefect, openpyxl, GX) that take their modes from the umask: it is the one control
    that reaches all of them. Set by the command line before anything is written, and by `Store.init`."""
    os.umask(0o077)


def _restrict(root: Path) -> None:
    """Bring a store made before its files were owner-only (or copied with looser modes) to 0700/0600."""
    for path in (root, *root.rglob("*")):
        if path.is_symlink():
            continue
        want = PRIVATE_DIR if path.is_dir() else PRIVATE_FILE
        if path.stat().st_mode & 0o777 != want:
            os.chmod(path, want)


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
            raise StoreBusy(
                f"the store {self.db_path} is in use by another process (a night or an outcome import running?)"
            ) from exc
        with con:
            if not con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'runs'").fetchall()[0][0]:
                return None
            rows = con.execute(
                "SELECT as_of, run_id FROM runs WHERE status = 'ok' ORDER BY as_of DESC, run_id DESC LIMIT 1"
            ).fetchall()
        return rows[0] if rows else None

    def marker(self) -> dict | None:
        """The store's marker ({"format": ..., "created_by": ...}), or None when the folder is no store of ours."""
        try:
            found = json.loads((self.root / MARKER).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return found if isinstance(found, dict) and "format" in found else None

    def mark(self, created_by: str) -> None:
        """Write the marker, once: a store keeps the command that created it."""
        if self.marker() is None:
            (self.root / MARKER).write_text(
                json.dumps({"format": STORE_FORMAT, "created_by": created_by}) + "\n", encoding="utf-8"
            )

    def outcomes_imported(self) -> int:
        """How many caseworker outcomes the store holds (0 without a database or an outcomes table)."""
        if not self.db_path.exists():
            return 0
        try:
            con = duckdb.connect(str(self.db_path), read_only=True)
        except duckdb.IOException as exc:
            raise StoreBusy(f"the store {self.db_path} is in use by another process") from exc
        with con:
            if not con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'outcomes'").fetchone()[0]:
                return 0
            return int(con.execute("SELECT count(*) FROM outcomes").fetchone()[0])

    def init(self, created_by: str = "nightly") -> None:
        """Create the store's folders, marker and tables, owner-only (`owner_only`); remove partial copies a killed
        night left in the input log. (The store file is opened first: it admits one process at a time, so no other night
        can be copying into the log now.)"""
        owner_only()
        for folder in (self.objects, self.root / "exports", self.runs_dir):
            folder.mkdir(parents=True, exist_ok=True)
        _restrict(self.root)
        self.mark(created_by)
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
                os.chmod(tmp, PRIVATE_FILE)
                os.replace(tmp, self.objects / found)
        finally:
            tmp.unlink(missing_ok=True)
        return found, self.objects / found

    def put(self, path: Path, sha256: str) -> Path:
        """Copy a received file, whose sha256 the caller has computed, into the log (once); return the stored path."""
        try:
            return self.ingest(path, sha256)[1]
        except DigestMismatch as exc:
            raise TamperedInput(
                f"{path}: changed while it was being copied into the input log; deliver it again"
            ) from exc

    def get(self, sha256: str) -> Path:
        """The stored input with this content hash, verified (tampering is detected, never trusted)."""
        path = self.objects / sha256
        if not path.exists():
            raise TamperedInput(f"input log: object {sha256} is missing from {self.objects}")
        found = sha256_file(path)
        if found != sha256:
            raise TamperedInput(
                f"input log: {path} has sha256 {found}, expected {sha256}: the stored input was altered"
            )
        return path
