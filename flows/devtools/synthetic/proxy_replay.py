"""Replay PROXY_SIGNAL on a finished hidden-income trial (flows/devtools/synthetic/proxy_trial.py) with other settings.

Why: a trial takes minutes per seed; re-scoring its saved monthly descriptions (`<store>/ml/households/`) with its
trained proxy-means model and its rule warnings takes seconds, so a threshold, an excess weight or a street capacity
can be compared on the same district (docs/adr/0016-proxy-signal-against-composition-peers.md). Nights after the
training are replayed month by month: per street the `capacity` highest priorities among the candidates not flagged on
an earlier night. It prints recall, precision and lift in the pool of covered households that no inclusion rule flags,
and the flag-rate, precision, false-positive-rate and recall ratios of rural and urban hukou households. A measurement
tool, not part of a night:

    uv run python -m flows.devtools.synthetic.proxy_replay --trial var/trial --threshold 0.9 --weight 1.0

`--score NAME` (a key of SCORES, or `all`) replays a candidate ranking instead: the night's covered households with
recorded income whose score reaches each `--minimum`, or the top `--share` of them, then the street capacity; it prints
each ranking's average precision on the last night's pool too. `--fairness` (with one `--minimum`) prints the ratios of
every audit group. The means sum (`means`) and the larger of it and the proxy sum (`max(means, kept)`, what
models/ml/proxy_means/signal.py raises) are among the SCORES; the missing-income branch is not replayed by `--score`.
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
from models.ml.household import AUDIT_COLUMNS
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
        band = peer_cells(cov) * 8 + income_band(cov)
        peer_band = est.predict(peer_typical(X, band, wealth))
        months.append(
            cov.with_columns(
                pl.Series("estimate", e),
                pl.Series("excess", np.log1p(e) - np.log1p(peer)),
                pl.Series("excess_band", np.log1p(e) - np.log1p(peer_band)),
            ).with_columns(means_columns())
        )
    return {
        "truth": ineligible(store, dates[-1], planted, hidden),
        "ruled": warned.filter(pl.col("warning_code").is_in(INCLUSION))["household_id"].unique(),
        "months": months,
    }


def income_band(cov: pl.DataFrame) -> np.ndarray:
    """Recorded per-capita income band (quarters of the standard, 0.75 and more together; none recorded = 0)."""
    r = cov["per_capita_to_std"].cast(pl.Float64).fill_null(0.0).to_numpy()
    return np.clip(np.floor(r * 4), 0, 3).astype(int) + (cov["income_known"].to_numpy() == 1)


def means_columns() -> list[pl.Expr]:
    """Spending and savings against what a household takes in (recorded income plus the benefits it is paid), per
    capita and month, as multiples of the standard."""
    n = pl.col("n_present").clip(lower_bound=1)
    intake = (pl.col("per_capita_to_std").fill_null(0.0) + pl.col("paid_per_capita_to_std").fill_null(0.0)).clip(
        lower_bound=0.1
    )
    other = pl.col("other_spend_to_std").fill_null(0.0) / 12
    rigid = pl.col("rigid_to_std").fill_null(0.0) / n / 12
    return [
        (other / intake).alias("other_share"),
        ((other + rigid) / intake).alias("spend_share"),
        (pl.col("financial_to_std").fill_null(0.0) / intake).alias("savings_months"),
    ]


def pct(col: str) -> pl.Expr:
    return pl.col(col).rank("average") / pl.len()


SCORES = {
    "kept": pl.col("recorded") + pl.col("excess"),
    "excess_band": pl.col("recorded") + pl.col("excess_band"),
    "other_share": pl.col("other_share"),
    "spend_share": pl.col("spend_share"),
    "recorded+other_share": pl.col("recorded") + pl.col("other_share"),
    "recorded+other_to_std": pl.col("recorded") + pl.col("other_spend_to_std").fill_null(0.0) / 12,
    "rank(recorded)+rank(other_share)": pct("recorded") + pct("other_share"),
    "kept+other_share": pl.col("kept") + pl.col("other_share"),
    "recorded+excess_band+other_share": pl.col("recorded") + pl.col("excess_band") + pl.col("other_share"),
    "recorded+other_share+savings_share/12": pl.col("recorded") + pl.col("other_share") + pl.col("savings_months") / 12,
    "means": pl.col("means"),
    "means (savings / 24)": pl.col("means") - pl.col("financial_to_std").fill_null(0.0) / 24,
    "means+other_share-other": pl.col("means")
    - pl.col("other_spend_to_std").fill_null(0.0) / 12
    + pl.col("other_share"),
    "means+excess": pl.col("means") + pl.col("excess"),
    "max(means, kept)": pl.max_horizontal("means", "kept"),
    "means+max(excess, 0)": pl.col("means") + pl.col("excess").clip(lower_bound=0.0),
    "means+excess_band": pl.col("means") + pl.col("excess_band"),
    "rank(means)+rank(kept)": pct("means") + pct("kept"),
    "recorded+financial/12": pl.col("recorded") + pl.col("financial_to_std").fill_null(0.0) / 12,
    "rank(kept)+rank(other_share)": pct("kept") + pct("other_share"),
    "rank(kept)+rank(spend_share)": pct("kept") + pct("spend_share"),
    "rank(recorded)+rank(other_share)+rank(savings)": pct("recorded") + pct("other_share") + pct("savings_months"),
    "rank(recorded)+rank(excess)+rank(other_share)": pct("recorded") + pct("excess") + pct("other_share"),
    "rank(recorded)+rank(excess_band)+rank(other_share)": pct("recorded") + pct("excess_band") + pct("other_share"),
    "rank(kept)+rank(other_share)+rank(savings)": pct("kept") + pct("other_share") + pct("savings_months"),
    "rank(excess_band)+rank(other_share)": pct("excess_band") + pct("other_share"),
}


def scored(cov: pl.DataFrame) -> pl.DataFrame:
    """Every score of SCORES for the households with recorded income (percentile ranks among them, this night)."""
    known = cov.filter(pl.col("income_known") == 1).with_columns(
        pl.col("per_capita_to_std").fill_null(0.0).alias("recorded")
    )
    known = known.with_columns(
        (pl.col("recorded") + pl.col("excess")).alias("kept"),
        (
            pl.col("recorded")
            + pl.col("other_spend_to_std").fill_null(0.0) / 12
            + pl.col("financial_to_std").fill_null(0.0) / 12
        ).alias("means"),
    )
    return known.with_columns(*[e.alias(f"score:{k}") for k, e in SCORES.items()])


def flagged_top(months: list[pl.DataFrame], score: str, share: float, capacity: int, minimum=None) -> pl.Series:
    """Households raised over the replayed months when the candidates are the top `share` of the night's covered
    households with recorded income by `score` (then per street the `capacity` highest, not raised before)."""
    raised = pl.Series("household_id", [], dtype=pl.String)
    for cov in months:
        s = scored(cov).with_columns((pl.col(f"score:{score}").rank("average") / pl.len()).alias("q"))
        new = (
            s.filter(
                (pl.col("q") > 1 - share if minimum is None else pl.col(f"score:{score}") >= minimum)
                & ~pl.col("household_id").is_in(raised.implode())
            )
            .with_columns(
                pl.struct(-pl.col(f"score:{score}"), "household_id")
                .rank("ordinal")
                .over("audit_street_code")
                .alias("rank")
            )
            .filter(pl.col("rank") <= capacity)["household_id"]
        )
        raised = pl.concat([raised, new])
    return raised


def average_precision(data: dict) -> dict:
    """Threshold-free ranking quality of each score on the last replayed night's pool (households with recorded
    income): average precision for the hidden-only ineligible."""
    pool = (
        data["truth"]
        .filter((pl.col("is_covered") == 1) & ~pl.col("household_id").is_in(data["ruled"].implode()))
        .select("household_id", "hidden_lifts")
    )
    s = scored(data["months"][-1]).join(pool, on="household_id", how="inner")
    out = {}
    for k in SCORES:
        y = s.sort(f"score:{k}", descending=True)["hidden_lifts"].to_numpy().astype(float)
        hits = np.cumsum(y)
        out[k] = round(float((hits / np.arange(1, len(y) + 1) * y).sum() / max(y.sum(), 1)), 3)
    return out


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


def _pool(data: dict, raised: pl.Series, columns: list[str]) -> pl.DataFrame:
    """The last night's pool (covered households no inclusion rule flagged) with `columns` of its description and
    `flag`, whether the replay raised the household."""
    described = data["months"][-1].select("household_id", *columns)
    return (
        data["truth"]
        .filter((pl.col("is_covered") == 1) & ~pl.col("household_id").is_in(data["ruled"].implode()))
        .join(described, on="household_id", how="left")
        .with_columns(pl.col("household_id").is_in(raised.implode()).alias("flag"))
    )


def _ratios(group: dict, every: dict) -> dict:
    """A group's rates as ratios to the whole pool's (None where either is undefined)."""
    return {
        m: round(group[m] / every[m], 2) if group[m] is not None and every[m] else None
        for m in ("flag_rate", "precision", "fpr", "recall")
    }


def measure(data: dict, raised: pl.Series) -> dict:
    """Recall, precision and lift in the pool at the last night; rural and urban rates and their ratios to the pool's."""
    pool = _pool(data, raised, ["hukou_urban"])
    every = _rates(pool)
    out = {"pool": every, "lift": every["precision"] / (every["target"] / every["n"]) if every["precision"] else None}
    for name, urban in (("rural", 0), ("urban", 1)):
        group = _rates(pool.filter(pl.col("hukou_urban") == urban))
        group["ratios"] = _ratios(group, every)
        out[name] = group
    return out


def fairness(data: dict, raised: pl.Series) -> dict:
    """Per audit attribute and group of the last night's pool: n, hidden-only ineligible, flagged, and the flag-rate,
    precision and false-positive-rate ratios to the whole pool."""
    pool = _pool(data, raised, list(AUDIT_COLUMNS))
    every = _rates(pool)
    out = {}
    for col in AUDIT_COLUMNS[1:]:
        for (value,), group in sorted(pool.group_by(col), key=lambda g: str(g[0][0])):
            r = _rates(group)
            counts = {k: r[k] for k in ("n", "target", "flagged", "true")}
            out[f"{col.removeprefix('audit_')}={value}"] = counts | _ratios(r, every)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--trial", type=Path, required=True, help="the --out folder of a finished proxy_trial")
    ap.add_argument("--train-after", type=int, default=3)
    ap.add_argument("--threshold", type=float, default=1.0, help="ml.proxy_min_priority")
    ap.add_argument("--weight", type=float, default=1.0, help="weight of the excess in the priority")
    ap.add_argument("--capacity", type=int, default=3, help="new signals per street and month")
    ap.add_argument("--score", help="a ranking of SCORES, candidates the top --share of each night (all when 'all')")
    ap.add_argument("--share", type=float, nargs="+", default=[0.1])
    ap.add_argument("--minimum", type=float, nargs="+", help="candidates: score at least this (instead of --share)")
    ap.add_argument("--fairness", action="store_true", help="with --score and one --minimum: ratios by audit group")
    a = ap.parse_args()
    data = load(a.trial, a.train_after)
    if a.fairness:
        raised = flagged_top(data["months"], a.score, 0.0, a.capacity, a.minimum[0])
        print(json.dumps(fairness(data, raised), indent=1, ensure_ascii=False))
        return
    if a.score is None:
        print(json.dumps(measure(data, flagged(data["months"], a.threshold, a.weight, a.capacity)), indent=2))
        return
    rows = {"average_precision": average_precision(data), "top": []}
    for score in SCORES if a.score == "all" else [a.score]:
        for share, minimum in [(x, None) for x in a.share] if a.minimum is None else [(None, x) for x in a.minimum]:
            m = measure(data, flagged_top(data["months"], score, share, a.capacity, minimum))
            rows["top"].append(
                {
                    "score": score,
                    "share": share,
                    "minimum": minimum,
                    "flagged": m["pool"]["flagged"],
                    "true": m["pool"]["true"],
                    "recall": round(m["pool"]["recall"], 3),
                    "lift": round(m["lift"], 2),
                    "rural_flag_ratio": m["rural"]["ratios"]["flag_rate"],
                    "rural_recall_ratio": m["rural"]["ratios"]["recall"],
                }
            )
    print(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
