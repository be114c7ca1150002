"""Features of each candidate warning for the confirmation scorer: the household's as-of descriptors, the rule that
fired, and how many other conditions the household shows that night — only what `allow_list.yaml` names.

`candidate_frame(con, descriptors)` joins the night's `candidates` table to `models.ml.household.describe_households`
and returns one row per candidate (sorted by household_id, condition_key) with:
    keys:      household_id, warning_code, condition_key
    features:  every allow-listed column
    audit:     audit_* attributes for the fairness table (never model input)
`matrix(frame, allow)` turns the allow-listed columns into the float matrix the estimator reads, in allow-list order,
after checking that nothing banned or unlisted is asked for.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

import sql
from models.ml import allow_list
from models.rules.catalogue import CATALOGUE, SEVERITY_RANK

ALLOW_LIST = Path(__file__).with_name("allow_list.yaml")
KEYS = ("household_id", "warning_code", "condition_key")
# Category codes: the catalogue's order, fixed, so that a model and a night agree on what code 3 means.
WARNING_CODES = tuple(CATALOGUE)


def load_allow_list() -> allow_list.AllowList:
    return allow_list.load(ALLOW_LIST)


def candidate_frame(con, descriptors: pl.DataFrame) -> pl.DataFrame:
    cands = sql.frame(
        con, "SELECT household_id, warning_code, condition_key FROM candidates ORDER BY household_id, condition_key"
    )
    sev = pl.DataFrame(
        {"warning_code": list(CATALOGUE), "severity_rank": [SEVERITY_RANK[w.severity] for w in CATALOGUE.values()]}
    )
    counts = cands.group_by("household_id").agg(pl.len().cast(pl.Int32).alias("household_candidates"))
    out = (
        cands.join(sev, on="warning_code", how="left")
        .join(counts, on="household_id", how="left")
        .with_columns((pl.col("household_candidates") - 1).alias("household_candidates"))
        .join(descriptors, on="household_id", how="left")
    )
    return out.sort("household_id", "condition_key")


def matrix(frame: pl.DataFrame, allow: allow_list.AllowList, columns: list[str] | None = None) -> np.ndarray:
    """The float matrix of `columns` (default: the allow-list) in that order; categories as catalogue indices."""
    columns = list(columns or allow.names)
    allow.check_columns(columns)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise KeyError(f"{allow.path}: allow-listed features {missing} are missing from the candidate frame")
    parts = []
    for col in columns:
        if col == "warning_code":
            codes = frame[col].replace_strict(
                list(WARNING_CODES),
                [float(i) for i in range(len(WARNING_CODES))],
                default=None,
                return_dtype=pl.Float64,
            )
            parts.append(codes.fill_null(np.nan).to_numpy().astype(np.float64))
        else:
            parts.append(frame[col].cast(pl.Float64).fill_null(np.nan).to_numpy().astype(np.float64))
    return np.column_stack(parts) if parts else np.empty((frame.height, 0))
