"""The ML scorers' contracts on small hand-made data: estimator, allow-list, fairness, card, artifact loading."""

import datetime as dt
import pickle
import zipfile

import numpy as np
import polars as pl
import pytest
from sklearn.base import clone

from models.ml import card as cards
from models.ml import registry
from models.ml.allow_list import BannedFeatureError
from models.ml.confirmation import features as cf
from models.ml.confirmation.estimator import ConfirmationScorer
from models.ml.fairness import fairness_table
from models.ml.proxy_means import features as pf
from models.ml.proxy_means.estimator import ProxyMeansRegressor
from models.ml.random_review import inclusion_error_estimate


def _data(n=600, p=5, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    X[:, 0] = rng.integers(0, 4, n)  # a category
    y = ((X[:, 1] + 0.5 * (X[:, 0] == 2) + rng.normal(0, 1, n)) > 0.3).astype(int)
    return X, y


def test_confirmation_scorer_keeps_the_estimator_contract_and_is_deterministic():
    X, y = _data()
    est = ConfirmationScorer(
        max_iter=30, categorical=[True, False, False, False, False], calibration_min_rows=100, random_state=3
    )
    assert clone(est).get_params() == est.get_params()
    a = est.fit(X, y).predict_proba(X)
    b = clone(est).fit(X, y).predict_proba(X)
    assert a.shape == (len(X), 2) and np.allclose(a.sum(axis=1), 1)
    assert np.array_equal(a, b), "same data and seed must give the same scores"
    assert set(np.unique(est.predict(X))) <= {0, 1}
    assert est.calibrator_ is not None and est.calibrated_on_ == 150
    expl = est.explain(X[:5])
    assert len(expl) == 5 and all(len(e) <= 3 for e in expl)
    with pytest.raises(ValueError):
        est.predict_proba(X[:, :3])


def test_too_few_calibration_rows_keep_the_boosters_own_probabilities():
    X, y = _data()  # 600 rows: the last 150 would calibrate, fewer than the default minimum of 500
    est = ConfirmationScorer(max_iter=30, categorical=[True, False, False, False, False], random_state=3).fit(X, y)
    assert est.calibrator_ is None and est.calibrated_on_ == 0
    assert np.array_equal(est.predict_proba(X)[:, 1], est.booster_.predict_proba(X)[:, 1])


def test_confirmation_scorer_refuses_one_class_labels():
    X, _ = _data(100)
    with pytest.raises(ValueError, match="one class"):
        ConfirmationScorer(max_iter=5).fit(X, np.zeros(100))


def test_proxy_regressor_contract():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(400, 3))
    y = np.exp(X[:, 0]) + 0.1
    est = ProxyMeansRegressor(max_iter=30, random_state=0).fit(X, y)
    assert np.array_equal(est.predict(X), clone(est).fit(X, y).predict(X))
    assert (est.predict(X) > -1).all()


def test_a_banned_feature_fails_loudly():
    allow = cf.load_allow_list()
    frame = pl.DataFrame({"sex": [1.0], "warning_code": ["EDGE_FAMILY"]})
    for col in ("sex", "region6", "head_name", "reasons", "audit_hukou_type", "hukou_type", "street_code"):
        with pytest.raises(BannedFeatureError, match="allow_list.yaml"):
            cf.matrix(frame.rename({"sex": col}) if col != "sex" else frame, allow, [col])
    with pytest.raises(BannedFeatureError, match="not on the reviewed allow-list"):
        cf.matrix(frame, allow, ["shoe_size"])


def test_an_allow_list_naming_a_banned_feature_is_refused(tmp_path):
    text = cf.ALLOW_LIST.read_text(encoding="utf-8") + "  birthplace_code: {kind: number, policy: x, label_zh: 籍贯}\n"
    path = tmp_path / "allow_list.yaml"
    path.write_text(text, encoding="utf-8")
    from models.ml import allow_list

    with pytest.raises(BannedFeatureError, match="banned"):
        allow_list.load(path)


def test_both_allow_lists_load_and_keep_income_out_of_the_proxy():
    assert "warning_code" in cf.load_allow_list().names
    names = pf.load_allow_list().names
    recorded_income = {
        "per_capita",
        "per_capita_to_std",
        "recent_to_std",
        "prior_to_std",
        "income_known",
        "income_records",
        "income_months",
        "declared_share",
        "income_sources",
        "exempt_income_to_std",
    }
    assert names and not recorded_income & set(names)


def test_fairness_table_on_known_rates():
    # group A: 10 warnings, 4 flagged (3 confirmed, 1 dismissed), 6 not flagged (all dismissed) -> FPR 1/7
    # group B: 10 warnings, 2 flagged (0 confirmed), 8 not flagged (2 confirmed, 6 dismissed) -> FPR 2/8
    rows = (
        [("A", True, 1)] * 3
        + [("A", True, 0)]
        + [("A", False, 0)] * 6
        + [("B", True, 0)] * 2
        + [("B", False, 1)] * 2
        + [("B", False, 0)] * 6
    )
    f = pl.DataFrame(rows, schema=["audit_street_code", "flagged", "label"], orient="row")
    table = {(r["dimension"], r["group"]): r for r in fairness_table(f, {"street": "audit_street_code"})}
    overall, a, b = table[("overall", "all")], table[("street", "A")], table[("street", "B")]
    assert overall["flag_rate"] == 0.3 and overall["confirmation_rate"] == 0.5
    assert overall["false_positive_rate"] == round(3 / 15, 4)
    assert a["flag_rate"] == 0.4 and a["flag_rate_ratio"] == round(0.4 / 0.3, 3)
    assert a["confirmation_rate"] == 0.75 and a["confirmation_rate_ratio"] == 1.5
    assert a["false_positive_rate"] == round(1 / 7, 4)
    assert b["confirmation_rate"] == 0.0 and b["false_positive_rate"] == 0.25
    assert b["false_positive_rate_ratio"] == round(0.25 / 0.2, 3)


def test_random_review_estimate_has_a_wilson_interval():
    e = inclusion_error_estimate(10, 100)
    assert e["rate"] == 0.1 and e["ci_low"] < 0.1 < e["ci_high"]
    assert round(e["ci_low"], 3) == 0.055 and round(e["ci_high"], 3) == 0.174
    assert inclusion_error_estimate(0, 0)["rate"] is None


def test_model_card_has_every_section():
    card = {s: f"text for {s}" for s in cards.SECTIONS} | {"model_id": "m1", "kind": "confirmation"}
    md = cards.to_markdown(card)
    for s in cards.SECTIONS:
        assert f"## {cards.TITLES[s]}" in md
    del card["fairness"]
    with pytest.raises(ValueError, match="fairness"):
        cards.to_markdown(card)


def test_loading_refuses_anything_but_a_registered_skops_file(tmp_path):
    X, y = _data(200)
    est = ConfirmationScorer(max_iter=5, random_state=0).fit(X, y)
    good = tmp_path / "model.skops"
    sha = registry.save_model(est, good)
    loaded = registry.load_model(good, sha)
    assert np.array_equal(loaded.predict_proba(X), est.predict_proba(X))
    pick = tmp_path / "model.pkl"
    pick.write_bytes(pickle.dumps(est))
    with pytest.raises(registry.ModelFileRefused, match="not a skops archive"):
        registry.load_model(pick)
    disguised = tmp_path / "evil.skops"
    disguised.write_bytes(pickle.dumps(est))
    with pytest.raises(registry.ModelFileRefused, match="not a skops archive"):
        registry.load_model(disguised)
    plain_zip = tmp_path / "plain.skops"
    with zipfile.ZipFile(plain_zip, "w") as zf:
        zf.writestr("x.txt", "hello")
    with pytest.raises(registry.ModelFileRefused, match="schema.json"):
        registry.load_model(plain_zip)
    with pytest.raises(registry.ModelFileRefused, match="the file changed"):
        registry.load_model(good, "0" * 64)


def test_the_same_fit_gives_the_same_artifact_bytes(tmp_path):
    """Two fits of the same data and seed are different objects at different addresses, written at different times:
    their skops files must still be byte-identical (the model id is taken from the sha256), and load back intact."""
    X, y = _data(300)
    shas = []
    for name in ("a", "b"):
        est = ConfirmationScorer(
            max_iter=10, categorical=[True, False, False, False, False], calibration_min_rows=50, random_state=3
        ).fit(X, y)
        shas.append(registry.save_model(est, tmp_path / name / "model.skops"))
    assert shas[0] == shas[1]
    assert (tmp_path / "a" / "model.skops").read_bytes() == (tmp_path / "b" / "model.skops").read_bytes()
    loaded = registry.load_model(tmp_path / "a" / "model.skops", shas[0])
    assert np.array_equal(loaded.predict_proba(X), est.predict_proba(X))
    assert loaded.explain(X[:3]) == est.explain(X[:3])


def test_a_card_keeps_its_measured_seconds_apart():
    card = {
        "model_id": "m",
        "timings": {"fit_seconds": 1.5},
        "metrics": {"pr_auc": 0.4, "estimator_comparison": [{"estimator": "lr", "fit_seconds": 0.2, "brier": 0.1}]},
    }
    stable, timings = cards.split_timings(card)
    assert stable == {
        "model_id": "m",
        "timings": cards.TIMINGS_NOTE,
        "metrics": {"pr_auc": 0.4, "estimator_comparison": [{"estimator": "lr", "brier": 0.1}]},
    }
    assert timings == {"timings": {"fit_seconds": 1.5}, "metrics.estimator_comparison[0].fit_seconds": 0.2}


def test_registry_activation_dates(tmp_path):
    for mid, act in (("confirmation-a", dt.date(2026, 1, 1)), ("confirmation-b", dt.date(2026, 3, 1))):
        registry.register(tmp_path, "confirmation", mid, "s", "d", act, act, {})
    assert registry.active(tmp_path, "confirmation", dt.date(2025, 12, 31)) is None
    assert registry.active(tmp_path, "confirmation", dt.date(2026, 2, 1)).model_id == "confirmation-a"
    assert registry.active(tmp_path, "confirmation", dt.date(2026, 3, 1)).model_id == "confirmation-b"
    assert registry.active(tmp_path, "proxy_means", dt.date(2026, 3, 1)) is None
    assert registry.active(tmp_path / "none", "confirmation", dt.date(2026, 3, 1)) is None
