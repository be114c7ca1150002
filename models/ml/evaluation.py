"""What every training run measures (issue #6 §4), on warnings of held-out later weeks.

Orders compared at caseworker capacity (k warnings per street per week, among the warnings raised that week):
- `model`:  score, highest first;
- `rules`:  the rules-only order of the export without a model: deadline (working days) first, then severity;
- `random`: a seeded random order (md5 of seed and warning), what "no prioritisation at all" achieves.
precision@k = confirmed / verified among the k picked per street and week (pooled over streets and weeks); lift = ratio
of two precisions. PR-AUC (average precision) and Brier score over all held-out warnings; a reliability table in ten
equal-width bins of the score.

Labels: on the synthetic district every held-out warning has the outcome verification would find (`truth`), so the
orders are compared on the same footing. On real outcomes only verified warnings have a label and those were picked by
the rules order: the precision of another order is then measured on its labelled picks only (`label_basis: observed`),
which flatters the rules order; the random-review slice is the only unbiased yardstick there.
"""

from __future__ import annotations

import hashlib

import numpy as np
import polars as pl
from sklearn.metrics import average_precision_score, brier_score_loss


def _random_key(seed: int, hid: str, key: str) -> str:
    return hashlib.md5(f"{seed}|{hid}|{key}".encode()).hexdigest()


def add_orders(frame: pl.DataFrame, seed: int) -> pl.DataFrame:
    """Rank columns `rank_model`, `rank_rules`, `rank_random` within (street, week); needs `score`."""
    rnd = [_random_key(seed, h, k) for h, k in zip(frame["household_id"].to_list(), frame["condition_key"].to_list())]
    f = frame.with_columns(pl.Series("_rnd", rnd))
    grp = ["audit_street_code", "week"]
    return f.with_columns(
        pl.struct(-pl.col("score"), "household_id", "condition_key").rank("ordinal").over(grp).alias("rank_model"),
        pl.struct("deadline_days", "severity_rank", "household_id", "condition_key")
        .rank("ordinal")
        .over(grp)
        .alias("rank_rules"),
        pl.col("_rnd").rank("ordinal").over(grp).alias("rank_random"),
    ).drop("_rnd")


def precision_at_k(frame: pl.DataFrame, rank_col: str, k_by_street: dict, label_col: str) -> dict:
    default = int(k_by_street.get("default", 0))
    ks = pl.DataFrame({"audit_street_code": sorted(frame["audit_street_code"].unique().to_list())})
    ks = ks.with_columns(
        pl.col("audit_street_code")
        .replace_strict(
            {str(s): int(v) for s, v in k_by_street.items() if s != "default"}, default=default, return_dtype=pl.Int64
        )
        .alias("k")
    )
    picked = frame.join(ks, on="audit_street_code").filter(pl.col(rank_col) <= pl.col("k"))
    labelled = picked.filter(pl.col(label_col).is_not_null())
    n, hits = labelled.height, int(labelled[label_col].sum() or 0)
    return {"picked": picked.height, "labelled": n, "confirmed": hits, "precision": round(hits / n, 4) if n else None}


def reliability_table(y: np.ndarray, p: np.ndarray, bins: int = 10) -> list[dict]:
    edges = np.linspace(0, 1, bins + 1)
    idx = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    out = []
    for b in range(bins):
        m = idx == b
        if m.any():
            out.append(
                {
                    "bin": f"{edges[b]:.1f}-{edges[b + 1]:.1f}",
                    "count": int(m.sum()),
                    "mean_score": round(float(p[m].mean()), 4),
                    "confirmed_rate": round(float(y[m].mean()), 4),
                }
            )
    return out


def score_metrics(y: np.ndarray, p: np.ndarray) -> dict:
    if len(y) == 0 or len(np.unique(y)) < 2:
        return {"n": int(len(y)), "pr_auc": None, "brier": None, "base_rate": float(np.mean(y)) if len(y) else None}
    return {
        "n": int(len(y)),
        "base_rate": round(float(np.mean(y)), 4),
        "pr_auc": round(float(average_precision_score(y, p)), 4),
        "brier": round(float(brier_score_loss(y, p)), 4),
    }


def evaluate(frame: pl.DataFrame, k_by_street: dict, seed: int) -> dict:
    """`frame`: held-out warnings with score, label columns (`truth` when known, else `label`), week, street, order keys."""
    label_col = "truth" if "truth" in frame.columns and frame["truth"].is_not_null().all() else "label"
    f = add_orders(frame, seed)
    lab = f.filter(pl.col(label_col).is_not_null())
    y = lab[label_col].cast(pl.Int64).to_numpy()
    p = lab["score"].to_numpy()
    prec = {o: precision_at_k(f, f"rank_{o}", k_by_street, label_col) for o in ("model", "rules", "random")}

    def lift(a, b):
        pa, pb = prec[a]["precision"], prec[b]["precision"]
        return round(pa / pb, 3) if pa is not None and pb else None

    return {
        "label_basis": "truth" if label_col == "truth" else "observed",
        "warnings": f.height,
        "weeks": f["week"].n_unique(),
        "streets": f["audit_street_code"].n_unique(),
        **score_metrics(y, p),
        "precision_at_k": prec,
        "lift_vs_rules": lift("model", "rules"),
        "lift_vs_random": lift("model", "random"),
        "rules_lift_vs_random": lift("rules", "random"),
        "reliability": reliability_table(y, p) if len(y) else [],
        "by_code": by_code(lab, label_col),
    }


def by_code(lab: pl.DataFrame, label_col: str) -> list[dict]:
    rows = []
    for code in sorted(lab["warning_code"].unique().to_list()):
        g = lab.filter(pl.col("warning_code") == code)
        y = g[label_col].cast(pl.Int64).to_numpy()
        rows.append(
            {
                "warning_code": code,
                "n": g.height,
                "confirmed_rate": round(float(y.mean()), 4),
                "mean_score": round(float(g["score"].mean()), 4),
                **{k: v for k, v in score_metrics(y, g["score"].to_numpy()).items() if k == "pr_auc"},
            }
        )
    return rows
