"""`safetynet train`: fit, evaluate, card and register the ML scorers for a training date (issue #6 §5).

For training date T: the proxy-means regression on the description of every household that the latest night on or
before T saved in the store (`<store>/ml/households/<YYYY-MM>.parquet`; a `--history` folder's, when given), fitted on
the households whose income the feeds show reliably (RELIABLE_RULE); the confirmation scorer on labelled warnings known
by T (models/ml/labels.py). A store with household descriptions and no outcomes yet trains the proxy-means model alone
(the confirmation scorer is reported as not trained); with neither, training fails. Each model becomes an artifact folder
`<store>/models/<model_id>/` (model.skops, card.md, card.json, timings.json) and a row of the store's `models` table,
active from `activate` (default T + 1 day, so that a night already run on T is never changed by a later training).
Training the same data with the same parameters and code gives the same artifact bytes, card and model id.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import time
from pathlib import Path

import polars as pl

from models.ml import card as cards
from models.ml import labels, registry, review_measures
from models.ml.confirmation.train import HYPER as CONF_HYPER
from models.ml.confirmation.train import train_confirmation
from models.ml.proxy_means.train import HYPER as PROXY_HYPER
from models.ml.proxy_means.train import train_proxy
from models.rules.months import month_index, month_start
from models.rules.parameters import ParameterSet

INTENDED_USE = {
    "confirmation": (
        "Orders the verification queue: for each warning the rules (or the random review, or the proxy "
        "signal) raised, the calibrated probability that a caseworker's verification confirms it, so the "
        "likeliest are worked first within the same deadline. It never raises or closes a warning, never "
        "decides eligibility and never changes an entitlement (docs/POLICY.md §2)."
    ),
    "proxy_means": (
        "Estimates per-capita income from proxies (assets, spending, household composition, hukou "
        "type) to raise a low-severity PROXY_SIGNAL for verification. The estimate is never income: MCA "
        "forbids imputing 'virtual income'; it may rank a warning, never decide (docs/POLICY.md §2)."
    ),
}
LIMITS = {
    "confirmation": [
        "Outcomes are the labels, and caseworkers verify what the rules put first: the labels are selected, not random. "
        "Only the RANDOM_REVIEW slice is an unbiased sample; the card reports which rows came from which selection.",
        "A warning type with few outcomes gets a score close to its type's past confirmation rate and little more.",
        "Metrics on the synthetic district measure the synthetic verification model (flows/devtools/synthetic/outcomes_history.py), "
        "not Shapingba's caseworkers. Re-measure on real outcomes before relying on any lift.",
        "Explanations are 'what-if' effects (the feature at its typical value); they describe the model, not a cause.",
        "Protected traits are not inputs, but features can correlate with them: read the fairness table every run.",
    ],
    "proxy_means": [
        "Trained on households whose recorded income is complete; recorded income may itself understate true income, "
        "so the estimate learns recorded, not true, income.",
        "A large gap between estimate and record is a reason to verify, never evidence of fraud.",
        "Location is not an input; hukou type is (urban/rural), and the standard in force scales the target.",
        "PROXY_SIGNAL compares a covered household's assets and spending with those of covered households of the same "
        "composition (size, a member 60+, a member without labour capacity or with a grade 1-2 disability), not with "
        "everyone: composition alone (older, disabled, large households record little income) is no sign of hidden "
        "income. Measured on generated districts only (docs/adr/0016-proxy-signal-against-composition-peers.md).",
        "Fairness ratios on the random-review slice rest on a handful of flagged households per group: read n.",
    ],
}


MIN_PROXY_ROWS = 100
RELIABLE_RULE = (
    "households whose income the feeds show reliably: members present; an income record in each of the "
    "{window} window months; every record from an authoritative department (tax, social insurance, human "
    "resources, agriculture), none declared or from a survey; every working-age member (18-59) with "
    "labour capacity reported by such a department in every window month; no quarantined income row tied "
    "to the household. Target: recorded per-capita income / dibao standard."
)


REVIEW_METHOD = (
    "From the store's RANDOM_REVIEW outcomes (a random sample of covered households, models/ml/random_review.py) "
    "imported by the training date: inclusion_error = confirmed / reviewed; proxy_precision = confirmed / "
    "verified PROXY_SIGNAL warnings raised in the month; proxy_recall_on_review_errors = share of the "
    "random-review households confirmed as not qualifying that a PROXY_SIGNAL had flagged by the training "
    "date. Each with n and a 95% Wilson interval; 'all' pools the months."
)
WEIGHTS_METHOD = (
    "Inverse-probability weights undo the selection of the labels: a RANDOM_REVIEW outcome stands for "
    "the covered households of its street (from the latest household description) divided by the "
    "random-review outcomes of that street and month; a targeted outcome (a rule's warning, PROXY_SIGNAL) "
    "has weight 1, every such warning going to verification. Weights are rescaled to mean 1. The card "
    "compares the model with the rules order and random on the held-out random-review slice."
)
FAIRNESS_DEFINITION = (
    "PROXY_SIGNAL on the random-review slice (reviewed households with an outcome): flagged = the "
    "household had a PROXY_SIGNAL warning; confirmation_rate = precision among the flagged; ratios to "
    "the whole slice; a ratio outside [0.8, 1.25] is shown in red; a group with fewer than "
    f"{review_measures.MIN_GROUP} reviewed households is 'n too small to judge'."
)


def features_rows(descriptors: pl.DataFrame, window: int) -> int:
    from models.ml.proxy_means.features import training_rows

    return training_rows(descriptors, window).height


def _months_before(d: dt.date, months: int) -> dt.date:
    mi = month_index(d) - months
    return month_start(mi, min(d.day, 28))


def _save(
    store_root: Path, kind: str, as_of: dt.date, estimator, card: dict, data_sha: str, activate: dt.date, params: dict
) -> registry.ModelEntry:
    staging = Path(store_root) / "models" / f".partial-{kind}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    sha = registry.save_model(estimator, staging / "model.skops")
    model_id = f"{kind}-{as_of:%Y%m%d}-{sha[:10]}"
    card = {
        "model_id": model_id,
        "kind": kind,
        "trained_as_of": as_of.isoformat(),
        "activation_date": activate.isoformat(),
        **card,
    }
    card["hashes"] = {"model_sha256": sha, "training_data_sha256": data_sha, **card.get("hashes", {})}
    stable, timings = cards.split_timings(card)
    (staging / "card.json").write_text(cards.dumps(stable), encoding="utf-8")
    (staging / "card.md").write_text(cards.to_markdown(stable), encoding="utf-8")
    (staging / "timings.json").write_text(cards.dumps(timings), encoding="utf-8")
    target = registry.artifact_dir(store_root, model_id)
    shutil.rmtree(target, ignore_errors=True)
    os.replace(staging, target)
    return registry.register(store_root, kind, model_id, sha, data_sha, as_of, activate, params)


def train(
    store_root: Path,
    as_of: dt.date,
    params: ParameterSet,
    history: Path | None = None,
    activate: dt.date | None = None,
    valid_months: int = 2,
    drift_months: int = 6,
) -> dict:
    store_root = Path(store_root)
    store_root.mkdir(parents=True, exist_ok=True)
    activate = activate or as_of + dt.timedelta(days=1)
    k = dict(params.value("ml.capacity_per_street_week", as_of))
    seed = int(params.value("ml.seed", as_of))
    deadlines = params.value("catalogue.deadline_working_days", as_of)
    used = {n: params.at(n, as_of).value for n in ("ml.capacity_per_street_week", "ml.seed")}
    out: dict = {"as_of": as_of.isoformat(), "activation_date": activate.isoformat(), "models": {}, "skipped": {}}

    descriptors = labels.households_from_history(history) if history else None
    source = "history folder"
    if descriptors is None:
        descriptors = labels.households_from_store(store_root, as_of)
        source = (
            f"store: the description of every household saved by the night of {descriptors['as_of'][0]}"
            if descriptors is not None
            else None
        )
    window = int(params.value("income.window_months", as_of))
    if descriptors is None:
        out["skipped"]["proxy_means"] = (
            f"no household description on or before {as_of} in {store_root} "
            "(a night saves one each month) and no --history folder"
        )
    elif features_rows(descriptors, window) < MIN_PROXY_ROWS:
        out["skipped"]["proxy_means"] = (
            f"only {features_rows(descriptors, window)} households whose income the "
            f"feeds show reliably: too few (< {MIN_PROXY_ROWS}) to fit a proxy-means model"
        )
    else:
        hidden = None
        hidden_path = Path(history or store_root) / "hidden_income_households.parquet"
        if history and hidden_path.is_file():
            hidden = pl.read_parquet(hidden_path)
        t = time.perf_counter()
        review = review_measures.store_measures(store_root, as_of)
        pest, prep, prows = train_proxy(descriptors, window, seed, hidden)
        p_s = time.perf_counter() - t
        pcard = {
            "intended_use": INTENDED_USE["proxy_means"],
            "limits": LIMITS["proxy_means"],
            "data": {
                "households_described": prep["households_described"],
                "training_rows": prep["training_rows"] + prep["holdout_rows"],
                "source": source,
                "rule": RELIABLE_RULE.format(window=window),
            },
            "features": prep["features"],
            "parameters": {
                "estimator": "ProxyMeansRegressor (HistGradientBoostingRegressor on log(1 + income/standard))",
                **PROXY_HYPER,
                "random_state": seed,
                "signal_thresholds": {
                    n: params.at(n, as_of).value
                    for n in (
                        "ml.proxy_min_priority",
                        "ml.proxy_missing_min_estimate",
                        "ml.proxy_savings_spread_months",
                    )
                },
            },
            "metrics": {k2: v for k2, v in prep.items() if k2.startswith(("holdout", "hidden"))}
            | {
                "random_review_by_month": review_measures.flat_rows(review["monthly"])
                or "no random-review outcomes yet",
                "random_review_method": REVIEW_METHOD,
            },
            "calibration": "not a classifier: see metrics (R² and errors on the log scale, 20% held-out households)",
            "drift": "measured through the confirmation scorer on PROXY_SIGNAL warnings once they have outcomes",
            "fairness": {
                "definition": FAIRNESS_DEFINITION,
                "random_review_slice": review["fairness"] or "no random-review outcomes yet",
            },
            "hashes": {"allow_list_sha256": prep["allow_list_sha256"], "parameters_sha256": params.hash},
            "timings": {"train_and_evaluate_seconds": round(p_s, 2)},
        }
        pentry = _save(
            store_root,
            "proxy_means",
            as_of,
            pest,
            pcard,
            labels.frame_sha256(prows),
            activate,
            {"hyper": PROXY_HYPER, "window_months": window},
        )
        out["models"]["proxy_means"] = {"model_id": pentry.model_id, "sha256": pentry.sha256, "card": pcard}
    t = time.perf_counter()
    try:
        labelled = labels.load(store_root, as_of, history, deadlines)
    except FileNotFoundError as exc:
        if "proxy_means" not in out["models"]:
            raise
        out["skipped"]["confirmation"] = str(exc)
        return out
    load_s = time.perf_counter() - t
    t = time.perf_counter()
    covered = None
    if descriptors is not None and "audit_street_code" in descriptors.columns:
        covered = dict(descriptors.filter(pl.col("is_covered") == 1).group_by("audit_street_code").len().iter_rows())
    est, rep, rows = train_confirmation(labelled, as_of, k, seed, valid_months, drift_months, covered)
    train_s = time.perf_counter() - t
    data_sha = labels.frame_sha256(rows)
    ev = rep.get("evaluation", {})
    card = {
        "intended_use": INTENDED_USE["confirmation"],
        "limits": LIMITS["confirmation"],
        "data": {
            "source": "history folder" if history else "store outcomes",
            "period_raised": rep["period"],
            "training_rows": rep["training_rows"],
            "confirmed_share": rep["training_positive_rate"],
            "selection": rep["selection"],
            "validation_window": rep["valid_window"],
            "label_basis_of_evaluation": ev.get("label_basis"),
            "random_review_inclusion_error": rep["random_review"],
            "selection_weights": rep["weights"],
            "selection_weights_method": WEIGHTS_METHOD,
        },
        "features": rep["features"],
        "parameters": {
            "estimator": "ConfirmationScorer (HistGradientBoostingClassifier + calibration on the latest "
            "25% of rows, frozen booster)",
            **CONF_HYPER,
            "random_state": seed,
            "parameters_in_force": used,
            "valid_months": valid_months,
            "drift_months": drift_months,
        },
        "metrics": {
            k2: ev.get(k2)
            for k2 in (
                "warnings",
                "weeks",
                "streets",
                "base_rate",
                "pr_auc",
                "brier",
                "precision_at_k",
                "lift_vs_rules",
                "lift_vs_random",
                "rules_lift_vs_random",
                "by_code",
                "note",
            )
            if k2 in ev
        }
        | {
            "estimator_comparison": rep.get("comparison", []),
            "random_review_slice": rep.get("random_review_slice", {"note": "no evaluation window"}),
        },
        "calibration": {"brier": ev.get("brier"), "reliability": ev.get("reliability", [])},
        "drift": rep.get("drift", {"note": "no evaluation window"}),
        "fairness": {
            "definition": "held-out warnings; flagged = among the k per street and week the model puts first",
            "model_order": rep.get("fairness", []),
            "rules_order": rep.get("fairness_rules_order", []),
            "outside_four_fifths_model": rep.get("fairness_screen", []),
        },
        "hashes": {"allow_list_sha256": rep["allow_list_sha256"], "parameters_sha256": params.hash},
    }
    card["timings"] = {
        "load_labels_seconds": round(load_s, 2),
        "train_and_evaluate_seconds": round(train_s, 2),
        "final_fit_seconds": rep["fit_seconds"],
    }
    entry = _save(store_root, "confirmation", as_of, est, card, data_sha, activate, used | {"hyper": CONF_HYPER})
    out["models"]["confirmation"] = {"model_id": entry.model_id, "sha256": entry.sha256, "card": card}

    return out


def summary(result: dict) -> str:
    lines = [f"trained as of {result['as_of']}, active from {result['activation_date']}"]
    lines += [f"  {kind:<13} not trained: {why}" for kind, why in result.get("skipped", {}).items()]
    for kind, m in result["models"].items():
        lines.append(f"  {kind:<13} {m['model_id']}")
        met = m["card"]["metrics"]
        if kind == "confirmation" and met.get("precision_at_k"):
            p = met["precision_at_k"]
            lines.append(
                f"    precision@k  model {p['model']['precision']}  rules {p['rules']['precision']}  "
                f"random {p['random']['precision']}   PR-AUC {met.get('pr_auc')}  Brier {met.get('brier')}"
            )
        elif kind == "proxy_means":
            lines.append(f"    {json.dumps(met, ensure_ascii=False)}")
    return "\n".join(lines)
