"""Life events: the history every first night carries, and the day-to-day change of later nights.

Why: the rules follow people through events (a death, a hukou move, a birth, a hospital stay, unemployment), so the
drops must carry them the way departments deliver them. Background changes are chosen where they cannot create a
warning condition: deaths and moves only in comfortable non-covered households whose remaining members stay well above
the edge line, births only where a working adult lives, new cars and businesses only off the roster. Each household
gets at most one change over the generated nights.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from flows.devtools.synthetic.members import NONCOV
from flows.devtools.synthetic.people import HOME_REGION, draw_names, draw_regions

SAFE_PC = 1.75  # x standard per capita the household keeps after a background change (before noise)


def _ev(hh, seq, etype, dates, source, night):
    k = len(hh)
    return pl.DataFrame(
        {
            "hh": np.asarray(hh, np.int64),
            "seq": np.asarray(seq, np.int32),
            "event_type": np.full(k, etype),
            "event_date": np.asarray(dates, "datetime64[D]"),
            "source": np.full(k, source),
            "night": np.broadcast_to(np.asarray(night, np.int32), (k,)).copy(),
        }
    )


def history_events(
    rng: np.random.Generator, p: pl.DataFrame, exp: pl.DataFrame, start: dt.date, days: int
) -> pl.DataFrame:
    s = np.datetime64(start)
    hh, seq = p["hh"].to_numpy(), p["seq"].to_numpy()
    dead = p["dead"].to_numpy()
    age = p["age"].to_numpy()
    m = p.height
    out = [
        _ev(
            hh[dead],
            seq[dead],
            "death",
            s - p["death_days"].to_numpy()[dead].astype("timedelta64[D]"),
            "public_security",
            0,
        )
    ]
    baby = age < 1.0
    out.append(
        _ev(hh[baby], seq[baby], "birth", p["birth"].to_numpy()[baby].astype("datetime64[D]"), "public_security", 0)
    )
    inp = (
        exp.filter(pl.col("category") == "medical_inpatient").unique(["hh", "seq", "date"]).sort(["hh", "seq", "date"])
    )
    out.append(_ev(inp["hh"], inp["seq"], "hospital_admission", inp["date"].to_numpy(), "health", 0))
    rnd = lambda: s - rng.integers(1, days, m).astype("timedelta64[D]")  # noqa: E731
    cert = (p["grade"].to_numpy() > 0) & (rng.random(m) < 0.3) & ~dead
    out.append(_ev(hh[cert], seq[cert], "disability_certified", rnd()[cert], "disabled_federation", 0))
    nc_worker = (p["cls"].to_numpy() == NONCOV) & (p["src"].to_numpy() == "wage") & ~dead
    emp = nc_worker & (rng.random(m) < 0.02)
    out.append(_ev(hh[emp], seq[emp], "employment_registered", rnd()[emp], "hr", 0))
    unemp = nc_worker & ~emp & (rng.random(m) < 0.01)
    out.append(_ev(hh[unemp], seq[unemp], "unemployment_registered", rnd()[unemp], "hr", 0))
    mar = (p["relation"].to_numpy() == "spouse") & (rng.random(m) < 0.01) & ~dead
    out.append(_ev(hh[mar], seq[mar], "marriage", rnd()[mar], "civil_affairs", 0))
    return pl.concat(out).with_columns(pl.col("event_date").cast(pl.Date))


def later_nights(
    rng: np.random.Generator, p: pl.DataFrame, hhs: pl.DataFrame, nights: list[dt.date], home: int = HOME_REGION
) -> dict:
    """Background changes for nights 1..K-1: events, new persons, hospital expenses, new assets, deaths (for income)."""
    k = len(nights)
    empty = {"events": None, "persons": None, "expenses": None, "assets": None, "deaths": None}
    if k < 2:
        return empty
    busy = np.zeros(int(hhs["hh"].max()) + 1, bool)
    H = hhs.sort("hh")
    hnet = np.zeros(len(busy))
    hnet[H["hh"].to_numpy()] = H["hnet"].to_numpy()
    nal = np.zeros(len(busy))
    nal[H["hh"].to_numpy()] = H["n_alive"].to_numpy()
    hstd = np.ones(len(busy))
    hstd[H["hh"].to_numpy()] = H["hstd"].to_numpy()
    hcls = np.full(len(busy), -1)
    hcls[H["hh"].to_numpy()] = H["cls"].to_numpy()
    maxseq = p.group_by("hh").agg(pl.col("seq").max()).sort("hh")
    mseq = np.zeros(len(busy), np.int32)
    mseq[maxseq["hh"].to_numpy()] = maxseq["seq"].to_numpy()
    per_night = k - 1

    def pick(mask_idx_hh, rate):
        """Choose rows (indices) whose households are not busy yet; mark them busy; draw their nights."""
        cand = mask_idx_hh[0][~busy[mask_idx_hh[1]]]
        cnt = rng.binomial(len(cand), min(1.0, rate * per_night)) if len(cand) else 0
        chosen = rng.choice(cand, size=cnt, replace=False) if cnt else np.array([], np.int64)
        chosen = np.sort(chosen)
        hh_c = mask_idx_hh[1][np.searchsorted(mask_idx_hh[0], chosen)] if cnt else np.array([], np.int64)
        # a household may appear twice among candidates: keep its first row only
        _, first = np.unique(hh_c, return_index=True)
        chosen, hh_c = chosen[np.sort(first)], hh_c[np.sort(first)]
        busy[hh_c] = True
        return chosen, rng.integers(1, k, len(chosen))

    hh, seq = p["hh"].to_numpy(), p["seq"].to_numpy()
    age, dead = p["age"].to_numpy(), p["dead"].to_numpy()
    net_p = p["net_p"].to_numpy()
    nc = hcls[hh] == NONCOV
    date_of = np.array([np.datetime64(d) for d in nights])
    ev, newp, exps, assets, deaths = [], [], [], [], []

    # deaths of the very old in comfortable households
    ok = (
        nc
        & ~dead
        & (age >= 75)
        & (nal[hh] >= 2)
        & ((hnet[hh] - net_p) / np.maximum(nal[hh] - 1, 1) >= SAFE_PC * hstd[hh])
    )
    idx = np.nonzero(ok)[0]
    c, nt = pick((idx, hh[idx]), 0.0003)
    ev.append(_ev(hh[c], seq[c], "death", date_of[nt] - 1, "public_security", nt))
    deaths.append(pl.DataFrame({"hh": hh[c], "seq": seq[c], "death_date": date_of[nt] - 1}))

    # students moving their hukou away for university or work
    ok = nc & ~dead & (age >= 18) & (age < 26) & (p["relation"].to_numpy() == "child") & (p["src"].to_numpy() == "")
    idx = np.nonzero(ok)[0]
    c, nt = pick((idx, hh[idx]), 0.0005)
    ev.append(_ev(hh[c], seq[c], "hukou_out", date_of[nt] - 1, "public_security", nt))

    # births to couples with a working adult
    heads = p["relation"].to_numpy() == "head"
    ok = (
        nc
        & heads
        & (age >= 23)
        & (age < 40)
        & (hnet[hh] / (nal[hh] + 1) >= SAFE_PC * hstd[hh])
        & (p["labor"].to_numpy() == "full")
    )
    ok &= np.isin(p["typ"].to_numpy(), (1, 2))
    idx = np.nonzero(ok)[0]
    c, nt = pick((idx, hh[idx]), 0.0004)
    if len(c):
        bd = date_of[nt] - rng.integers(1, 4, len(c)).astype("timedelta64[D]")
        male = rng.random(len(c)) < 0.51
        newp.append(
            pl.DataFrame(
                {
                    "hh": hh[c],
                    "seq": (mseq[hh[c]] + 1).astype(np.int32),
                    "relation": np.full(len(c), "child"),
                    "male": male,
                    "birth": bd,
                    "region6": np.full(len(c), home),
                    "grade": np.zeros(len(c), np.int32),
                    "dtype": pl.Series([None] * len(c), dtype=pl.String),
                    "labor": np.full(len(c), "none"),
                    "school": np.zeros(len(c), bool),
                    "from_night": nt.astype(np.int32),
                }
            ).with_columns(draw_names(rng, male))
        )
        ev.append(_ev(hh[c], mseq[hh[c]] + 1, "birth", bd, "public_security", nt))

    # marriages: a spouse moves in
    ok = nc & heads & (age >= 24) & (age < 40) & (nal[hh] == 1) & (hnet[hh] / 2 >= SAFE_PC * hstd[hh])
    idx = np.nonzero(ok)[0]
    c, nt = pick((idx, hh[idx]), 0.0004)
    if len(c):
        male = ~p["male"].to_numpy()[c]
        bd = np.datetime64(nights[0]) - np.floor((age[c] + rng.normal(-1, 2, len(c))) * 365.25).astype("timedelta64[D]")
        newp.append(
            pl.DataFrame(
                {
                    "hh": hh[c],
                    "seq": (mseq[hh[c]] + 1).astype(np.int32),
                    "relation": np.full(len(c), "spouse"),
                    "male": male,
                    "birth": bd,
                    "region6": draw_regions(rng, len(c), 0.4, home),
                    "grade": np.zeros(len(c), np.int32),
                    "dtype": pl.Series([None] * len(c), dtype=pl.String),
                    "labor": np.full(len(c), "full"),
                    "school": np.zeros(len(c), bool),
                    "from_night": nt.astype(np.int32),
                }
            ).with_columns(draw_names(rng, male))
        )
        ev.append(_ev(hh[c], mseq[hh[c]] + 1, "marriage", date_of[nt] - 1, "civil_affairs", nt))
        ev.append(_ev(hh[c], mseq[hh[c]] + 1, "hukou_in", date_of[nt] - 1, "public_security", nt))

    # hospital stays (small self-paid share; history caps leave room)
    ok = ~dead & (hcls[hh] >= 0)
    idx = np.nonzero(ok)[0]
    c, nt = pick((idx, hh[idx]), 0.0004)
    if len(c):
        self_paid = np.round(500 + 2000 * rng.random(len(c)), 2)
        exps.append(
            pl.DataFrame(
                {
                    "hh": hh[c],
                    "seq": seq[c],
                    "date": date_of[nt] - 1,
                    "category": np.full(len(c), "medical_inpatient"),
                    "total": np.round(self_paid / (0.2 + 0.15 * rng.random(len(c))), 2),
                    "self_paid": self_paid,
                    "provider": np.full(len(c), "medical_insurance"),
                    "night": nt.astype(np.int32),
                }
            )
        )
        ev.append(_ev(hh[c], seq[c], "hospital_admission", date_of[nt] - 1, "health", nt))

    # new cars and businesses off the roster
    ok = nc & heads & ~dead
    idx = np.nonzero(ok)[0]
    c, nt = pick((idx, hh[idx]), 0.0004)
    if len(c):
        biz = rng.random(len(c)) < 0.3
        assets.append(
            pl.DataFrame(
                {
                    "hh": hh[c],
                    "seq": seq[c],
                    "k": np.where(biz, 21, 20).astype(np.int32),
                    "asset_type": np.where(biz, "business", "vehicle"),
                    "subtype": np.where(biz, "sole_proprietor", "car"),
                    "value": np.round(
                        np.where(biz, 20000 + 100000 * rng.random(len(c)), 60000 + 200000 * rng.random(len(c))), 2
                    ),
                    "start_date": date_of[nt] - 1,
                    "end_date": np.full(len(c), np.datetime64("NaT"), "datetime64[D]"),
                    "from_night": nt.astype(np.int32),
                    "end_night": pl.Series([None] * len(c), dtype=pl.Int32),
                }
            )
        )
    cast_dates = lambda f, cols: f.with_columns([pl.col(c).cast(pl.Date) for c in cols])  # noqa: E731
    return {
        "events": cast_dates(pl.concat(ev), ["event_date"]),
        "persons": cast_dates(pl.concat(newp), ["birth"]).with_columns(pl.col("dtype").cast(pl.String))
        if newp
        else None,
        "expenses": cast_dates(pl.concat(exps), ["date"]) if exps else None,
        "assets": cast_dates(pl.concat(assets), ["start_date", "end_date"]).with_columns(
            pl.col("end_night").cast(pl.Int32)
        )
        if assets
        else None,
        "deaths": cast_dates(pl.concat(deaths), ["death_date"]),
    }
