"""The store: one folder holding everything a deployment keeps (DESIGN.md "Storage").

    <store>/safetynet.duckdb     the queue, its history, outcomes, runs and the input log index
    <store>/log/objects/<sha256> every input file exactly as received, content-addressed (the append-only input log)
    <store>/exports/<as-of>/     per-street exports, quarantine list, report of one night
    <store>/runs/<run_id>.json   run manifests
    <store>/checks/<as-of>/      Great Expectations validation results and their offline HTML summary (docs/index.html)
    <store>/prefect/             Prefect's home (ephemeral mode database)

Inputs are stored by content: a drop file is looked up by the sha256 that a run manifest recorded, so an audit rerun
reads exactly the bytes that night read, and a file whose bytes no longer match its name has been tampered with.
"""

from __future__ import annotations

import hashlib
import os
import shutil
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


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class TamperedInput(Exception):
    pass


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

    def init(self) -> None:
        for folder in (self.objects, self.root / "exports", self.runs_dir):
            folder.mkdir(parents=True, exist_ok=True)
        with duckdb.connect(str(self.db_path)) as con:
            con.execute(SCHEMA)

    def put(self, path: Path, sha256: str) -> Path:
        """Copy a received file into the log under its sha256 (once); return the stored path."""
        target = self.objects / sha256
        if target.exists():
            return target
        tmp = target.with_suffix(".partial")
        shutil.copyfile(path, tmp)
        if sha256_file(tmp) != sha256:
            tmp.unlink()
            raise TamperedInput(f"{path}: changed while it was being copied into the input log; deliver it again")
        os.replace(tmp, target)
        return target

    def get(self, sha256: str) -> Path:
        """The stored input with this content hash, verified (tampering is detected, never trusted)."""
        path = self.objects / sha256
        if not path.exists():
            raise TamperedInput(f"input log: object {sha256} is missing from {self.objects}")
        found = sha256_file(path)
        if found != sha256:
            raise TamperedInput(f"input log: {path} has sha256 {found}, expected {sha256}: the stored input was altered")
        return path
