"""`safetynet bench --counties N`: a municipality's partitioned night at several sizes (not a test; prints tables).

Each size is generated once (`safetynet generate --counties N`, cached under the work folder). The partitioned night
runs as a user runs it, `safetynet nightly --partition county --workers W` in a child process, and its manifest gives
the figures: each county's stage seconds, each worker's peak RSS (the largest of its tasks'), the split and the
cross-county stage, the total wall time and households/s. With `--single`, the same night single-process beside it,
where it fits (its peak RSS is that of the child running it).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

from flows.devtools.bench import STAGES, _child

START = dt.date(2026, 3, 2)
CLI = "import sys; from flows.cli import main; sys.exit(main())"
CHILD_SINGLE = """
import json, resource, sys, time, datetime as dt
from flows.memory import peak_rss_mb
from pathlib import Path
from flows import night
t = time.perf_counter()
doc = night.sequence(Path(sys.argv[1]), dt.date.fromisoformat(sys.argv[3]), Path(sys.argv[2]), params_file=Path(sys.argv[4]))
print(json.dumps({"status": doc["status"], "total": time.perf_counter() - t,
                  "peak_rss_mb": peak_rss_mb()}))
"""


def _municipality(workdir: Path, counties: int, size: int, seed: int) -> Path:
    from flows.devtools.synthetic import generate

    folder = workdir / f"municipality-{counties}-{size}-{seed}"
    if not (folder / "drops").exists():
        t = time.perf_counter()
        generate(folder, households=size, nights=1, start=START, seed=seed, progress=False, counties=counties)
        print(
            f"generated {size:,} households in {counties} counties in {time.perf_counter() - t:.1f} s", file=sys.stderr
        )
    return folder


def _archive(drops: Path, store: Path) -> None:
    """Link the generated drop files into the fresh store's input log (flows/store/objects.py `adopt`): at 8 M
    households a copy of the delivery (27 GB) does not fit beside it on this machine. The night still reads and hashes
    every file against its manifest; it only skips writing the copy (docs/adr/0015)."""
    from flows.store import Store
    from flows.store.objects import adopt

    log = Store(store)
    log.init()
    for manifest in sorted(drops.glob("*/_MANIFEST.csv")):
        with manifest.open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                adopt(log.objects, manifest.parent / row["file"], row["sha256"])


def _partitioned(folder: Path, store: Path, workers: int, memory_limit: str | None, link_log: bool) -> dict:
    shutil.rmtree(store, ignore_errors=True)
    if link_log:
        _archive(folder / "drops", store)
    argv = ["nightly", "--drops", str(folder / "drops"), "--as-of", START.isoformat(), "--store", str(store),
            "--params", str(folder / "municipality.yaml"), "--partition", "county", "--workers", str(workers)]  # fmt: skip
    argv += ["--memory-limit", memory_limit] if memory_limit else []
    t = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", CLI, *argv], capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t
    if done.returncode != 0:
        raise RuntimeError(f"partitioned night failed:\n{done.stderr[-3000:]}")
    doc = json.loads(max((store / "runs").glob("*.json"), key=lambda p: p.stat().st_mtime).read_text("utf-8"))
    return doc | {"command_wall": wall}


def summarise(doc: dict, households: int) -> dict:
    """The figures of one partitioned night's manifest."""
    rss: dict[str, float] = {}
    for entry in doc["counties"].values():
        for half in ("prepare", "finish"):
            worker, mb = entry["worker"].get(half), entry["peak_rss_mb"].get(half)
            if worker and mb:
                rss[worker] = max(rss.get(worker, 0.0), mb)
    wall = doc["wall_seconds"]
    return {
        "households": households,
        "counties": {c: e["timings_seconds"] | {"worker": e["worker"]["finish"]} for c, e in doc["counties"].items()},
        "worker_peak_rss_mb": rss,
        "split_s": doc["stage_seconds"]["receive_and_split"],
        "cross_county_s": doc["stage_seconds"]["cross_county"],
        "cross_county_share": round(doc["stage_seconds"]["cross_county"] / wall, 4),
        "night_wall_s": wall,
        "command_wall_s": round(doc["command_wall"], 3),
        "households_per_s": round(households / wall, 1),
    }


def _print(s: dict, single: dict | None) -> None:
    print(f"\n== {s['households']:,} households, {len(s['counties'])} counties ==")
    print("county  " + " ".join(f"{st:>8}" for st in STAGES) + "  worker")
    for county, t in sorted(s["counties"].items()):
        print(f"{county}  " + " ".join(f"{t.get(st, 0):>8.2f}" for st in STAGES) + f"  {t['worker']}")
    for worker, mb in sorted(s["worker_peak_rss_mb"].items()):
        print(f"worker {worker}: peak RSS {mb:,.0f} MB")
    print(
        f"split {s['split_s']:.2f} s; cross-county {s['cross_county_s']:.2f} s ({s['cross_county_share']:.1%} of the "
        f"night); night wall {s['night_wall_s']:.1f} s (command {s['command_wall_s']:.1f} s); "
        f"{s['households_per_s']:,.0f} households/s"
    )
    if single:
        print(f"single process: {single['total']:.1f} s, peak RSS {single['peak_rss_mb']:,.0f} MB")


def run_partition_bench(
    sizes: list[int],
    counties: int,
    workdir: Path,
    workers: int,
    memory_limit: str | None,
    single: bool,
    seed: int,
    link_log: bool = False,
) -> list[dict]:
    workdir.mkdir(parents=True, exist_ok=True)
    results = []
    for size in sizes:
        folder = _municipality(workdir, counties, size, seed)
        s = summarise(
            _partitioned(folder, workdir / f"store-m{counties}-{size}", workers, memory_limit, link_log), size
        )
        one = None
        if single:
            store = workdir / f"store-single-m{counties}-{size}"
            shutil.rmtree(store, ignore_errors=True)
            one = _child(
                CHILD_SINGLE, str(folder / "drops"), str(store), START.isoformat(), str(folder / "municipality.yaml")
            )
        _print(s, one)
        results.append(s | {"single": one})
    return results
