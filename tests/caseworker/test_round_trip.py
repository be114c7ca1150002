"""The caseworker's round trip through real parts: the night's street workbook is filled in with the Chinese words its
drop-downs offer (openpyxl, as a spreadsheet program saves it), imported, and the next nights' workbooks show the
closure and carry the in-progress report forward until the warning is closed."""

import datetime as dt

import openpyxl

from flows.caseworker.outcomes import import_outcomes
from flows.outputs.workbook import ALL_SHEET
from tests.caseworker.test_queue_lifecycle import H1, night, store  # noqa: F401  (store is a fixture)

MON, TUE, WED, THU = dt.date(2026, 3, 2), dt.date(2026, 3, 3), dt.date(2026, 3, 4), dt.date(2026, 3, 5)
CANDIDATES = [(H1, "death:E1", "MEMBER_DECEASED"), (H1, "edge", "EDGE_FAMILY")]
BOOK = "500106001_小龙坎街道.xlsx"


def sheet_rows(path) -> dict[str, dict]:
    """预警类型 -> {header: value} of the 全部 sheet."""
    ws = openpyxl.load_workbook(path)[ALL_SHEET]
    heads = [c.value for c in ws[1]]
    rows = [dict(zip(heads, (c.value for c in r))) for r in ws.iter_rows(min_row=2)]
    return {r["预警类型"]: r for r in rows}


def fill(path, by_label: dict[str, dict]) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb[ALL_SHEET]
    heads = [c.value for c in ws[1]]
    for r in range(2, ws.max_row + 1):
        values = by_label.get(ws.cell(r, heads.index("预警类型") + 1).value, {})
        for title, value in values.items():
            ws.cell(r, heads.index(title) + 1, value)
    wb.save(path)


def test_export_fill_in_with_the_chinese_words_import_and_the_next_nights_show_it(tmp_path, store):  # noqa: F811
    night(store, MON, CANDIDATES, {})
    returned = tmp_path / BOOK
    returned.write_bytes((store.exports_dir(MON) / BOOK).read_bytes())
    assert set(sheet_rows(returned)) == {"成员死亡未调整", "低保边缘家庭"}
    fill(
        returned,
        {
            "成员死亡未调整": {
                "核查结果": "属实",
                "办结日期": dt.datetime(2026, 3, 3),
                "处置措施": "调整救助",
                "核查人": "CW7",
            },
            "低保边缘家庭": {"核查结果": "核查中", "核查人": "CW8", "备注": "已约入户"},
        },
    )
    report = import_outcomes(store.root, returned, TUE)
    assert (report["applied"], report["rejected"]) == (2, [])

    night(store, TUE, CANDIDATES, {})
    tuesday = sheet_rows(store.exports_dir(TUE) / BOOK)
    assert set(tuesday) == {"低保边缘家庭"}  # the confirmed warning is closed
    assert tuesday["低保边缘家庭"]["核查进展"] == "核查中（2026-03-03，CW8）：已约入户"
    assert tuesday["低保边缘家庭"]["状态"] == "核查中" and tuesday["低保边缘家庭"]["核查结果"] is None

    night(store, WED, CANDIDATES, {})  # no new report: the last one is still shown
    assert (
        sheet_rows(store.exports_dir(WED) / BOOK)["低保边缘家庭"]["核查进展"] == "核查中（2026-03-03，CW8）：已约入户"
    )

    returned = tmp_path / "wed.xlsx"
    returned.write_bytes((store.exports_dir(WED) / BOOK).read_bytes())
    fill(
        returned,
        {
            "低保边缘家庭": {
                "核查结果": "不属实",
                "办结日期": "2026-03-04",
                "处置措施": "无需处置",
                "核查人": "CW8",
                "备注": "入户核实收入高于边缘标准",
            }
        },
    )
    assert import_outcomes(store.root, returned, THU)["applied"] == 1
    night(store, THU, CANDIDATES, {})
    assert sheet_rows(store.exports_dir(THU) / BOOK) == {}  # closed: nothing carried any more
