"""Features and target of the proxy-means regression, from the as-of household descriptors (models/ml/household.py).

Training rows: households with at least one member present whose income records are complete — a record in every month
of the income window (`income_months` = window months) — so that the target is a recorded income, not a guess. The
target is per-capita income over the standard. Only what `allow_list.yaml` names reaches the model.
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
    return descriptors.filter((pl.col("n_present") > 0) & (pl.col("income_months") >= window_months)
                              & pl.col("per_capita_to_std").is_not_null()).sort("household_id")


def matrix(frame: pl.DataFrame, allow: allow_list.AllowList) -> np.ndarray:
    allow.check_columns(allow.names)
    return np.column_stack([frame[c].cast(pl.Float64).fill_null(np.nan).to_numpy() for c in allow.names])


def target(frame: pl.DataFrame) -> np.ndarray:
    return frame["per_capita_to_std"].cast(pl.Float64).to_numpy()
