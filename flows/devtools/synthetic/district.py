"""A county: its towns/streets (Shapingba's 26, or a placeholder county's), communities and villages, and households.

Why: warnings are routed by the 9-digit street code inside the 12-digit region code, so every household needs a
street code from its county (flows/devtools/synthetic/counties.py) and a plausible community code under it; 镇 (codes
xxxxxx1xx) are more rural than 街道, which drives hukou type, the standard that applies, and the income mix.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

SYLLABLES = list("青石凤凰龙泉梨树新桥天星磁器井口山洞歌乐高峰土湾覃家陈虎溪永联芳丰文香炉土主回坝曾中梁木关双碑童")
ROADS = list("东南西北正新华民建人和平光明胜利学府滨江")


def community_table(rng: np.random.Generator, streets: dict[str, str]) -> pl.DataFrame:
    """The communities and villages under a county's streets (drawn once per county, shared by its blocks)."""
    rows = []
    for code, name in streets.items():
        town = code[6] == "1"  # 5001061xx = 镇
        if town:
            codes = [f"{i:03d}" for i in range(1, int(rng.integers(2, 5)) + 1)]
            codes += [f"{200 + i:03d}" for i in range(1, int(rng.integers(8, 16)) + 1)]
        else:
            codes = [f"{i:03d}" for i in range(1, int(rng.integers(8, 19)) + 1)]
        for c in codes:
            a, b = rng.integers(0, len(SYLLABLES), 2)
            village = c.startswith("2")
            rows.append(
                {
                    "street_code": code,
                    "street_name": name,
                    "region_code": code + c,
                    "town": town,
                    "village": village,
                    "community_name": SYLLABLES[a] + SYLLABLES[b] + ("村" if village else "社区"),
                }
            )
    return pl.DataFrame(rows)


def build_households(
    rng: np.random.Generator, n: int, comm: pl.DataFrame, start: dt.date, county_name: str, hh0: int = 0
) -> pl.DataFrame:
    """One row per household: id, region code, hukou type, address, registered date, the internal `town` flag and
    the name of its community (communities.csv is written from it). Households are numbered from `hh0`."""
    # Streets (街道) are denser than towns (镇); villages thinner than the town seat.
    weight = np.where(comm["town"].to_numpy(), np.where(comm["village"].to_numpy(), 0.35, 0.8), 1.0)
    pick = rng.choice(comm.height, size=n, p=weight / weight.sum())
    h = comm[pick]
    town = h["town"].to_numpy()
    village = h["village"].to_numpy()
    rural = rng.random(n) < np.where(village, 0.9, np.where(town, 0.45, 0.08))
    road = np.array(ROADS)[rng.integers(0, len(ROADS), n)]
    no = rng.integers(1, 300, n)
    bld = rng.integers(1, 30, n)
    room = rng.integers(1, 33, n) * 100 + rng.integers(1, 7, n)
    group = rng.integers(1, 12, n)
    urban_addr = np.char.add(
        np.char.add(np.char.add(road, "路"), no.astype(str)),
        np.char.add(np.char.add("号", bld.astype(str)), np.char.add("栋", room.astype(str))),
    )
    village_addr = np.char.add(np.char.add(group.astype(str), "组"), np.char.add(no.astype(str), "号"))
    tail = np.where(village, village_addr, urban_addr)
    address = np.char.add(
        np.char.add(
            np.char.add(f"重庆市{county_name}", h["street_name"].to_numpy().astype(str)),
            h["community_name"].to_numpy().astype(str),
        ),
        tail,
    )
    reg = np.datetime64(start) - rng.integers(30, 365 * 35, n).astype("timedelta64[D]")
    return pl.DataFrame(
        {
            "hh": np.arange(hh0, hh0 + n, dtype=np.int64),
            "region_code": h["region_code"],
            "hukou_type": np.where(rural, "rural", "urban"),
            "address": address,
            "registered_date": reg,
            "town": town,
            "community_name": h["community_name"],  # for communities.csv (docs/CONTRACT.md v2)
        }
    ).with_columns(pl.format("H{}", pl.col("hh").add(1).cast(pl.String).str.zfill(8)).alias("household_id"))
