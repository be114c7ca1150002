"""Features and target of the proxy-means regression, from the as-of household descriptors (models/ml/household.py).

Training rows: households with at least one member present whose income the feeds show reliably (`income_reliable`,
models/ml/household.py: a record in every window month, only authoritative providers, every working-age member with
labour capacity reported every month, no quarantined income row), so that the target is an income a department
recorded, not what a family declared. A description without that column (an older history folder) falls back to
complete records (`income_months` = window months). The target is per-capita income over the standard. Only what `allow_list.yaml` names reaches the model.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from models.ml import allow_list

ALLOW_LIST = Path(__file__).with_name("allow_list.yaml")


def load_allow_list() -> allow_list.AllowList:
    return allow_list.load(ALLOW_LIST)


def training_rows(descriptors: pl.DataFrame, window_months: int) -> pl.DataFrame:
    reliable = (pl.col("income_reliable") == 1) if "income_reliable" in descriptors.columns else pl.lit(True)
    return descriptors.filter(
        (pl.col("n_present") > 0)
        & (pl.col("income_months") >= window_months)
        & reliable
        & pl.col("per_capita_to_std").is_not_null()
    ).sort("household_id")


def matrix(frame: pl.DataFrame, allow: allow_list.AllowList) -> np.ndarray:
    allow.check_columns(allow.names)
    return np.column_stack([frame[c].cast(pl.Float64).fill_null(np.nan).to_numpy() for c in allow.names])


def target(frame: pl.DataFrame) -> np.ndarray:
    return frame["per_capita_to_std"].cast(pl.Float64).to_numpy()
