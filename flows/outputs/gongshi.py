"""The monthly 公示 roster (docs/CONTRACT.md v2; docs/POLICY.md §7, seed item 12): on the first night a store runs in a calendar
month, one printable list per community of who receives dibao or tekun, under `<store>/exports/<as-of>/gongshi/`:
`<community_code>.xlsx` (A4, for the notice board) and `<community_code>.csv` (the same rows, column codes).

Why its own module: what may be posted publicly is a narrow, fixed set of facts (sql/exports/gongshi_roster.sql says
which and how names are masked); keeping the roster apart from the caseworkers' exports means no column of theirs can
leak into it. "First night of the month" is read from the queue the store kept: the night is first when no earlier
night of the same month is in `store.warning_snapshots` — which an auditor's rerun seeds too, so a rerun writes the
same roster or none, like the original. Community names come from `community_names` (the `communities` feed where the
night has it; else the code stands for the name).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import polars as pl
import xlsxwriter

import sql
from flows.store import sha256_file, snapshots
from models.rules.months import month_index

ROSTER_DIR = "gongshi"
CSV_COLUMNS = (
    "community_code",
    "community_name",
    "head_name_masked",
    "household_size",
    "program",
    "program_zh",
    "monthly_benefit",
    "start_month",
)
SHEET_COLUMNS = (
    ("序号", 6),
    ("户主姓名", 12),
    ("家庭人口", 9),
    ("救助类别", 18),
    ("月救助金额（元）", 16),
    ("起始月份", 11),
)


def is_first_night_of_month(con, as_of: dt.date) -> bool:
    """No earlier night of the same calendar month in the store's queue snapshots (schema `store`)."""
    prev = snapshots.previous_night(con, as_of)
    return prev is None or month_index(prev) != month_index(as_of)


def community_names(con) -> dict[str, str]:
    """community code -> name, from the night's `communities` state table (communities.csv, docs/CONTRACT.md v2); a
    community the feed does not name (or a night without the feed) shows its code."""
    return dict(con.execute("SELECT community_code, community_name FROM communities").fetchall())


def roster_frame(con) -> pl.DataFrame:
    """The roster rows of the night (needs the state and the rule features: `member_presence`, `run_context`)."""
    sql.build(con, "exports", only=["gongshi_roster"])
    frame = sql.frame(con, "SELECT * FROM gongshi_roster")
    names = community_names(con)
    return frame.with_columns(
        pl.col("community_code")
        .replace_strict(names, default=pl.col("community_code"), return_dtype=pl.String)
        .alias("community_name")
    )


UNSAFE_IN_FILE_NAME = re.compile(r'[\\/:*?"<>|\s]')


def workbook_name(code: str, name: str | None) -> str:
    """`<community_code>_<community_name>.xlsx` as the street workbooks are named, the code alone when the feed gives
    no name; characters a file name cannot hold (a delivered name is data) become `_`."""
    if not name or name == code:
        return f"{code}.xlsx"
    return f"{code}_{UNSAFE_IN_FILE_NAME.sub('_', name)}.xlsx"


def write_roster(con, folder: Path, as_of: dt.date) -> dict[str, str]:
    """Write one CSV and one workbook per community into `folder`; return {"gongshi/<file>": sha256}."""
    frame = roster_frame(con)
    folder.mkdir(parents=True, exist_ok=True)
    out: dict[str, str] = {}
    for (code,), part in frame.group_by(["community_code"], maintain_order=True):
        csv_path, xlsx_path = folder / f"{code}.csv", folder / workbook_name(code, part["community_name"][0])
        part.select(CSV_COLUMNS).write_csv(csv_path, include_bom=True)
        _workbook(xlsx_path, part, as_of)
        for p in (csv_path, xlsx_path):
            out[f"{ROSTER_DIR}/{p.name}"] = sha256_file(p)
    return dict(sorted(out.items()))


def _workbook(path: Path, part: pl.DataFrame, as_of: dt.date) -> None:
    """A4 portrait, one column of each fact, the title and header repeated on every page, page numbers below."""
    name = part["community_name"][0]
    title = f"{name} {as_of.year}年{as_of.month}月 最低生活保障、特困人员救助供养对象公示"
    wb = xlsxwriter.Workbook(
        str(path),
        {"strings_to_numbers": False, "strings_to_urls": False, "strings_to_formulas": False, "in_memory": True},
    )
    wb.set_properties(
        {
            "title": title,
            "author": "safetynet",
            "company": "safetynet",
            "created": dt.datetime.combine(as_of, dt.time()),
        }
    )
    ws = wb.add_worksheet("公示")
    head = wb.add_format({"bold": True, "border": 1, "align": "center", "valign": "vcenter", "text_wrap": True})
    cell = wb.add_format({"border": 1, "align": "center", "valign": "vcenter"})
    money = wb.add_format({"border": 1, "align": "right", "valign": "vcenter", "num_format": "#,##0.00"})
    big = wb.add_format({"bold": True, "font_size": 14, "align": "center", "valign": "vcenter", "text_wrap": True})
    small = wb.add_format({"font_size": 9, "text_wrap": True, "valign": "top"})
    last_col = len(SHEET_COLUMNS) - 1
    ws.merge_range(0, 0, 0, last_col, title, big)
    ws.set_row(0, 40)
    for j, (label, width) in enumerate(SHEET_COLUMNS):
        ws.write_string(1, j, label, head)
        ws.set_column(j, j, width)
    for i, row in enumerate(part.iter_rows(named=True), start=2):
        ws.write_number(i, 0, i - 1, cell)
        ws.write_string(i, 1, row["head_name_masked"], cell)
        ws.write_number(i, 2, row["household_size"], cell)
        ws.write_string(i, 3, row["program_zh"], cell)
        ws.write_number(i, 4, float(row["monthly_benefit"]), money)
        ws.write_string(i, 5, row["start_month"], cell)
    note_row = part.height + 3
    ws.merge_range(
        note_row,
        0,
        note_row,
        last_col,
        f"数据截至 {as_of.isoformat()}。公示期间如有异议，请向社区（村）或街道（镇）民政部门反映。"
        "本名单不含身份证号、收入、住址及健康、残疾信息。",
        small,
    )
    ws.set_row(note_row, 30)
    ws.set_paper(9)  # A4
    ws.set_portrait()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0, 1)
    ws.center_horizontally()
    ws.set_footer("&C第 &P 页，共 &N 页")
    wb.close()
