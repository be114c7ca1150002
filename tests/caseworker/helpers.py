"""Hand-made warnings, export frames and stores for the caseworker-loop tests."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import polars as pl

from flows.outputs.workbook import EXPORT_COLUMNS
from flows.store import Store
from flows.store.snapshots import QUEUE_COLUMNS

AS_OF = dt.date(2026, 3, 3)
STREET = "500106001"


def export_row(n: int, community: str = "001", days_left: int = 10, **over) -> dict:
    row = {
        "warning_id": f"W20260302-{n:010d}",
        "household_id": f"H{n:04d}",
        "region_code": STREET + community,
        "street_code": STREET,
        "street_name": "小龙坎街道",
        "warning_code": "ELIGIBLE_NOT_COVERED",
        "category": "exclusion",
        "label_zh": "疑似漏保",
        "severity": "high",
        "score": 0.5,
        "reasons": "户人均收入低于低保标准，未纳入低保或特困。",
        "evidence": json.dumps({"n": n}),
        "raised_date": dt.date(2026, 3, 2),
        "deadline": dt.date(2026, 3, 16),
        "days_left": days_left,
        "status": "open",
        "head_name": "张三",
        "head_id_masked": "500106********123X",
        "fast_track": False,
    }
    return row | over


def frame(*rows: dict) -> pl.DataFrame:
    return pl.DataFrame(
        list(rows),
        schema={
            "warning_id": pl.String,
            "household_id": pl.String,
            "region_code": pl.String,
            "street_code": pl.String,
            "street_name": pl.String,
            "warning_code": pl.String,
            "category": pl.String,
            "label_zh": pl.String,
            "severity": pl.String,
            "score": pl.Float64,
            "reasons": pl.String,
            "evidence": pl.String,
            "raised_date": pl.Date,
            "deadline": pl.Date,
            "days_left": pl.Int64,
            "status": pl.String,
            "head_name": pl.String,
            "head_id_masked": pl.String,
            "fast_track": pl.Boolean,
        },
    ).select(EXPORT_COLUMNS)


def make_store(root: Path, snapshots: list[dict]) -> Store:
    """A store whose `warning_snapshots` holds the given rows (keys: as_of, warning_id, raised_date, status, ...)."""
    store = Store(root)
    store.init()
    with duckdb.connect(str(store.db_path)) as con:
        for s in snapshots:
            n = s["warning_id"]
            row = (
                {c: None for c in QUEUE_COLUMNS}
                | {
                    "household_id": "H" + n[-4:],
                    "condition_key": "c",
                    "warning_code": "ELIGIBLE_NOT_COVERED",
                    "street_code": STREET,
                    "deadline": s["raised_date"] + dt.timedelta(days=14),
                    "last_seen_date": s["as_of"],
                    "status": "open",
                }
                | s
            )
            cols = ("as_of",) + QUEUE_COLUMNS
            con.execute(
                f"INSERT INTO warning_snapshots ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                [row[c] for c in cols],
            )
    return store


def snap(
    n: int, as_of: dt.date = dt.date(2026, 3, 2), raised: dt.date = dt.date(2026, 3, 2), status: str = "open"
) -> dict:
    return {"as_of": as_of, "warning_id": f"W20260302-{n:010d}", "raised_date": raised, "status": status}


def outcomes(store: Store) -> list[tuple]:
    with duckdb.connect(str(store.db_path)) as con:
        return con.execute("""SELECT warning_id, outcome, resolved_date, action, caseworker_id, note, source_row,
                                     imported_as_of FROM outcomes ORDER BY source_file, source_row""").fetchall()


def write_csv(path: Path, header: str, *lines: str) -> Path:
    path.write_text("\n".join((header,) + lines) + "\n", encoding="utf-8")
    return path


CSV_HEADER = "warning_id,outcome,resolved_date,action,caseworker_id,note"
