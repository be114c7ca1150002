"""Training and evaluation of the proxy-means regression on households with complete income records."""

from __future__ import annotations

import hashlib
import time

import numpy as np
import polars as pl

from models.ml.proxy_means import features
from models.ml.proxy_means.estimator import ProxyMeansRegressor

HYPER = {"learning_rate": 0.1, "max_iter": 200, "max_leaf_nodes": 31, "min_samples_leaf": 50}


def _holdout_mask(ids: list[str], seed: int, share: float = 0.2) -> np.ndarray:
    return np.array([int(hashlib.md5(f"{seed}|{h}".encode()).hexdigest()[:8], 16) / 0xFFFFFFFF < share for h in ids])


def train_proxy(descriptors: pl.DataFrame, window_months: int, seed: int, hidden: pl.DataFrame | None = None):
    allow = features.load_allow_list()
    rows = features.training_rows(descriptors, window_months)
    if rows.height < 100:
        raise ValueError(
            f"only {rows.height} households with complete income records: too few to fit a proxy-means model"
        )
    X, y = features.matrix(rows, allow), features.target(rows)
    hold = _holdout_mask(rows["household_id"].to_list(), seed)
    t = time.perf_counter()
    evaluated = ProxyMeansRegressor(**HYPER, feature_names=allow.names, random_state=seed).fit(X[~hold], y[~hold])
    pred = evaluated.predict(X[hold])
    err = np.log1p(pred) - np.log1p(np.clip(y[hold], 0, None))
    ss_res = float(np.sum((np.log1p(y[hold]) - np.log1p(pred)) ** 2))
    ss_tot = float(np.sum((np.log1p(y[hold]) - np.log1p(y[hold]).mean()) ** 2))
    report = {
        "households_described": descriptors.height,
        "training_rows": int((~hold).sum()),
        "holdout_rows": int(hold.sum()),
        "holdout_r2_log": round(1 - ss_res / ss_tot, 4) if ss_tot else None,
        "holdout_median_abs_error_ratio": round(float(np.median(np.abs(pred - y[hold]))), 4),
        "holdout_mean_log_error": round(float(err.mean()), 4),
    }
    if hidden is not None and hidden.height:
        ids = set(hidden["household_id"].to_list())
        cov = descriptors.filter(pl.col("is_covered") == 1)
        est = evaluated.predict(features.matrix(cov, allow))
        flag = cov["household_id"].is_in(list(ids)).to_numpy()
        from sklearn.metrics import roc_auc_score

        if 0 < flag.sum() < len(flag):
            ratio = est / np.clip(cov["per_capita_to_std"].cast(pl.Float64).fill_null(0.0).to_numpy(), 0.05, None)
            report["hidden_income_auc_covered"] = round(float(roc_auc_score(flag, ratio)), 4)
            report["hidden_income_households_covered"] = int(flag.sum())
    final = ProxyMeansRegressor(**HYPER, feature_names=allow.names, random_state=seed).fit(X, y)
    report["fit_seconds"] = round(time.perf_counter() - t, 2)
    report["features"] = [{"feature": f.name, "label_zh": f.label_zh, "policy": f.policy} for f in allow.features]
    report["allow_list_sha256"] = allow.sha256
    return final, report, rows
