"""The ML stage of a night, called right after the rules: extra candidates, then scores for every candidate.

`score_night(con, store_root, params, as_of)`:
1. adds `RANDOM_REVIEW` candidates (the month's seeded random slice, models/ml/random_review.py) whenever its parameters
   are in force — with or without a model, since the slice is what makes honest evaluation possible;
2. with a proxy-means model active on D, adds `PROXY_SIGNAL` candidates (models/ml/proxy_means/signal.py);
3. creates `candidate_scores(household_id, condition_key, score, explanation)`: with a confirmation model active on D,
   one row per candidate (the calibrated probability that verification confirms it, and the top features in Chinese as
   JSON); with no model, the table is empty and the queue falls back to the rules order (deadline, then severity).
4. saves the night's candidate features to `<store>/ml/candidate_features/<as_of>.parquet` for later training;
5. on the first night a store runs in a calendar month, saves the description of every household to
   `<store>/ml/households/<YYYY-MM>.parquet`: what `safetynet train` fits the proxy-means model on (models/ml/training.py),
   so that a store needs no history folder to train one. Once a month, not nightly: at a million households describing
   everyone is the one costly part of the stage.
Returns a report whose "model" is what the run manifest records: None, or {kind: {model_id, sha256, activation_date}}.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path

import numpy as np
import polars as pl

from models.ml import random_review, registry
from models.ml.confirmation import explain
from models.ml.confirmation import features as cf
from models.ml.household import describe_households
from models.ml.labels import FEATURES_DIR, HOUSEHOLDS_DIR
from models.ml.proxy_means.signal import signal_rows
from models.rules.parameters import ParameterSet

NO_PROXY_MODEL = "no proxy-means model active on this night: PROXY_SIGNAL not raised (train one: safetynet train)"
SCORES_DDL = (
    "CREATE OR REPLACE TABLE candidate_scores (household_id VARCHAR, condition_key VARCHAR, score DOUBLE, "
    "explanation VARCHAR)"
)
CANDIDATE_COLUMNS = ("household_id", "warning_code", "condition_key", "reasons", "evidence")
# The households a night describes: its candidates, and with a proxy model every covered household (the proxy reads them).
SCOPE_CANDIDATES = "SELECT household_id FROM candidates"
SCOPE_WITH_COVERED = SCOPE_CANDIDATES + " UNION ALL SELECT household_id FROM household_features WHERE is_covered"


def _insert_candidates(con, rows: list[tuple]) -> int:
    """Add (household_id, warning_code, condition_key, reasons, evidence) rows whose (household, condition) the rules
    have not raised already; keep `candidates` sorted. Returns how many were added."""
    if not rows:
        return 0
    with con.cursor() as cur:  # a fresh connection to the same database: no pending result on `con` can block it
        cur.register(
            "ml_new_candidates", pl.DataFrame(rows, schema=dict.fromkeys(CANDIDATE_COLUMNS, pl.String), orient="row")
        )
        added = cur.execute("""INSERT INTO candidates SELECT n.* FROM ml_new_candidates n
                               ANTI JOIN candidates c ON c.household_id = n.household_id
                                                     AND c.condition_key = n.condition_key""").fetchall()[0][0]
    if added:
        con.execute(
            "CREATE OR REPLACE TABLE candidates AS SELECT * FROM candidates "
            "ORDER BY household_id, warning_code, condition_key"
        )
    return added


def score_candidates(frame: pl.DataFrame, estimator, model_id: str) -> pl.DataFrame:
    """(household_id, condition_key, score, explanation) for every row of the candidate frame."""
    out = frame.select("household_id", "condition_key")
    if frame.height == 0:
        return out.with_columns(score=pl.lit(None, pl.Float64), explanation=pl.lit(None, pl.String))
    allow = cf.load_allow_list()
    columns = list(getattr(estimator, "feature_names_", None) or allow.names)
    X = cf.matrix(frame, allow, columns)
    scores = estimator.predict_proba(X)[:, 1]
    # the JSON explanations are per-row text (a few thousand rows at 1M households); the numbers are computed vectorised
    texts = [
        explain.explanation(model_id, s, x, c, allow, columns)
        for s, x, c in zip(scores, X, estimator.explain(X, top=3))
    ]
    return out.with_columns(
        score=pl.Series(np.round(scores, 6), dtype=pl.Float64), explanation=pl.Series(texts, dtype=pl.String)
    )


def save_candidate_features(frame: pl.DataFrame, store_root: Path, as_of: dt.date) -> str:
    """The night's candidate features, so that later outcomes can train on what was known when each warning was raised
    (models/ml/labels.py). A pure function of the night: a rerun rewrites the same file."""
    return save_frame(frame, store_root, Path(store_root) / FEATURES_DIR / f"{as_of.isoformat()}.parquet")


def save_frame(frame: pl.DataFrame, store_root: Path, path: Path) -> str:
    """Write a parquet file atomically; return its path relative to the store."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".partial")
    frame.write_parquet(tmp)
    os.replace(tmp, path)
    return str(path.relative_to(store_root))


def add_random_review(con, params: ParameterSet, as_of: dt.date) -> int:
    """Add night D's random-review slice to the rules' candidates (those not raised already); returns how many. The
    nightly scoring's first step, and the outcome history's at each replayed date."""
    return _insert_candidates(con, random_review.review_rows(con, params, as_of))


def score_night(con, store_root: Path, params: ParameterSet, as_of: dt.date) -> dict:
    started = time.perf_counter()
    report: dict = {"model": None}
    report["random_reviews"] = add_random_review(con, params, as_of)
    conf = registry.load_active(store_root, "confirmation", as_of, con)
    proxy = registry.load_active(store_root, "proxy_means", as_of, con)
    month_file = Path(store_root) / HOUSEHOLDS_DIR / f"{as_of:%Y-%m}.parquet"
    if not month_file.is_file():
        everyone = describe_households(con)
        report["households_file"] = save_frame(
            everyone.with_columns(pl.lit(as_of).alias("as_of")), store_root, month_file
        )
        descriptors = everyone
    else:
        descriptors = describe_households(con, SCOPE_CANDIDATES if proxy[0] is None else SCOPE_WITH_COVERED)
    models = {}
    if proxy[0] is not None:
        entry, est, _ = proxy
        report["proxy_signals"] = _insert_candidates(
            con, signal_rows(descriptors, est, entry.model_id, params, as_of, con)
        )
        models["proxy_means"] = {
            "model_id": entry.model_id,
            "sha256": entry.sha256,
            "activation_date": entry.activation_date.isoformat(),
        }
    else:
        report["proxy_signals"] = None
        report["proxy_note"] = NO_PROXY_MODEL
    frame = cf.candidate_frame(con, descriptors)  # the candidates are final from here on
    con.execute(SCORES_DDL)
    if conf[0] is not None:
        entry, est, _ = conf
        scores = score_candidates(frame, est, entry.model_id)
        con.register("ml_scores", scores)
        try:
            con.execute(
                "INSERT INTO candidate_scores SELECT household_id, condition_key, score, explanation FROM ml_scores"
            )
        finally:
            con.unregister("ml_scores")
        report["scored"] = scores.height
        models["confirmation"] = {
            "model_id": entry.model_id,
            "sha256": entry.sha256,
            "activation_date": entry.activation_date.isoformat(),
        }
    report["features_file"] = save_candidate_features(frame, store_root, as_of)
    report["model"] = models or None
    report["seconds"] = round(time.perf_counter() - started, 3)
    return report
