"""Labelled warnings for training: each warning's features as of the night it was raised, and its outcome.

Two sources, stacked:
- a history folder (`--history DIR`, e.g. written by flows/devtools/synthetic/outcomes_history.py):
  `labelled_warnings.parquet`, one row per warning (first raise of a household and condition) with columns
  as_of (raised), week, household_id, warning_code, condition_key, deadline_days, severity_rank, the allow-listed
  features, audit_*, label (1 confirmed / 0 dismissed / null), selected_by, resolved_date and, on synthetic data only,
  truth (what verification would find for every warning); and `households.parquet`, the household descriptors of the
  last night (for the proxy-means model);
- the store: outcomes imported on or before the training date (`outcomes`), joined to the warning they close
  (`warning_snapshots`) and to the features that night's ML stage saved (`<store>/ml/candidate_features/<date>.parquet`).
A label is usable for training on date T only if its outcome was resolved (imported) on or before T.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import polars as pl

import sql
from flows import store as stored
from models.rules.catalogue import CATALOGUE, SEVERITY_RANK

FEATURES_DIR = Path("ml") / "candidate_features"
HOUSEHOLDS_DIR = Path("ml") / "households"  # one description of every household per month (models/ml/nightly.py)


def frame_sha256(frame: pl.DataFrame) -> str:
    """sha256 of a frame's canonical CSV text (columns sorted, rows in their given order)."""
    return hashlib.sha256(frame.select(sorted(frame.columns)).write_csv().encode("utf-8")).hexdigest()


def from_history(history: Path) -> pl.DataFrame:
    path = Path(history) / "labelled_warnings.parquet"
    if not path.is_file():
        raise FileNotFoundError(
            f"{path}: no labelled warnings (write them with flows/devtools/synthetic/outcomes_history.py)"
        )
    return pl.read_parquet(path)


def households_from_history(history: Path) -> pl.DataFrame | None:
    path = Path(history) / "households.parquet"
    return pl.read_parquet(path) if path.is_file() else None


def households_from_store(store_root: Path, as_of: dt.date) -> pl.DataFrame | None:
    """The latest monthly description of every household saved by a night on or before `as_of`, or None."""
    folder = Path(store_root) / HOUSEHOLDS_DIR
    files = sorted(folder.glob("*.parquet")) if folder.is_dir() else []
    for path in reversed(files):
        frame = pl.read_parquet(path)
        if frame.height and frame["as_of"][0] <= as_of:
            return frame
    return None


def from_store(store_root: Path, as_of: dt.date) -> pl.DataFrame | None:
    folder = Path(store_root) / FEATURES_DIR
    if not stored.database.exists(store_root) or not folder.is_dir():
        return None
    with stored.connect(store_root, read_only=True) as con:
        rows = sql.frame(
            con,
            """
            WITH o AS (
                SELECT warning_id, outcome, resolved_date, imported_as_of FROM outcomes
                WHERE imported_as_of <= ? AND outcome IN ('confirmed', 'dismissed')
                QUALIFY row_number() OVER (PARTITION BY warning_id ORDER BY imported_as_of, source_file, source_row) = 1
            ),
            w AS (
                SELECT warning_id, household_id, condition_key, warning_code, raised_date
                FROM warning_snapshots
                QUALIFY row_number() OVER (PARTITION BY warning_id ORDER BY as_of) = 1
            )
            SELECT w.*, (o.outcome = 'confirmed')::INTEGER AS label, o.imported_as_of AS resolved_date
            FROM o JOIN w USING (warning_id) ORDER BY w.raised_date, w.household_id, w.condition_key""",
            [as_of],
        )
    if rows.height == 0:
        return None
    frames = []
    for raised in sorted(rows["raised_date"].unique().to_list()):
        path = folder / f"{raised.isoformat()}.parquet"
        if path.is_file():
            feats = pl.read_parquet(path)
            frames.append(
                rows.filter(pl.col("raised_date") == raised).join(
                    feats.drop("warning_code"), on=["household_id", "condition_key"], how="inner"
                )
            )
    if not frames:
        return None
    out = pl.concat(frames, how="diagonal_relaxed").rename({"raised_date": "as_of"})
    return with_order_keys(out.with_columns(pl.lit("store").alias("selected_by")))


def with_order_keys(frame: pl.DataFrame, deadlines: dict | None = None) -> pl.DataFrame:
    """Add week (Monday of the raise date), severity_rank and deadline_days when missing."""
    f = frame
    if "week" not in f.columns:
        f = f.with_columns((pl.col("as_of") - pl.duration(days=pl.col("as_of").dt.weekday() - 1)).alias("week"))
    if "severity_rank" not in f.columns:
        f = f.with_columns(
            pl.col("warning_code")
            .replace_strict(
                {c: SEVERITY_RANK[w.severity] for c, w in CATALOGUE.items()}, default=3, return_dtype=pl.Int64
            )
            .alias("severity_rank")
        )
    if "deadline_days" not in f.columns and deadlines:
        f = f.with_columns(
            pl.col("warning_code")
            .replace_strict({str(k): int(v) for k, v in deadlines.items()}, default=20, return_dtype=pl.Int64)
            .alias("deadline_days")
        )
    return f


def load(store_root: Path, as_of: dt.date, history: Path | None, deadlines: dict) -> pl.DataFrame:
    frames = []
    if history is not None:
        frames.append(from_history(history))
    store = from_store(store_root, as_of)
    if store is not None:
        frames.append(store)
    if not frames:
        raise FileNotFoundError(
            f"no labelled warnings: the store {store_root} has no outcomes with saved features on or "
            f"before {as_of}, and no --history folder was given"
        )
    out = pl.concat([with_order_keys(f, deadlines) for f in frames], how="diagonal_relaxed")
    return out.sort("as_of", "household_id", "condition_key")
