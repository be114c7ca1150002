"""The street workbook a caseworker gets (flows/workbook.py): layout, lists, colours, and same night -> same bytes."""

import datetime as dt

import openpyxl

from flows.workbook import ALL_SHEET, EXPORT_COLUMNS, FILL_COLUMNS, HEADERS_ZH, NOTES_SHEET, write_street_workbook
from models.rules.catalogue import CATALOGUE
from tests.caseworker.helpers import AS_OF, STREET, export_row, frame

ROWS = frame(export_row(1, "002", days_left=-2), export_row(2, "001", days_left=0), export_row(3, "001", days_left=3),
             export_row(4, "002", days_left=4, score=None), export_row(5, "010", days_left=12))


def write(tmp_path, data=ROWS, name="500106001.xlsx"):
    path = tmp_path / name
    write_street_workbook(path, data, STREET, "小龙坎街道", AS_OF, 3)
    return path


def header(ws):
    return [c.value for c in ws[1]]


def column(ws, title):
    return header(ws).index(title) + 1


def test_sheets_are_all_first_then_communities_in_code_order_then_notes(tmp_path):
    wb = openpyxl.load_workbook(write(tmp_path))
    assert wb.sheetnames == [ALL_SHEET, "001 (2条)", "002 (2条)", "010 (1条)", NOTES_SHEET]
    assert all(len(n) <= 31 for n in wb.sheetnames)
    assert wb[ALL_SHEET].max_row == 6
    assert [wb["002 (2条)"].cell(r, 1).value for r in (2, 3)] == ["W20260302-0000000001", "W20260302-0000000004"]


def test_chinese_headers_then_fill_in_columns_frozen_and_filtered(tmp_path):
    wb = openpyxl.load_workbook(write(tmp_path))
    for name in wb.sheetnames[:-1]:
        ws = wb[name]
        assert header(ws) == [HEADERS_ZH[c] for c in EXPORT_COLUMNS] + [zh for _, zh in FILL_COLUMNS]
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref.startswith("A1:X")  # 19 contract columns (v2: fast_track) + 5 to fill in
    ws = wb[ALL_SHEET]
    assert ws.column_dimensions["K"].width > ws.column_dimensions["B"].width  # 预警原因 wider than 户编号
    assert all(ws.cell(r, column(ws, "处理结果")).value is None for r in range(2, 7))


def test_dates_are_dates_and_days_left_a_number(tmp_path):
    ws = openpyxl.load_workbook(write(tmp_path))[ALL_SHEET]
    cell = ws.cell(2, column(ws, "办理时限"))
    assert cell.value == dt.datetime(2026, 3, 16) and cell.is_date and cell.number_format == "yyyy-mm-dd"
    assert ws.cell(2, column(ws, "剩余工作日")).value == -2
    assert ws.cell(5, column(ws, "核实命中概率")).value is None


def test_outcome_and_action_columns_have_drop_down_lists(tmp_path):
    ws = openpyxl.load_workbook(write(tmp_path))[ALL_SHEET]
    lists = {dv.formula1: str(dv.sqref) for dv in ws.data_validations.dataValidation if dv.type == "list"}
    outcome_col = openpyxl.utils.get_column_letter(column(ws, "处理结果"))
    action_col = openpyxl.utils.get_column_letter(column(ws, "处置措施"))
    assert lists['"confirmed,dismissed,in_progress"'] == f"{outcome_col}2:{outcome_col}6"
    assert lists['"enrolled,terminated,adjusted,referred,none"'] == f"{action_col}2:{action_col}6"


def test_deadline_due_within_three_working_days_is_amber_and_overdue_red(tmp_path):
    ws = openpyxl.load_workbook(write(tmp_path))[ALL_SHEET]
    fills = {}
    for r in range(2, 7):
        days = ws.cell(r, column(ws, "剩余工作日"))
        deadline = ws.cell(r, column(ws, "办理时限"))
        assert days.fill.fgColor.rgb == deadline.fill.fgColor.rgb
        fills[days.value] = days.fill.fgColor.rgb if days.fill.fill_type == "solid" else None
    assert fills[-2] == "FFFF7C80"                    # overdue: red
    assert fills[0] == fills[3] == "FFFFEB9C"         # days_left <= 3: amber
    assert fills[4] is None and fills[12] is None     # not yet due soon: plain


def test_notes_sheet_explains_every_code_with_the_deadline_in_force(tmp_path):
    ws = openpyxl.load_workbook(write(tmp_path))[NOTES_SHEET]
    rows = {r[0]: r for r in ws.iter_rows(values_only=True) if r[0]}
    for code, w in CATALOGUE.items():
        assert rows[code][1] == w.label_zh and rows[code][2] == w.category
    assert rows["MEMBER_DECEASED"][5] == 5 and rows["EDGE_FAMILY"][5] == 20
    for code in ("confirmed", "dismissed", "in_progress", "enrolled", "terminated", "adjusted", "referred", "none"):
        assert code in rows


def test_same_night_gives_the_same_bytes(tmp_path):
    a, b = write(tmp_path, name="a.xlsx"), write(tmp_path, name="b.xlsx")
    assert a.read_bytes() == b.read_bytes()
    props = openpyxl.load_workbook(a).properties
    assert props.created == dt.datetime(2026, 3, 3) and props.modified == dt.datetime(2026, 3, 3)


def test_a_street_without_warnings_gets_headers_only(tmp_path):
    wb = openpyxl.load_workbook(write(tmp_path, ROWS.head(0)))
    assert wb.sheetnames == [ALL_SHEET, NOTES_SHEET]
    assert wb[ALL_SHEET].max_row == 1
