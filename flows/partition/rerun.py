"""`safetynet rerun` of a partitioned night: rebuild the whole municipality night from the municipality store's input log
(the delivered files, as the split read them) in a fresh store, each county's store seeded as flows/rerun.py seeds a
single night's (its previous queue, verified against its manifest, and its models), and compare every county's output
and queue hashes with the recorded ones.

The whole night is rebuilt, not one county: a county's DUPLICATE_COVERAGE rows come from every county's keys.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
import tempfile
from pathlib import Path

import duckdb

from flows import rerun as single
from flows.store import Store, attach, connect, runs
from flows.store.database import exists as store_exists


def recorded(store_root: Path, as_of: dt.date) -> dict | None:
    """The partitioned night recorded for `as_of` in the municipality store (its latest run), or None."""
    if not (Path(store_root) / "counties").is_dir() or not store_exists(Path(store_root)):
        return None
    with connect(Path(store_root), read_only=True) as con:
        doc = runs.latest_manifest(con, as_of)
    return doc if doc and doc.get("partition") else None


def _seed_county(county_root: Path, fresh_root: Path, as_of: dt.date, work: Path) -> Path | None:
    """Seed the fresh county store; return the night's parameter override file (from the county's input log)."""
    store, fresh = Store(county_root), Store(fresh_root)
    fresh.init()
    with duckdb.connect() as con:
        attach(con, store.root, "src", read_only=True)
        attach(con, fresh.root, "dst")
        doc = runs.latest_ok_manifest(con, as_of, "src")
        single._seed_previous_queue(con, as_of)
        single._seed_models(con, store, fresh, [doc], as_of, None)
    return single._params_file(store, doc, work)


def rebuild(store_root: Path, as_of: dt.date, doc: dict) -> dict:
    """Rebuild the partitioned night; returns {"recorded", "rebuilt", "differences"}."""
    from flows.partition import municipality

    store = Store(Path(store_root))
    work = Path(tempfile.mkdtemp(prefix=f"rerun-{as_of}-"))
    try:
        drops = work / "drops"
        single._materialise_drops(store, doc, drops)
        override = None
        for county in doc["counties_ran"]:
            found = _seed_county(
                municipality.county_store(store.root, county),
                municipality.county_store(work / "store", county),
                as_of,
                work,
            )
            override = override or found
        rebuilt = municipality.run(drops, as_of, work / "store", params_file=override)
    finally:
        shutil.rmtree(work, ignore_errors=True)  # the copy of the drops: personal data never stays behind
    differences = [
        f"county {c}: {key} {doc['counties'][c].get(key)} recorded, {rebuilt['counties'].get(c, {}).get(key)} rebuilt"
        for c in doc["counties_ran"]
        for key in ("output_hash", "queue_hash")
        if doc["counties"][c].get(key) != rebuilt["counties"].get(c, {}).get(key)
    ]
    return {"recorded": doc, "rebuilt": rebuilt, "differences": differences}


def cmd(args, doc: dict) -> int:
    from flows import runtime

    if args.params or args.model or args.chain:
        print(f"rerun {args.as_of}: a partitioned night is rebuilt as recorded only", file=sys.stderr)
        return 2
    runtime.start_api(args.store)
    runtime.wait_for_api()
    with runtime.night_settings():
        result = rebuild(args.store, args.as_of, doc)
    if result["differences"]:
        print(f"MISMATCH: partitioned night {args.as_of}")
        for line in result["differences"]:
            print(f"  {line}")
        return 1
    print(
        f"MATCH: partitioned night {args.as_of} rebuilt from the input log; every county's outputs and queue snapshot "
        f"are byte-identical ({', '.join(doc['counties_ran'])}; output hash {doc['output_hash'][:16]})"
    )
    return 0
