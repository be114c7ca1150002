"""Rigid expenditure of the background households: outpatient visits, chronic care, hospital stays, schooling, rehab.

Why: MEDICAL_SHOCK and RIGID_EXPENSE_FAMILY compare self-paid spending with thresholds; background spending is
realistic in kind but capped per household (well below the medical threshold and a small share of income) so only
planted households cross the lines. The history caps leave room for the hospital stays of later nights.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from flows.devtools.synthetic.members import DIBAO, TEKUN

MEDICAL_CAP = 8400.0  # history cap on 12-month self-paid medical for households off the roster (threshold 20000)
RIGID_SHARE_CAP = 0.14  # history cap on rigid spending as a share of the household's floor annual income


def background_expenses(rng: np.random.Generator, p: pl.DataFrame, start, days: int) -> pl.DataFrame:
    p = p.filter(~pl.col("dead"))
    m = p.height
    age = p["age"].to_numpy()
    grade = p["grade"].to_numpy()
    school = p["school"].to_numpy()
    frames = []

    def add(count, cat, lo, hi, share_lo, share_hi, provider):
        idx = np.repeat(np.arange(m), count)
        k = len(idx)
        self_paid = lo + (hi - lo) * rng.random(k)
        share = share_lo + (share_hi - share_lo) * rng.random(k)
        frames.append(
            pl.DataFrame(
                {
                    "hh": p["hh"].to_numpy()[idx],
                    "seq": p["seq"].to_numpy()[idx],
                    "category": np.full(k, cat),
                    "self_paid": self_paid,
                    "total": self_paid / share,
                    "provider": np.full(k, provider),
                    "date": np.datetime64(start) - rng.integers(0, days, k).astype("timedelta64[D]"),
                }
            )
        )

    add(rng.poisson(0.8 + age / 40), "medical_outpatient", 20, 400, 0.4, 0.8, "medical_insurance")
    add(np.where((age >= 55) & (rng.random(m) < 0.3), 6, 0), "medical_chronic", 40, 250, 0.3, 0.6, "medical_insurance")
    add((rng.random(m) < 0.05).astype(int), "medical_inpatient", 1500, 9000, 0.2, 0.4, "medical_insurance")
    add(np.where(school & (age >= 6), 2, 0), "education", 300, 3000, 1.0, 1.0, "education")
    add(
        np.where((grade > 0) & (rng.random(m) < 0.3), 2, 0),
        "disability_rehab",
        300,
        1500,
        0.5,
        0.9,
        "disabled_federation",
    )
    e = pl.concat(frames).join(p.select("hh", "seq", "cls", "hstd", "n_alive"), on=["hh", "seq"], how="left")
    # cap per household off the roster: medical <= MEDICAL_CAP, all rigid <= RIGID_SHARE_CAP x floor income
    e = e.with_columns(pl.col("category").str.starts_with("medical").alias("med"))
    tot = e.group_by("hh").agg(
        pl.col("self_paid").filter(pl.col("med")).sum().alias("med_sum"),
        pl.col("self_paid").sum().alias("all_sum"),
        pl.col("cls").first(),
        pl.col("hstd").first(),
        pl.col("n_alive").first(),
    )
    tot = tot.with_columns(
        pl.when(pl.col("cls").is_in([DIBAO, TEKUN]))
        .then(1.0)
        .otherwise(
            pl.min_horizontal(
                pl.lit(1.0),
                MEDICAL_CAP / pl.col("med_sum").clip(lower_bound=1e-9),
                RIGID_SHARE_CAP
                * 12
                * 1.5
                * pl.col("hstd")
                * pl.col("n_alive")
                / pl.col("all_sum").clip(lower_bound=1e-9),
            )
        )
        .alias("scale")
    )
    e = e.join(tot.select("hh", "scale"), on="hh").with_columns(
        (pl.col("self_paid") * pl.col("scale")).round(2).alias("self_paid"),
        (pl.col("total") * pl.col("scale")).round(2).alias("total"),
    )
    e = e.with_columns(pl.max_horizontal("total", "self_paid").alias("total"))
    return e.select("hh", "seq", pl.col("date").cast(pl.Date), "category", "total", "self_paid", "provider")
