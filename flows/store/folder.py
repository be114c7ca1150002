"""The `Store`: one folder holding everything a deployment keeps, its paths and marker, and its opening (`init`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from flows.store import database, objects, outcomes, runs

MARKER = ".safetynet-store"
STORE_FORMAT = 1


@dataclass(frozen=True)
class Store:
    root: Path

    @property
    def db_path(self) -> Path:
        return database.db_path(self.root)

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
        without taking the store; StoreBusy when another process holds it, StoreTooNew for a newer store."""
        if not database.exists(self.root):
            return None
        with database.connect(self.root, read_only=True) as con:
            return runs.latest_ok(con)

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
        """How many caseworker outcomes the store holds (0 without a database)."""
        if not database.exists(self.root):
            return 0
        with database.connect(self.root, read_only=True) as con:
            return outcomes.count(con)

    def init(self, created_by: str = "nightly") -> None:
        """Create the store's folders, marker and tables (or migrate an older store's), owner-only
        (`objects.owner_only`); remove partial copies a killed night left in the input log. (The store file is opened
        first: it admits one process at a time, so no other night can be copying into the log now.)"""
        objects.owner_only()
        for folder in (self.objects, self.root / "exports", self.runs_dir):
            folder.mkdir(parents=True, exist_ok=True)
        objects.restrict(self.root)
        self.mark(created_by)
        with database.connect(self.root):
            for partial in self.objects.glob(".incoming-*"):
                partial.unlink(missing_ok=True)

    def ingest(self, path: Path, expected: str | None = None) -> tuple[str, Path]:
        """Log a received file, reading it once; return (its sha256, the stored copy) (`objects.ingest`)."""
        return objects.ingest(self.objects, path, expected)

    def put(self, path: Path, sha256: str) -> Path:
        """Copy a received file, whose sha256 the caller has computed, into the log (once); return the stored path."""
        try:
            return self.ingest(path, sha256)[1]
        except objects.DigestMismatch as exc:
            raise objects.TamperedInput(
                f"{path}: changed while it was being copied into the input log; deliver it again"
            ) from exc

    def get(self, sha256: str) -> Path:
        """The stored input with this content hash, verified (tampering is detected, never trusted)."""
        return objects.verified(self.objects, sha256)
