"""The street workbook a caseworker gets (flows/outputs/workbook.py): a verification list read left to right, Chinese
throughout, printable on A4, and same night -> same bytes. None of this needs LibreOffice: openpyxl reads what a
spreadsheet program would lay out (tools/render_workbook.sh renders it for a person to look at)."""

import datetime as dt
import json
import re

import openpyxl
import polars as pl
from openpyxl.utils import column_index_from_string

from flows.outputs.workbook import (
    ALL_SHEET,
    EVIDENCE_SHEET,
    NOTES_SHEET,
    last_print_column,
    workbook_name,
    write_street_workbook,
)
from models.rules.catalogue import CATALOGUE
from tests.caseworker.helpers import AS_OF, STREET, export_row, frame

ROWS = frame(
    export_row(1, "002", days_left=-2),
    export_row(2, "001", days_left=0),
    export_row(3, "001", days_left=3),
    export_row(4, "002", days_left=4, score=None),
    export_row(5, "010", days_left=12),
)
PRINTED = [
    "序号",
    "办理时限",
    "剩余工作日",
    "预警类型",
    "户主姓名",
    "户主身份证号(脱敏)",
    "社区",
    "家庭住址",
    "预警原因",
    "核查进展",
    "核查结果",
    "办结日期",
    "处置措施",
    "核查人",
    "备注",
]
# Codes of the contract that must never show in what a caseworker reads (status, severity, category, outcome).
ENGLISH_WORDS = re.compile(
    r"\b(open|in_progress|confirmed|dismissed|resolved_by_data|high|medium|low|exclusion|"
    r"inclusion|payment|integrity|process|monitoring)\b"
)


def write(tmp_path, data=ROWS, name="500106001.xlsx"):
    path = tmp_path / name
    write_street_workbook(path, data, STREET, "小龙坎街道", AS_OF, 3)
    return path


def header(ws):
    return [c.value for c in ws[1]]


def column(ws, title):
    return header(ws).index(title) + 1


def test_sheets_are_all_first_then_communities_then_evidence_then_notes(tmp_path):
    wb = openpyxl.load_workbook(write(tmp_path))
    assert wb.sheetnames == [ALL_SHEET, "001(2条)", "002(2条)", "010(1条)", EVIDENCE_SHEET, NOTES_SHEET]
    assert wb[ALL_SHEET].max_row == 6
    ws = wb["002(2条)"]
    assert [ws.cell(r, column(ws, "预警编号")).value for r in (2, 3)] == [
        "W20260302-0000000001",
        "W20260302-0000000004",
    ]
    assert [ws.cell(r, 1).value for r in (2, 3)] == [1, 4]  # 序号 as on the 全部 sheet


def test_community_sheets_and_column_carry_names_when_delivered_else_the_code(tmp_path):
    data = ROWS.with_columns(
        community_name=pl.when(pl.col("region_code").str.ends_with("001")).then(pl.lit("土湾社区")).otherwise(None)
    )
    wb = openpyxl.load_workbook(write(tmp_path, data))
    assert wb.sheetnames[1:4] == ["土湾社区(2条)", "002(2条)", "010(1条)"]  # in code order: 001, 002, 010
    ws = wb[ALL_SHEET]
    assert [ws.cell(r, column(ws, "社区")).value for r in range(2, 7)] == [
        STREET + "002",
        "土湾社区",
        "土湾社区",
        STREET + "002",
        STREET + "010",
    ]


def test_columns_read_left_to_right_with_the_first_five_frozen(tmp_path):
    wb = openpyxl.load_workbook(write(tmp_path))
    for name in wb.sheetnames[:-2]:
        ws = wb[name]
        assert header(ws)[:15] == PRINTED
        assert header(ws)[15:18] == ["证据", "预警编号", "户编号"]
        assert ws.freeze_panes == "F2"  # 序号 .. 户主姓名 and the header stay in sight
    ws = wb[ALL_SHEET]
    assert all(ws.cell(r, column(ws, "核查结果")).value is None for r in range(2, 7))
    assert ws.cell(2, column(ws, "家庭住址")).value is None and ws.cell(2, column(ws, "预警原因")).value.startswith(
        "户人均"
    )


def test_print_area_is_one_a4_landscape_page_wide_without_the_reference_columns(tmp_path):
    wb = openpyxl.load_workbook(write(tmp_path))
    assert last_print_column() == "O"
    for name in wb.sheetnames[:-2]:
        ws = wb[name]
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
        # fit to 1 page wide (1 is the OOXML default, which xlsxwriter leaves out), as many pages tall as it takes
        assert ws.sheet_properties.pageSetUpPr.fitToPage and int(ws.page_setup.fitToWidth or 1) == 1
        assert int(ws.page_setup.fitToHeight) == 0
        area = ws.print_area if isinstance(ws.print_area, str) else ws.print_area[0]
        last = re.search(r"\$([A-Z]+)\$\d+$", area)[1]
        assert column_index_from_string(last) == PRINTED.index("备注") + 1  # 证据, 预警编号 ... not printed
        assert ws.print_title_rows == "$1:$1"
        assert "小龙坎街道（500106001）" in ws.oddFooter.left.text and "&P" in ws.oddFooter.center.text
        assert "2026-03-03" in ws.oddFooter.right.text
        # at the scale that fits the page, the printed columns are still at least two thirds of their size
        width = sum(ws.column_dimensions[openpyxl.utils.get_column_letter(j)].width for j in range(1, 16))
        assert width * 7 * 0.2646 * 0.67 <= 297 - 2 * 0.3 * 25.4


def test_no_english_code_in_what_a_caseworker_reads(tmp_path):
    data = frame(
        export_row(1, status="in_progress", severity="medium", category="inclusion"),
        export_row(2, warning_code="EDGE_FAMILY", severity="low", category="monitoring"),
    )
    wb = openpyxl.load_workbook(write(tmp_path, data))
    for name in wb.sheetnames[:-2]:
        ws = wb[name]
        printed = [ws.cell(r, j).value for r in range(1, ws.max_row + 1) for j in range(1, 16)]
        reference = [
            ws.cell(r, column(ws, h)).value for r in range(2, ws.max_row + 1) for h in ("预警类别", "严重程度", "状态")
        ]
        for value in printed + reference:
            assert not ENGLISH_WORDS.search(str(value or "")), (name, value)
    ws = wb[ALL_SHEET]
    assert [ws.cell(r, column(ws, "严重程度")).value for r in (2, 3)] == ["中", "低"]
    assert [ws.cell(r, column(ws, "预警类别")).value for r in (2, 3)] == ["错保", "监测"]
    assert [ws.cell(r, column(ws, "核查进展")).value for r in (2, 3)] == ["核查中（）", "待核查"]


def test_english_words_would_be_caught(tmp_path):
    """The near-miss twin of the test above: the same check finds a code left in a cell."""
    assert ENGLISH_WORDS.search("状态 open") and ENGLISH_WORDS.search("high") and not ENGLISH_WORDS.search("Highway 高")


def test_an_in_progress_warning_shows_its_last_caseworker_date_and_note(tmp_path):
    data = frame(export_row(1, status="in_progress"), export_row(2)).with_columns(
        progress_date=pl.Series([dt.date(2026, 3, 2), None]),
        progress_caseworker=pl.Series(["CW7", None]),
        progress_note=pl.Series(["已约入户", None]),
    )
    ws = openpyxl.load_workbook(write(tmp_path, data))[ALL_SHEET]
    assert [ws.cell(r, column(ws, "核查进展")).value for r in (2, 3)] == [
        "核查中（2026-03-02，CW7）：已约入户",
        "待核查",
    ]


def test_dates_are_dates_and_days_left_a_number(tmp_path):
    ws = openpyxl.load_workbook(write(tmp_path))[ALL_SHEET]
    cell = ws.cell(2, column(ws, "办理时限"))
    assert cell.value == dt.datetime(2026, 3, 16) and cell.is_date and cell.number_format == "yyyy-mm-dd"
    assert ws.cell(2, column(ws, "剩余工作日")).value == -2
    assert ws.cell(5, column(ws, "核查命中概率")).value is None


def test_drop_downs_offer_the_chinese_words(tmp_path):
    ws = openpyxl.load_workbook(write(tmp_path))[ALL_SHEET]
    lists = {dv.formula1: str(dv.sqref) for dv in ws.data_validations.dataValidation if dv.type == "list"}
    outcome_col = openpyxl.utils.get_column_letter(column(ws, "核查结果"))
    action_col = openpyxl.utils.get_column_letter(column(ws, "处置措施"))
    assert lists['"属实,不属实,核查中"'] == f"{outcome_col}2:{outcome_col}6"
    assert lists['"纳入救助,停止救助,调整救助,转介,无需处置"'] == f"{action_col}2:{action_col}6"


def test_evidence_is_readable_lines_on_its_own_sheet_linked_from_the_row(tmp_path):
    evidence = json.dumps(
        {
            "income": {"per_capita": 636.0, "window": "2025-09..2026-02"},
            "program": "dibao",
            "members_present": 2,
            "parameters": [
                {"name": "dibao.standard_urban", "value": 772, "effective_from": "2021-09-01", "status": "verified"}
            ],
        }
    )
    wb = openpyxl.load_workbook(write(tmp_path, frame(export_row(1, evidence=evidence))))
    ws = wb[ALL_SHEET]
    link = ws.cell(2, column(ws, "证据")).hyperlink
    assert link.location == f"'{EVIDENCE_SHEET}'!A2" and ws.cell(2, column(ws, "证据")).value == "查看证据"
    lines = [c.value for c in wb[EVIDENCE_SHEET]["A"] if c.value]
    assert lines[1].startswith("序号 1　疑似漏保　户主 张三")
    assert lines[3:] == [
        "收入核算：",
        "    人均收入（元/月）：636.00",
        "    收入核算期间：2025-09..2026-02",
        "救助项目：低保",
        "共同生活成员人数：2",
        "依据的参数：",
        "    · dibao.standard_urban = 772（自 2021-09-01 起施行；已核实）",
    ]
    assert not any("{" in line for line in lines)


def test_deadline_due_within_three_working_days_is_amber_and_overdue_red(tmp_path):
    ws = openpyxl.load_workbook(write(tmp_path))[ALL_SHEET]
    fills = {}
    for r in range(2, 7):
        days = ws.cell(r, column(ws, "剩余工作日"))
        deadline = ws.cell(r, column(ws, "办理时限"))
        assert days.fill.fgColor.rgb == deadline.fill.fgColor.rgb
        fills[days.value] = days.fill.fgColor.rgb if days.fill.fill_type == "solid" else None
    assert fills[-2] == "FFFF7C80"  # overdue: red
    assert fills[0] == fills[3] == "FFFFEB9C"  # days_left <= 3: amber
    assert fills[4] is None and fills[12] is None  # not yet due soon: plain


def test_notes_sheet_explains_every_code_with_the_deadline_in_force(tmp_path):
    ws = openpyxl.load_workbook(write(tmp_path))[NOTES_SHEET]
    rows = {r[0]: r for r in ws.iter_rows(values_only=True) if r[0]}
    for code, w in CATALOGUE.items():
        assert rows[code][1] == w.label_zh and rows[code][2] == w.category
    assert rows["MEMBER_DECEASED"][5] == 5 and rows["EDGE_FAMILY"][5] == 20
    for word, code in (
        ("属实", "confirmed"),
        ("不属实", "dismissed"),
        ("核查中", "in_progress"),
        ("纳入救助", "enrolled"),
        ("无需处置", "none"),
        ("待核查", "open"),
        ("数据已消除", "resolved_by_data"),
    ):
        assert rows[word][1] == code


def test_file_name_is_the_street_code_and_name():
    assert workbook_name("500106001", "小龙坎街道") == "500106001_小龙坎街道.xlsx"
    assert workbook_name("500106001", None) == "500106001.xlsx"
    assert workbook_name("500106001", "小龙/坎 街道") == "500106001_小龙坎街道.xlsx"


def test_same_night_gives_the_same_bytes(tmp_path):
    a, b = write(tmp_path, name="a.xlsx"), write(tmp_path, name="b.xlsx")
    assert a.read_bytes() == b.read_bytes()
    props = openpyxl.load_workbook(a).properties
    assert props.created == dt.datetime(2026, 3, 3) and props.modified == dt.datetime(2026, 3, 3)


def test_a_street_without_warnings_gets_headers_only(tmp_path):
    wb = openpyxl.load_workbook(write(tmp_path, ROWS.head(0)))
    assert wb.sheetnames == [ALL_SHEET, EVIDENCE_SHEET, NOTES_SHEET]
    assert wb[ALL_SHEET].max_row == 1
