"""The ML stage of a night on the bundled sample drops: without a model (empty scores, rules order), and with one."""

import datetime as dt
import json

import duckdb
import numpy as np
import polars as pl
import pytest

import sql
from flows.ingest import drops, staging
from flows.queue import merge as queue
from flows.store import db_path
from models.ml import registry
from models.ml.confirmation import features as cf
from models.ml.confirmation.estimator import ConfirmationScorer
from models.ml.household import describe_households
from models.ml.nightly import score_night
from models.ml.proxy_means import features as pf
from models.ml.proxy_means.estimator import ProxyMeansRegressor
from models.ml.proxy_means.signal import signal_rows
from models.rules.candidates import raise_candidates
from models.rules.parameters import ParameterSet


@pytest.fixture(scope="module")
def night(sample_drops):
    as_of = drops.drop_dates(sample_drops)[0]
    params = ParameterSet.load()
    con = duckdb.connect()
    staging.load(con, drops.select(sample_drops, as_of))
    sql.build(con, "state")
    queue.write_reference_tables(con, params, as_of)
    raise_candidates(con, params, as_of)
    con.execute("CREATE TABLE rules_candidates AS SELECT * FROM candidates")
    return con, params, as_of


def _reset(con):
    con.execute("CREATE OR REPLACE TABLE candidates AS SELECT * FROM rules_candidates")


def test_without_a_model_scores_are_empty_and_the_random_slice_is_raised(night, tmp_path):
    con, params, as_of = night
    _reset(con)
    report = score_night(con, tmp_path, params, as_of)
    assert report["model"] is None
    assert con.execute("SELECT count(*) FROM candidate_scores").fetchone()[0] == 0
    rr = con.execute(
        "SELECT household_id, condition_key, reasons, evidence FROM candidates "
        "WHERE warning_code = 'RANDOM_REVIEW' ORDER BY ALL"
    ).fetchall()
    assert len(rr) == report["random_reviews"] > 0
    ev = json.loads(rr[0][3])
    assert list(ev) == sorted(ev) and ev["sample_size"] == 3 and "随机抽查" in rr[0][2]
    # the draw is a pure function of the night: run again, same rows
    _reset(con)
    score_night(con, tmp_path, params, as_of)
    assert (
        rr
        == con.execute(
            "SELECT household_id, condition_key, reasons, evidence FROM candidates "
            "WHERE warning_code = 'RANDOM_REVIEW' ORDER BY ALL"
        ).fetchall()
    )


def test_with_an_active_model_every_candidate_gets_a_score_and_an_explanation(night, tmp_path):
    con, params, as_of = night
    _reset(con)
    frame = cf.candidate_frame(con, describe_households(con))
    allow = cf.load_allow_list()
    X = np.vstack([cf.matrix(frame, allow)] * 20)
    y = np.random.default_rng(0).integers(0, 2, len(X))
    cat = [f.kind == "category" for f in allow.features]
    est = ConfirmationScorer(max_iter=10, categorical=cat, feature_names=allow.names, random_state=0).fit(X, y)
    sha = registry.save_model(est, registry.artifact_dir(tmp_path, "confirmation-test") / "model.skops")
    (registry.artifact_dir(tmp_path, "confirmation-test") / "card.json").write_text("{}", encoding="utf-8")
    registry.register(tmp_path, "confirmation", "confirmation-test", sha, "d", as_of, as_of, {})
    report = score_night(con, tmp_path, params, as_of)
    assert report["model"]["confirmation"]["model_id"] == "confirmation-test"
    assert report["model"]["confirmation"]["sha256"] == sha
    n = con.execute("SELECT count(*) FROM candidates").fetchone()[0]
    scores = con.execute("SELECT household_id, condition_key, score, explanation FROM candidate_scores").fetchall()
    assert len(scores) == n == report["scored"]
    assert all(0 <= s[2] <= 1 for s in scores)
    doc = json.loads(scores[0][3])
    assert list(doc) == sorted(doc) and doc["model_id"] == "confirmation-test" and "不作为认定" in doc["note_zh"]
    assert all("text_zh" in t for t in doc["top_features"])
    # the night before activation: no model
    _reset(con)
    assert score_night(con, tmp_path, params, as_of - dt.timedelta(days=1))["model"] is None


def test_a_scoped_description_is_the_full_description_of_those_households(night):
    con, _, _ = night
    _reset(con)
    full = describe_households(con)
    ids = con.execute("SELECT DISTINCT household_id FROM candidates").fetchall()
    scoped = describe_households(con, "SELECT household_id FROM candidates")
    assert scoped.height == len(ids) > 0
    assert scoped.equals(full.filter(pl.col("household_id").is_in([i[0] for i in ids])))


def test_with_a_proxy_model_its_signals_are_those_of_every_covered_household(night, tmp_path):
    con, params, as_of = night
    _reset(con)
    full = describe_households(con)
    allow = pf.load_allow_list()
    rows = full.filter(pl.col("n_present") > 0)
    X = pf.matrix(rows, allow)
    # income follows deposits and spending: a covered household holding more than its composition peers is flagged
    wealth = [allow.names.index(c) for c in ("financial_to_std", "other_spend_to_std")]
    y = 2.0 * np.nan_to_num(X[:, wealth]).sum(axis=1)
    est = ProxyMeansRegressor(max_iter=10, min_samples_leaf=5, feature_names=allow.names, random_state=0).fit(X, y)
    sha = registry.save_model(est, registry.artifact_dir(tmp_path, "proxy-test") / "model.skops")
    (registry.artifact_dir(tmp_path, "proxy-test") / "card.json").write_text("{}", encoding="utf-8")
    registry.register(tmp_path, "proxy_means", "proxy-test", sha, "d", as_of, as_of, {})
    expected = signal_rows(full, est, "proxy-test", params, as_of)
    assert expected, "the test model must raise signals"
    con.execute(f"ATTACH '{db_path(tmp_path)}' AS store")  # as a night has it: the registry read on `con`
    try:
        report = score_night(con, tmp_path, params, as_of)
    finally:
        con.execute("DETACH store")
    raised = con.execute(
        "SELECT * FROM candidates WHERE warning_code = 'PROXY_SIGNAL' ORDER BY household_id"
    ).fetchall()
    ruled = {(h, k) for h, k in con.execute("SELECT household_id, condition_key FROM rules_candidates").fetchall()}
    assert raised == sorted(r for r in expected if (r[0], r[2]) not in ruled) and report["proxy_signals"] == len(raised)


def _reliable(con, hid):
    return describe_households(con, f"SELECT '{hid}' AS household_id")["income_reliable"][0]


def test_income_reliable_follows_its_definition_and_each_near_miss_breaks_it(night):
    """docs/rulebook.md 'The proxy-means model': authoritative providers only, every able working-age member every window month,
    no quarantined income row. One reliable household, then one change at a time."""
    con, _, _ = night
    full = describe_households(con)
    hid = full.filter((pl.col("income_reliable") == 1) & (pl.col("n_working_age_full") > 0))["household_id"][0]
    ctx = con.execute("SELECT window_start, month_of_d FROM rule_context").fetchone()
    # by hand: its window records all come from the four authoritative providers
    providers = {
        r[0]
        for r in con.execute(
            "SELECT DISTINCT i.provider FROM income i JOIN member_presence m USING (person_id) WHERE m.household_id = ? "
            "AND m.is_present AND i.month >= ? AND i.month < ?",
            [hid, *ctx],
        ).fetchall()
    }
    assert providers and providers <= {"tax", "social_insurance", "hr", "agriculture"}
    worker, rec = con.execute(
        "SELECT m.person_id, max(i.record_id) FROM member_presence m JOIN income i USING (person_id) JOIN rule_context c "
        "ON TRUE WHERE m.household_id = ? AND m.is_present AND m.labor_capacity = 'full' AND m.age >= "
        "c.tekun_supporter_min_age AND m.age < c.tekun_min_age AND i.month >= c.window_start AND i.month < c.month_of_d "
        "GROUP BY 1 ORDER BY 1 LIMIT 1",
        [hid],
    ).fetchone()
    con.execute("CREATE OR REPLACE TABLE income_kept AS SELECT * FROM income")
    con.execute("CREATE OR REPLACE TABLE quarantine_kept AS SELECT * FROM quarantine")
    try:
        # a declared record beside the department's: not reliable
        con.execute(
            "INSERT INTO income SELECT * REPLACE ('X-declared' AS record_id, 'declared' AS provider) "
            "FROM income WHERE record_id = ?",
            [rec],
        )
        assert _reliable(con, hid) == 0
        con.execute("CREATE OR REPLACE TABLE income AS SELECT * FROM income_kept")
        # a working-age worker's department record missing for one window month: not reliable
        con.execute(
            "DELETE FROM income WHERE person_id = ? AND month = (SELECT max(month) FROM income WHERE "
            "person_id = ? AND month < (SELECT month_of_d FROM rule_context))",
            [worker, worker],
        )
        assert _reliable(con, hid) == 0
        con.execute("CREATE OR REPLACE TABLE income AS SELECT * FROM income_kept")
        # a quarantined row whose record id has a valid version in the household: not reliable
        con.execute("INSERT INTO quarantine SELECT 'income', NULL, 'f.csv', 2, ?, 'X', 'x', 'x'", [rec])
        assert _reliable(con, hid) == 0
        con.execute("CREATE OR REPLACE TABLE quarantine AS SELECT * FROM quarantine_kept")
        assert _reliable(con, hid) == 1  # restored: reliable again
    finally:
        con.execute("CREATE OR REPLACE TABLE income AS SELECT * FROM income_kept")
        con.execute("CREATE OR REPLACE TABLE quarantine AS SELECT * FROM quarantine_kept")
