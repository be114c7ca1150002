"""Writes one night's drop exactly as docs/CONTRACT.md §1-2 says, plus its _MANIFEST.csv, and the truth files.

Why: the ingest and its checks read these bytes; columns come from checks/contract.py in contract order, money always
with two decimals, dates ISO, bools true/false, empty optional fields empty, rows sorted by key, so the same seed
always gives byte-identical files. Large frames are written in slices to bound memory.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import polars as pl

from checks.contract import FEEDS, MANIFEST_FILE

CHUNK = 1_000_000


def money(col: str) -> pl.Expr:
    cents = (pl.col(col) * 100).round(0).cast(pl.Int64)
    return (
        pl.when(pl.col(col).is_null())
        .then(pl.lit(None, pl.String))
        .otherwise(
            pl.concat_str([(cents // 100).cast(pl.String), pl.lit("."), (cents % 100).cast(pl.String).str.zfill(2)])
        )
        .alias(col)
    )


def format_feed(name: str, df: pl.DataFrame) -> pl.DataFrame:
    """Cast every contract column to its text form."""
    feed = FEEDS[name]
    exprs = []
    for c in feed.columns:
        if c.type == "decimal":
            exprs.append(money(c.name))
        elif c.type == "date":
            exprs.append(pl.col(c.name).dt.strftime("%Y-%m-%d").alias(c.name))
        elif c.type == "month":
            exprs.append(pl.col(c.name).dt.strftime("%Y-%m").alias(c.name))
        elif c.type == "bool":
            exprs.append(pl.when(pl.col(c.name)).then(pl.lit("true")).otherwise(pl.lit("false")).alias(c.name))
        else:
            exprs.append(pl.col(c.name).cast(pl.String).alias(c.name))
    return df.select(exprs)


def write_feed(path: Path, name: str, df: pl.DataFrame) -> int:
    """`df` must already be sorted; returns the number of data rows."""
    cols = list(FEEDS[name].column_names)
    with open(path, "wb") as fh:
        if df.height == 0:
            fh.write((",".join(cols) + "\n").encode())
            return 0
        for i in range(0, df.height, CHUNK):
            part = format_feed(name, df.slice(i, CHUNK))
            part.write_csv(fh, include_header=(i == 0), line_terminator="\n", quote_style="necessary")
    return df.height


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def write_manifest(folder: Path, rows: dict[str, int]) -> None:
    lines = ["file,rows,sha256"]
    for name in (n for n in FEEDS if n in rows):  # the feeds generated (an optional feed may not be)
        f = f"{name}.csv"
        lines.append(f"{f},{rows[name]},{sha256(folder / f)}")
    (folder / MANIFEST_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_plain(path: Path, df: pl.DataFrame) -> None:
    df.write_csv(path, line_terminator="\n", quote_style="necessary")
