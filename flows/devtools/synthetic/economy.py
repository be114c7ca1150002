"""Income of the background households: who earns what, shaped per programme with safe margins.

Why: the rules read per-capita income over a trailing window; background households must sit comfortably on one side
of every threshold (non-covered well above 1.5 x standard, dibao well below the standard, edge between 1.1 and 1.4 x,
and so on) so that the planted cases are the only ones that fire. Margins leave room for month-to-month noise,
corrections and the day-to-day changes of later nights.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from flows.devtools.synthetic.members import DIBAO, EDGE, GRADUAL, NONCOV, RIGID, TEKUN
from flows.devtools.synthetic.thresholds import Thresholds

NONCOV_FLOOR = 2.4  # x standard per capita, before noise (noise at most -7 %, corrections -3 %)
NOISE = 0.07
WAGE_PROVIDERS = np.array(["tax", "social_insurance", "hr"])


def _net(src: np.ndarray, amount: np.ndarray, ded: np.ndarray) -> np.ndarray:
    earned = np.isin(src, ("wage", "business"))
    return amount - np.where(earned, np.minimum(ded, amount), 0.0)


def assign_income(rng: np.random.Generator, p: pl.DataFrame, hukou: pl.DataFrame, th: Thresholds) -> pl.DataFrame:
    """Adds `src`, `base` (monthly countable amount), `provider`, `exempt` (monthly allowance_exempt) and `death`.

    `p` holds background persons (members.build_members); `hukou` maps hh -> hukou_type.
    """
    p = p.join(hukou.select("hh", "hukou_type"), on="hh", how="left")
    m = p.height
    age = p["age"].to_numpy()
    labor = p["labor"].to_numpy()
    school = p["school"].to_numpy()
    urban = (p["hukou_type"] == "urban").to_numpy()
    cls = p["cls"].to_numpy()
    rel = p["relation"].to_numpy()
    grade = p["grade"].to_numpy()
    hh = p["hh"].to_numpy()
    std = np.where(urban, th.std_urban, th.std_rural)
    ded = np.round(th.employment_cost_share * std, 2)

    r = rng.random(m)
    worker = (age >= 18) & (age < 60) & (labor == "full") & ~school
    part = (age >= 18) & (age < 60) & (labor == "partial") & ~school & (rng.random(m) < 0.5)
    src = np.full(m, "", dtype=object)
    src = np.where(
        worker,
        np.where(
            urban,
            np.where(r < 0.88, "wage", "business"),
            np.select([r < 0.5, r < 0.85], ["wage", "agriculture"], "business"),
        ),
        src,
    )
    src = np.where(part, "wage", src)
    src = np.where(age >= 60, "pension", src)
    base = np.select(
        [src == "wage", src == "business", src == "agriculture", src == "pension"],
        [
            np.where(urban, 4800, 3200) * rng.lognormal(0, 0.4, m) * np.where(part, 0.4, 1.0),
            6000 * rng.lognormal(0, 0.5, m),
            1500 * rng.lognormal(0, 0.3, m),
            np.where(urban, 2600 * rng.lognormal(0, 0.3, m), 200 + 40 * rng.random(m)),
        ],
        0.0,
    )
    exempt = np.where((grade > 0) & (grade <= 2), 180.0, 0.0)

    # deaths in the history: some elderly parents of non-covered households died during the past year
    death_days = rng.integers(15, 380, m)
    dead = (cls == NONCOV) & (rel == "parent") & (age > 72) & (rng.random(m) < 0.15)

    # rural elderly receive support (赡养费) from children elsewhere
    support = (age >= 60) & ~urban
    src2 = np.where(support, "support", "")
    base2 = np.where(support, 700 + 600 * rng.random(m), 0.0)

    df = pl.DataFrame(
        {
            "hh": hh,
            "cls": cls,
            "src": src.astype(str),
            "base": base,
            "src2": src2,
            "base2": base2,
            "alive": ~dead,
            "std": std,
            "ded": ded,
            "age": age,
            "labor": labor,
            "grade": grade,
            "head": rel == "head",
        }
    )

    # --- non-covered: every risky dependant gets countable income unless a full-capacity adult lives there
    risky = (labor == "none") & ((age >= th.tekun_min_age) | (age < th.tekun_child_age) | ((grade >= 1) & (grade <= 2)))
    has_full = (
        df.with_columns(pl.Series("f", worker & ~dead)).group_by("hh").agg(pl.col("f").any()).rename({"f": "has_full"})
    )
    df = df.join(has_full, on="hh", how="left")
    hf = df["has_full"].to_numpy()
    fix = risky & ~hf & (src == "") & (age >= 16) & np.isin(cls, (NONCOV, EDGE, RIGID, GRADUAL))
    src = np.where(fix, "support", src)
    base = np.where(fix, 600.0, base)

    net = _net(src, base, ded) + base2
    df = df.with_columns(pl.Series("net", np.where(dead, 0.0, net)))
    hhs = df.group_by("hh").agg(
        pl.col("net").sum().alias("hnet"),
        pl.col("alive").sum().alias("n"),
        pl.col("std").first(),
        pl.col("cls").first(),
    )
    df = df.drop("std", "cls").join(hhs, on="hh", how="left")
    hnet, n_alive, hstd, hcls = (df[c].to_numpy() for c in ("hnet", "n", "std", "cls"))
    head = df["head"].to_numpy()

    # non-covered: top up the head so the household clears NONCOV_FLOOR x standard per capita
    floor = NONCOV_FLOOR * hstd * n_alive
    gap = np.maximum(0.0, floor - hnet) * (1.0 + 0.4 * rng.random(m))
    top = (hcls == NONCOV) & head & (gap > 0)
    head_src = np.where(src == "", np.where(age >= 60, "pension", "wage"), src)
    add_ded = np.where(np.isin(head_src, ("wage", "business")) & (np.where(src == "", 0.0, base) < ded), ded, 0.0)
    src = np.where(top, head_src, src)
    base = np.where(top, base + gap + add_ded, base)

    # programme households: only the head has countable income, set to hit a per-capita target
    target_pc = np.select(
        [hcls == DIBAO, hcls == EDGE, hcls == GRADUAL, hcls == RIGID],
        [
            hstd * (0.1 + 0.6 * rng.random(m)),
            hstd * (1.1 + 0.3 * rng.random(m)),
            hstd * (1.15 + 0.25 * rng.random(m)),
            hstd * 1.7 + (np.minimum(3000, hstd * 4.5) - hstd * 1.7) * rng.random(m),
        ],
        0.0,
    )
    prog = np.isin(hcls, (DIBAO, EDGE, GRADUAL, RIGID))
    src = np.where(prog | (hcls == TEKUN), "", src)
    base = np.where(prog | (hcls == TEKUN), 0.0, base)
    src2 = np.where(prog | (hcls == TEKUN), "", src2)
    base2 = np.where(prog | (hcls == TEKUN), 0.0, base2)
    total = np.round(target_pc * n_alive, 2)
    no_income_dibao = (hcls == DIBAO) & (rng.random(m) < 0.08)
    hsrc = np.where(age >= 60, "pension", np.where(labor == "none", "support", "wage"))
    hbase = np.where(hsrc == "wage", total + ded, total)
    setit = prog & head & ~no_income_dibao
    src = np.where(setit, hsrc, src)
    base = np.where(setit, hbase, base)
    base = np.where(src == "", 0.0, np.round(base, 2))
    base2 = np.round(base2, 2)

    provider = np.select(
        [src == "wage", src == "business", src == "agriculture", src == "pension", src == "support"],
        [
            WAGE_PROVIDERS[rng.integers(0, 3, m)],
            np.full(m, "tax"),
            np.full(m, "agriculture"),
            np.full(m, "social_insurance"),
            np.full(m, "declared"),
        ],
        "declared",
    )
    provider = np.where(prog & (src == "wage"), "declared", provider)
    return p.drop("hukou_type").with_columns(
        pl.Series("src", src.astype(str)),
        pl.Series("base", base),
        pl.Series("src2", src2.astype(str)),
        pl.Series("base2", base2),
        pl.Series("exempt", exempt),
        pl.Series("provider", provider.astype(str)),
        pl.Series("dead", dead),
        pl.Series("death_days", death_days.astype(np.int32)),
        pl.Series("noisy", hcls == NONCOV),
        pl.Series("hstd", hstd),
        pl.Series("hukou_urban", urban),
    )


def income_rows(
    rng: np.random.Generator, p: pl.DataFrame, months: np.ndarray, night_of_month: dict[int, int]
) -> pl.DataFrame:
    """One row per person, month and source; non-covered amounts wobble +-NOISE, programme amounts are constant."""
    frames = []
    for col_src, col_amt, col_prov in (
        ("src", "base", "provider"),
        ("src2", "base2", None),
        ("exempt_src", "exempt", None),
    ):
        q = p
        if col_src == "exempt_src":
            q = p.with_columns(
                pl.when(pl.col("exempt") > 0).then(pl.lit("allowance_exempt")).otherwise(pl.lit("")).alias("exempt_src")
            )
        q = q.filter(pl.col(col_src) != "")
        if q.height == 0:
            continue
        k = len(months)
        idx = np.repeat(np.arange(q.height), k)
        mon = np.tile(months, q.height)
        amt = q[col_amt].to_numpy()[idx]
        noisy = q["noisy"].to_numpy()[idx] & (col_src != "exempt_src")
        amt = np.round(np.where(noisy, amt * (1 + NOISE * (2 * rng.random(len(idx)) - 1)), amt), 2)
        srcv = q[col_src].to_numpy()[idx]
        f = pl.DataFrame(
            {
                "hh": q["hh"].to_numpy()[idx],
                "seq": q["seq"].to_numpy()[idx],
                "month": mon.astype(np.int32),
                "source_type": srcv,
                "amount": amt,
                "provider": q[col_prov].to_numpy()[idx] if col_prov else np.full(len(idx), "declared"),
                "dm": q["death_month"].to_numpy()[idx],
            }
        )
        frames.append(f)
    out = pl.concat(frames).filter(pl.col("month") < pl.col("dm")).drop("dm")
    nights = np.array([night_of_month.get(int(x), -1) for x in range(int(months.min()), int(months.max()) + 1)])
    out = out.with_columns(pl.Series("night", nights[out["month"].to_numpy() - int(months.min())]).cast(pl.Int32))
    return out.filter(pl.col("night") >= 0)
