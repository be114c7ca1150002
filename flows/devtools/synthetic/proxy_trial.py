"""A hidden-income trial (issue #20): a generated district, monthly nights, caseworkers simulated from its truth, the
proxy-means model trained from the store after a few nights, and PROXY_SIGNAL measured against the planted hidden income.

Why: the proxy-means model is judged on what it finds among covered households that no rule flags; only a district with
known truth can say that. This is a measurement tool, not a test and not part of a night. Run it as

    uv run python -m flows.devtools.synthetic.proxy_trial --out var/trial --households 20000 --nights 6 --train-after 3

Caseworkers are simulated from the truth: every warning a night raises is verified and its outcome arrives by the next
night — RANDOM_REVIEW and PROXY_SIGNAL confirmed when the household is truly ineligible (hidden income lifting its
per-capita income above the standard, or a planted inclusion error), a rule's warning confirmed when it was planted to
fire. The report (JSON on stdout and `<out>/trial.json`) gives PROXY_SIGNAL's recall and precision with n among covered
households that no inclusion rule flags, the base rate of hidden-only ineligibility there (and as the random review
measured it), and the random-review measures and fairness table of models/ml/review_measures.py.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path

import polars as pl

from flows import night as stages
from flows.caseworker.outcomes import import_outcomes
from flows.devtools.synthetic import generate
from flows.store import connect
from models.ml.labels import households_from_store
from models.ml.training import train
from models.rules.catalogue import CATALOGUE
from models.rules.parameters import ParameterSet

INCLUSION = sorted(c for c, w in CATALOGUE.items() if w.category == "inclusion")


def _truth(district: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    planted = pl.read_csv(district / "truth" / "planted.csv", infer_schema_length=0)
    hidden = (
        pl.read_csv(district / "truth" / "hidden_income.csv", infer_schema_length=0)
        .with_columns(pl.col("monthly_amount").cast(pl.Float64))
        .group_by("household_id")
        .agg(pl.col("monthly_amount").sum())
    )
    return planted.filter(pl.col("expected") == "fire"), hidden


def ineligible(store: Path, as_of: dt.date, planted: pl.DataFrame, hidden: pl.DataFrame) -> pl.DataFrame:
    """Per household of the month's description: hidden_lifts (recorded + hidden per capita > standard) and
    planted_inclusion (a planted inclusion error)."""
    d = households_from_store(store, as_of)
    inc = (
        planted.filter(pl.col("warning_code").is_in(INCLUSION))
        .select("household_id")
        .unique()
        .with_columns(pl.lit(True).alias("planted_inclusion"))
    )
    return (
        d.select(
            "household_id",
            "is_covered",
            "n_present",
            "standard",
            "per_capita_to_std",
            *[c for c in d.columns if c.startswith("audit_")],
        )
        .join(hidden, on="household_id", how="left")
        .join(inc, on="household_id", how="left")
        .with_columns(
            (
                (
                    pl.col("per_capita_to_std").fill_null(0.0) * pl.col("standard")
                    + pl.col("monthly_amount").fill_null(0.0) / pl.col("n_present").clip(lower_bound=1)
                )
                > pl.col("standard")
            ).alias("hidden_lifts"),
            pl.col("monthly_amount").is_not_null().alias("hidden_any"),
            pl.col("planted_inclusion").fill_null(False),
        )
    )


def simulate_outcomes(store: Path, as_of: dt.date, truth: pl.DataFrame, planted: pl.DataFrame, path: Path) -> int:
    """Outcomes of every warning raised on `as_of`, written as a docs/CONTRACT.md §5 file; returns the row count."""
    with connect(store, read_only=True) as con:
        raised = pl.from_arrow(
            con.cursor()
            .sql(
                "SELECT warning_id, household_id, warning_code FROM warning_snapshots "
                f"WHERE as_of = DATE '{as_of}' AND raised_date = DATE '{as_of}'"
            )
            .to_arrow_table()
        )
    fired = planted.select("household_id", "warning_code").unique().with_columns(pl.lit(True).alias("planted"))
    f = (
        raised.join(truth.select("household_id", "hidden_lifts", "planted_inclusion"), on="household_id", how="left")
        .join(fired, on=["household_id", "warning_code"], how="left")
        .with_columns(pl.col("hidden_lifts", "planted_inclusion", "planted").fill_null(False))
    )
    confirmed = (
        pl.when(pl.col("warning_code") == "RANDOM_REVIEW")
        .then(pl.col("hidden_lifts") | pl.col("planted_inclusion"))
        .when(pl.col("warning_code") == "PROXY_SIGNAL")
        .then(pl.col("hidden_lifts"))
        .otherwise(pl.col("planted"))
    )
    out = f.sort("warning_id").select(
        "warning_id",
        pl.when(confirmed).then(pl.lit("confirmed")).otherwise(pl.lit("dismissed")).alias("outcome"),
        pl.lit(as_of.isoformat()).alias("resolved_date"),
        pl.lit("none").alias("action"),
        pl.lit("CW000").alias("caseworker_id"),
        pl.lit("simulated from truth").alias("note"),
    )
    out.write_csv(path)
    return out.height


def measure(store: Path, last: dt.date, truth: pl.DataFrame) -> dict:
    with connect(store, read_only=True) as con:
        warned = pl.from_arrow(
            con.cursor().sql("SELECT DISTINCT household_id, warning_code FROM warning_snapshots").to_arrow_table()
        )
    ruled = warned.filter(pl.col("warning_code").is_in(INCLUSION))["household_id"].unique()
    signalled = warned.filter(pl.col("warning_code") == "PROXY_SIGNAL")["household_id"].unique()
    pool = truth.filter((pl.col("is_covered") == 1) & ~pl.col("household_id").is_in(ruled.implode()))
    target = pool.filter(pl.col("hidden_lifts"))
    flagged = pool.filter(pl.col("household_id").is_in(signalled.implode()))
    hits = flagged.filter(pl.col("hidden_lifts")).height
    return {
        "covered_households": truth.filter(pl.col("is_covered") == 1).height,
        "covered_no_inclusion_rule": pool.height,
        "hidden_only_ineligible": target.height,
        "base_rate": round(target.height / pool.height, 4) if pool.height else None,
        "proxy_signal_households": flagged.height,
        "proxy_signal_true": hits,
        "recall": round(hits / target.height, 4) if target.height else None,
        "precision": round(hits / flagged.height, 4) if flagged.height else None,
        "lift_over_base_rate": round(hits / flagged.height / (target.height / pool.height), 2)
        if flagged.height and target.height
        else None,
        "proxy_signals_outside_pool": signalled.len() - flagged.height,
    }


def run_trial(
    out: Path,
    households: int,
    nights: int,
    train_after: int,
    seed: int,
    step_days: int = 31,
    start: dt.date = dt.date(2026, 3, 2),
) -> dict:
    out = Path(out)
    district, store = out / "district", out / "store"
    gen = generate(district, households, nights, start, seed, progress=False, night_step_days=step_days)
    dates = [dt.date.fromisoformat(d) for d in gen["nights"]]
    planted, hidden = _truth(district)
    params = ParameterSet.load()
    report: dict = {"district": {k: gen[k] for k in ("households", "nights")}, "nights": [], "training": None}
    for i, d in enumerate(dates):
        doc = stages.sequence(district / "drops", d, store)
        report["nights"].append(
            {
                "as_of": d.isoformat(),
                "status": doc["status"],
                "proxy_signals": doc.get("ml", {}).get("proxy_signals"),
                "random_reviews": doc.get("ml", {}).get("random_reviews"),
            }
        )
        truth = ineligible(store, d, planted, hidden)
        csv = out / f"outcomes-{d}.csv"
        n = simulate_outcomes(store, d, truth, planted, csv)
        if n and i + 1 < len(dates):
            import_outcomes(store, csv, dates[i + 1])
        if i + 1 == train_after:
            res = train(store, d, params)
            report["training"] = {
                kind: {"model_id": m["model_id"], "metrics": m["card"].get("metrics")}
                for kind, m in res["models"].items()
            } | {"skipped": res.get("skipped")}
    report["measure"] = measure(store, dates[-1], truth)
    try:
        from models.ml.review_measures import store_measures

        report["random_review"] = store_measures(store, dates[-1])
    except ImportError:
        pass
    (out / "trial.json").write_text(json.dumps(report, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    return report


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--households", type=int, default=20000)
    ap.add_argument("--nights", type=int, default=6)
    ap.add_argument("--train-after", type=int, default=3)
    ap.add_argument("--step-days", type=int, default=31)
    ap.add_argument("--seed", type=int, default=20260420)
    a = ap.parse_args()
    print(
        json.dumps(
            run_trial(a.out, a.households, a.nights, a.train_after, a.seed, a.step_days),
            ensure_ascii=False,
            indent=2,
            default=str,
        )
    )


if __name__ == "__main__":
    main()
