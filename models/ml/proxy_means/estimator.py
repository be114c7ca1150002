"""The proxy-means regression: per-capita monthly income estimated from proxies (assets, spending, household
composition, payment history), fitted on households whose income records are complete.

Fitted on log(1 + income per capita / standard) with a histogram gradient-boosting regressor (robust to skew,
missing values and interactions), predicted back on the ratio scale: `predict` returns estimated per-capita income as a
multiple of the dibao standard in force. An estimate is a ranking signal for verification, never an income imputed to a
household (MCA: no "virtual income"; docs/POLICY.md §2).
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.utils.validation import check_is_fitted


class ProxyMeansRegressor(RegressorMixin, BaseEstimator):
    def __init__(
        self,
        learning_rate=0.1,
        max_iter=200,
        max_leaf_nodes=31,
        min_samples_leaf=50,
        feature_names=None,
        random_state=0,
    ):
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.max_leaf_nodes = max_leaf_nodes
        self.min_samples_leaf = min_samples_leaf
        self.feature_names = feature_names
        self.random_state = random_state

    def fit(self, X, y):
        """`y`: recorded per-capita income as a multiple of the standard (≥ 0)."""
        X = np.asarray(X, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        if len(X) != len(y) or not np.isfinite(y).all():
            raise ValueError("expected one finite target per row")
        self.n_features_in_ = X.shape[1]
        self.feature_names_ = list(self.feature_names) if self.feature_names is not None else []
        self.booster_ = HistGradientBoostingRegressor(
            learning_rate=self.learning_rate,
            max_iter=self.max_iter,
            max_leaf_nodes=self.max_leaf_nodes,
            min_samples_leaf=self.min_samples_leaf,
            early_stopping=False,
            random_state=self.random_state,
        )
        self.booster_.fit(X, np.log1p(np.clip(y, 0, None)))
        resid = np.log1p(np.clip(y, 0, None)) - self.booster_.predict(X)
        self.residual_sd_ = float(np.std(resid))
        # reference row for explanations: the training median of each proxy
        self.reference_ = np.nanmedian(np.where(np.isfinite(X), X, np.nan), axis=0)
        return self

    def predict(self, X):
        check_is_fitted(self, "booster_")
        X = np.asarray(X, dtype=np.float64)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(f"expected {self.n_features_in_} features, found {X.shape[1]}")
        return np.expm1(self.booster_.predict(X))

    def explain(self, X, top=3):
        """Per row: [(feature index, effect)] of the `top` proxies that raise the estimate most, where effect = estimate
        − estimate with that proxy at its training median (a multiple of the standard; only positive effects: the
        evidence names what pushed the estimate up)."""
        X = np.asarray(X, dtype=np.float64)
        base = self.predict(X)
        effects = np.zeros_like(X)
        for j in range(X.shape[1]):
            Xj = X.copy()
            Xj[:, j] = self.reference_[j]
            effects[:, j] = base - self.predict(Xj)
        order = np.argsort(-effects, axis=1, kind="stable")[:, :top]
        return [[(int(j), float(effects[i, j])) for j in order[i] if effects[i, j] >= 0.05] for i in range(len(X))]
