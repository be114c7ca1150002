"""`safetynet runs`: the recorded nights of a store, and one night's manifest."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import duckdb


def recorded_runs(store_root: Path) -> list[tuple]:
    with duckdb.connect(str(store_root / "safetynet.duckdb"), read_only=True) as con:
        return con.execute("""SELECT run_id, as_of, status, coalesce(halted_feed || ' ' || halted_check, ''),
                                     warnings_open, warnings_raised, output_hash
                              FROM runs ORDER BY as_of, seq""").fetchall()


def latest_ok_manifest(con, as_of, schema: str = "main") -> dict | None:
    """The manifest of the last successful run recorded for night `as_of` in the store attached as `schema`."""
    row = con.execute(f"SELECT manifest FROM {schema}.runs WHERE as_of = ? AND status = 'ok' ORDER BY seq DESC LIMIT 1",
                      [as_of]).fetchone()
    return json.loads(row[0]) if row else None


def cmd_runs(args) -> int:
    db = args.store / "safetynet.duckdb"
    if not db.exists():
        print(f"no store at {args.store} (no {db.name})", file=sys.stderr)
        return 2
    if args.action == "show":
        with duckdb.connect(str(db), read_only=True) as con:
            row = con.execute("SELECT manifest FROM runs WHERE run_id = ?", [args.run_id]).fetchone()
        if row is None:
            print(f"no run '{args.run_id}' in {args.store}; 'safetynet runs --store {args.store}' lists them", file=sys.stderr)
            return 2
        print(row[0], end="")
        return 0
    print(f"{'run_id':<22} {'as_of':<10} {'status':<7} {'open':>6} {'raised':>6}  output_hash / halted")
    for run_id, as_of, status, halted, open_, raised, out in recorded_runs(args.store):
        tail = out[:16] if out else halted
        print(f"{run_id:<22} {as_of!s:<10} {status:<7} {open_ if open_ is not None else '':>6} "
              f"{raised if raised is not None else '':>6}  {tail}")
    return 0


def register(sub) -> None:
    from flows.arguments import store_dir

    p = sub.add_parser("runs", formatter_class=argparse.RawDescriptionHelpFormatter, help="list recorded nights, or show one manifest",
                       description="List the nights recorded in a store (run id, as-of date, status, open and raised\n"
                                   "warnings, output hash), or print one run's manifest: its inputs with sha256, parameter\n"
                                   "hash, code version, lock-file hash, row counts, check results, timings and output hashes.",
                       epilog="examples:\n  safetynet runs --store var\n  safetynet runs show 20260302-1a2b3c4d5e --store var")
    p.add_argument("action", nargs="?", choices=["list", "show"], default="list", help="list (default) or show")
    p.add_argument("run_id", nargs="?", help="with show: the run id")
    p.add_argument("--store", type=store_dir, default=Path("var"), help="the store folder (default ./var)")
    p.set_defaults(func=cmd_runs)
