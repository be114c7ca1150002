"""The assistance roster of the background: enrollments, monthly payments, applications in process.

Why: covered households must look right to every inclusion and payment rule (covered_persons = members present,
benefit = the 差额 the household's income leaves to the standard, payments exact, on time and to a member), and the
roster must change from night to night the way a real one does: gradual exits end and the family moves to edge
monitoring, with the application that records it.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from flows.devtools.synthetic.members import DIBAO, EDGE, GRADUAL, RIGID, TEKUN
from flows.devtools.synthetic.workdays import WorkdayIndex
from models.rules.months import month_index

PROGRAM_CODE = {"dibao": 1, "tekun": 2, "edge": 3, "rigid": 4}


def first_of_month(mi: np.ndarray) -> np.ndarray:
    return (mi - 1970 * 12).astype("datetime64[M]").astype("datetime64[D]")


def background_enrollments(
    rng: np.random.Generator, hhs: pl.DataFrame, start: dt.date, nights: list[dt.date], th
) -> pl.DataFrame:
    """`hhs`: hh, cls, n_alive, hnet (countable net income per month), hstd. One row per enrollment."""
    h = hhs.filter(pl.col("cls").is_in([DIBAO, TEKUN, EDGE, RIGID, GRADUAL]))
    m = h.height
    cls = h["cls"].to_numpy()
    n = h["n_alive"].to_numpy()
    std = h["hstd"].to_numpy()
    smi = month_index(start)
    years_back = np.where(cls == RIGID, rng.integers(1, 11, m), rng.integers(2, 12 * 12, m))
    sd = first_of_month(smi - years_back)
    dibao_benefit = np.round(np.maximum(std * n - h["hnet"].to_numpy(), 0.15 * std * n), 2)
    benefit = np.select(
        [cls == DIBAO, cls == TEKUN, cls == GRADUAL],
        [dibao_benefit, np.full(m, th.tekun_standard), np.round(0.3 * std * n, 2)],
        0.0,
    )
    program = np.select(
        [np.isin(cls, (DIBAO, GRADUAL)), cls == TEKUN, cls == EDGE], ["dibao", "tekun", "edge"], "rigid"
    )
    status = np.where(cls == GRADUAL, "gradual_exit", "active")
    # some gradual exits end on a later night; the family then moves to edge monitoring the same day
    k = len(nights)
    end_night = np.where((cls == GRADUAL) & (k > 1) & (rng.random(m) < 0.35), rng.integers(1, max(k, 2), m), -1)
    end_dates = (
        np.array(
            [np.datetime64(nights[i]) if i >= 0 else np.datetime64("NaT") for i in end_night], dtype="datetime64[D]"
        )
        if m
        else np.array([], dtype="datetime64[D]")
    )
    e = pl.DataFrame(
        {
            "hh": h["hh"],
            "k": np.ones(m, np.int32),
            "program": program,
            "covered_persons": np.where(cls == TEKUN, 1, n).astype(np.int32),
            "monthly_benefit": benefit,
            "status": status,
            "start_date": sd,
            "end_date": end_dates,
            "from_night": np.zeros(m, np.int32),
            "end_night": pl.Series(end_night.astype(np.int32)).set(pl.Series(end_night < 0), None),
        }
    ).with_columns(
        pl.col("start_date").cast(pl.Date), pl.col("end_date").cast(pl.Date), pl.col("end_night").cast(pl.Int32)
    )
    moved = e.filter(pl.col("end_night").is_not_null()).with_columns(
        pl.lit(2, pl.Int32).alias("k"),
        pl.lit("edge").alias("program"),
        pl.lit(0.0).alias("monthly_benefit"),
        pl.lit("active").alias("status"),
        pl.col("end_date").alias("start_date"),
        pl.lit(None, pl.Date).alias("end_date"),
        pl.col("end_night").alias("from_night"),
        pl.lit(None, pl.Int32).alias("end_night"),
    )
    return pl.concat([e, moved])


def payments_for(
    enr: pl.DataFrame, holders: pl.DataFrame, start: dt.date, nights: list[dt.date], rng: np.random.Generator
) -> pl.DataFrame:
    """Monthly payments of every dibao/tekun enrollment in force on each period's first day.

    Periods: the 12 months before the start month, the start month and every later month that has a night. History
    months are paid between the 5th and the 20th; the start month on the first night; later months on their first night.
    """
    smi = month_index(start)
    last = nights[-1]
    lmi = month_index(last)
    periods = np.arange(smi - 12, lmi + 1)
    e = enr.filter(pl.col("program").is_in(["dibao", "tekun"]) & pl.col("status").is_in(["active", "gradual_exit"]))
    pe = e.join(pl.DataFrame({"period": periods.astype(np.int32)}), how="cross")
    pe = pe.with_columns(pl.Series("pstart", first_of_month(pe["period"].to_numpy())).cast(pl.Date))
    pe = pe.filter(
        (pl.col("start_date") <= pl.col("pstart"))
        & (pl.col("end_date").is_null() | (pl.col("end_date") > pl.col("pstart")))
    )
    first_night = {}
    for i, d in enumerate(nights):
        first_night.setdefault(month_index(d), i)
    per = pe["period"].to_numpy()
    hist_day = rng.integers(4, 20, pe.height).astype("timedelta64[D]")
    night = np.array([first_night.get(int(x), 0 if x < smi else -1) for x in per], dtype=np.int32)
    paid = np.where(
        per < smi,
        first_of_month(per) + hist_day,
        np.array([np.datetime64(nights[i]) for i in np.maximum(night, 0)], dtype="datetime64[D]")
        if len(per)
        else np.array([], dtype="datetime64[D]"),
    )
    pe = pe.with_columns(pl.Series("paid_date", paid).cast(pl.Date), pl.Series("night", night))
    pe = pe.filter(pl.col("night") >= 0).join(holders, on="hh", how="left")
    return pe.select(
        "hh", "program", "period", pl.col("monthly_benefit").alias("amount"), "paid_date", "account_holder_id", "night"
    )


def background_applications(
    rng: np.random.Generator, hhs: pl.DataFrame, start: dt.date, nights: list[dt.date], wd: WorkdayIndex
) -> pl.DataFrame:
    """Applications decided within 3-28 working days of submission: never overdue in the background."""
    h = hhs.filter(pl.col("cls").is_in([0, DIBAO]))
    m = h.height
    pick = rng.random(m) < 0.006
    idx = np.nonzero(pick)[0]
    k = len(idx)
    cls = h["cls"].to_numpy()[idx]
    sub_off = rng.integers(-70, len(nights), k)
    sub = [start + dt.timedelta(days=int(o)) for o in sub_off]
    dec = [wd.forward(s, int(w)) for s, w in zip(sub, rng.integers(3, 29, k))]
    decision = np.where(cls == DIBAO, "approved", np.where(rng.random(k) < 0.8, "rejected", "withdrawn"))
    night_of = lambda d: max(0, (d - start).days)  # noqa: E731
    last = nights[-1]
    a = pl.DataFrame(
        {
            "hh": h["hh"].to_numpy()[idx],
            "k": np.ones(k, np.int32),
            "program": np.full(k, "dibao"),
            "submitted_date": sub,
            "decided_date": dec,
            "decision": decision,
            "from_night": np.array([night_of(s) for s in sub], np.int32),
            "decided_night": np.array([night_of(d) if d <= last else -1 for d in dec], np.int32),
        }
    ).with_columns(pl.col("submitted_date").cast(pl.Date), pl.col("decided_date").cast(pl.Date))
    return a.filter(pl.col("submitted_date") <= last)


def transition_applications(enr: pl.DataFrame, nights: list[dt.date], wd: WorkdayIndex, start: dt.date) -> pl.DataFrame:
    """The edge application behind each gradual-exit -> edge move, approved on the night of the move."""
    moved = enr.filter((pl.col("k") == 2) & (pl.col("program") == "edge"))
    rows = []
    for hh, sd in zip(moved["hh"].to_list(), moved["start_date"].to_list()):
        sub = wd.back(sd, 12)
        rows.append(
            {
                "hh": hh,
                "k": 2,
                "program": "edge",
                "submitted_date": sub,
                "decided_date": sd,
                "decision": "approved",
                "from_night": max(0, (sub - start).days),
                "decided_night": (sd - start).days,
            }
        )
    schema = {
        "hh": pl.Int64,
        "k": pl.Int32,
        "program": pl.String,
        "submitted_date": pl.Date,
        "decided_date": pl.Date,
        "decision": pl.String,
        "from_night": pl.Int32,
        "decided_night": pl.Int32,
    }
    return pl.DataFrame(rows, schema=schema)
