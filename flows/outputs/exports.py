"""Per-street exports of the warning queue (docs/CONTRACT.md §4) and the quarantine list for the data office.

Each street (镇街) gets `<street_code>.csv` (column codes, for machines: docs/CONTRACT.md §4 and its v2 extensions at the end)
and `<street_code>_<street_name>.xlsx` (the verification list for caseworkers, `flows/outputs/workbook.py`), holding only its own
households' warnings, sorted by deadline, then score descending. CSV files are UTF-8 with a byte-order mark: Excel, which
the streets open them with, reads BOM-less UTF-8 as the local code page and garbles the Chinese; CSV readers for
machines (polars, duckdb, Python's utf-8-sig) skip the mark.
Warnings overdue by more than `queue.escalation_overdue_working_days` working days also go to the district's
`district_escalation.csv` and `.xlsx` (same columns, all streets). Files are written into
a temporary folder that replaces the night's export folder in one rename, so a crash never leaves half an export behind.
Same night, same bytes: no wall-clock in the files, workbook metadata fixed to the as-of date.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import polars as pl

import sql
from checks.id_number import ID_LIKE, ID_LIKE_MASKED_POLARS
from flows.outputs import care_view
from flows.outputs.workbook import (
    CSV_COLUMNS,
    EXPORT_COLUMNS,
    FRAME_COLUMNS,
    HEADERS_ZH,
    workbook_name,
    write_escalation_workbook,
    write_street_workbook,
)
from flows.store import sha256_file

__all__ = [
    "CSV_COLUMNS",
    "EXPORT_COLUMNS",
    "HEADERS_ZH",
    "export_frame",
    "write_csv",
    "install_staged",
    "settle_staged",
    "stage_exports",
    "staged",
    "write_exports",
]
PARTIAL = ".partial"

QUARANTINE_COLUMNS = ("feed", "drop_date", "file", "line", "record_id", "check_code", "reason_zh", "reason_en")


def export_frame(con) -> pl.DataFrame:
    """The night's export rows in their contract order: deadline, then score descending, then warning id; the CSV
    columns, then what only the workbook shows (an in-progress warning's latest report)."""
    frame = sql.frame(con, "SELECT * FROM export_rows")
    return frame.select(FRAME_COLUMNS).sort(
        ["deadline", "score", "warning_id"], descending=[False, True, False], nulls_last=True
    )


def write_csv(frame: pl.DataFrame, path: Path, columns=CSV_COLUMNS) -> None:
    """A CSV for machines and for Excel: UTF-8 with a BOM (see the module docstring), dates ISO, scores 4 decimals."""
    frame.select(columns).write_csv(path, date_format="%Y-%m-%d", float_precision=4, include_bom=True)


def _param(con, name: str, as_of: dt.date) -> int:
    """A parameter in force on the night, from the run's `params` table (the same values the rules used)."""
    value = con.execute("SELECT param(?)", [name]).fetchone()[0]
    if value is None:
        raise ValueError(f"parameter {name}: no value in force on {as_of} (see models/rules/parameters/)")
    return int(value)


def write_exports(con, out_dir: Path, as_of: dt.date) -> dict[str, str]:
    """Write every street's files and the quarantine list into `out_dir` atomically; return {file: sha256}."""
    hashes = stage_exports(con, out_dir, as_of)
    install_staged(out_dir)
    return hashes


def staged(out_dir: Path) -> Path:
    """Where the files of `out_dir` are written before `install_staged` puts them in place."""
    return out_dir.with_name(out_dir.name + PARTIAL)


def stage_exports(con, out_dir: Path, as_of: dt.date) -> dict[str, str]:
    """Write every street's files and the quarantine list into `<out_dir>.partial`; return {file: sha256}. A night
    installs them (`install_staged`) only once it is recorded, so a crash never leaves exports no run accounts for."""
    tmp = staged(out_dir)
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    frame = export_frame(con)
    soon = _param(con, "queue.deadline_soon_working_days", as_of)
    escalate_after = _param(con, "queue.escalation_overdue_working_days", as_of)
    deadline_days = dict(con.execute("SELECT warning_code, deadline_days FROM catalogue").fetchall())
    streets = con.execute("SELECT street_code, street_name FROM streets ORDER BY street_code").fetchall()
    for code, name in streets:
        part = frame.filter(pl.col("street_code") == code)
        write_csv(part, tmp / f"{code}.csv")
        write_street_workbook(
            tmp / workbook_name(code, name), part, code, name, as_of, soon, deadline_days=deadline_days
        )
    escalation = frame.filter(pl.col("days_left") < -escalate_after)
    write_csv(escalation, tmp / "district_escalation.csv")
    write_escalation_workbook(
        tmp / "district_escalation.xlsx", escalation, as_of, soon, escalate_after, deadline_days=deadline_days
    )
    unrouted = frame.filter(~pl.col("street_code").is_in([c for c, _ in streets]) | pl.col("street_code").is_null())
    if unrouted.height:
        write_csv(unrouted, tmp / "unrouted.csv")
    quarantine = (
        sql.frame(con, "SELECT * FROM quarantine ORDER BY feed, file, line, check_code")
        .select(QUARANTINE_COLUMNS)
        .with_columns(
            pl.col("record_id", "reason_zh", "reason_en").str.replace_all(  # delivered values, typos and all
                ID_LIKE, ID_LIKE_MASKED_POLARS
            )
        )
    )
    quarantine = pl.concat(
        [quarantine, care_view.notice_rows(con, as_of).select(QUARANTINE_COLUMNS).cast(quarantine.schema)]
    )
    write_csv(quarantine, tmp / "quarantine.csv", QUARANTINE_COLUMNS)
    return {p.name: sha256_file(p) for p in sorted(tmp.iterdir())}


def install_staged(out_dir: Path) -> None:
    """Put the staged folder (`staged(out_dir)`) in place of `out_dir`: two renames, the old folder removed after.
    The night's check results are installed the same way."""
    old = out_dir.with_name(out_dir.name + ".old")
    if out_dir.exists():
        shutil.rmtree(old, ignore_errors=True)
        os.replace(out_dir, old)
    os.replace(staged(out_dir), out_dir)
    shutil.rmtree(old, ignore_errors=True)


def restore_interrupted_swaps(root: Path) -> None:
    """A swap (`install_staged`) cut between its two renames left `<D>.old` and no `<D>`: the old folder goes back."""
    for old in sorted(root.glob("*.old")) if root.is_dir() else []:
        out_dir = old.with_name(old.name.removesuffix(".old"))
        if out_dir.exists():
            shutil.rmtree(old)
        else:
            os.replace(old, out_dir)


def settle_staged(
    exports_root: Path, recorded_outputs: dict[dt.date, dict[str, str]]
) -> tuple[list[dt.date], list[str]]:
    """After a crash: staged exports of a night whose record was committed (their files are exactly its recorded
    outputs) are installed; any other staged or half-swapped folder is removed (its night never got recorded, so the
    folder in place, if any, is still the last recorded one). `recorded_outputs`: the latest successful run's outputs
    per night. Returns the nights installed, and what was done, one line per folder, for the log."""
    if not exports_root.is_dir():
        return [], []
    restore_interrupted_swaps(exports_root)
    installed, done = [], []
    for tmp in sorted(exports_root.glob(f"*{PARTIAL}")):
        out_dir = tmp.with_name(tmp.name.removesuffix(PARTIAL))
        try:
            night = dt.date.fromisoformat(out_dir.name)
        except ValueError:
            continue
        staged = {p.relative_to(tmp).as_posix(): sha256_file(p) for p in sorted(tmp.rglob("*")) if p.is_file()}
        if recorded_outputs.get(night) == staged:
            install_staged(out_dir)
            installed.append(night)
            done.append(
                f"installed the recorded exports of night {night} left staged by an interrupted run (its KPI "
                f"report: 'safetynet report --as-of {night}')"
            )
        else:
            shutil.rmtree(tmp)
            done.append(f"removed the exports of night {night} that an interrupted run left unrecorded")
    return installed, done
