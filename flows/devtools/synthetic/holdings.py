"""Assets of the background households (full extract): homes, land, vehicles, deposits, securities, businesses.

Why: asset tests decide eligibility for low-income households; background programme households must pass them
(at most one home, exempt vehicles only, small deposits, no business), while non-covered households hold whatever a
comfortable family holds - assets can only suppress, never raise, a warning for them.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from flows.devtools.synthetic.members import NONCOV


def background_assets(rng: np.random.Generator, p: pl.DataFrame, start, first_hist) -> pl.DataFrame:
    m = p.height
    head = (p["relation"] == "head").to_numpy()
    cls = p["cls"].to_numpy()
    urban = p["hukou_urban"].to_numpy()
    std = p["hstd"].to_numpy()
    n_alive = p["n_alive"].to_numpy()
    alive = ~p["dead"].to_numpy()
    grade = p["grade"].to_numpy()
    nc = cls == NONCOV
    rows = []

    def add(mask, atype, subtype, value, k):
        idx = np.nonzero(mask)[0]
        rows.append(
            pl.DataFrame(
                {
                    "hh": p["hh"].to_numpy()[idx],
                    "seq": p["seq"].to_numpy()[idx],
                    "k": np.full(len(idx), k, np.int32),
                    "asset_type": np.full(len(idx), atype),
                    "subtype": np.full(len(idx), subtype),
                    "value": np.round(value[idx], 2),
                }
            )
        )

    r = lambda: rng.random(m)  # noqa: E731
    add(
        head & alive & (r() < 0.75),
        "real_estate",
        "residential",
        np.where(urban, 300000 + 1200000 * r(), 80000 + 220000 * r()),
        1,
    )
    add(head & alive & nc & (r() < 0.12), "real_estate", "residential", 200000 + 800000 * r(), 2)
    add(head & alive & ~urban & (r() < 0.6), "real_estate", "land_use", 20000 + 60000 * r(), 3)
    add(head & alive & nc & (r() < 0.35), "vehicle", "car", 50000 + 250000 * r(), 4)
    add(head & alive & nc & (r() < 0.03), "vehicle", "commercial", 80000 + 150000 * r(), 5)
    add(alive & (grade >= 1) & (grade <= 2) & (r() < 0.2), "vehicle", "disability_mobility", 3000 + 9000 * r(), 6)
    add(head & alive & ~urban & (r() < 0.1), "vehicle", "agricultural", 5000 + 25000 * r(), 7)
    # savings of comfortable households follow their income (about 18 months of it, lognormal), so that deposits say
    # something about income, as they do in life; programme households keep small savings
    hnet = (
        p.select(pl.col("net_p").sum().over("hh"))["net_p"].to_numpy() if "net_p" in p.columns else np.full(m, 3300.0)
    )
    dep = np.where(nc, 18 * np.maximum(hnet, 1000.0) * rng.lognormal(0, 0.8, m), 3 * std * n_alive * r())
    add(head & alive & (r() < 0.9), "deposit", "-", dep, 8)
    add(head & alive & nc & (r() < 0.08), "securities", "-", 20000 + 200000 * r(), 9)
    biz = nc & alive & (p["src"] == "business").to_numpy()
    add(biz, "business", "sole_proprietor", 10000 + 190000 * r(), 10)
    add(biz & (r() < 0.1), "business", "company", 100000 + 900000 * r(), 11)
    a = pl.concat(rows)
    span = (np.datetime64(start) - np.datetime64(first_hist)).astype(int)
    sd = np.datetime64(start) - rng.integers(span + 30, 365 * 20, a.height).astype("timedelta64[D]")
    return a.with_columns(
        pl.Series("start_date", sd).cast(pl.Date),
        pl.lit(None, pl.Date).alias("end_date"),
        pl.lit(0, pl.Int32).alias("from_night"),
        pl.lit(None, pl.Int32).alias("end_night"),
    )
