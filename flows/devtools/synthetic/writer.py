"""Writes one night's drop exactly as docs/CONTRACT.md §1-2 says, plus its _MANIFEST.csv, and the truth files.

Why: the ingest and its checks read these bytes; columns come from checks/contract.py in contract order, money always
with two decimals, dates ISO, bools true/false, empty optional fields empty, rows sorted by key, so the same seed
always gives byte-identical files. Large frames are written in slices to bound memory, and a drop can be written a
block of households at a time (`DropWriter`): blocks come in household order and every feed but two is sorted by a key
that starts with the household number, so appending the blocks' sorted rows gives the file sorting all rows would.
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


def _header(name: str) -> bytes:
    return (",".join(FEEDS[name].column_names) + "\n").encode()


def _append_rows(fh, name: str, df: pl.DataFrame) -> None:
    for i in range(0, df.height, CHUNK):
        format_feed(name, df.slice(i, CHUNK)).write_csv(
            fh, include_header=False, line_terminator="\n", quote_style="necessary"
        )


def write_feed(path: Path, name: str, df: pl.DataFrame) -> int:
    """`df` must already be sorted; returns the number of data rows."""
    with open(path, "wb") as fh:
        fh.write(_header(name))
        _append_rows(fh, name, df)
    return df.height


class DropWriter:
    """The nights' drops under `<out>/drops/<date>/`, written feed by feed as blocks of households arrive.

    `append` adds a block's sorted rows to a night's feed (the header is written when the writer starts); `write`
    writes a whole feed at once (the feeds not sorted by household: they are gathered over all blocks first).
    `finish` writes each night's `_MANIFEST.csv` and returns the rows written per feed over all nights.
    """

    def __init__(self, out: Path, nights: list, appended: list[str]):
        self.folders = [Path(out) / "drops" / d.isoformat() for d in nights]
        self.rows: list[dict[str, int]] = [dict.fromkeys(appended, 0) for _ in nights]
        for folder in self.folders:
            folder.mkdir(parents=True, exist_ok=True)
            for name in appended:
                (folder / f"{name}.csv").write_bytes(_header(name))

    def append(self, night: int, name: str, df: pl.DataFrame) -> None:
        with open(self.folders[night] / f"{name}.csv", "ab") as fh:
            _append_rows(fh, name, df)
        self.rows[night][name] += df.height

    def write(self, night: int, name: str, df: pl.DataFrame) -> None:
        self.rows[night][name] = write_feed(self.folders[night] / f"{name}.csv", name, df)

    def finish(self) -> dict[str, int]:
        total: dict[str, int] = {}
        for folder, counts in zip(self.folders, self.rows, strict=True):
            write_manifest(folder, counts)
            for name, n in counts.items():
                total[name] = total.get(name, 0) + n
        return total


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
