"""Replay PROXY_SIGNAL on a finished hidden-income trial (flows/devtools/synthetic/proxy_trial.py) with other settings.

Why: a trial takes minutes per seed; re-scoring its saved monthly descriptions (`<store>/ml/households/`) with its
trained proxy-means model and its rule warnings takes seconds, so a threshold, an excess weight or a street capacity
can be compared on the same district (docs/adr/0016-proxy-signal-against-composition-peers.md). Nights after the
training are replayed month by month: per street the `capacity` highest priorities among the candidates not flagged on
an earlier night. It prints recall, precision and lift in the pool of covered households that no inclusion rule flags,
and the flag-rate, precision, false-positive-rate and recall ratios of rural and urban hukou households. A measurement
tool, not part of a night:

    uv run python -m flows.devtools.synthetic.proxy_replay --trial var/trial --threshold 0.9 --weight 1.0
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path

import numpy as np
import polars as pl

from flows.devtools.synthetic.proxy_trial import INCLUSION, _truth, ineligible
from flows.store import connect
from models.ml import registry
from models.ml.labels import households_from_store
from models.ml.proxy_means import features
from models.ml.proxy_means.signal import peer_cells, peer_typical

MISSING_MIN_ESTIMATE = 2.5  # ml.proxy_missing_min_estimate in force


def load(trial: Path, train_after: int = 3) -> dict:
    """Truth at the last night, inclusion-ruled households, and per replayed night the covered households with their
    estimate and the excess over their composition peers."""
    nights = json.loads((trial / "trial.json").read_text(encoding="utf-8"))["nights"]
    dates = [dt.date.fromisoformat(n["as_of"]) for n in nights]
    store = trial / "store"
    planted, hidden = _truth(trial / "district")
    with connect(store, read_only=True) as con:
        warned = pl.from_arrow(
            con.cursor().sql("SELECT DISTINCT household_id, warning_code FROM warning_snapshots").to_arrow_table()
        )
    _, est, _ = registry.load_active(store, "proxy_means", dates[-1])
    allow = features.load_allow_list()
    wealth = [i for i, f in enumerate(allow.features) if f.policy in ("assets", "spending")]
    months = []
    for d in dates[train_after:]:
        desc = households_from_store(store, d)
        cov = desc.filter((pl.col("is_covered") == 1) & (pl.col("n_present") > 0)).sort("household_id")
        X = features.matrix(cov, allow)
        e = est.predict(X)
        peer = est.predict(peer_typical(X, peer_cells(cov), wealth))
        months.append(cov.with_columns(pl.Series("estimate", e), pl.Series("excess", np.log1p(e) - np.log1p(peer))))
    return {
        "truth": ineligible(store, dates[-1], planted, hidden),
        "ruled": warned.filter(pl.col("warning_code").is_in(INCLUSION))["household_id"].unique(),
        "months": months,
    }


def flagged(months: list[pl.DataFrame], threshold: float, weight: float, capacity: int) -> pl.Series:
    """Households raised over the replayed months: priority = recorded per-capita income / standard + weight × excess."""
    known = pl.col("income_known") == 1
    priority = pl.when(known).then(pl.col("per_capita_to_std").fill_null(0.0)).otherwise(0.0) + weight * pl.col(
        "excess"
    )
    cand = (known & (pl.col("excess") > 0) & (pl.col("priority") >= threshold)) | (
        ~known & (pl.col("estimate") >= MISSING_MIN_ESTIMATE)
    )
    raised = pl.Series("household_id", [], dtype=pl.String)
    for cov in months:
        new = (
            cov.with_columns(priority.alias("priority"))
            .filter(cand & ~pl.col("household_id").is_in(raised.implode()))
            .with_columns(
                pl.struct(-pl.col("priority"), "household_id").rank("ordinal").over("audit_street_code").alias("rank")
            )
            .filter(pl.col("rank") <= capacity)["household_id"]
        )
        raised = pl.concat([raised, new])
    return raised


def _rates(pool: pl.DataFrame) -> dict:
    target = int(pool["hidden_lifts"].sum())
    flags = int(pool["flag"].sum())
    hits = int((pool["flag"] & pool["hidden_lifts"]).sum())
    negatives = pool.height - target
    return {
        "n": pool.height,
        "target": target,
        "flagged": flags,
        "true": hits,
        "flag_rate": flags / pool.height if pool.height else None,
        "precision": hits / flags if flags else None,
        "fpr": (flags - hits) / negatives if negatives else None,
        "recall": hits / target if target else None,
    }


def measure(data: dict, raised: pl.Series) -> dict:
    """Recall, precision and lift in the pool at the last night; rural and urban rates and their ratios to the pool's."""
    hukou = data["months"][-1].select("household_id", "hukou_urban")
    pool = (
        data["truth"]
        .filter((pl.col("is_covered") == 1) & ~pl.col("household_id").is_in(data["ruled"].implode()))
        .join(hukou, on="household_id", how="left")
        .with_columns(pl.col("household_id").is_in(raised.implode()).alias("flag"))
    )
    every = _rates(pool)
    out = {"pool": every, "lift": every["precision"] / (every["target"] / every["n"]) if every["precision"] else None}
    for name, urban in (("rural", 0), ("urban", 1)):
        group = _rates(pool.filter(pl.col("hukou_urban") == urban))
        group["ratios"] = {
            m: round(group[m] / every[m], 2) if group[m] is not None and every[m] else None
            for m in ("flag_rate", "precision", "fpr", "recall")
        }
        out[name] = group
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--trial", type=Path, required=True, help="the --out folder of a finished proxy_trial")
    ap.add_argument("--train-after", type=int, default=3)
    ap.add_argument("--threshold", type=float, default=1.0, help="ml.proxy_min_priority")
    ap.add_argument("--weight", type=float, default=1.0, help="weight of the excess in the priority")
    ap.add_argument("--capacity", type=int, default=3, help="new signals per street and month")
    a = ap.parse_args()
    data = load(a.trial, a.train_after)
    print(json.dumps(measure(data, flagged(data["months"], a.threshold, a.weight, a.capacity)), indent=2))


if __name__ == "__main__":
    main()
