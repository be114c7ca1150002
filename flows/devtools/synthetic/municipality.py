"""`safetynet generate`: a district or a municipality of N counties, written county by county, block by block.

Why: the generator once built every table of the district in memory (near 14 GB at a million households); a
municipality is many times that. Here the households are generated one block at a time (flows/devtools/synthetic/
counties.py: at most `BLOCK` households, each block on its own random stream) and each block's rows are appended to
the nights' files before the next block is drawn, so memory is bounded by the block, not the municipality. What
must see every block — ID sequence numbers, staff relatives (sorted by ID), communities, truth — is small and carried
along. `chunk_households` only says how many blocks are held before writing: the bytes never depend on it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import numpy as np
import polars as pl

from checks.contract import FEEDS
from flows.devtools.synthetic.assemble import Block, BlockSpec, build_block
from flows.devtools.synthetic.care import fast_track_truth
from flows.devtools.synthetic.counties import BLOCK, HIDDEN_STREAM, blocks, municipality, override_yaml, split
from flows.devtools.synthetic.cross_county import groups_for
from flows.devtools.synthetic.progress import Progress
from flows.devtools.synthetic.scenarios import Ctx
from flows.devtools.synthetic.thresholds import load
from flows.devtools.synthetic.workdays import WorkdayIndex
from flows.devtools.synthetic.writer import DropWriter, write_plain

GATHERED = ("staff_relatives", "communities")  # not sorted by household: written once every block is known
APPENDED = [n for n in FEEDS if n not in GATHERED]
OVERRIDE_FILE = "municipality.yaml"


def streams(seed: int, county: int, block: int) -> tuple[np.random.Generator, np.random.Generator, object]:
    """The block's main and hidden-income streams, and a maker of its county's first stream (for the communities).

    County 1's first block draws from the plain seed (and `[seed, 20]` for hidden income), exactly as the
    single-district generator did; every other block has its own seed sequence, so counties and blocks are
    independent and a block's rows do not depend on how many blocks came before it.
    """

    def county_rng() -> np.random.Generator:
        return np.random.default_rng(seed if county == 0 else [seed, 1, county])

    first = county == 0 and block == 0
    rng = county_rng() if block == 0 else np.random.default_rng([seed, 2, county, block])
    hidden = np.random.default_rng([seed, HIDDEN_STREAM] if first else [seed, HIDDEN_STREAM, county, block])
    return rng, hidden, county_rng


def generate(
    out: Path,
    households: int,
    nights: int,
    start: dt.date,
    seed: int,
    progress: bool = True,
    night_step_days: int = 1,
    counties: int = 1,
    chunk_households: int | None = None,
    block: int = BLOCK,
) -> dict:
    """`night_step_days`: days between nights (1: consecutive nights; 31: one night a month, for monthly trials).
    `counties`: 1 is the district (沙坪坝区); more add placeholder counties and write `<out>/municipality.yaml`.
    `block` is part of what the seed means (tests use small blocks); `chunk_households` is memory only."""
    out = Path(out)
    th = load(start)
    night_dates = [start + dt.timedelta(days=i * night_step_days) for i in range(nights)]
    wd = WorkdayIndex(start - dt.timedelta(days=900), night_dates[-1] + dt.timedelta(days=400))
    places = municipality(counties, start)
    plan = [(county, blocks(n, block)) for county, n in zip(places, split(households, counties), strict=True)]
    per_write = max(1, (chunk_households or block) // block)
    batches = sum(-(-len(sizes) // per_write) for _, sizes in plan)
    prog = Progress(progress, 12 * sum(len(sizes) for _, sizes in plan) + batches + 1)
    writer = DropWriter(out, night_dates, APPENDED)
    gathered: dict[str, list[pl.DataFrame]] = {"staff": [], "communities": [], "truth": [], "hidden": []}
    totals = {"persons": 0, "planted": 0, "classes": {}}
    taken, hh0, exported = None, 0, []
    names = [c.name for c in places]
    for ci, (county, sizes) in enumerate(plan):
        ctx = Ctx(th, start, night_dates, wd, county.region)
        for first in range(0, len(sizes), per_write):
            held: list[Block] = []
            for bi in range(first, min(first + per_write, len(sizes))):
                spec = BlockSpec(county, bi, sizes[bi], hh0, *streams(seed, ci, bi))
                if bi == 0 and counties > 1:  # the cross-county cases live in each county's first block
                    shared = pl.concat(exported) if exported else None
                    spec = replace(spec, cross=groups_for(ctx, ci, names), shared=shared)
                b = build_block(spec, th, ctx, taken, prog)
                taken, hh0 = b.taken, hh0 + sizes[bi]
                if b.exported.height:
                    exported.append(b.exported)
                _gather(b, gathered, totals)
                held.append(b)
            _append(writer, held, night_dates)
            prog.step(f"{county.name}: {sum(sizes[first : first + per_write])} households written")
            del held, b  # before the next block is drawn

    staff = pl.concat(gathered["staff"], how="vertical_relaxed")
    communities = pl.concat(gathered["communities"]).unique().sort("community_code")
    for t in range(nights):
        writer.write(
            t,
            "staff_relatives",
            staff.filter(pl.col("from_night") <= t).sort(["staff_person_id", "relative_person_id"]),
        )
        writer.write(t, "communities", communities)
    rows = writer.finish()
    truth = pl.concat(gathered["truth"])
    tdir = out / "truth"
    tdir.mkdir(parents=True, exist_ok=True)
    write_plain(tdir / "planted.csv", truth)
    write_plain(
        tdir / "hidden_income.csv",
        pl.concat(gathered["hidden"]).with_columns(
            pl.col("monthly_amount").map_elements(lambda v: f"{v:.2f}", return_dtype=pl.String)
        ),
    )
    write_plain(tdir / "fast_track.csv", fast_track_truth(truth))
    if counties > 1:
        (out / OVERRIDE_FILE).write_text(override_yaml(places), encoding="utf-8")
    prog.step("truth written")

    per_code = truth.group_by("warning_code", "expected").len().sort("warning_code", "expected")
    return {
        "households": households,
        "counties": [f"{c.code} {c.name}" for c in places],
        "persons": totals["persons"],
        "nights": [d.isoformat() for d in night_dates],
        "planted_households": totals["planted"],
        "truth_rows": truth.height,
        "background_classes": totals["classes"],
        "planted_by_code": {f"{c}/{e}": int(n) for c, e, n in per_code.iter_rows()},
        "rows_written": {name: rows[name] for name in FEEDS if name in rows},
    }


def _gather(b: Block, gathered: dict, totals: dict) -> None:
    gathered["staff"].append(b.staff_relatives)
    gathered["communities"].append(b.communities)
    gathered["truth"].append(b.truth)
    gathered["hidden"].append(b.hidden)
    totals["persons"] += b.persons
    totals["planted"] += b.planted
    for k, v in b.classes.items():
        totals["classes"][k] = totals["classes"].get(k, 0) + v


def _append(writer: DropWriter, held: list[Block], night_dates: list[dt.date]) -> None:
    """The held blocks' rows, night by night, in household order."""
    for t, d in enumerate(night_dates):
        parts = [b.night_feeds(t, d) for b in held]
        for name in APPENDED:
            writer.append(t, name, pl.concat([p[name] for p in parts], how="vertical_relaxed"))
