"""`safetynet nightly --partition county`: run the partitioned night and print which counties ran.

Exit 0 when every county published, 3 when any halted (the others published: the summary names both), 2 for a usage
error (one line, nothing run), 1 when the night failed (a worker lost for good): one line naming the counties published. The refusals are the single night's (`flows/night.py` `preflight`), checked for the
municipality store and every county store already there.
"""

from __future__ import annotations

import socket
import sys
from pathlib import Path

from flows import runtime

EXIT_FAILED, EXIT_USAGE, EXIT_HALTED = 1, 2, 3


def _refusal(args) -> str | None:
    from flows.night import NightRefused, preflight

    if args.dask and not args.dask.startswith(("tcp://", "tls://", "inproc://")):
        return f"--dask {args.dask}: expected a scheduler address such as tcp://host:8786"
    if args.dask and args.memory_limit:
        return "--memory-limit sets the local cluster's workers; a scheduler's workers have their own (--dask)"
    unreachable = _scheduler_unreachable(args.dask) if args.dask else None
    if unreachable:
        return unreachable
    stores = [args.store] + sorted(p for p in (Path(args.store) / "counties").glob("*") if p.is_dir())
    try:
        for store in stores:
            preflight(store, args.as_of, args.params)
    except NightRefused as refused:
        return str(refused)
    return None


def _scheduler_unreachable(address: str) -> str | None:
    """Why nothing answers at the scheduler `address` (tcp:// or tls://; inproc:// is this process), or None. Checked
    before the night starts: Dask's client would wait 30 s and the flow would end in a traceback."""
    if address.startswith("inproc://"):
        return None
    host, _, port = address.split("://", 1)[1].rpartition(":")
    if not host or not port.isdigit():
        return f"--dask {address}: expected a scheduler address such as tcp://host:8786"
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=5).close()
    except OSError as exc:
        return (
            f"--dask {address}: no Dask scheduler answers there ({exc.strerror or exc}); start it (dask scheduler) or "
            f"check the address / 无法连接 Dask 调度器 {address}：请先启动调度器或核对地址"
        )
    return None


def summary_lines(doc: dict) -> list[str]:
    lines = [f"safetynet municipality night {doc['as_of']}  run {doc['run_id']}  status {doc['status']}"]
    if doc.get("halt"):
        h = doc["halt"]
        return lines + [
            f"HALTED: feed '{h['feed']}' failed {h['check_code']}: {h['message']}",
            f"停止：{h['message_zh']}",
        ]
    for county, entry in doc["counties"].items():
        if entry["status"] == "ok":
            queue = entry.get("queue", {})
            lines.append(
                f"  county {county}: published, {queue.get('raised', '?')} raised, "
                f"worker {entry['worker'].get('finish')}"
            )
        else:
            h = entry.get("halt", {})
            lines.append(
                f"  county {county}: HALTED, feed '{h.get('feed')}' failed {h.get('check_code')}: {h.get('message')}"
                " — its previous queue and exports are unchanged"
            )
    lines.append(f"counties published: {', '.join(doc['counties_ran']) or 'none'}")
    if doc["counties_halted"]:
        lines.append(
            f"counties halted: {', '.join(doc['counties_halted'])} (停止的区县沿用上一晚清单；已在 NIGHT_STATUS.txt 注明)"
        )
    return lines


def run_partitioned(args) -> int:
    refused = _refusal(args)
    if refused:
        print(f"safetynet nightly: {refused}", file=sys.stderr)
        return EXIT_USAGE
    runtime.start_api(args.store)
    from flows.partition import municipality, night_manifest

    runtime.wait_for_api()
    try:
        with runtime.night_settings():
            doc = _run(municipality, args)
    except Exception as exc:  # a worker lost for good, the scheduler gone: one line, and what was published
        published = municipality.published_counties(args.store, args.as_of)
        night_manifest.failed(args.store, args.as_of, published)
        print(
            f"safetynet nightly: the partitioned night {args.as_of} failed ({type(exc).__name__}: "
            f"{str(exc).splitlines()[0] if str(exc) else ''}); counties published: {', '.join(published) or 'none'}; "
            "run the night again (the same night run again gives the same files)",
            file=sys.stderr,
        )
        return EXIT_FAILED
    out = sys.stdout if doc["status"] == "ok" else sys.stderr
    print("\n".join(summary_lines(doc)), file=out)
    return 0 if doc["status"] == "ok" else EXIT_HALTED


def _run(municipality, args) -> dict:
    return municipality.run(
        args.drops,
        args.as_of,
        args.store,
        allow_stale=args.allow_stale,
        params_file=args.params,
        address=args.dask,
        workers=args.workers,
        memory_limit=args.memory_limit,
    )
