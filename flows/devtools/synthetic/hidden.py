"""Hidden income (issue #20): informal earnings of some dibao heads that no feed reports, and the noisy traces such
earnings leave in what the feeds do show; plus the everyday non-rigid spending of every household, so that spending is
not a tell on its own.

Why: a proxy-means model must be tested on traces that look like life, not on a rule it could memorise. Each hidden
earner's traces are drawn independently and several may be absent (cash kept at home, spent without a receipt):
- savings: with probability 0.65, an extra deposit of a few months of the hidden amount (lognormal months), kept under
  the financial asset test's limit so that no rule catches it;
- spending: with probability 0.75, `other` spending records (self-paid), their number and size growing with the
  hidden amount, lognormal in size;
- an exempt agricultural vehicle for some rural earners (probability 0.2).
About one in ten hidden earners leaves no trace at all. The hidden amount itself is drawn per earner (300 to 1,500 yuan a
month), so that it lifts some households above the standard and not others (`truth/hidden_income.csv`).

Every household also spends on `other` things in proportion to its countable income, with lognormal noise, so a poor
household with a receipt is not suspicious by itself. A separate random stream (seeded from the district's seed) keeps
the rest of the district identical whether or not these traces exist.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from flows.devtools.synthetic.members import DIBAO

HIDDEN_SHARE = 0.3  # of living dibao heads
FINANCIAL_LIMIT_SHARE = 0.8  # hidden savings stay below this share of the financial asset test's limit
ASSET_K = 12  # asset number of the hidden deposit (background assets use 1..11)
AGRI_K = 13


def pick_hidden(rng: np.random.Generator, p: pl.DataFrame) -> pl.DataFrame:
    """(hh, seq, monthly_amount) of the hidden earners: living heads of dibao households, HIDDEN_SHARE of them."""
    src = p.filter((pl.col("cls") == DIBAO) & (pl.col("relation") == "head") & ~pl.col("dead")).sort("hh", "seq")
    pick = rng.random(src.height) < HIDDEN_SHARE
    chosen = src.filter(pl.Series(pick))
    return chosen.select("hh", "seq", "hstd", "n_alive", "hukou_urban").with_columns(
        pl.Series("monthly_amount", np.round(300 + 1200 * rng.random(chosen.height), 2))
    )


def hidden_traces(
    rng: np.random.Generator, hidden: pl.DataFrame, start: dt.date, days: int, financial_limit_months: float
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(assets, expenses) the hidden earners leave, in the background frames' columns."""
    m = hidden.height
    amt = hidden["monthly_amount"].to_numpy()
    std, n = hidden["hstd"].to_numpy(), hidden["n_alive"].to_numpy()
    r = rng.random((4, m))
    silent = r[3] < 0.1
    limit = FINANCIAL_LIMIT_SHARE * financial_limit_months * std * n
    saved = np.minimum(amt * rng.lognormal(np.log(8), 0.7, m), limit * (0.5 + 0.5 * rng.random(m)))
    has_dep = (r[0] < 0.65) & ~silent
    agri = (r[2] < 0.2) & ~hidden["hukou_urban"].to_numpy() & ~silent
    span = rng.integers(60, 900, m).astype("timedelta64[D]")
    rows = []
    for mask, atype, subtype, k, value in (
        (has_dep, "deposit", "-", ASSET_K, saved),
        (agri, "vehicle", "agricultural", AGRI_K, 8000 + 20000 * rng.random(m)),
    ):
        idx = np.flatnonzero(mask)
        rows.append(
            pl.DataFrame(
                {
                    "hh": hidden["hh"].to_numpy()[idx],
                    "seq": hidden["seq"].to_numpy()[idx],
                    "k": np.full(len(idx), k, np.int32),
                    "asset_type": np.full(len(idx), atype),
                    "subtype": np.full(len(idx), subtype),
                    "value": np.round(value[idx], 2),
                    "start_date": (np.datetime64(start) - span[idx]).astype("datetime64[D]"),
                }
            )
        )
    assets = pl.concat(rows).with_columns(
        pl.col("start_date").cast(pl.Date),
        pl.lit(None, pl.Date).alias("end_date"),
        pl.lit(0, pl.Int32).alias("from_night"),
        pl.lit(None, pl.Int32).alias("end_night"),
    )
    spends = (r[1] < 0.75) & ~silent
    count = np.where(spends, rng.poisson(2 + 8 * amt / 1500), 0)
    idx = np.repeat(np.arange(m), count)
    self_paid = np.round(amt[idx] * rng.lognormal(np.log(0.8), 0.6, len(idx)), 2)
    expenses = _expense_frame(rng, hidden["hh"].to_numpy()[idx], hidden["seq"].to_numpy()[idx], self_paid, start, days)
    return assets, expenses


def everyday_spending(rng: np.random.Generator, p: pl.DataFrame, start: dt.date, days: int) -> pl.DataFrame:
    """`other` self-paid spending of every living household head, in proportion to its household's countable income."""
    heads = p.filter((pl.col("relation") == "head") & ~pl.col("dead"))
    hh_net = p.group_by("hh").agg(pl.col("net_p").sum().alias("hnet"))
    heads = heads.join(hh_net, on="hh", how="left").sort("hh", "seq")
    m = heads.height
    floor = heads["hstd"].to_numpy() * heads["n_alive"].to_numpy() * 0.3
    monthly = np.maximum(heads["hnet"].fill_null(0.0).to_numpy(), floor)
    count = rng.poisson(3, m)
    idx = np.repeat(np.arange(m), count)
    self_paid = np.round(0.25 * monthly[idx] * rng.lognormal(0, 0.8, len(idx)), 2)
    return _expense_frame(rng, heads["hh"].to_numpy()[idx], heads["seq"].to_numpy()[idx], self_paid, start, days)


def _expense_frame(rng, hh, seq, self_paid, start, days) -> pl.DataFrame:
    k = len(hh)
    return (
        pl.DataFrame(
            {
                "hh": hh,
                "seq": seq,
                "category": np.full(k, "other"),
                "self_paid": self_paid,
                "total": self_paid,
                "provider": np.full(k, "declared"),
                "date": np.datetime64(start) - rng.integers(0, days, k).astype("timedelta64[D]"),
            }
        )
        .with_columns(pl.col("date").cast(pl.Date))
        .select("hh", "seq", "date", "category", "total", "self_paid", "provider")
    )
