"""The input log's objects: every input file exactly as received, stored under its sha256, and the modes that keep the
store its owner's only.

A delivered file is read once (`ingest`): hashed while it is copied to a temporary file inside the log, then renamed
to its sha256 — so the object holds exactly the bytes that were hashed, and a crash leaves no object under a wrong name.
When the log already holds the object the delivery's manifest names, the file is only hashed, never copied again.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

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


PRIVATE_DIR, PRIVATE_FILE = 0o700, 0o600


def owner_only() -> None:
    """Every file and folder this process creates from now on is its owner's only (umask 077), whatever the umask it
    was started with. The store holds every ID number, income and disability of the district, and much of it is
    written by libraries (DuckDB, Prefect, openpyxl, GX) that take their modes from the umask: it is the one control
    that reaches all of them. Set by the command line before anything is written, and by `Store.init`."""
    os.umask(0o077)


def restrict(root: Path) -> None:
    """Bring a store made before its files were owner-only (or copied with looser modes) to 0700/0600."""
    for path in (root, *root.rglob("*")):
        if path.is_symlink():
            continue
        want = PRIVATE_DIR if path.is_dir() else PRIVATE_FILE
        if path.stat().st_mode & 0o777 != want:
            os.chmod(path, want)


class TamperedInput(Exception):
    pass


class DigestMismatch(TamperedInput):
    """A file's sha256 is not the one expected of it; nothing was stored."""

    def __init__(self, path: Path, found: str, expected: str):
        super().__init__(f"{path}: sha256 is {found}, expected {expected}")
        self.found = found
        self.expected = expected


def ingest(objects: Path, path: Path, expected: str | None = None) -> tuple[str, Path]:
    """Log a received file into the folder `objects`, reading it once; return (its sha256, the stored copy).

    With `expected` (the sha256 a delivery manifest or the caller declares): when the log already holds that object
    the file is only hashed; when the file's sha256 differs, nothing is stored and DigestMismatch is raised.
    """
    path = Path(path)
    if expected is not None and (objects / expected).exists():
        found = sha256_file(path)
        if found != expected:
            raise DigestMismatch(path, found, expected)
        return found, objects / expected
    fd, tmp_name = tempfile.mkstemp(dir=objects, prefix=".incoming-")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as sink:  # buffered: a short write is retried, a failed one raises
            found, size = _stream(path, sink)
        if tmp.stat().st_size != size:
            raise OSError(f"{tmp}: {tmp.stat().st_size} bytes written, {size} read from {path}")
        if expected is not None and found != expected:
            raise DigestMismatch(path, found, expected)
        if not (objects / found).exists():  # else the log holds these bytes already: it is never rewritten
            os.chmod(tmp, PRIVATE_FILE)
            os.replace(tmp, objects / found)
    finally:
        tmp.unlink(missing_ok=True)
    return found, objects / found


def adopt(objects: Path, path: Path, sha256: str) -> Path:
    """Put a file into the log by a hard link under the sha256 its manifest declares, without copying it.

    Only for files the caller made and never changes: the benches' generated municipalities, whose drops are larger
    than the disk a copy would need (docs/adr/0015). Never for a delivery: a sender may rewrite a delivered file in
    place, and a link would change the log with it. Nothing is trusted: the night's receive hashes the file against
    the same sha256 (`ingest`), and a rerun verifies the object (`verified`)."""
    target = objects / sha256
    if not target.exists():
        os.link(path, target)
        os.chmod(target, PRIVATE_FILE)
    return target


def verified(objects: Path, sha256: str) -> Path:
    """The stored input with this content hash, verified (tampering is detected, never trusted)."""
    path = objects / sha256
    if not path.exists():
        raise TamperedInput(f"input log: object {sha256} is missing from {objects}")
    found = sha256_file(path)
    if found != sha256:
        raise TamperedInput(f"input log: {path} has sha256 {found}, expected {sha256}: the stored input was altered")
    return path
