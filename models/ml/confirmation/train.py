"""Training and evaluation of the confirmation scorer on labelled warnings (models/ml/labels.py).

Time-based validation: the model that is evaluated is fitted on outcomes resolved before the validation window (the last
`valid_months` months before the training date) and scored on the warnings raised inside it; the drift model is fitted
on outcomes resolved `drift_months` earlier still, and scored on the same window. The artifact that ships is refitted on
every outcome resolved on or before the training date, with the same parameters.
"""

from __future__ import annotations

import datetime as dt
import time

import numpy as np
import polars as pl
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from models.ml import evaluation, fairness
from models.ml.confirmation import features as cf
from models.ml.confirmation.estimator import ConfirmationScorer
from models.ml.random_review import CODE as RANDOM_REVIEW
from models.ml.random_review import inclusion_error_estimate
from models.rules.months import month_index

HYPER = {
    "learning_rate": 0.08,
    "max_iter": 200,
    "max_leaf_nodes": 31,
    "min_samples_leaf": 40,
    "l2_regularization": 1.0,
    "calibration": "isotonic",
    "calibration_fraction": 0.25,
    "calibration_min_rows": 500,
}


def months_before(d: dt.date, months: int) -> dt.date:
    mi = month_index(d) - months
    y, m = divmod(mi, 12)
    day = min(d.day, 28)
    return dt.date(y, m + 1, day)


def selection_weights(rows: pl.DataFrame, covered_by_street: dict[str, int] | None) -> np.ndarray:
    """Inverse-probability weights that undo how the labelled rows were selected (mean 1).

    A RANDOM_REVIEW label was drawn at random among the covered households of its street that month: it stands for
    covered / reviewed households of that street and month (reviewed = its labelled random-review rows), so its weight
    is that ratio. A targeted label (a rule's warning, a PROXY_SIGNAL) is the outcome of a warning every one of which
    goes to verification: its selection probability given its warning is 1, weight 1. Without street coverage counts
    (a history folder) every weight is 1. Weights are rescaled to mean 1 so that the booster's settings keep their
    meaning."""
    if not covered_by_street or rows.height == 0:
        return np.ones(rows.height)
    month = pl.col("as_of").dt.strftime("%Y-%m")
    rr = pl.col("warning_code") == RANDOM_REVIEW
    reviewed = pl.len().over("audit_street_code", month)
    covered = pl.col("audit_street_code").replace_strict(
        {str(k): float(v) for k, v in covered_by_street.items()}, default=None, return_dtype=pl.Float64
    )
    w = (
        rows.with_columns(pl.when(rr).then(reviewed).alias("_reviewed"))
        .with_columns(
            pl.when(rr & covered.is_not_null())
            .then(covered / pl.col("_reviewed"))
            .otherwise(1.0)
            .clip(lower_bound=1.0)
            .alias("_w")
        )["_w"]
        .to_numpy()
    )
    return w / w.mean()


def _fit(
    rows: pl.DataFrame, allow, columns, seed: int, weights: np.ndarray | None = None, **over
) -> ConfirmationScorer:
    X = cf.matrix(rows, allow, columns)
    cat = [allow.features[allow.names.index(c)].kind == "category" for c in columns]
    est = ConfirmationScorer(**(HYPER | over), categorical=cat, feature_names=columns, random_state=seed)
    return est.fit(X, rows["label"].cast(pl.Int64).to_numpy(), sample_weight=weights)


def random_review_slice(scored: pl.DataFrame, label_col: str, seed: int, share: float = 0.2) -> dict:
    """The model against the rules order and random on the held-out RANDOM_REVIEW rows (an unbiased sample of covered
    households): confirmed share among the top `share` of each order. The rules order there is the number of other
    warnings the household had that night (more first, then severity), what a caseworker without a model would use."""
    rr = scored.filter((pl.col("warning_code") == RANDOM_REVIEW) & pl.col(label_col).is_not_null())
    if rr.height < 20:
        return {"note": f"{rr.height} held-out random-review outcomes: too few (< 20) to compare orders"}
    top = max(1, int(round(share * rr.height)))
    rnd = [evaluation._random_key(seed, h, k) for h, k in zip(rr["household_id"], rr["condition_key"])]
    rr = rr.with_columns(pl.Series("_rnd", rnd))
    orders = {
        "model": rr.sort([-pl.col("score"), "household_id"]),
        "rules": rr.sort([-pl.col("household_candidates").fill_null(0), "severity_rank", "household_id"]),
        "random": rr.sort("_rnd"),
    }
    out = {"rows": rr.height, "base_rate": round(float(rr[label_col].mean()), 4), "top_share": share, "top_rows": top}
    for name, f in orders.items():
        out[f"precision_top_{name}"] = round(float(f.head(top)[label_col].mean()), 4)
    return out


def _known(frame: pl.DataFrame, by: dt.date) -> pl.DataFrame:
    return frame.filter(pl.col("label").is_not_null() & (pl.col("resolved_date") < by)).sort(
        "as_of", "household_id", "condition_key"
    )


def compare_estimators(
    train: pl.DataFrame, hold: pl.DataFrame, allow, columns, seed: int, label_col: str
) -> list[dict]:
    """The choice by numbers: logistic regression vs gradient boosting, raw and calibrated, on the held-out window."""
    Xt, yt = cf.matrix(train, allow, columns), train["label"].cast(pl.Int64).to_numpy()
    hold = hold.filter(pl.col(label_col).is_not_null())
    Xh, yh = cf.matrix(hold, allow, columns), hold[label_col].cast(pl.Int64).to_numpy()
    out = []
    t = time.perf_counter()
    lr = make_pipeline(
        SimpleImputer(strategy="median", keep_empty_features=True),
        StandardScaler(),
        LogisticRegression(max_iter=500, C=1.0),
    ).fit(np.nan_to_num(Xt, nan=np.nan), yt)
    out.append(
        {
            "estimator": "logistic regression (median-imputed, standardised)",
            "fit_seconds": round(time.perf_counter() - t, 2),
            **evaluation.score_metrics(yh, lr.predict_proba(Xh)[:, 1]),
        }
    )
    for label, cal in (
        ("gradient boosting, uncalibrated", None),
        ("gradient boosting + sigmoid calibration", "sigmoid"),
        ("gradient boosting + isotonic calibration", "isotonic"),
    ):
        t = time.perf_counter()
        est = _fit(train, allow, columns, seed, calibration=cal, calibration_min_rows=20)  # compare even on few rows
        out.append(
            {
                "estimator": label,
                "fit_seconds": round(time.perf_counter() - t, 2),
                **evaluation.score_metrics(yh, est.predict_proba(Xh)[:, 1]),
            }
        )
    return out


def _scored(est, hold: pl.DataFrame, allow, columns) -> pl.DataFrame:
    return hold.with_columns(pl.Series("score", est.predict_proba(cf.matrix(hold, allow, columns))[:, 1]))


def train_confirmation(
    labelled: pl.DataFrame,
    as_of: dt.date,
    k_by_street: dict,
    seed: int,
    valid_months: int = 2,
    drift_months: int = 6,
    covered_by_street: dict[str, int] | None = None,
) -> tuple[ConfirmationScorer, dict, pl.DataFrame]:
    allow = cf.load_allow_list()
    columns = allow.names
    allow.check_columns(columns)
    data = labelled.filter(pl.col("as_of") <= as_of)
    valid_start = months_before(as_of, valid_months)
    drift_cut = months_before(valid_start, drift_months)
    has_truth = "truth" in data.columns and data["truth"].is_not_null().any()
    label_col = "truth" if has_truth else "label"
    hold = data.filter(pl.col("as_of") >= valid_start).sort("as_of", "household_id", "condition_key")
    if not has_truth:  # real outcomes: only what was resolved by the training date is known
        hold = hold.with_columns(pl.when(pl.col("resolved_date") <= as_of).then(pl.col("label")).alias("label"))
    train_eval = _known(data.filter(pl.col("as_of") < valid_start), valid_start)
    train_all = _known(data, as_of + dt.timedelta(days=1))
    if train_all.height == 0 or train_all["label"].n_unique() < 2:
        raise ValueError(f"no usable outcomes on or before {as_of}: need confirmed and dismissed warnings to train on")

    report: dict = {"valid_window": f"{valid_start}..{as_of}", "label_col": label_col}
    t = time.perf_counter()
    if train_eval.height >= 50 and train_eval["label"].n_unique() == 2 and hold.height:
        evaluated = _fit(train_eval, allow, columns, seed, selection_weights(train_eval, covered_by_street))
        report["evaluation"] = evaluation.evaluate(_scored(evaluated, hold, allow, columns), k_by_street, seed)
        report["random_review_slice"] = random_review_slice(_scored(evaluated, hold, allow, columns), label_col, seed)
        report["comparison"] = compare_estimators(train_eval, hold, allow, columns, seed, label_col)
        flagged = evaluation.add_orders(_scored(evaluated, hold, allow, columns), seed)
        ks = flagged["audit_street_code"].replace_strict(
            {str(s): int(v) for s, v in k_by_street.items() if s != "default"},
            default=int(k_by_street.get("default", 0)),
            return_dtype=pl.Int64,
        )
        flagged = flagged.with_columns(ks.alias("k"))
        fair_in = flagged.with_columns(
            (pl.col("rank_model") <= pl.col("k")).alias("flagged"), pl.col(label_col).alias("label")
        )
        report["fairness"] = fairness.fairness_table(fair_in)
        report["fairness_rules_order"] = fairness.fairness_table(
            fair_in.with_columns((pl.col("rank_rules") <= pl.col("k")).alias("flagged"))
        )
        report["fairness_screen"] = fairness.outside_four_fifths(report["fairness"])
        drift_train = _known(data.filter(pl.col("as_of") < drift_cut), drift_cut)
        if drift_train.height >= 50 and drift_train["label"].n_unique() == 2:
            old = _fit(drift_train, allow, columns, seed)
            drift_eval = evaluation.evaluate(_scored(old, hold, allow, columns), k_by_street, seed)
            report["drift"] = {
                "older_model_trained_before": drift_cut.isoformat(),
                "older_training_rows": drift_train.height,
                **{k: drift_eval[k] for k in ("pr_auc", "brier", "precision_at_k", "lift_vs_rules")},
            }
        else:
            report["drift"] = {
                "older_model_trained_before": drift_cut.isoformat(),
                "older_training_rows": drift_train.height,
                "note": "too few outcomes that old to fit a comparison model (need >= 50 of both kinds)",
            }
    else:
        report["evaluation"] = {
            "note": f"too few outcomes before {valid_start} ({train_eval.height}) or no held-out warnings"
        }
    report["evaluation_seconds"] = round(time.perf_counter() - t, 2)

    t = time.perf_counter()
    weights = selection_weights(train_all, covered_by_street)
    final = _fit(train_all, allow, columns, seed, weights)
    report["weights"] = {
        "method": "inverse probability of selection (selection_weights)"
        if covered_by_street
        else "none: no street coverage counts (history folder)",
        "random_review_mean_weight": round(
            float(weights[(train_all["warning_code"] == RANDOM_REVIEW).to_numpy()].mean()), 3
        )
        if (train_all["warning_code"] == RANDOM_REVIEW).any()
        else None,
    }
    report["fit_seconds"] = round(time.perf_counter() - t, 2)
    rr = train_all.filter(pl.col("warning_code") == RANDOM_REVIEW)
    report["random_review"] = inclusion_error_estimate(int(rr["label"].sum() or 0), rr.height)
    report["training_rows"] = train_all.height
    report["training_positive_rate"] = round(float(train_all["label"].mean()), 4)
    report["selection"] = (
        train_all.group_by("selected_by")
        .agg(pl.len().alias("rows"), pl.col("label").mean().round(4).alias("confirmed_rate"))
        .sort("selected_by")
        .to_dicts()
    )
    report["period"] = f"{train_all['as_of'].min()}..{train_all['as_of'].max()}"
    report["allow_list_sha256"] = allow.sha256
    report["features"] = [
        {"feature": f.name, "kind": f.kind, "label_zh": f.label_zh, "policy": f.policy} for f in allow.features
    ]
    return final, report, train_all
