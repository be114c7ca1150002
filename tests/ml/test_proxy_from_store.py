"""The proxy-means model from the store alone (issue #20): a night saves the month's household description, `train`
fits on it with no --history and no outcomes, and the next night uses the model; the signal's monthly street capacity."""

import datetime as dt
import json

import duckdb
import numpy as np
import polars as pl

from flows import night as stages
from flows.ingest.drops import drop_dates
from flows.outputs.summary import night_summary
from flows.store import Store, attach, connect
from models.ml import labels, registry
from models.ml.nightly import NO_PROXY_MODEL
from models.ml.proxy_means import features as pf
from models.ml.proxy_means import signal
from models.ml.proxy_means.estimator import ProxyMeansRegressor
from models.ml.proxy_means.signal import (
    NOT_INCOME,
    candidates,
    previous_signals,
    recently_verified,
    signal_rows,
    within_capacity,
)
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


PREV_SCHEMA = {
    "household_id": pl.String,
    "street_code": pl.String,
    "raised_date": pl.Date,
    "status": pl.String,
    "resolved_date": pl.Date,
}


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
        [("H1", "S1", dt.date(2026, 4, 3), "open", None), ("H9", "S2", dt.date(2026, 3, 30), "dismissed", None)],
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


def test_a_signal_closed_by_tonights_outcome_is_not_open_takes_room_and_is_not_raised_again_within_recheck(tmp_path):
    """The street cap counts warnings: a warning a caseworker closed in the outcomes imported tonight no longer holds
    its place as an open warning, and a household verified within ml.proxy_signal_recheck_months is not raised
    again (its evidence changes every month, so the queue alone would raise it anew)."""
    Store(tmp_path).init()
    with connect(tmp_path) as con:
        con.execute(
            """INSERT INTO warning_snapshots BY NAME
               SELECT DATE '2026-04-03' AS as_of, * FROM (VALUES
                 ('W1', 'H1', 'PROXY_SIGNAL', 'S1', DATE '2026-04-03', 'open', NULL::DATE),
                 ('W2', 'H2', 'PROXY_SIGNAL', 'S1', DATE '2026-04-03', 'open', NULL::DATE),
                 ('W3', 'H3', 'PROXY_SIGNAL', 'S1', DATE '2025-02-03', 'dismissed', DATE '2025-02-20'),
                 ('W4', 'H4', 'INCOME_OVER_LIMIT', 'S1', DATE '2026-04-03', 'open', NULL::DATE))
               AS t(warning_id, household_id, warning_code, street_code, raised_date, status, resolved_date)"""
        )
        con.execute(
            """INSERT INTO outcomes BY NAME SELECT * FROM (VALUES
                 ('W1', 'dismissed', DATE '2026-04-15', DATE '2026-04-20', 'back.xlsx', 2),
                 ('W2', 'dismissed', DATE '2026-04-28', DATE '2026-05-04', 'later.xlsx', 2))
               AS t(warning_id, outcome, resolved_date, imported_as_of, source_file, source_row)"""
        )
    as_of = dt.date(2026, 4, 20)
    with duckdb.connect() as con:
        attach(con, tmp_path, read_only=True)
        prev = previous_signals(con, as_of)
    # W1 closed by tonight's import; W2's outcome arrives after tonight (still open); W4 is another code
    assert sorted(prev.select("household_id", "status", "resolved_date").rows()) == [
        ("H1", "dismissed", dt.date(2026, 4, 15)),
        ("H2", "open", None),
        ("H3", "dismissed", dt.date(2025, 2, 20)),
    ]
    # H1 verified five days ago: not again within 12 months; H3 verified 14 months ago may be raised again
    assert recently_verified(prev, 12, as_of) == ["H1"]
    # S1, k = 2: W1 and W2 were raised in April and both count, so no room is left for new households; H2 stays open
    cands = _cands([("H2", "S1", 1.0), ("H3", "S1", 3.0), ("H5", "S1", 2.0)])
    assert within_capacity(cands, prev, {"default": 2}, as_of)["household_id"].to_list() == ["H2"]
    assert within_capacity(cands, prev, {"default": 3}, as_of)["household_id"].to_list() == ["H2", "H3"]


def _deposit_model(allow):
    rng = np.random.default_rng(0)
    n = 400
    train_rows = pl.DataFrame({c: np.zeros(n) for c in allow.names}).with_columns(
        pl.Series("financial_to_std", rng.uniform(0, 12, n)), pl.Series("n_present", np.ones(n))
    )
    return ProxyMeansRegressor(max_iter=50, min_samples_leaf=5, feature_names=allow.names, random_state=0).fit(
        pf.matrix(train_rows, allow), train_rows["financial_to_std"].to_numpy()
    )  # income follows deposits


def _covered(allow, ids, financial, recorded, n_present=None, n_elderly=None):
    k = len(ids)
    return pl.DataFrame(
        {c: [0.0] * k for c in allow.names}
        | {
            "n_present": n_present or [1.0] * k,
            "n_elderly": n_elderly or [0.0] * k,
            "financial_to_std": financial,
            "household_id": ids,
            "is_covered": [1] * k,
            "income_known": [1] * k,
            "per_capita_to_std": recorded,
            "standard": [600.0] * k,
            "audit_street_code": ["S1"] * k,
        }
    )


def test_peer_cells_and_the_peer_median_on_a_six_household_toy(monkeypatch):
    allow = pf.load_allow_list()
    toy = _covered(
        allow,
        ["A1", "A2", "A3", "B1", "B2", "B3"],
        [1.0, 2.0, 9.0, 4.0, 4.0, 10.0],
        [0.3] * 6,
        n_present=[1.0, 1.0, 1.0, 2.0, 2.0, 2.0],
        n_elderly=[0.0, 0.0, 0.0, 1.0, 1.0, 1.0],
    ).with_columns(pl.Series("n_no_labor", [0.0, 0.0, 0.0, 0.0, 0.0, 1.0]))
    # cell = 4 x size + 2 x (anyone 60+) + (anyone without labour capacity or grade 1-2 disability)
    assert signal.peer_cells(toy).tolist() == [4, 4, 4, 10, 10, 11]
    j = allow.names.index("financial_to_std")
    X = pf.matrix(toy, allow)
    monkeypatch.setattr(signal, "MIN_PEERS", 2)
    cells = np.array([4, 4, 4, 10, 10, 10])  # B3 with its cell B: singles' median 2, pairs' median 4
    assert signal.peer_typical(X, cells, [j])[:, j].tolist() == [2.0, 2.0, 2.0, 4.0, 4.0, 4.0]
    # near miss: a cell smaller than MIN_PEERS takes the median of all six (4) — here B3 alone in cell 11
    got = signal.peer_typical(X, signal.peer_cells(toy), [j])[:, j]
    assert got.tolist() == [2.0, 2.0, 2.0, 4.0, 4.0, 4.0]
    monkeypatch.setattr(signal, "MIN_PEERS", 4)
    assert signal.peer_typical(X, cells, [j])[:, j].tolist() == [4.0] * 6
    # the other columns are untouched
    assert (np.delete(signal.peer_typical(X, cells, [j]), j, axis=1) == np.delete(X, j, axis=1)).all()


def test_wealth_is_judged_against_composition_peers_and_recorded_income_adds_to_the_priority(monkeypatch):
    allow = pf.load_allow_list()
    est = _deposit_model(allow)
    monkeypatch.setattr(signal, "MIN_PEERS", 3)
    # singles hold 2, 2 and 6 x standard, older pairs 6 each: A3 holds 4 more than its peers (priority ~ 0.3 + log(7/3));
    # the pairs' 6 is their peers' 6, so none of them is a candidate — though all of them hold what A3 holds
    toy = _covered(
        allow,
        ["A1", "A2", "A3", "B1", "B2", "B3"],
        [2.0, 2.0, 6.0, 6.0, 6.0, 6.0],
        [0.3, 0.7, 0.3, 0.3, 0.3, 0.3],
        n_present=[1.0, 1.0, 1.0, 2.0, 2.0, 2.0],
        n_elderly=[0.0, 0.0, 0.0, 1.0, 1.0, 1.0],
    )  # means sums (recorded + savings / 12): A2 0.87, A3 and the pairs 0.8 — below the standard
    params = ParameterSet.load()
    got = candidates(toy, est, params, dt.date(2026, 3, 2))
    assert got["household_id"].to_list() == ["A3"]
    assert abs(got["excess"][0] - np.log(7 / 3)) < 0.15
    assert abs(got["priority"][0] - 0.3 - got["excess"][0]) < 1e-9
    # near miss: with no peer cells (every household a peer of every other, median 6) A3's wealth is typical
    monkeypatch.setattr(signal, "MIN_PEERS", 7)
    assert candidates(toy, est, params, dt.date(2026, 3, 2)).height == 0


def test_the_means_sum_raises_a_household_whose_spending_and_savings_reach_the_standard(monkeypatch):
    allow = pf.load_allow_list()
    est = _deposit_model(allow)  # reads deposits only: equal deposits, equal estimates, no excess for anyone
    # per capita and month over the standard: recorded + 12 months' non-rigid spending / 12 + savings / 12 (shipped)
    toy = _covered(allow, ["M1", "M2", "M3"], [2.4, 2.4, 2.4], [0.6, 0.6, 0.2]).with_columns(
        pl.Series("other_spend_to_std", [3.6, 1.2, 9.6])
    )  # means sums 0.6 + 0.3 + 0.2 = 1.1; near miss 0.6 + 0.1 + 0.2 = 0.9; 0.2 + 0.8 + 0.2 = 1.2
    got = candidates(toy, est, ParameterSet.load(), dt.date(2026, 3, 2))
    assert got["household_id"].to_list() == ["M1", "M3"]
    assert np.allclose(got["priority"].to_numpy(), [1.1, 1.2]) and np.allclose(got["excess"].to_numpy(), 0.0)
    rows = signal_rows(toy, est, "proxy-test", ParameterSet.load(), dt.date(2026, 3, 2))
    reasons, evidence = rows[1][3], json.loads(rows[1][4])
    assert evidence["means_sum_to_standard"] == 1.2 and evidence["other_spending_per_capita_month_yuan"] == 480
    assert "三项合计为低保标准的 1.2 倍" in reasons and NOT_INCOME in reasons


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
    # H1 holds 8 x standard against its peers' 1 (H2, H3): flagged; H2 and H3 hold what their peers hold
    covered = _covered(allow, ["H1", "H2", "H3"], [8.0, 1.0, 1.0], [0.5, 0.5, 0.5])
    rows = signal_rows(covered, est, "proxy-test", ParameterSet.load(), dt.date(2026, 3, 2))
    assert [r[0] for r in rows] == ["H1"]
    reasons, evidence = rows[0][3], json.loads(rows[0][4])
    assert allow.label_zh("financial_to_std") in reasons and NOT_INCOME in reasons
    assert evidence["proxies"][0]["feature"] == "financial_to_std" and evidence["recorded_per_capita_yuan"] == 300.0
