"""The Excel workbook a caseworker gets (docs/CONTRACT.md §4) and fills in to send outcomes back (§5, `flows/outcomes.py`).

One workbook per street (镇街):

    全部            every warning of the street, in the contract's order (deadline, then score descending)
    001 (12条) ...  one sheet per community (村/社区), named by the last 3 digits of its region code and its row count
    说明            what every column, warning code, colour, outcome code and action code means

Every data sheet has the contract columns with Chinese headers, then five empty columns to fill in — 处理结果 (outcome),
办结日期 (resolved_date), 处置措施 (action), 核实人 (caseworker_id), 备注 (note) — with drop-down lists for the coded ones.
Caseworkers fill in the "全部" sheet and send the workbook back; `safetynet outcomes import` reads it.

Deadline cells are coloured when the warning is due within the deadline-soon threshold (parameter
`queue.deadline_soon_working_days`, days_left <= N) and more strongly when it is overdue (days_left < 0).

Same night, same bytes: workbook metadata is fixed to the as-of date at 00:00 and nothing depends on the wall clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

import polars as pl
import xlsxwriter

from models.rules.catalogue import CATALOGUE, CATEGORY_ZH

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
# The columns a caseworker fills in, after the contract columns: (code as in docs/CONTRACT.md §5, Chinese header).
FILL_COLUMNS = (
    ("outcome", "处理结果"), ("resolved_date", "办结日期"), ("action", "处置措施"), ("caseworker_id", "核实人"),
    ("note", "备注"),
)
OUTCOMES_ZH = {
    "confirmed": "核实属实：预警情况存在（办结，关闭预警）",
    "dismissed": "核实不属实：排除预警（办结，关闭预警）",
    "in_progress": "正在核实：尚未办结，预警保持打开，办理时限不变",
}
FINAL_OUTCOMES = ("confirmed", "dismissed")
ACTIONS_ZH = {
    "enrolled": "纳入救助（低保、特困或低保边缘等）",
    "terminated": "停止救助",
    "adjusted": "调整救助金额或保障人数",
    "referred": "转介其他部门或其他救助",
    "none": "无需处置",
}
STATUS_ZH = {"open": "待核实", "in_progress": "核实中", "confirmed": "属实", "dismissed": "不属实"}
SEVERITY_ZH = {"high": "高", "medium": "中", "low": "低"}
ALL_SHEET = "全部"
NOTES_SHEET = "说明"
UNKNOWN_COMMUNITY = "未知社区"

WIDTHS = {
    "warning_id": 22, "household_id": 14, "region_code": 14, "street_code": 11, "street_name": 12, "warning_code": 24,
    "category": 10, "label_zh": 16, "severity": 8, "score": 9, "reasons": 50, "evidence": 30, "raised_date": 11,
    "deadline": 11, "days_left": 8, "status": 10, "head_name": 9, "head_id_masked": 20,
    "outcome": 12, "resolved_date": 12, "action": 12, "caseworker_id": 10, "note": 30,
}
DATE_COLUMNS = ("raised_date", "deadline")
HIGHLIGHTED = ("deadline", "days_left")
SOON_COLOUR, SOON_FONT = "#FFEB9C", "#9C5700"        # amber: due within the threshold
OVERDUE_COLOUR, OVERDUE_FONT = "#FF7C80", "#7F0000"  # red: overdue
HEAD_COLOUR, FILL_HEAD_COLOUR = "#DDEBF7", "#E2EFDA"
DATE_FORMAT = "yyyy-mm-dd"
MAX_SHEET_NAME = 31
LINE_HEIGHT, MAX_LINES = 15, 8  # points per wrapped line of 预警原因; rows grow to at most this many lines


def community_sheet_names(region_codes: list[str | None]) -> dict[str | None, str]:
    """Sheet name per community code: its last 3 digits (the full code if two communities share them), sorted."""
    codes = sorted({c for c in region_codes if c}, key=str)
    suffixes = [c[-3:] for c in codes]
    names = {c: (c[-3:] if suffixes.count(c[-3:]) == 1 else c)[:MAX_SHEET_NAME] for c in codes}
    if any(c is None or c == "" for c in region_codes):
        names[None] = UNKNOWN_COMMUNITY
    return names


def write_street_workbook(path: Path, frame: pl.DataFrame, street_code: str, street_name: str, as_of: dt.date,
                          deadline_soon_days: int, deadline_days: Mapping[str, int] | None = None) -> None:
    """Write one street's caseworker workbook. `frame` has the docs/CONTRACT.md §4 columns, already sorted.

    `deadline_days` is the handling deadline per warning code in force on `as_of` (from the run's `catalogue` table);
    when not given it is read from the shipped parameters.
    """
    codes = frame.get_column("region_code").to_list() if frame.height else []
    names = community_sheet_names(codes)
    groups = []
    for code, name in sorted(names.items(), key=lambda kv: (kv[0] is None, kv[0] or "")):
        part = frame.filter(pl.col("region_code").is_null() | (pl.col("region_code") == "")) if code is None \
            else frame.filter(pl.col("region_code") == code)
        groups.append((f"{name} ({part.height}条)"[:MAX_SHEET_NAME], part))
    title = f"{street_name}（{street_code}）社会救助预警核实清单"
    _write_workbook(path, frame, groups, title, as_of, deadline_soon_days, deadline_days)


def write_escalation_workbook(path: Path, frame: pl.DataFrame, as_of: dt.date, deadline_soon_days: int,
                              overdue_days: int, deadline_days: Mapping[str, int] | None = None,
                              district_name: str = "沙坪坝区") -> None:
    """The district escalation list: the same layout, one sheet per street instead of per community."""
    groups = []
    keys = frame.select("street_code", "street_name").unique().sort("street_code", nulls_last=True).rows() \
        if frame.height else []
    used: set[str] = set()
    for code, name in keys:
        part = frame.filter(pl.col("street_code").eq_missing(code) & pl.col("street_name").eq_missing(name))
        base = (name or code or "未知镇街")[:MAX_SHEET_NAME - 8]
        sheet = base if base not in used else f"{base}{code or ''}"[:MAX_SHEET_NAME - 8]
        used.add(sheet)
        groups.append((f"{sheet} ({part.height}条)", part))
    title = f"{district_name}超期{overdue_days}个工作日以上预警督办清单"
    _write_workbook(path, frame, groups, title, as_of, deadline_soon_days, deadline_days)


def _write_workbook(path: Path, frame: pl.DataFrame, groups: list[tuple[str, pl.DataFrame]], title: str,
                    as_of: dt.date, soon_days: int, deadline_days: Mapping[str, int] | None) -> None:
    if deadline_days is None:
        from models.rules.parameters import ParameterSet

        deadline_days = ParameterSet.load().value("catalogue.deadline_working_days", as_of)
    # in_memory: each part is built in memory, not in a temporary file (27 workbooks a night: 0.86 -> 0.64 s)
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_urls": False,
                                         "strings_to_formulas": False, "in_memory": True})
    wb.set_properties({"title": f"{title} {as_of.isoformat()}", "author": "safetynet", "company": "safetynet",
                       "created": dt.datetime.combine(as_of, dt.time()),
                       "comments": "safetynet warning queue export; fill in the 全部 sheet and send it back"})
    fmt = _Formats(wb)
    _data_sheet(wb.add_worksheet(ALL_SHEET), frame, fmt, title, as_of, soon_days)
    for name, part in groups:
        _data_sheet(wb.add_worksheet(name), part, fmt, title, as_of, soon_days)
    _notes_sheet(wb.add_worksheet(NOTES_SHEET), fmt, title, as_of, soon_days, deadline_days)
    wb.close()


class _Formats:
    def __init__(self, wb):
        base = {"valign": "top"}
        self.head = wb.add_format(base | {"bold": True, "bg_color": HEAD_COLOUR, "border": 1, "text_wrap": True})
        self.fill_head = wb.add_format(base | {"bold": True, "bg_color": FILL_HEAD_COLOUR, "border": 1, "text_wrap": True})
        self.text = wb.add_format(base)
        self.wrap = wb.add_format(base | {"text_wrap": True})
        self.date = wb.add_format(base | {"num_format": DATE_FORMAT})
        self.score = wb.add_format(base | {"num_format": "0.00"})
        self.int = wb.add_format(base | {"num_format": "0"})
        self.as_text = wb.add_format(base | {"num_format": "@"})
        self.by_level = {}
        for level, bg, font, bold in (("soon", SOON_COLOUR, SOON_FONT, False), ("overdue", OVERDUE_COLOUR, OVERDUE_FONT, True)):
            colours = base | {"bg_color": bg, "font_color": font, "bold": bold}
            self.by_level[level] = {"date": wb.add_format(colours | {"num_format": DATE_FORMAT}),
                                    "int": wb.add_format(colours | {"num_format": "0"}),
                                    "text": wb.add_format(colours)}
        self.title = wb.add_format({"bold": True, "font_size": 14})
        self.section = wb.add_format({"bold": True, "font_size": 12, "bottom": 1})
        self.note = wb.add_format({"text_wrap": True, "valign": "top"})


def _wrapped_lines(text: str | None, width: int) -> int:
    """Lines a wrapped text takes in a column `width` characters wide (a CJK character is two), at most MAX_LINES;
    row heights are set from it because neither xlsxwriter nor every viewer fits them on opening."""
    if not text:
        return 1
    lines = 0
    for part in str(text).split("\n"):
        units = sum(2 if ord(ch) > 0x2E7F else 1 for ch in part)
        lines += max(1, -(-units * 100 // max(width * 85, 1)))  # 85%: wrapping at word breaks wastes some width
    return min(lines, MAX_LINES)


def _level(days_left, soon_days: int) -> str | None:
    if days_left is None:
        return None
    if days_left < 0:
        return "overdue"
    if days_left <= soon_days:
        return "soon"
    return None


def _data_sheet(ws, frame: pl.DataFrame, fmt: _Formats, title: str, as_of: dt.date, soon_days: int) -> None:
    columns = list(EXPORT_COLUMNS)
    n_contract = len(columns)
    for j, col in enumerate(columns):
        ws.write_string(0, j, HEADERS_ZH[col], fmt.head)
        cell = fmt.wrap if col == "reasons" else fmt.text
        ws.set_column(j, j, WIDTHS.get(col, 14), cell)
    for k, (code, zh) in enumerate(FILL_COLUMNS):
        j = n_contract + k
        ws.write_string(0, j, zh, fmt.fill_head)
        cell = fmt.date if code == "resolved_date" else fmt.as_text if code == "caseworker_id" else fmt.wrap \
            if code == "note" else fmt.text
        ws.set_column(j, j, WIDTHS[code], cell)
    ws.set_row(0, 30)
    days_idx, reasons_idx = columns.index("days_left"), columns.index("reasons")
    for i, row in enumerate(frame.select(columns).iter_rows(), start=1):
        level = _level(row[days_idx], soon_days)
        lines = _wrapped_lines(row[reasons_idx], WIDTHS["reasons"])
        if lines > 1:
            ws.set_row(i, LINE_HEIGHT * lines)
        for j, (col, value) in enumerate(zip(columns, row)):
            styles = fmt.by_level[level] if level and col in HIGHLIGHTED else None
            if value is None:
                ws.write_blank(i, j, None, styles["text"] if styles else None)
            elif isinstance(value, dt.date):
                ws.write_datetime(i, j, dt.datetime.combine(value, dt.time()), styles["date"] if styles else fmt.date)
            elif isinstance(value, bool):
                ws.write_string(i, j, str(value).lower())
            elif isinstance(value, int):
                ws.write_number(i, j, value, styles["int"] if styles else fmt.int)
            elif isinstance(value, float):
                ws.write_number(i, j, value, fmt.score)
            else:
                ws.write_string(i, j, str(value), fmt.wrap if col == "reasons" else None)
    last_col = n_contract + len(FILL_COLUMNS) - 1
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(frame.height, 1), last_col)
    if frame.height:
        _validations(ws, frame.height, n_contract)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)
    ws.set_header(f"&L{title}&R数据日期 {as_of.isoformat()}")
    ws.set_footer("&C第 &P 页，共 &N 页")


def _validations(ws, n_rows: int, first_fill: int) -> None:
    col = {code: first_fill + k for k, (code, _) in enumerate(FILL_COLUMNS)}
    ws.data_validation(1, col["outcome"], n_rows, col["outcome"], {
        "validate": "list", "source": list(OUTCOMES_ZH),
        "input_title": "处理结果", "input_message": "confirmed 属实；dismissed 不属实；in_progress 核实中（不关闭）",
        "error_title": "处理结果无效", "error_message": "请从下拉列表选择：confirmed、dismissed 或 in_progress"})
    ws.data_validation(1, col["action"], n_rows, col["action"], {
        "validate": "list", "source": list(ACTIONS_ZH),
        "input_title": "处置措施", "input_message": "enrolled 纳入；terminated 停止；adjusted 调整；referred 转介；none 无",
        "error_title": "处置措施无效", "error_message": "请从下拉列表选择：enrolled、terminated、adjusted、referred 或 none"})
    ws.data_validation(1, col["resolved_date"], n_rows, col["resolved_date"], {
        "validate": "date", "criteria": "between", "minimum": dt.date(2000, 1, 1), "maximum": dt.date(2099, 12, 31),
        "input_title": "办结日期", "input_message": "格式 yyyy-mm-dd；confirmed/dismissed 必填，in_progress 不填",
        "error_title": "办结日期无效", "error_message": "请填写日期，格式 yyyy-mm-dd"})


def _notes_sheet(ws, fmt: _Formats, title: str, as_of: dt.date, soon_days: int,
                 deadline_days: Mapping[str, int]) -> None:
    ws.set_column(0, 0, 26)
    ws.set_column(1, 1, 22)
    ws.set_column(2, 5, 14)
    ws.set_column(6, 6, 60)
    r = 0
    ws.write_string(r, 0, title, fmt.title)
    r += 1
    ws.write_string(r, 0, f"数据日期：{as_of.isoformat()}。本清单为核实线索，不是救助决定：每条预警都需人工核实后办理。")
    r += 2
    ws.write_string(r, 0, "填写与交回", fmt.section)
    r += 1
    for line in (
        f"1. 请在“{ALL_SHEET}”表右侧绿色表头的列中填写核实结果；各社区表与“{ALL_SHEET}”表内容相同，仅便于分社区查看，"
        f"导入时只读取“{ALL_SHEET}”表（只填在社区表中的结果会被退回）。",
        "2. 处理结果：confirmed、dismissed 或 in_progress（见下表）；未填写处理结果的行视为尚未处理，不导入。",
        "3. 办结日期：confirmed、dismissed 必填，格式 yyyy-mm-dd，不得早于预警日期、不得晚于交回日期；in_progress 不填。",
        "4. 处置措施：enrolled、terminated、adjusted、referred 或 none；核实人：工号；备注：自由填写。",
        "5. 保存为 .xlsx 后交回区民政局导入（safetynet outcomes import）；不符合要求的行会逐行列出原因退回，其余行照常导入。",
        "6. 已办结（confirmed/dismissed）的预警不能改为其他结果；如确需更正，请联系区民政局。",
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
    for j, h in enumerate(("预警代码", "预警类型", "类别", "类别(中文)", "严重程度", "办理时限(工作日)")):
        ws.write_string(r, j, h, fmt.head)
    r += 1
    for w in CATALOGUE.values():
        ws.write_string(r, 0, w.code)
        ws.write_string(r, 1, w.label_zh)
        ws.write_string(r, 2, w.category)
        ws.write_string(r, 3, CATEGORY_ZH.get(w.category, w.category))
        ws.write_string(r, 4, f"{w.severity} {SEVERITY_ZH.get(w.severity, '')}".strip())
        days = deadline_days.get(w.code)
        if days is None:
            ws.write_string(r, 5, "未设置")
        else:
            ws.write_number(r, 5, int(days), fmt.int)
        r += 1
    ws.write_string(r, 0, f"办理时限为 {as_of.isoformat()} 当日施行的设置，从预警次日起按工作日（国务院节假日安排）计算。")
    r += 2
    for heading, codes in (("处理结果（处理结果列）", OUTCOMES_ZH), ("处置措施（处置措施列）", ACTIONS_ZH),
                           ("状态（状态列）", STATUS_ZH)):
        ws.write_string(r, 0, heading, fmt.section)
        r += 1
        ws.write_string(r, 0, "代码", fmt.head)
        ws.write_string(r, 1, "含义", fmt.head)
        r += 1
        for code, zh in codes.items():
            ws.write_string(r, 0, code)
            ws.write_string(r, 1, zh)
            r += 1
        r += 1
    ws.write_string(r, 0, "列说明", fmt.section)
    r += 1
    ws.write_string(r, 0, "表头", fmt.head)
    ws.write_string(r, 1, "机读列名(CSV)", fmt.head)
    r += 1
    for code in EXPORT_COLUMNS:
        ws.write_string(r, 0, HEADERS_ZH[code])
        ws.write_string(r, 1, code)
        r += 1
    for code, zh in FILL_COLUMNS:
        ws.write_string(r, 0, zh, fmt.fill_head)
        ws.write_string(r, 1, code)
        r += 1
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
