"""`safetynet runs`: the recorded nights of a store, and one night's manifest: a short summary a person reads at a
glance by default (what came in, what the checks did, what the queue holds, what went out, and where to look next),
the whole manifest with `--json`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from flows.store import connect, database
from flows.store import runs as stored_runs


def _listing(store_root: Path) -> list[tuple]:
    with connect(store_root, read_only=True) as con:
        return stored_runs.listing(con)


def _seconds(value) -> str:
    return f"{value:.1f} s" if isinstance(value, (int, float)) else "-"


def summary_lines(doc: dict) -> list[str]:
    """The manifest of one run in a dozen lines (nothing in it is personal: counts, hashes, file names)."""
    lines = [
        f"run {doc.get('run_id')} · night {doc.get('as_of')} · {doc.get('status')}"
        + (" · with stale feeds (--allow-stale)" if doc.get("stale") else "")
    ]
    if doc.get("halt"):
        h = doc["halt"]
        lines += [f"halted: feed '{h['feed']}' failed {h['check_code']}: {h['message']}", f"停止：{h['message_zh']}"]
    inputs = doc.get("inputs") or []
    by_drop: dict[str, int] = {}
    for i in inputs:
        by_drop[str(i.get("drop_date"))] = by_drop.get(str(i.get("drop_date")), 0) + 1
    lines.append(
        f"inputs: {len(inputs)} files"
        + (f" ({', '.join(f'{d}: {n}' for d, n in sorted(by_drop.items()))})" if by_drop else "")
        + f"; latest drop {doc.get('latest_drop', '-')}"
    )
    feeds = (doc.get("checks") or {}).get("feeds") or {}
    if feeds:
        rows_in = sum(f.get("rows_in", 0) for f in feeds.values())
        bad = {k: f["rows_quarantined"] for k, f in sorted(feeds.items()) if f.get("rows_quarantined")}
        lines.append(
            f"checks: {rows_in} rows in, {sum(bad.values())} quarantined"
            + (f" ({', '.join(f'{k} {n}' for k, n in bad.items())})" if bad else "")
            + f"; {len(feeds)} feeds checked"
        )
    queue = doc.get("queue") or {}
    if queue:
        status = ", ".join(f"{k} {n}" for k, n in sorted((queue.get("by_status") or {}).items()))
        lines.append(
            f"queue: {status or 'empty'}; raised tonight {queue.get('raised', 0)}; "
            f"previous night {queue.get('previous_night') or '-'}"
        )
    ml = doc.get("ml") or {}
    if ml:
        lines.append(
            f"ml: model {doc.get('model') or ml.get('model') or 'none (rules order)'}; "
            f"random reviews {ml.get('random_reviews', 0)}"
        )
    params = doc.get("parameters") or {}
    if params:
        lines.append(
            f"parameters: hash {str(params.get('hash', ''))[:16]}; "
            f"{len(params.get('needing_confirmation') or [])} need confirmation by the bureau"
        )
    outputs = doc.get("outputs") or {}
    lines.append(
        f"outputs: {len(outputs)} files; output hash {str(doc.get('output_hash') or '-')[:16]}; "
        f"queue hash {str(doc.get('queue_hash') or '-')[:16]}"
    )
    lines.append(f"code {doc.get('code_version', '-')}; lock {str(doc.get('lock_sha256', '-'))[:16]}")
    timings = doc.get("timings_seconds") or {}
    if timings:
        lines.append(
            "timings: "
            + ", ".join(f"{k} {_seconds(v)}" for k, v in timings.items())
            + f"; total {_seconds(sum(v for v in timings.values() if isinstance(v, (int, float))))}"
        )
    lines.append(f"whole manifest: safetynet runs show {doc.get('run_id')} --json")
    return lines


def cmd_runs(args) -> int:
    if not database.exists(args.store):
        print(f"no store at {args.store} (no {database.DB_FILE})", file=sys.stderr)
        return 2
    if args.action == "show":
        with connect(args.store, read_only=True) as con:
            text = stored_runs.manifest_text(con, args.run_id)
        if text is None:
            print(
                f"no run '{args.run_id}' in {args.store}; 'safetynet runs --store {args.store}' lists them",
                file=sys.stderr,
            )
            return 2
        if args.json:
            print(text, end="")
        else:
            print("\n".join(summary_lines(json.loads(text))))
        return 0
    print(f"{'run_id':<22} {'as_of':<10} {'status':<7} {'open':>6} {'raised':>6}  output_hash / halted")
    for run_id, as_of, status, halted, open_, raised, out in _listing(args.store):
        tail = out[:16] if out else halted
        print(
            f"{run_id:<22} {as_of!s:<10} {status:<7} {open_ if open_ is not None else '':>6} "
            f"{raised if raised is not None else '':>6}  {tail}"
        )
    return 0


def register(sub) -> None:
    from flows.arguments import store_dir

    p = sub.add_parser(
        "runs",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        help="list recorded nights, or show one manifest",
        description="List the nights recorded in a store (run id, as-of date, status, open and raised\n"
        "warnings, output hash), or one run: a short summary (inputs, checks, queue, outputs,\n"
        "provenance, timings), or with --json its whole manifest: inputs with sha256, parameter\n"
        "hash, code version, lock-file hash, row counts, check results, timings and output hashes.",
        epilog="examples:\n  safetynet runs --store var\n  safetynet runs show 20260302-1a2b3c4d5e --store var\n"
        "  safetynet runs show 20260302-1a2b3c4d5e --store var --json",
    )
    p.add_argument("action", nargs="?", choices=["list", "show"], default="list", help="list (default) or show")
    p.add_argument("run_id", nargs="?", help="with show: the run id")
    p.add_argument("--store", type=store_dir, default=Path("var"), help="the store folder (default ./var)")
    p.add_argument(
        "--json", action="store_true", help="with show: print the whole manifest (JSON) instead of a summary"
    )
    p.set_defaults(func=cmd_runs)
