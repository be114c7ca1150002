"""A history of caseworker outcomes for the synthetic district, to train and evaluate the ML scorers (issue #6 §1).

Why: a scorer trained on outcomes has to face what real outcomes look like — selected by the rules' own order, with a
small random slice that nobody selected, and with truths the feeds do not show. Built on the generator's output
(`<district>/drops/`, `<district>/truth/planted.csv`, `<district>/truth/hidden_income.csv`), never on its internals.

How (decided here, documented in the model card's limits):
1. State: the last drop is loaded once; the as-of features are date-aware (income months, enrollment and asset dates,
   events), so the rule pass is re-run at weekly as-of dates back to `months` months before the first night
   ("backcasting"; the household register and member lists are today's, a known simplification).
2. Candidates at each date: the rules (`raise_candidates`) plus the month's RANDOM_REVIEW slice; a warning is the first
   date a (household, condition) appears, with its features as of that date.
3. What verification would find (`truth`, known for every warning on synthetic data only): a seeded Bernoulli draw whose
   probability depends on the warning type, on whether the generator planted the condition as true, on hidden income
   (it makes exclusion warnings wrong and inclusion / random-review findings right), and on what the feeds show
   (unknown income, the margin above the standard, self-declared income). Tables `BASE` and `_p_confirm` state it.
4. Which warnings get an outcome (`label`): each week and street, caseworkers verify the k warnings first in the rules
   order (deadline, then severity) — the selection bias of real outcome data — and every RANDOM_REVIEW warning.
   Outcomes arrive `RESOLVE_DAYS` after the raise.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

import sql
from flows.ingest import drops, staging
from flows.queue import merge as queue
from models.ml import random_review
from models.ml.confirmation import features as cf
from models.ml.household import describe_households
from models.ml.nightly import add_random_review
from models.rules.candidates import raise_candidates
from models.rules.catalogue import CATALOGUE
from models.rules.months import month_index, month_start
from models.rules.parameters import ParameterSet

RESOLVE_DAYS = 14
# P(confirmed) of a planted ("fire") condition, by warning type; unplanted conditions (backcasting artefacts,
# background households) use UNPLANTED. Realistic orders of magnitude, not measured values.
BASE = {
    "ELIGIBLE_NOT_COVERED": 0.55,
    "TEKUN_CANDIDATE": 0.6,
    "SEVERE_DISABILITY_SINGLE": 0.7,
    "INCOME_SHOCK": 0.35,
    "MEDICAL_SHOCK": 0.45,
    "INCOME_OVER_LIMIT": 0.7,
    "ASSET_OVER_LIMIT": 0.75,
    "MEMBER_DECEASED": 0.95,
    "MEMBER_LEFT": 0.8,
    "DUPLICATE_COVERAGE": 0.85,
    "PAYMENT_AFTER_END": 0.9,
    "PAYMENT_MISMATCH": 0.6,
    "PAYMENT_LATE": 0.5,
    "ACCOUNT_HOLDER_OUTSIDE": 0.55,
    "STAFF_RELATIVE_UNFILED": 0.8,
    "APPLICATION_OVERDUE": 0.9,
    "EDGE_FAMILY": 0.65,
    "RIGID_EXPENSE_FAMILY": 0.5,
    "RANDOM_REVIEW": 0.03,
    "PROXY_SIGNAL": 0.3,
}
UNPLANTED = 0.2
EXCLUSION = {c for c, w in CATALOGUE.items() if w.category in ("exclusion", "monitoring")}


def _uniform(seed: int, *parts: str) -> float:
    return int(hashlib.md5("|".join([str(seed), *parts]).encode()).hexdigest()[:12], 16) / float(1 << 48)


def _p_confirm(code: str, planted: bool, hidden_lifts: bool, hidden_any: bool, row: dict) -> float:
    p = BASE.get(code, 0.3) if planted or code == "RANDOM_REVIEW" else UNPLANTED
    if code == "RANDOM_REVIEW":
        return 0.85 if hidden_lifts else (0.15 if hidden_any else p)
    if code in EXCLUSION and hidden_any:
        p *= 0.25 if hidden_lifts else 0.6
    if code in ("INCOME_OVER_LIMIT", "PROXY_SIGNAL") and hidden_any:
        p = max(p, 0.9)
    if not row.get("income_known") and code in EXCLUSION:
        p *= 0.6  # unknown income: a visit often finds income the departments do not record
    share = row.get("declared_share")
    if share is not None and share == share and share > 0.8 and code in EXCLUSION:
        p *= 0.7
    pc = row.get("per_capita_to_std")
    if code == "INCOME_OVER_LIMIT" and pc is not None and pc == pc:
        p *= 0.6 if pc < 1.1 else 1.0  # barely over the standard: deductions and one-offs often explain it
    if row.get("n_severe_disability", 0) and code in ("TEKUN_CANDIDATE", "SEVERE_DISABILITY_SINGLE"):
        p = min(0.97, p + 0.2)
    return min(max(p, 0.01), 0.99)


def build(
    district: Path,
    out: Path,
    params: ParameterSet | None = None,
    months: int = 7,
    step_days: int = 7,
    seed: int = 20260306,
    capacity: int | None = None,
    progress: bool = False,
) -> dict:
    district, out = Path(district), Path(out)
    out.mkdir(parents=True, exist_ok=True)
    params = params or ParameterSet.load()
    drop_root = district / "drops"
    nights = drops.drop_dates(drop_root)
    first, last = nights[0], nights[-1]
    started = time.perf_counter()
    con = duckdb.connect(config={"threads": 2})
    staging.load(con, drops.select(drop_root, last))
    sql.build(con, "state")
    mi = month_index(first) - months
    d = month_start(mi)
    d += dt.timedelta(days=(7 - d.weekday()) % 7)  # a Monday
    dates = []
    while d < first:
        dates.append(d)
        d += dt.timedelta(days=step_days)
    dates += [n for n in nights if n >= first]
    seen: set[tuple[str, str]] = set()
    frames = []
    desc = None
    queue.write_reference_tables(con, params, last)  # working days for the rules that count them
    for as_of in dates:
        raise_candidates(con, params, as_of)
        add_random_review(con, params, as_of)
        desc = describe_households(con)
        frame = cf.candidate_frame(con, desc)
        keys = list(zip(frame["household_id"].to_list(), frame["condition_key"].to_list()))
        fresh = [k not in seen for k in keys]
        seen.update(keys)
        frames.append(frame.filter(pl.Series(fresh)).with_columns(pl.lit(as_of).alias("as_of")))
        if progress:
            print(f"  {as_of}: {sum(fresh)} new warnings", flush=True)
    con.close()
    warnings = pl.concat(frames, how="diagonal_relaxed")

    planted = pl.read_csv(district / "truth" / "planted.csv", infer_schema=False)
    fire = set(
        zip(*[planted.filter(pl.col("expected") == "fire")[c].to_list() for c in ("household_id", "condition_key")])
    )
    hidden = (
        pl.read_csv(
            district / "truth" / "hidden_income.csv",
            schema_overrides={"monthly_amount": pl.Float64},
            infer_schema_length=0,
        )
        if (district / "truth" / "hidden_income.csv").is_file()
        else None
    )
    hid_amt = {}
    if hidden is not None and hidden.height:
        hidden = hidden.with_columns(pl.col("monthly_amount").cast(pl.Float64))
        hid_amt = dict(hidden.group_by("household_id").agg(pl.col("monthly_amount").sum()).iter_rows())
    deadlines = params.value("catalogue.deadline_working_days", last)
    truth, probs = [], []
    for row in warnings.select(
        "household_id",
        "warning_code",
        "condition_key",
        "income_known",
        "declared_share",
        "per_capita_to_std",
        "n_severe_disability",
        "n_present",
        "standard",
    ).iter_rows(named=True):
        h = row["household_id"]
        extra = hid_amt.get(h, 0.0)
        pc = row["per_capita_to_std"] if row["per_capita_to_std"] is not None else 0.0
        lifts = extra > 0 and (pc + extra / max(row["n_present"] or 1, 1) / (row["standard"] or 1)) > 1.0
        p = _p_confirm(row["warning_code"], (h, row["condition_key"]) in fire, lifts, extra > 0, row)
        probs.append(p)
        truth.append(int(_uniform(seed, h, row["condition_key"]) < p))
    warnings = warnings.with_columns(
        pl.Series("truth", truth, dtype=pl.Int8),
        pl.Series("p_confirm_simulated", probs),
        (pl.col("as_of") - pl.duration(days=pl.col("as_of").dt.weekday() - 1)).alias("week"),
        pl.col("warning_code")
        .replace_strict({str(k): int(v) for k, v in deadlines.items()}, default=20, return_dtype=pl.Int64)
        .alias("deadline_days"),
    )
    k = (
        capacity
        if capacity is not None
        else int(dict(params.value("ml.capacity_per_street_week", last)).get("default", 8))
    )
    warnings = warnings.with_columns(
        pl.struct("deadline_days", "severity_rank", "household_id", "condition_key")
        .rank("ordinal")
        .over("audit_street_code", "week")
        .alias("_rank")
    )
    selected = (
        pl.when(pl.col("warning_code") == random_review.CODE)
        .then(pl.lit("random_review"))
        .when((pl.col("_rank") <= k) & (pl.col("warning_code") != random_review.CODE))
        .then(pl.lit("rules_capacity"))
    )
    warnings = (
        warnings.with_columns(selected.alias("selected_by"))
        .with_columns(
            pl.when(pl.col("selected_by").is_not_null()).then(pl.col("truth")).alias("label"),
            pl.when(pl.col("selected_by").is_not_null())
            .then(pl.col("as_of") + pl.duration(days=RESOLVE_DAYS))
            .alias("resolved_date"),
        )
        .drop("_rank")
        .sort("as_of", "household_id", "condition_key")
    )
    warnings.write_parquet(out / "labelled_warnings.parquet")
    desc.write_parquet(out / "households.parquet")
    pl.DataFrame({"household_id": sorted(hid_amt)}, schema={"household_id": pl.String}).write_parquet(
        out / "hidden_income_households.parquet"
    )
    return {
        "dates": len(dates),
        "from": dates[0].isoformat(),
        "to": dates[-1].isoformat(),
        "warnings": warnings.height,
        "labelled": int(warnings["label"].is_not_null().sum()),
        "confirmed_share_truth": round(float(np.mean(truth)), 4),
        "seconds": round(time.perf_counter() - started, 1),
    }
