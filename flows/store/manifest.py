"""The run manifest (docs/DESIGN.md "The run manifest"): what a night read, with which rules and code, and what it wrote.

The manifest is stable JSON (sorted keys, no wall-clock except the measured per-stage seconds, which are not outputs).
The run id is derived from the as-of date and the hashes of inputs, parameters and code, so the same night rerun on the
same inputs gets the same id and replaces its own record.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def code_version() -> str:
    """The git commit of the code, with `+dirty` when the working tree differs from it; `unknown` outside a checkout."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True, timeout=10
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return head + ("+dirty" if dirty else "")


def lock_hash() -> str | None:
    lock = PROJECT_ROOT / "uv.lock"
    return hashlib.sha256(lock.read_bytes()).hexdigest() if lock.exists() else None


def output_hash(outputs: dict[str, str]) -> str:
    return hashlib.sha256("".join(f"{k}\0{v}\n" for k, v in sorted(outputs.items())).encode()).hexdigest()


def run_id(as_of, inputs: list[dict], params_hash: str, code: str, halt: dict | None = None) -> str:
    """The night's id: its date and a digest of what determines it. A halted night's digest also covers the halt, so
    two different halts of one night (a missing feed, then a bad header: no inputs selected either time) are two
    records, while the same halt again is the same record."""
    parts = [inputs, params_hash, code] + ([halt] if halt is not None else [])
    digest = hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()
    return f"{as_of.strftime('%Y%m%d')}-{digest[:10]}"


def dumps(manifest: dict) -> str:
    return json.dumps(manifest, ensure_ascii=False, sort_keys=True, indent=2, default=str) + "\n"


def write(path: Path, manifest: dict) -> None:
    tmp = path.with_suffix(".json.partial")
    tmp.write_text(dumps(manifest), encoding="utf-8")
    tmp.replace(path)
