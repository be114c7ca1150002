"""The Excel workbook a caseworker gets (docs/CONTRACT.md §4, v2: the xlsx orders and labels its columns for people) and
fills in to send outcomes back (§5, `flows/caseworker/outcomes.py`). It is a verification list (核查清单), read left to right:

    序号 办理时限 剩余工作日 预警类型 户主姓名 | 户主身份证号(脱敏) 社区 家庭住址 预警原因 核查进展
    | 核查结果 办结日期 处置措施 核查人 备注 (filled in) | 证据 预警编号 户编号 ... (reference, not printed)

The first five columns and the header row are frozen, so the warning and the household stay in sight while typing in
the fill-in columns. Everything a person reads is Chinese (severity 高/中/低, category, status 待核查/核查中); the
drop-downs offer the Chinese words (属实/不属实/核查中, 纳入救助 …), which the import reads as their codes. 核查进展
carries an in-progress warning's last caseworker, date and note into every later workbook until it is closed.
Evidence is on the 证据 sheet, one block of readable lines per warning (flows/outputs/evidence_text.py), linked from its row.

Sheets: 全部 (every warning, in the contract's order: deadline, then score descending; the sheet that is imported),
one per community (named by its name from communities.csv, else the last digits of its code), 证据, 说明.

Print: A4 landscape, one page wide, the header row on every page, only 序号 .. 备注 in the print area (the reference
columns are for the office and machines), a footer with the street, the night and the page number.

Deadline cells are coloured when the warning is due within the deadline-soon threshold (parameter
`queue.deadline_soon_working_days`, days_left <= N) and more strongly when it is overdue (days_left < 0).

Same night, same bytes: workbook metadata is fixed to the as-of date at 00:00 and nothing depends on the wall clock.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from flows.outputs.evidence_text import evidence_lines, score_explanation
from flows.outputs.vocabulary import (
    ACTION_WORDS,
    ACTIONS_ZH,
    OUTCOME_WORDS,
    OUTCOMES_ZH,
    SEVERITY_ZH,
    STATUS_MEANING_ZH,
    STATUS_ZH,
    choices,
)
from models.rules.catalogue import CATALOGUE, CATEGORY_ZH

# The CSV columns (docs/CONTRACT.md §4), then the v2 extensions at the end so that v1 readers keep working.
EXPORT_COLUMNS = (
    "warning_id",
    "household_id",
    "region_code",
    "street_code",
    "street_name",
    "warning_code",
    "category",
    "label_zh",
    "severity",
    "score",
    "reasons",
    "evidence",
    "raised_date",
    "deadline",
    "days_left",
    "status",
    "head_name",
    "head_id_masked",
)
# fast_track: 免申即享 (true: every fact the decision needs comes from a department feed)
V2_COLUMNS = ("address", "community_code", "community_name", "fast_track")
CSV_COLUMNS = EXPORT_COLUMNS + V2_COLUMNS
# What the workbook shows besides: an in-progress warning's latest report (caseworker, the night it applied from, note).
PROGRESS_COLUMNS = ("progress_date", "progress_caseworker", "progress_note")
FRAME_COLUMNS = CSV_COLUMNS + PROGRESS_COLUMNS


@dataclass(frozen=True)
class Col:
    key: str  # a frame column, or a value the workbook derives (seq, community, progress, evidence_link, ...)
    header: str
    width: float
    kind: str = "text"  # text | wrap | date | int | score | fill


PRINTED = (
    Col("seq", "序号", 5, "int"),
    Col("deadline", "办理时限", 10.5, "date"),
    Col("days_left", "剩余工作日", 6, "int"),
    Col("label_zh", "预警类型", 12, "wrap"),
    Col("head_name", "户主姓名", 8),
    Col("head_id_masked", "户主身份证号(脱敏)", 18.5),
    Col("community", "社区", 10, "wrap"),
    Col("address", "家庭住址", 18, "wrap"),
    Col("reasons", "预警原因", 34, "wrap"),
    Col("progress", "核查进展", 12, "wrap"),
)
FROZEN_COLUMNS = 5  # 序号 .. 户主姓名
# The columns a caseworker fills in: (code as in docs/CONTRACT.md §5, Chinese header).
FILL_COLUMNS = (
    ("outcome", "核查结果"),
    ("resolved_date", "办结日期"),
    ("action", "处置措施"),
    ("caseworker_id", "核查人"),
    ("note", "备注"),
)
FILL_WIDTHS = {"outcome": 8.5, "resolved_date": 10.5, "action": 9, "caseworker_id": 7, "note": 14}
# Headers of earlier workbooks, still read by the import when such a workbook comes back.
FORMER_FILL_HEADERS = {"处理结果": "outcome", "核实人": "caseworker_id"}
REFERENCE = (
    Col("evidence_link", "证据", 7),
    Col("warning_id", "预警编号", 22),
    Col("household_id", "户编号", 12),
    Col("region_code", "村(社区)代码", 14),
    Col("street_code", "镇街代码", 11),
    Col("street_name", "镇街名称", 12),
    Col("warning_code", "预警代码", 24),
    Col("category_zh", "预警类别", 8),
    Col("severity_zh", "严重程度", 8),
    Col("status_zh", "状态", 8),
    Col("fast_track", "可免申即享", 8),
    Col("raised_date", "预警日期", 10.5, "date"),
    Col("score", "核查命中概率", 9, "score"),
    Col("explanation", "评分说明", 40, "wrap"),
)
# Chinese header of each CSV column code (the import reads the workbook by these headers).
HEADERS_ZH = {c.key: c.header for c in PRINTED + REFERENCE if c.key in CSV_COLUMNS} | {
    "evidence": "证据",
    "community_code": "村(社区)代码",
    "community_name": "社区",
    "category": "预警类别",
    "severity": "严重程度",
    "status": "状态",
}
ALL_SHEET = "全部"
EVIDENCE_SHEET = "证据"
NOTES_SHEET = "说明"
UNKNOWN_COMMUNITY = "未知社区"
HIGHLIGHTED = ("deadline", "days_left")
SOON_COLOUR, SOON_FONT = "#FFEB9C", "#9C5700"  # amber: due within the threshold
OVERDUE_COLOUR, OVERDUE_FONT = "#FF7C80", "#7F0000"  # red: overdue
HEAD_COLOUR, FILL_HEAD_COLOUR, REF_HEAD_COLOUR = "#DDEBF7", "#E2EFDA", "#EDEDED"
BLOCK_COLOUR = "#F2F2F2"
DATE_FORMAT = "yyyy-mm-dd"
MAX_SHEET_NAME = 31
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\']")
LINE_HEIGHT, MAX_LINES = 15, 8  # points per wrapped line; rows grow to at most this many lines
A4 = 9
EVIDENCE_WIDTH = 80  # characters: the 证据 sheet's one column fits an A4 portrait page at 100 %


def workbook_name(street_code: str, street_name: str | None) -> str:
    """`<street_code>_<street_name>.xlsx`: the code sorts and machines read it, the name tells a person whose it is."""
    name = re.sub(r'[\\/:*?"<>|\s]', "", street_name or "")
    return f"{street_code}_{name}.xlsx" if name else f"{street_code}.xlsx"


def _sheet_name(text: str) -> str:
    return SHEET_NAME_FORBIDDEN.sub("", text)[:MAX_SHEET_NAME]


def community_sheet_names(communities: list[tuple[str | None, str | None]]) -> dict[str | None, str]:
    """Sheet name per community code: its name when delivered, else the code's last 3 digits (the full code if two
    share them); a name two communities share gets the code's last 3 digits added. Without a code: 未知社区."""
    codes = sorted({c for c, _ in communities if c})
    named = {c: n for c, n in communities if c and n}
    base = {c: named.get(c) or c[-3:] for c in codes}
    names = {}
    for c in codes:
        clash = [o for o in codes if base[o] == base[c]]
        names[c] = base[c] if len(clash) == 1 else (f"{base[c]}{c[-3:]}" if c in named else c)
    if any(not c for c, _ in communities):
        names[None] = UNKNOWN_COMMUNITY
    return names


def _complete(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame with every workbook column: absent ones (a v1 frame, a store without progress notes) as empty."""
    missing = [pl.lit(None, pl.String).alias(c) for c in FRAME_COLUMNS if c not in frame.columns]
    frame = frame.with_columns(missing) if missing else frame
    return frame.with_columns(pl.col("community_code").fill_null(pl.col("region_code")))


def write_street_workbook(
    path: Path,
    frame: pl.DataFrame,
    street_code: str,
    street_name: str,
    as_of: dt.date,
    deadline_soon_days: int,
    deadline_days: Mapping[str, int] | None = None,
) -> None:
    """Write one street's caseworker workbook. `frame` has the export columns (FRAME_COLUMNS; the v2 and progress
    ones may be absent), already sorted.

    `deadline_days` is the handling deadline per warning code in force on `as_of` (from the run's `catalogue` table);
    when not given it is read from the shipped parameters.
    """
    frame = _complete(frame)
    pairs = frame.select("community_code", "community_name").unique().rows() if frame.height else []
    names = community_sheet_names(pairs)
    groups = []
    for code, name in sorted(names.items(), key=lambda kv: (kv[0] is None, kv[0] or "")):  # in code order
        part = (
            frame.filter(pl.col("community_code").is_null() | (pl.col("community_code") == ""))
            if code is None
            else frame.filter(pl.col("community_code") == code)
        )
        groups.append((_sheet_name(f"{name[: MAX_SHEET_NAME - 8]}({part.height}条)"), part))
    title = f"{street_name}（{street_code}）社会救助预警核查清单"
    footer = f"{street_name}（{street_code}）"
    _write_workbook(path, frame, groups, title, footer, as_of, deadline_soon_days, deadline_days)


def write_escalation_workbook(
    path: Path,
    frame: pl.DataFrame,
    as_of: dt.date,
    deadline_soon_days: int,
    overdue_days: int,
    deadline_days: Mapping[str, int] | None = None,
    district_name: str = "沙坪坝区",
) -> None:
    """The district escalation list: the same layout, one sheet per street instead of per community."""
    frame = _complete(frame)
    groups = []
    keys = (
        frame.select("street_code", "street_name").unique().sort("street_code", nulls_last=True).rows()
        if frame.height
        else []
    )
    used: set[str] = set()
    for code, name in keys:
        part = frame.filter(pl.col("street_code").eq_missing(code) & pl.col("street_name").eq_missing(name))
        base = (name or code or "未知镇街")[: MAX_SHEET_NAME - 8]
        sheet = base if base not in used else f"{base}{code or ''}"[: MAX_SHEET_NAME - 8]
        used.add(sheet)
        groups.append((_sheet_name(f"{sheet}({part.height}条)"), part))
    title = f"{district_name}超期{overdue_days}个工作日以上预警督办清单"
    _write_workbook(path, frame, groups, title, district_name, as_of, deadline_soon_days, deadline_days)


def _rows(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame with the values the sheets show: 序号 in the 全部 order, Chinese words for codes, the community
    (name, else code), the in-progress report as one line, the model's explanation."""
    progress = pl.when(pl.col("status") == "in_progress").then(
        pl.concat_str(
            pl.lit("核查中（"),
            pl.col("progress_date").cast(pl.String).fill_null(""),
            pl.when(pl.col("progress_caseworker").is_not_null())
            .then(pl.lit("，") + pl.col("progress_caseworker"))
            .otherwise(pl.lit("")),
            pl.lit("）"),
            pl.when(pl.col("progress_note").is_not_null())
            .then(pl.lit("：") + pl.col("progress_note"))
            .otherwise(pl.lit("")),
        )
    )
    return frame.with_row_index("seq", offset=1).with_columns(
        pl.col("seq").cast(pl.Int64),
        community=pl.coalesce(pl.col("community_name"), pl.col("community_code"), pl.lit(UNKNOWN_COMMUNITY)),
        progress=progress.otherwise(pl.col("status").replace_strict(STATUS_ZH, default=pl.col("status"))),
        category_zh=pl.col("category").replace_strict(CATEGORY_ZH, default=pl.col("category")),
        severity_zh=pl.col("severity").replace_strict(SEVERITY_ZH, default=pl.col("severity")),
        status_zh=pl.col("status").replace_strict(STATUS_ZH, default=pl.col("status")),
        explanation=pl.col("evidence").map_elements(score_explanation, return_dtype=pl.String),
    )


def _write_workbook(
    path: Path,
    frame: pl.DataFrame,
    groups: list[tuple[str, pl.DataFrame]],
    title: str,
    footer: str,
    as_of: dt.date,
    soon_days: int,
    deadline_days: Mapping[str, int] | None,
) -> None:
    if deadline_days is None:
        from models.rules.parameters import ParameterSet

        deadline_days = ParameterSet.load().value("catalogue.deadline_working_days", as_of)
    # in_memory: each part is built in memory, not in a temporary file
    wb = xlsxwriter.Workbook(
        str(path),
        {"strings_to_numbers": False, "strings_to_urls": False, "strings_to_formulas": False, "in_memory": True},
    )
    wb.set_properties(
        {
            "title": f"{title} {as_of.isoformat()}",
            "author": "safetynet",
            "company": "safetynet",
            "created": dt.datetime.combine(as_of, dt.time()),
            "comments": "safetynet warning queue export; fill in the 全部 sheet and send it back",
        }
    )
    fmt = _Formats(wb)
    rows = _rows(frame)
    blocks = _evidence_blocks(rows)
    sheet = _Sheet(fmt, title, footer, as_of, soon_days, {wid: first for wid, first, _ in blocks})
    sheet.write(wb.add_worksheet(ALL_SHEET), rows)
    for name, part in groups:
        sheet.write(wb.add_worksheet(name), rows.join(part.select("warning_id"), on="warning_id", how="semi"))
    _evidence_sheet(wb.add_worksheet(EVIDENCE_SHEET), blocks, fmt, title, footer, as_of)
    _notes_sheet(wb.add_worksheet(NOTES_SHEET), fmt, title, as_of, soon_days, deadline_days)
    wb.close()


class _Formats:
    def __init__(self, wb):
        base = {"valign": "top"}
        head = base | {"bold": True, "border": 1, "text_wrap": True, "valign": "vcenter"}
        self.head = wb.add_format(head | {"bg_color": HEAD_COLOUR})
        self.fill_head = wb.add_format(head | {"bg_color": FILL_HEAD_COLOUR})
        self.ref_head = wb.add_format(head | {"bg_color": REF_HEAD_COLOUR})
        self.text = wb.add_format(base)
        self.wrap = wb.add_format(base | {"text_wrap": True})
        self.date = wb.add_format(base | {"num_format": DATE_FORMAT})
        self.score = wb.add_format(base | {"num_format": "0.00"})
        self.int = wb.add_format(base | {"num_format": "0"})
        self.as_text = wb.add_format(base | {"num_format": "@"})
        self.fill = wb.add_format(base | {"text_wrap": True, "left": 1, "right": 1, "bottom": 4, "top": 4})
        self.fill_date = wb.add_format(base | {"num_format": DATE_FORMAT, "left": 1, "right": 1, "bottom": 4, "top": 4})
        self.link = wb.add_format(base | {"font_color": "blue", "underline": 1})
        self.by_level = {}
        for level, bg, font, bold in (
            ("soon", SOON_COLOUR, SOON_FONT, False),
            ("overdue", OVERDUE_COLOUR, OVERDUE_FONT, True),
        ):
            colours = base | {"bg_color": bg, "font_color": font, "bold": bold}
            self.by_level[level] = {
                "date": wb.add_format(colours | {"num_format": DATE_FORMAT}),
                "int": wb.add_format(colours | {"num_format": "0"}),
                "text": wb.add_format(colours),
            }
        self.title = wb.add_format({"bold": True, "font_size": 14})
        self.section = wb.add_format({"bold": True, "font_size": 12, "bottom": 1})
        self.note = wb.add_format({"text_wrap": True, "valign": "top"})
        self.block = wb.add_format({"bold": True, "bg_color": BLOCK_COLOUR, "top": 1, "valign": "top"})
        self.block_wrap = wb.add_format(
            {"bold": True, "bg_color": BLOCK_COLOUR, "top": 1, "valign": "top", "text_wrap": True}
        )

    def cell(self, kind: str):
        return {"wrap": self.wrap, "date": self.date, "int": self.int, "score": self.score}.get(kind, self.text)


def _wrapped_lines(text: str | None, width: float) -> int:
    """Lines a wrapped text takes in a column `width` characters wide (a CJK character is two), at most MAX_LINES;
    row heights are set from it because neither xlsxwriter nor every viewer fits them on opening."""
    if not text:
        return 1
    lines = 0
    for part in str(text).split("\n"):
        units = sum(2 if ord(ch) > 0x2E7F else 1 for ch in part)
        lines += max(1, -(-units * 100 // max(int(width * 85), 1)))  # 85%: wrapping at word breaks wastes some width
    return min(lines, MAX_LINES)


def _level(days_left, soon_days: int) -> str | None:
    if days_left is None:
        return None
    if days_left < 0:
        return "overdue"
    if days_left <= soon_days:
        return "soon"
    return None


def _page_setup(ws, title: str, footer: str, as_of: dt.date, last_col: int, last_row: int) -> None:
    ws.set_landscape()
    ws.set_paper(A4)
    ws.set_margins(left=0.3, right=0.3, top=0.6, bottom=0.6)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)
    ws.print_area(0, 0, max(last_row, 1), last_col)
    ws.set_header(f'&L&"-,Bold"{title}&R数据日期 {as_of.isoformat()}')
    ws.set_footer(f"&L{footer}&C第 &P 页，共 &N 页&R数据日期 {as_of.isoformat()}")


@dataclass
class _Sheet:
    fmt: _Formats
    title: str
    footer: str
    as_of: dt.date
    soon_days: int
    evidence_row: dict[str, int]

    def write(self, ws, rows: pl.DataFrame) -> None:
        fmt = self.fmt
        n_printed, n_fill = len(PRINTED), len(FILL_COLUMNS)
        for j, col in enumerate(PRINTED):
            ws.write_string(0, j, col.header, fmt.head)
            ws.set_column(j, j, col.width, fmt.cell(col.kind))
        for k, (code, zh) in enumerate(FILL_COLUMNS):
            j = n_printed + k
            ws.write_string(0, j, zh, fmt.fill_head)
            ws.set_column(j, j, FILL_WIDTHS[code], fmt.fill_date if code == "resolved_date" else fmt.fill)
        for k, col in enumerate(REFERENCE):
            j = n_printed + n_fill + k
            ws.write_string(0, j, col.header, fmt.ref_head)
            ws.set_column(j, j, col.width, fmt.cell(col.kind))
        ws.set_row(0, 32)
        keys = [c.key for c in PRINTED]
        refs = [c.key for c in REFERENCE if c.key != "evidence_link"]
        wrap_cols = [c for c in PRINTED + REFERENCE if c.kind == "wrap"]
        first_ref = n_printed + n_fill
        data = rows.select(keys + refs + [c.key for c in wrap_cols if c.key not in keys + refs])
        for i, row in enumerate(data.iter_rows(named=True), start=1):
            level = _level(row["days_left"], self.soon_days)
            lines = max(_wrapped_lines(row[c.key], c.width) for c in wrap_cols if c.key in keys)
            ws.set_row(i, LINE_HEIGHT * lines if lines > 1 else None)
            for j, col in enumerate(PRINTED):
                self._cell(ws, i, j, col, row[col.key], level)
            for k in range(n_fill):
                ws.write_blank(i, n_printed + k, None)
            ws.write_url(
                i,
                first_ref,
                f"internal:'{EVIDENCE_SHEET}'!A{self.evidence_row[row['warning_id']] + 1}",
                fmt.link,
                "查看证据",
            )
            for k, col in enumerate(REFERENCE[1:], start=1):
                self._cell(ws, i, first_ref + k, col, row[col.key], None)
        last_fill = n_printed + n_fill - 1
        ws.freeze_panes(1, FROZEN_COLUMNS)
        ws.autofilter(0, 0, max(rows.height, 1), first_ref + len(REFERENCE) - 1)
        if rows.height:
            _validations(ws, rows.height, n_printed)
        _page_setup(ws, self.title, self.footer, self.as_of, last_fill, rows.height)

    def _cell(self, ws, i: int, j: int, col: Col, value, level: str | None) -> None:
        fmt = self.fmt
        styles = fmt.by_level[level] if level and col.key in HIGHLIGHTED else None
        if value is None:
            ws.write_blank(i, j, None, styles["text"] if styles else None)
        elif isinstance(value, dt.date):
            ws.write_datetime(i, j, dt.datetime.combine(value, dt.time()), styles["date"] if styles else fmt.date)
        elif isinstance(value, bool):
            ws.write_string(i, j, "是" if value else "否")
        elif isinstance(value, int):
            ws.write_number(i, j, value, styles["int"] if styles else fmt.int)
        elif isinstance(value, float):
            ws.write_number(i, j, value, fmt.score)
        else:
            ws.write_string(i, j, str(value), fmt.wrap if col.kind == "wrap" else None)


def _evidence_blocks(rows: pl.DataFrame) -> list[tuple[str, int, list[str]]]:
    """The 证据 sheet's blocks: (warning id, first row (0-based), lines: a heading, the reasons, the evidence lines);
    a blank row after each block."""
    out, r = [], 1
    for seq, wid, label, head, community, reasons, evidence in rows.select(
        "seq", "warning_id", "label_zh", "head_name", "community", "reasons", "evidence"
    ).iter_rows():
        lines = [
            f"序号 {seq}　{label}　户主 {head or ''}　{community}　预警编号 {wid}",
            f"预警原因：{reasons or ''}",
            *evidence_lines(evidence),
        ]
        out.append((wid, r, lines))
        r += len(lines) + 1
    return out


def _evidence_sheet(
    ws, blocks: list[tuple[str, int, list[str]]], fmt: _Formats, title: str, footer: str, as_of: dt.date
) -> None:
    ws.set_column(0, 0, EVIDENCE_WIDTH, fmt.wrap)
    ws.write_string(0, 0, f"{title}：证据（每条预警一段，序号与“{ALL_SHEET}”表相同）", fmt.title)
    for _, first, lines in blocks:
        for k, line in enumerate(lines):
            ws.write_string(first + k, 0, line, fmt.block_wrap if k == 0 else fmt.wrap)
            wrapped = _wrapped_lines(line, EVIDENCE_WIDTH)
            if wrapped > 1:
                ws.set_row(first + k, LINE_HEIGHT * wrapped)
    ws.set_portrait()
    ws.set_paper(A4)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.fit_to_pages(1, 0)
    ws.set_header(f"&L{title}&R数据日期 {as_of.isoformat()}")
    ws.set_footer(f"&L{footer}&C第 &P 页，共 &N 页&R证据")


def _validations(ws, n_rows: int, first_fill: int) -> None:
    col = {code: first_fill + k for k, (code, _) in enumerate(FILL_COLUMNS)}
    ws.data_validation(
        1,
        col["outcome"],
        n_rows,
        col["outcome"],
        {
            "validate": "list",
            "source": list(OUTCOME_WORDS.values()),
            "input_title": "核查结果",
            "input_message": "属实、不属实：办结，关闭预警；核查中：尚未办结，预警保持打开",
            "error_title": "核查结果无效",
            "error_message": f"请从下拉列表选择：{'、'.join(OUTCOME_WORDS.values())}",
        },
    )
    ws.data_validation(
        1,
        col["action"],
        n_rows,
        col["action"],
        {
            "validate": "list",
            "source": list(ACTION_WORDS.values()),
            "input_title": "处置措施",
            "input_message": "、".join(ACTION_WORDS.values()),
            "error_title": "处置措施无效",
            "error_message": f"请从下拉列表选择：{'、'.join(ACTION_WORDS.values())}",
        },
    )
    ws.data_validation(
        1,
        col["resolved_date"],
        n_rows,
        col["resolved_date"],
        {
            "validate": "date",
            "criteria": "between",
            "minimum": dt.date(2000, 1, 1),
            "maximum": dt.date(2099, 12, 31),
            "input_title": "办结日期",
            "input_message": "格式 yyyy-mm-dd；属实、不属实必填，核查中不填",
            "error_title": "办结日期无效",
            "error_message": "请填写日期，格式 yyyy-mm-dd",
        },
    )


def _notes_sheet(
    ws, fmt: _Formats, title: str, as_of: dt.date, soon_days: int, deadline_days: Mapping[str, int]
) -> None:
    ws.set_column(0, 0, 26)
    ws.set_column(1, 1, 22)
    ws.set_column(2, 5, 14)
    ws.set_column(6, 6, 60)
    r = 0
    ws.write_string(r, 0, title, fmt.title)
    r += 1
    ws.write_string(
        r, 0, f"数据日期：{as_of.isoformat()}。本清单为核查线索，不是救助决定：每条预警都需人工核查后办理。"
    )
    r += 2
    ws.write_string(r, 0, "填写与交回", fmt.section)
    r += 1
    for line in (
        f"1. 请在“{ALL_SHEET}”表绿色表头的列（核查结果至备注）中填写；左侧序号至户主姓名固定显示。各社区表与“{ALL_SHEET}”表"
        f"内容相同，仅便于分社区查看，导入时只读取“{ALL_SHEET}”表（只填在社区表中的结果会被退回）。",
        f"2. 核查结果：从下拉列表选择 {choices(OUTCOME_WORDS)}；未填写核查结果的行视为尚未处理，不导入。",
        "3. 办结日期：属实、不属实必填，格式 yyyy-mm-dd，不得早于预警日期、不得晚于交回日期；核查中不填。",
        f"4. 处置措施：{choices(ACTION_WORDS)}；核查人：工号；备注：自由填写。",
        "5. 标为核查中的预警，其核查人、日期和备注显示在以后各晚清单的“核查进展”列，直到办结。",
        "6. 保存为 .xlsx 后交回区民政局导入（safetynet outcomes import）；不符合要求的行会逐行列出原因退回，其余行照常导入。",
        "7. 同一文件中同一预警填写了两个不同的核查结果时，两行都退回，请核对后重新交回。",
        "8. 已办结（属实、不属实）的预警不能改为其他结果；如确需更正，请联系区民政局。",
        f"9. 每条预警的证据（记录、金额、标准及依据）见“{EVIDENCE_SHEET}”表，点击行右侧“查看证据”可跳转。",
        "10. 打印：A4 横向，宽度缩放为一页，只打印序号至备注各列；右侧灰色表头的参考列不打印。",
    ):
        ws.write_string(r, 0, line)
        r += 1
    r += 1
    ws.write_string(r, 0, "颜色", fmt.section)
    r += 1
    ws.write_string(r, 0, "即将到期", fmt.by_level["soon"]["text"])
    ws.write_string(r, 1, f"剩余工作日 ≤ {soon_days}（办理时限、剩余工作日两列）")
    r += 1
    ws.write_string(r, 0, "已超期", fmt.by_level["overdue"]["text"])
    ws.write_string(r, 1, "剩余工作日 < 0，已超过办理时限")
    r += 2
    ws.write_string(r, 0, "预警类型", fmt.section)
    r += 1
    for j, h in enumerate(("预警代码", "预警类型", "类别代码", "预警类别", "严重程度", "办理时限(工作日)")):
        ws.write_string(r, j, h, fmt.head)
    r += 1
    for w in CATALOGUE.values():
        ws.write_string(r, 0, w.code)
        ws.write_string(r, 1, w.label_zh)
        ws.write_string(r, 2, w.category)
        ws.write_string(r, 3, CATEGORY_ZH.get(w.category, w.category))
        ws.write_string(r, 4, SEVERITY_ZH.get(w.severity, w.severity))
        days = deadline_days.get(w.code)
        if days is None:
            ws.write_string(r, 5, "未设置")
        else:
            ws.write_number(r, 5, int(days), fmt.int)
        r += 1
    ws.write_string(
        r, 0, f"办理时限为 {as_of.isoformat()} 当日施行的设置，从预警次日起按工作日（国务院节假日安排）计算。"
    )
    r += 2
    for heading, words, meanings in (
        ("核查结果（核查结果列）", OUTCOME_WORDS, OUTCOMES_ZH),
        ("处置措施（处置措施列）", ACTION_WORDS, ACTIONS_ZH),
        ("状态（核查进展列）", STATUS_ZH, STATUS_MEANING_ZH),
    ):
        ws.write_string(r, 0, heading, fmt.section)
        r += 1
        for j, h in enumerate(("填写/显示", "代码", "含义")):
            ws.write_string(r, j, h, fmt.head)
        r += 1
        for code, word in words.items():
            ws.write_string(r, 0, word)
            ws.write_string(r, 1, code)
            ws.write_string(r, 2, meanings[code])
            r += 1
        r += 1
    ws.write_string(r, 0, "列说明", fmt.section)
    r += 1
    ws.write_string(r, 0, "表头", fmt.head)
    ws.write_string(r, 1, "机读列名(CSV)", fmt.head)
    r += 1
    for col in PRINTED + tuple(Col(c, zh, 0) for c, zh in FILL_COLUMNS) + REFERENCE:
        ws.write_string(r, 0, col.header)
        ws.write_string(r, 1, CSV_CODE_OF.get(col.key, col.key if col.key in CSV_COLUMNS + FIELD_CODES else ""))
        r += 1
    ws.set_landscape()
    ws.set_paper(A4)
    ws.fit_to_pages(1, 0)


# The CSV column behind a workbook column the workbook derives (a word for a code, a name for a code, a link).
CSV_CODE_OF = {
    "community": "community_name",
    "category_zh": "category",
    "severity_zh": "severity",
    "status_zh": "status",
    "evidence_link": "evidence",
    "progress": "status",
}
FIELD_CODES = tuple(code for code, _ in FILL_COLUMNS)


def print_columns() -> int:
    """How many columns the data sheets print (序号 .. 备注); the reference columns after them are not printed."""
    return len(PRINTED) + len(FILL_COLUMNS)


def last_print_column() -> str:
    return xl_col_to_name(print_columns() - 1)
