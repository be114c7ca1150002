"""The partitioned night's record: one manifest naming every county's inputs, outputs and worker, its run row in the
municipality store, and `STORE/exports/<as-of>/NIGHT_STATUS.txt`, the line a caseworker reads to know whether the
night is whole (every county ran) or which counties halted.

Status: `ok` when every county published; `partial` when some halted and the others published; `halted` when the
delivery itself halted (before the split) or every county halted. The municipality's output and queue hashes are over
the counties' own, in county order, so that `safetynet rerun` compares a partitioned night as a whole.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import time
from pathlib import Path

from flows.store import Store, connect, manifest, runs
from models.rules.parameters import ParameterSet

KIND = "county"


def _inputs(selection) -> list[dict]:
    files = (selection.all_files() + selection.manifests) if selection else []
    return [{"feed": f.feed, "drop_date": f.drop_date.isoformat(), "file": f.name, "sha256": f.sha256} for f in files]


def _county_entry(prepared: dict, finished: dict | None) -> dict:
    doc = (finished or prepared).get("manifest") or {}
    entry = {
        "status": "ok" if finished else "halted",
        "run_id": doc.get("run_id"),
        "inputs": doc.get("inputs", []),
        "outputs": doc.get("outputs", {}),
        "output_hash": doc.get("output_hash"),
        "queue_hash": doc.get("queue_hash"),
        "halt": doc.get("halt"),
        "worker": {"prepare": prepared.get("worker"), "finish": (finished or {}).get("worker")},
        "peak_rss_mb": {"prepare": prepared.get("peak_rss_mb"), "finish": (finished or {}).get("peak_rss_mb")},
        "seconds": {"prepare": prepared.get("seconds"), "finish": (finished or {}).get("seconds")},
        "timings_seconds": doc.get("timings_seconds", prepared.get("timings", {})),
        "queue": doc.get("queue"),
    }
    return {k: v for k, v in entry.items() if v is not None}


def _combined(counties: dict, key: str) -> str | None:
    values = [(c, e.get(key)) for c, e in sorted(counties.items()) if e["status"] == "ok"]
    if not values:
        return None
    return hashlib.sha256("".join(f"{c}\0{v}\n" for c, v in values).encode()).hexdigest()


def record(
    root: Path,
    as_of: dt.date,
    params: ParameterSet,
    selection,
    prepared: dict,
    finished: dict,
    extra: dict,
    started: float,
) -> dict:
    counties = {c: _county_entry(prepared[c], finished.get(c)) for c in sorted(prepared)}
    ran = [c for c, e in counties.items() if e["status"] == "ok"]
    halted = [c for c, e in counties.items() if e["status"] == "halted"]
    halt = extra.pop("halt", None)
    status = "halted" if halt or not ran else ("partial" if halted else "ok")
    inputs = _inputs(selection)
    code = manifest.code_version()
    doc = {
        "partition": KIND,
        "as_of": as_of.isoformat(),
        "run_id": manifest.run_id(as_of, inputs, params.hash, code, halt or ({"halted": halted} if halted else None)),
        "status": status,
        "inputs": inputs,
        "parameters": {"hash": params.hash},
        "code_version": code,
        "lock_sha256": manifest.lock_hash(),
        "counties": counties,
        "counties_ran": ran,
        "counties_halted": halted,
        "output_hash": _combined(counties, "output_hash"),
        "queue_hash": _combined(counties, "queue_hash"),
        **({"halt": halt} if halt else {}),
        **extra,
        "wall_seconds": round(time.perf_counter() - started, 3),
    }
    store = Store(root)
    store.init()
    with connect(store.root) as con:
        runs.record(
            con,
            doc["run_id"],
            as_of,
            "ok" if status == "ok" else status,
            manifest.dumps(doc),
            halted_feed=(halt or {}).get("feed") or (",".join(halted) if halted else None),
            halted_check=(halt or {}).get("check_code"),
            output_hash=doc["output_hash"],
            db="main",
        )
    manifest.write(store.runs_dir / f"{doc['run_id']}.json", doc)
    _status_file(store, as_of, doc)
    shutil.rmtree(root / "nights" / as_of.isoformat(), ignore_errors=True)
    return doc


def failed(root: Path, as_of: dt.date, published: list[str]) -> None:
    """The night failed (no manifest): NIGHT_STATUS.txt says so, and which counties had published before it did."""
    _status_file(Store(Path(root)), as_of, {"status": "failed", "counties_ran": published, "counties_halted": []})
    shutil.rmtree(Path(root) / "nights" / as_of.isoformat(), ignore_errors=True)


def _status_file(store: Store, as_of: dt.date, doc: dict) -> None:
    """`exports/<as-of>/NIGHT_STATUS.txt`: which counties published this night, in Chinese and English."""
    folder = store.exports_dir(as_of)
    folder.mkdir(parents=True, exist_ok=True)
    ran, halted = doc["counties_ran"], doc["counties_halted"]
    lines = [
        f"{as_of} 夜间运行状态 / night status: {doc['status']}",
        f"已发布的区县 / counties published: {', '.join(ran) or '无 / none'}",
        f"已停止的区县 / counties halted: {', '.join(halted) or '无 / none'}",
    ]
    if halted:
        lines.append(
            "停止的区县沿用上一晚的预警清单；本晚未与其比对跨区县重复享受。"
            " / A halted county keeps its previous night's queue; its people were not compared across counties tonight."
        )
    if doc["status"] == "failed":
        lines.append(
            "本晚运行失败：仅上列区县已发布，其余区县沿用上一晚清单，请重新运行。"
            " / The night failed: only the counties above published; the others keep their previous queue."
        )
    if doc.get("halt"):
        lines.append(f"整晚停止 / whole night halted: {doc['halt'].get('message')}")
    (folder / "NIGHT_STATUS.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
