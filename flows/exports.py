"""Per-street exports of the warning queue (CONTRACT.md §4) and the quarantine list for the data office.

Each street (镇街) gets `<street_code>.csv` (column codes, for machines) and `<street_code>.xlsx` (Chinese headers, for
caseworkers), holding only its own households' warnings, sorted by deadline, then score descending. Files are written into
a temporary folder that replaces the night's export folder in one rename, so a crash never leaves half an export behind.
Same night, same bytes: no wall-clock in the files, workbook metadata fixed to the as-of date.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
from pathlib import Path

import polars as pl
import xlsxwriter

EXPORT_COLUMNS = (
    "warning_id", "household_id", "region_code", "street_code", "street_name", "warning_code", "category", "label_zh",
    "severity", "score", "reasons", "evidence", "raised_date", "deadline", "days_left", "status", "head_name",
    "head_id_masked",
)
HEADERS_ZH = {
    "warning_id": "预警编号", "household_id": "户编号", "region_code": "村(社区)代码", "street_code": "镇街代码",
    "street_name": "镇街名称", "warning_code": "预警代码", "category": "预警类别", "label_zh": "预警类型",
    "severity": "严重程度", "score": "核实命中概率", "reasons": "预警原因", "evidence": "证据(JSON)",
    "raised_date": "预警日期", "deadline": "办理时限", "days_left": "剩余工作日", "status": "状态",
    "head_name": "户主姓名", "head_id_masked": "户主身份证号(脱敏)",
}
WIDTHS = {"reasons": 60, "evidence": 40, "street_name": 12, "label_zh": 16, "warning_code": 24, "warning_id": 22}
QUARANTINE_COLUMNS = ("feed", "drop_date", "file", "line", "record_id", "check_code", "reason_zh", "reason_en")
ID_PATTERN = r"(\d{6})\d{8}(\d{3}[\dXx])"  # an ID number anywhere in a text
MASKED = "${1}********${2}"


def export_frame(con) -> pl.DataFrame:
    """The night's export rows in their contract order: deadline, then score descending, then warning id."""
    frame = con.execute("SELECT * FROM export_rows").pl()
    return frame.select(EXPORT_COLUMNS).sort(
        ["deadline", "score", "warning_id"], descending=[False, True, False], nulls_last=True)


def _write_xlsx(path: Path, frame: pl.DataFrame, street_name: str, as_of: dt.date) -> None:
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_urls": False})
    created = dt.datetime.combine(as_of, dt.time())
    wb.set_properties({"title": f"{street_name} 社会救助预警清单 {as_of.isoformat()}", "author": "safetynet",
                       "created": created, "comments": "safetynet warning queue export"})
    ws = wb.add_worksheet("预警清单")
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    for j, col in enumerate(EXPORT_COLUMNS):
        ws.write(0, j, HEADERS_ZH[col], head)
        ws.set_column(j, j, WIDTHS.get(col, 14), wrap if col in ("reasons",) else None)
    for i, row in enumerate(frame.iter_rows(), start=1):
        for j, (col, value) in enumerate(zip(EXPORT_COLUMNS, row)):
            if value is None:
                ws.write_blank(i, j, None)
            elif isinstance(value, dt.date):
                ws.write_datetime(i, j, dt.datetime.combine(value, dt.time()), date_fmt)
            elif isinstance(value, (int, float)):
                ws.write_number(i, j, value)
            else:
                ws.write_string(i, j, str(value))
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(frame.height, 1), len(EXPORT_COLUMNS) - 1)
    wb.close()


def write_exports(con, out_dir: Path, as_of: dt.date) -> dict[str, str]:
    """Write every street's files and the quarantine list into `out_dir` atomically; return {file: sha256}."""
    tmp = out_dir.with_name(out_dir.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    frame = export_frame(con)
    streets = con.execute("SELECT street_code, street_name FROM streets ORDER BY street_code").fetchall()
    for code, name in streets:
        part = frame.filter(pl.col("street_code") == code)
        part.write_csv(tmp / f"{code}.csv", date_format="%Y-%m-%d", float_precision=4)
        _write_xlsx(tmp / f"{code}.xlsx", part, name, as_of)
    unrouted = frame.filter(~pl.col("street_code").is_in([c for c, _ in streets]) | pl.col("street_code").is_null())
    if unrouted.height:
        unrouted.write_csv(tmp / "unrouted.csv", date_format="%Y-%m-%d", float_precision=4)
    quarantine = (con.execute("SELECT * FROM quarantine ORDER BY feed, file, line, check_code").pl()
                  .select(QUARANTINE_COLUMNS)
                  .with_columns(pl.col("record_id", "reason_zh", "reason_en").str.replace_all(ID_PATTERN, MASKED)))
    quarantine.write_csv(tmp / "quarantine.csv", date_format="%Y-%m-%d")
    hashes = {p.name: _sha256(p) for p in sorted(tmp.iterdir())}
    if out_dir.exists():
        old = out_dir.with_name(out_dir.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        os.replace(out_dir, old)
        os.replace(tmp, out_dir)
        shutil.rmtree(old)
    else:
        os.replace(tmp, out_dir)
    return hashes


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
