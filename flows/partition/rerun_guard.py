"""Workaround for PrefectHQ/prefect#15442 (open; also prefect-archive/prefect-dask#101): with `DaskTaskRunner`, when a
Dask worker dies, the scheduler recomputes every task whose result it still held on that worker, although Prefect has
recorded those tasks as finished. A county's `finish` would then publish the same night twice.

The guard makes that re-run harmless: a county half that completed leaves `published.json` in its work folder (written
after the store's transaction committed, replaced atomically), and both halves return it instead of running again. The
work folder is the municipality night's own (flows/partition/municipality.py clears it when a night starts), so a
night run again on purpose runs in full. tests/flows/test_partition_worker_death.py shows the re-run happening and
doing nothing; when an upgrade fixes the upstream issue that test says so.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

MARK = "published.json"


def published(work: Path) -> dict | None:
    """The result a finished half left in `work`, with `"rerun": true`, or None."""
    path = work / MARK
    if not path.exists():
        return None
    found = json.loads(path.read_text(encoding="utf-8"))
    return found | {"rerun": True}


def mark_published(work: Path, result: dict) -> None:
    tmp = work / f"{MARK}.partial"
    tmp.write_text(json.dumps(result, ensure_ascii=False, sort_keys=True, default=str), encoding="utf-8")
    os.replace(tmp, work / MARK)
