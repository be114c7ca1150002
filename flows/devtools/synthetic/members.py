"""Household composition for the background households: who lives together, their ages, sex, disability and capacity.

Why: the rules count members present, ages (特困 at 60+ or under 16), labour capacity and disability grades, so the
background must have realistic family shapes (singles, couples, parents with children, three generations,
grandparents raising grandchildren) and be shaped per programme so that no background household meets a warning
condition by accident (for instance: children always live with a full-capacity working-age adult outside the roster).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from flows.devtools.synthetic.people import HOME_REGION, draw_names, draw_regions

# household classes
NONCOV, DIBAO, TEKUN, EDGE, RIGID, GRADUAL = range(6)
CLASS_NAMES = ("none", "dibao", "tekun", "edge", "rigid", "gradual_exit")
DTYPES = np.array(["visual", "hearing", "speech", "physical", "intellectual", "mental", "multiple"])

# types: 0 single, 1 couple, 2 couple+children, 3 three generations, 4 grandparents+grandchildren, 5 single parent
TYPE_P = np.array([0.17, 0.25, 0.30, 0.12, 0.06, 0.10])
WORKING_TYPE_P = np.array([0.0, 0.15, 0.5, 0.2, 0.0, 0.15])


def _u(rng, lo, hi, n):
    return lo + (hi - lo) * rng.random(n)


def build_members(
    rng: np.random.Generator, hh: np.ndarray, cls: np.ndarray, start: dt.date, home: int = HOME_REGION
) -> pl.DataFrame:
    """Person rows (internal columns) for background households `hh` of class `cls`, most born in county `home`."""
    n = len(hh)
    typ = rng.choice(6, size=n, p=TYPE_P)
    working = np.isin(cls, (EDGE, RIGID, GRADUAL))
    typ = np.where(working, rng.choice(6, size=n, p=WORKING_TYPE_P), typ)
    typ = np.where(cls == TEKUN, 0, typ)
    head_age = np.select(
        [typ == 0, typ == 1, typ == 2, typ == 3, typ == 4, typ == 5],
        [
            _u(rng, 22, 90, n),
            _u(rng, 25, 88, n),
            _u(rng, 26, 55, n),
            _u(rng, 30, 55, n),
            _u(rng, 50, 59.5, n),
            _u(rng, 26, 50, n),
        ],
    )
    head_age = np.where(working, _u(rng, 25, 55, n), head_age)
    tekun_old = rng.random(n) < 0.6
    head_age = np.where(cls == TEKUN, np.where(tekun_old, _u(rng, 61, 92, n), _u(rng, 20, 58, n)), head_age)
    head_male = rng.random(n) < 0.7

    slots = []  # (present, age, relation, male)
    slots.append((np.ones(n, bool), head_age, "head", head_male))
    sp_age = np.maximum(20.5, head_age + rng.normal(-2, 3, n))
    slots.append((np.isin(typ, (1, 2, 3, 4)), sp_age, "spouse", ~head_male))
    nkids = np.select(
        [typ == 2, np.isin(typ, (3, 5))], [rng.choice([1, 2, 3], n, p=[0.5, 0.4, 0.1]), rng.choice([1, 2], n)], 0
    )
    kid_max = np.clip(head_age - 20.5, 0.1, 28)
    for i in range(3):
        slots.append((nkids > i, _u(rng, 0.05, 1, n) * kid_max, "child", rng.random(n) < 0.51))
    npar = np.where(typ == 3, rng.choice([1, 2], n), 0)
    for i in range(2):
        slots.append((npar > i, np.minimum(97, head_age + _u(rng, 24, 32, n)), "parent", np.full(n, i == 0)))
    ngc = np.where(typ == 4, rng.choice([1, 2], n), 0)
    for i in range(2):
        slots.append((ngc > i, _u(rng, 0.1, 15.5, n), "grandchild", rng.random(n) < 0.51))

    parts = []
    for s, (present, age, rel, male) in enumerate(slots):
        idx = np.nonzero(present)[0]
        parts.append(
            pl.DataFrame(
                {
                    "hh": hh[idx],
                    "slot": np.full(len(idx), s, np.int32),
                    "age": age[idx],
                    "relation": np.full(len(idx), rel),
                    "male": male[idx],
                    "cls": cls[idx].astype(np.int32),
                    "typ": typ[idx].astype(np.int32),
                }
            )
        )
    p = pl.concat(parts).sort(["hh", "slot"])
    p = p.with_columns(pl.int_range(1, pl.len() + 1).over("hh").cast(pl.Int32).alias("seq"))
    m = p.height
    age = p["age"].to_numpy()
    birth = np.datetime64(start) - np.floor(age * 365.25).astype("timedelta64[D]")
    age = (np.datetime64(start) - birth).astype(np.int64) / 365.25
    clsp = p["cls"].to_numpy()
    male = p["male"].to_numpy()
    rel = p["relation"].to_numpy()

    # disability: ~3 % of people, more among the old; none severe in edge/rigid/gradual families (background must
    # not meet SEVERE_DISABILITY_SINGLE), tekun adults under 60 are severely disabled by definition.
    r = rng.random(m)
    grade = np.where(r < 0.02 + 0.03 * (age > 60), rng.choice([1, 2, 3, 4], m, p=[0.1, 0.2, 0.35, 0.35]), 0)
    dtype = DTYPES[rng.integers(0, len(DTYPES), m)]
    wk = np.isin(clsp, (EDGE, RIGID, GRADUAL))
    grade = np.where(wk & (grade > 0), 4, grade)
    dtype = np.where(wk & (grade > 0), "physical", dtype)
    tekun_young = (clsp == TEKUN) & (age < 60)
    grade = np.where(tekun_young, rng.choice([1, 2], m), grade)
    # heads of households with working-age heads and children are healthy earners
    head_earner = (rel == "head") & (age >= 18) & (age < 60) & (clsp != TEKUN)
    grade = np.where(head_earner, 0, grade)

    labor = np.select(
        [age < 16, age < 18, age < 60, age < 70],
        [
            np.full(m, "none"),
            np.full(m, "partial"),
            np.where(rng.random(m) < 0.95, "full", "partial"),
            np.where(rng.random(m) < 0.6, "partial", "none"),
        ],
        np.where(rng.random(m) < 0.2, "partial", "none"),
    )
    labor = np.where((grade > 0) & (grade <= 2) & (age >= 16), "none", labor)
    labor = np.where(head_earner, "full", labor)
    labor = np.where(clsp == TEKUN, "none", labor)
    school = ((age >= 6) & (age < 18)) | ((age >= 18) & (age < 23) & (rng.random(m) < 0.45) & (rel == "child"))
    school = school & ~((grade > 0) & (grade <= 2))

    region = draw_regions(rng, m, home=home)
    out = p.select("hh", "seq", "relation", "male", "cls", "typ").with_columns(
        pl.Series("birth", birth).cast(pl.Date),
        pl.Series("age", age),
        pl.Series("region6", region),
        pl.Series("grade", grade.astype(np.int32)),
        pl.Series("dtype", np.where(grade > 0, dtype, None).tolist(), dtype=pl.String),
        pl.Series("labor", labor),
        pl.Series("school", school),
        draw_names(rng, male),
        pl.lit(0, pl.Int32).alias("from_night"),
    )
    return out
