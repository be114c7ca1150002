"""PROXY_SIGNAL (收入代理指标异常, monitoring, low): a covered household whose recorded income sits far below the proxy
estimate, or whose income data is missing while the estimate is far above the standard. For verification only: the
estimate is never counted as income and never decides eligibility (docs/POLICY.md §2, no "virtual income").
"""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import polars as pl

from models.ml.proxy_means import features
from models.rules.parameters import ParameterSet

CODE = "PROXY_SIGNAL"
PARAMS = ("ml.proxy_covered_min_estimate", "ml.proxy_declared_max_share", "ml.proxy_missing_min_estimate")


def signal_rows(descriptors: pl.DataFrame, estimator, model_id: str, params: ParameterSet, as_of: dt.date) -> list[tuple]:
    if any(p not in params or params.get(p).values[0].effective_from > as_of for p in PARAMS):
        return []
    used = [params.at(p, as_of) for p in PARAMS]
    min_cov, max_share, min_missing = (float(v.value) for v in used)
    covered = descriptors.filter((pl.col("is_covered") == 1) & (pl.col("n_present") > 0)).sort("household_id")
    if covered.height == 0:
        return []
    est = estimator.predict(features.matrix(covered, features.load_allow_list()))
    known = covered["income_known"].to_numpy() == 1
    declared = covered["per_capita_to_std"].cast(pl.Float64).fill_null(np.nan).to_numpy()
    below = known & (est >= min_cov) & (declared <= max_share * est)
    missing = ~known & (est >= min_missing)
    param_ev = [{"effective_from": v.effective_from.isoformat(), "name": v.name, "reference": v.reference,
                 "status": v.status, "value": v.value} for v in used]
    flagged = np.flatnonzero(below | missing)
    std = covered["standard"].to_numpy()
    ids = covered["household_id"].gather(flagged).to_list()
    rows = []
    # the flags are vectorised; only the flagged households' evidence and reasons are formatted one by one (text)
    for hid, i in zip(ids, flagged):
        est_yuan = round(float(est[i] * std[i]) / 10) * 10  # rounded: a warning's evidence should not wobble nightly
        ev = {"estimate_per_capita_yuan": est_yuan, "estimate_to_standard": round(float(est[i]), 1),
              "model_id": model_id, "note": "proxy estimate for verification only; not income, not a decision",
              "parameters": param_ev, "standard": float(std[i])}
        if below[i]:
            dec_yuan = round(float(declared[i] * std[i]), 2)
            ev |= {"case": "recorded_far_below_estimate", "recorded_per_capita_yuan": dec_yuan}
            text = (f"登记人均月收入 {dec_yuan:.2f} 元，而按财产、支出、家庭构成和发放记录估算约为 {est_yuan} 元"
                    f"（低保标准的 {est[i]:.1f} 倍）")
        else:
            ev |= {"case": "income_missing_estimate_high", "recorded_per_capita_yuan": None}
            text = (f"近期无收入记录，而按财产、支出、家庭构成和发放记录估算人均月收入约为 {est_yuan} 元"
                    f"（低保标准的 {est[i]:.1f} 倍）")
        reasons = (f"收入代理指标异常：{text}。估算值仅供排序核查，不计入家庭收入、不作为认定依据（不得计算虚拟收入），"
                   "请入户核实收入情况。")
        rows.append((hid, CODE, CODE, reasons, json.dumps(ev, ensure_ascii=False, sort_keys=True)))
    return rows
