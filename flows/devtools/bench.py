"""`safetynet bench`: how long a night takes at several district sizes, beside the floor of a bare DuckDB script.

Not a test: it prints a table. Each size is generated once (cached under the work folder by size and seed); each night runs
in a child process so that its peak memory (RSS) is its own. The floor is a bare DuckDB script that loads the same CSV
files of the night and runs one rule pass (per-capita income against the standard); the ratio night/floor is what counts
on a noisy machine. Beside each wall time the table gives the CPU seconds (user + system, all threads) the run took: the
work done, which moves less than the wall time on a shared machine. Before each timed run the drop files are read once, so
that the night and the floor both start with them in the page cache: the table compares computation, not which of the
two happened to read the disk first.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import time
from pathlib import Path

from models.rules.parameters import ParameterSet

STAGES = ("receive", "load", "checks", "state", "rules", "ml", "queue", "export")

CHILD_NIGHT = """
import json, resource, sys, time, datetime as dt
from flows.memory import peak_rss_mb
from pathlib import Path
from flows import night
drops, store, as_of = Path(sys.argv[1]), Path(sys.argv[2]), dt.date.fromisoformat(sys.argv[3])
cpu = lambda: sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
t, c = time.perf_counter(), cpu()
doc = night.sequence(drops, as_of, store)
total, cpu_s = time.perf_counter() - t, cpu() - c
rows = sum(v.get("rows_in", 0) for v in doc.get("checks", {}).get("feeds", {}).values())
print(json.dumps({"status": doc["status"], "timings": doc["timings_seconds"], "total": total, "cpu": cpu_s, "rows": rows,
                  "warnings": doc.get("queue", {}).get("raised"), "peak_rss_mb": peak_rss_mb()}))
"""

CHILD_FLOOR = """
import json, resource, sys, time, duckdb
from flows.memory import peak_rss_mb
from pathlib import Path
folder = Path(sys.argv[1])
cpu = lambda: sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
t, c = time.perf_counter(), cpu()
con = duckdb.connect(config={"threads": 2})
con.execute("SET enable_progress_bar = false")  # its bar on stdout would precede the one JSON line
for name in ("households", "persons", "enrollment", "income", "expenses", "assets", "events", "payments"):
    path = folder / f"{name}.csv"
    if path.exists():
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM read_csv(?, header = true)", [str(path)])
n = con.execute('''
    WITH pc AS (SELECT p.household_id, sum(i.amount) / 6 / count(DISTINCT p.person_id) AS per_capita
                FROM persons p LEFT JOIN income i ON i.person_id = p.person_id
                GROUP BY p.household_id)
    SELECT count(*) FROM pc JOIN households h USING (household_id)
    WHERE pc.per_capita < CASE h.hukou_type WHEN 'urban' THEN ? ELSE ? END''', [float(sys.argv[2]), float(sys.argv[3])]).fetchone()[0]
print(json.dumps({"total": time.perf_counter() - t, "cpu": cpu() - c, "hits": n,
                  "peak_rss_mb": peak_rss_mb()}))
"""


def _standards(night: dt.date) -> tuple[str, str]:
    """The urban and rural dibao standards in force on the night, for the floor's comparison."""
    params = ParameterSet.load()
    return tuple(str(params.value(f"dibao.standard_{h}", night)) for h in ("urban", "rural"))


def _child(code: str, *args: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"bench child failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _warm(drops: Path, night) -> None:
    """Read every file of the drops dated on or before `night` once (into the page cache)."""
    for folder in sorted(p for p in drops.iterdir() if p.is_dir() and p.name <= night.isoformat()):
        for path in sorted(folder.iterdir()):
            with path.open("rb", buffering=0) as fh:
                while fh.read(1 << 24):
                    pass


def run_bench(sizes: list[int], workdir: Path, nights: int = 2, seed: int = 7) -> list[dict]:
    import shutil

    from flows.devtools.synthetic import generate
    from flows.ingest.drops import drop_dates
    from flows.store import Store

    workdir.mkdir(parents=True, exist_ok=True)
    results = []
    for size in sizes:
        district = workdir / f"district-{size}-{seed}-{nights}"
        if not (district / "drops").exists():
            t = time.perf_counter()
            generate(district, households=size, nights=nights, start=dt.date(2026, 3, 2), seed=seed, progress=False)
            print(
                f"generated {size:,} households x {nights} nights in {time.perf_counter() - t:.1f} s", file=sys.stderr
            )
        store = workdir / f"store-{size}"
        if store.exists() and any(store.iterdir()) and Store(store).marker() is None:
            print(
                f"safetynet bench: refusing to empty {store}: it is not a store safetynet created; give another "
                "--workdir",
                file=sys.stderr,
            )  # a folder of the user's under the work folder is never wiped
            raise SystemExit(2)
        shutil.rmtree(store, ignore_errors=True)
        dates = drop_dates(district / "drops")
        for i, night in enumerate(dates):
            _warm(district / "drops", night)
            r = _child(CHILD_NIGHT, str(district / "drops"), str(store), night.isoformat())
            if i == 0:
                _warm(district / "drops", night)
            floor = (
                _child(CHILD_FLOOR, str(district / "drops" / night.isoformat()), *_standards(night)) if i == 0 else None
            )
            results.append(
                {
                    "households": size,
                    "night": night.isoformat(),
                    "first": i == 0,
                    **r,
                    "floor": floor["total"] if floor else None,
                    "floor_cpu": floor["cpu"] if floor else None,
                }
            )
            _print_row(results[-1])
    return results


def _print_row(r: dict) -> None:
    if not getattr(_print_row, "header_done", False):
        cols = [
            "households",
            "night",
            "rows",
            *STAGES,
            "total s",
            "cpu s",
            "rows/s",
            "peak MB",
            "floor s",
            "floor cpu",
            "ratio",
            "cpu ratio",
        ]
        print(" | ".join(f"{c:>9}" for c in cols))
        print("-" * (12 * len(cols)))
        _print_row.header_done = True
    t = r["timings"]
    cells = [
        f"{r['households']:,}",
        r["night"][5:],
        f"{r['rows']:,}",
        *(f"{t.get(s, 0):.2f}" for s in STAGES),
        f"{r['total']:.2f}",
        f"{r['cpu']:.2f}",
        f"{r['rows'] / r['total']:,.0f}",
        f"{r['peak_rss_mb']:,.0f}",
        *(
            (
                f"{r['floor']:.2f}",
                f"{r['floor_cpu']:.2f}",
                f"{r['total'] / r['floor']:.2f}",
                f"{r['cpu'] / r['floor_cpu']:.2f}",
            )
            if r["floor"]
            else ("-",) * 4
        ),
    ]
    print(" | ".join(f"{c:>9}" for c in cells), flush=True)
