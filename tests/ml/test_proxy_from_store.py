"""The proxy-means model from the store alone (issue #20): a night saves the month's household description, `train`
fits on it with no --history and no outcomes, and the next night uses the model; the signal's monthly street capacity."""

import datetime as dt
import json

import numpy as np
import polars as pl

from flows import night as stages
from flows.ingest.drops import drop_dates
from flows.outputs.summary import night_summary
from models.ml import labels, registry
from models.ml.nightly import NO_PROXY_MODEL
from models.ml.proxy_means import features as pf
from models.ml.proxy_means.estimator import ProxyMeansRegressor
from models.ml.proxy_means.signal import NOT_INCOME, candidates, signal_rows, within_capacity
from models.ml.training import train
from models.rules.parameters import ParameterSet


def test_a_store_without_history_trains_the_proxy_and_the_next_night_uses_it(sample_drops, tmp_path):
    nights = drop_dates(sample_drops)
    doc = stages.sequence(sample_drops, nights[0], tmp_path)
    assert doc["ml"]["proxy_note"] == NO_PROXY_MODEL and NO_PROXY_MODEL in night_summary(tmp_path, doc)
    described = labels.households_from_store(tmp_path, nights[0])
    assert described is not None and described["as_of"][0] == nights[0]
    assert labels.households_from_store(tmp_path, nights[0] - dt.timedelta(days=1)) is None  # nothing before it
    out = train(tmp_path, nights[0], ParameterSet.load())
    assert "confirmation" in out["skipped"] and list(out["models"]) == ["proxy_means"]  # no outcomes yet
    card = out["models"]["proxy_means"]["card"]
    assert card["data"]["source"].startswith("store") and "authoritative" in card["data"]["rule"]
    assert {f["feature"] for f in card["features"]}.isdisjoint({"is_covered", "paid_per_capita_to_std", "payments_12m"})
    first = registry.active(tmp_path, "proxy_means", nights[1])
    again = train(tmp_path, nights[0], ParameterSet.load())  # same store, same date: same bytes, same id
    assert again["models"]["proxy_means"]["model_id"] == first.model_id
    doc2 = stages.sequence(sample_drops, nights[1], tmp_path)
    assert doc2["model"]["proxy_means"]["model_id"] == first.model_id and "proxy_note" not in doc2["ml"]
    assert isinstance(doc2["ml"]["proxy_signals"], int)


def _cands(rows):
    return pl.DataFrame(
        rows, schema={"household_id": pl.String, "audit_street_code": pl.String, "priority": pl.Float64}, orient="row"
    )


PREV_SCHEMA = {"household_id": pl.String, "street_code": pl.String, "raised_date": pl.Date, "status": pl.String}


def test_capacity_keeps_open_signals_and_fills_the_months_room_highest_priority_first():
    as_of = dt.date(2026, 4, 20)
    cands = _cands(
        [
            ("H1", "S1", 0.5),
            ("H2", "S1", 2.0),
            ("H3", "S1", 1.0),
            ("H4", "S1", 1.5),
            ("H5", "S2", 0.1),
            ("H6", "S2", 0.2),
        ]
    )
    # S1, k = 2: H1 is open (raised in April, counts against April's room), so one new place: the highest priority, H2.
    # S2, k = 2: a signal raised in March and closed does not count against April: both H5 and H6 fit.
    prev = pl.DataFrame(
        [("H1", "S1", dt.date(2026, 4, 3), "open"), ("H9", "S2", dt.date(2026, 3, 30), "dismissed")],
        schema=PREV_SCHEMA,
        orient="row",
    )
    got = within_capacity(cands, prev, {"default": 2}, as_of)
    assert got["household_id"].to_list() == ["H1", "H2", "H5", "H6"]
    # near miss: the same March signal raised on April 1 takes S2's second place -> only the higher priority, H6
    prev2 = prev.with_columns(
        pl.when(pl.col("household_id") == "H9")
        .then(dt.date(2026, 4, 1))
        .otherwise(pl.col("raised_date"))
        .alias("raised_date")
    )
    assert within_capacity(cands, prev2, {"default": 2}, as_of)["household_id"].to_list() == ["H1", "H2", "H6"]
    # a street-specific k overrides the default
    assert within_capacity(cands, prev, {"default": 2, "S1": 1}, as_of)["household_id"].to_list() == ["H1", "H5", "H6"]


def _deposit_model(allow):
    rng = np.random.default_rng(0)
    n = 400
    train_rows = pl.DataFrame({c: np.zeros(n) for c in allow.names}).with_columns(
        pl.Series("financial_to_std", rng.uniform(0, 12, n)), pl.Series("n_present", np.ones(n))
    )
    return ProxyMeansRegressor(max_iter=50, min_samples_leaf=5, feature_names=allow.names, random_state=0).fit(
        pf.matrix(train_rows, allow), train_rows["financial_to_std"].to_numpy()
    )  # income follows deposits


def _covered(allow, ids, financial, recorded):
    k = len(ids)
    return pl.DataFrame(
        {c: [0.0] * k for c in allow.names}
        | {
            "n_present": [1.0] * k,
            "financial_to_std": financial,
            "household_id": ids,
            "is_covered": [1] * k,
            "income_known": [1] * k,
            "per_capita_to_std": recorded,
            "standard": [600.0] * k,
            "audit_street_code": ["S1"] * k,
        }
    )


def test_priority_is_recorded_income_plus_what_wealth_implies_beyond_a_typical_covered_household():
    allow = pf.load_allow_list()
    est = _deposit_model(allow)
    # covered deposits 8, 8, 10 x standard: the typical (median) covered household holds 8, so H1 and H2 owe nothing to
    # wealth beyond it (priority = recorded: 0.5 and 0.1) and H4 about 2 (priority ~ 0.1 + 2)
    got = candidates(
        _covered(allow, ["H1", "H2", "H4"], [8.0, 8.0, 10.0], [0.5, 0.1, 0.1]),
        est,
        ParameterSet.load(),
        dt.date(2026, 3, 2),
    ).sort("priority", descending=True)
    assert got["household_id"].to_list() == ["H4", "H1", "H2"]
    h1, h2 = got.filter(pl.col("household_id") == "H1"), got.filter(pl.col("household_id") == "H2")
    assert abs(h1["excess"][0]) < 1e-9 and abs(h1["priority"][0] - h2["priority"][0] - 0.4) < 1e-9


def test_the_signal_names_the_proxies_behind_the_estimate_and_says_it_is_not_income():
    allow = pf.load_allow_list()
    rng = np.random.default_rng(0)
    n = 400
    train_rows = pl.DataFrame({c: np.zeros(n) for c in allow.names}).with_columns(
        pl.Series("financial_to_std", rng.uniform(0, 10, n)), pl.Series("n_present", np.ones(n))
    )
    est = ProxyMeansRegressor(max_iter=50, min_samples_leaf=5, feature_names=allow.names, random_state=0).fit(
        pf.matrix(train_rows, allow), train_rows["financial_to_std"].to_numpy()
    )  # income follows deposits
    base = {c: [0.0, 0.0] for c in allow.names} | {"n_present": [1.0, 1.0], "financial_to_std": [8.0, 8.0]}
    # estimate ~8 x standard: recorded 0.5 <= 0.35 x 8 is flagged; the near miss records 3.0 > 0.35 x 8 = 2.8
    covered = pl.DataFrame(
        base
        | {
            "household_id": ["H1", "H2"],
            "is_covered": [1, 1],
            "income_known": [1, 1],
            "per_capita_to_std": [0.5, 3.0],
            "standard": [600.0, 600.0],
            "audit_street_code": ["S1", "S1"],
        }
    )
    rows = signal_rows(covered, est, "proxy-test", ParameterSet.load(), dt.date(2026, 3, 2))
    assert [r[0] for r in rows] == ["H1"]
    reasons, evidence = rows[0][3], json.loads(rows[0][4])
    assert allow.label_zh("financial_to_std") in reasons and NOT_INCOME in reasons
    assert evidence["proxies"][0]["feature"] == "financial_to_std" and evidence["recorded_per_capita_yuan"] == 300.0
