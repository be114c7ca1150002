"""The monthly 公示 roster (docs/CONTRACT.md v2): who is listed, how names are masked, what is never in it, and on which night.

By hand, D = 2026-03-10. Listed: households with a dibao or tekun enrollment active or in gradual exit on D. Masking:
张小明 -> 张*明, 欧阳小华 -> 欧**华, 李四 -> 李* (a two-character name keeps only its first). Sorted by the head's name
within a community (Unicode order: 张 U+5F20 < 李 U+674E < 欧 U+6B27).
"""

from __future__ import annotations

import datetime as dt
import re

import duckdb
import openpyxl
import pytest

from flows.outputs import gongshi
from models.rules.candidates import raise_candidates
from models.rules.parameters import ParameterSet
from tests.checks.staging import make_id
from tests.rules.conftest import AS_OF, StateBuilder, load_working_days

C1, C2 = "500106001001", "500106002003"
ID_A = make_id("19700101", "011")
INCOME, ADDRESS = 2345.67, "小龙坎正街 88 号"


def build() -> StateBuilder:
    s = StateBuilder()
    a, _, child = s.household(
        "A",
        members=[
            dict(person_id=ID_A, name="张小明"),
            dict(name="王芳", relation="spouse"),
            dict(name="张一", relation="child", disability_grade=1, disability_type="visual"),
        ],
        region_code=C1,
        address=ADDRESS,
    )
    s.event(child, "death", "2026-01-05")  # size 2 on D
    s.income(a, "2026-01", INCOME)
    s.enroll("A", "dibao", covered_persons=2, monthly_benefit=1234.56, start_date="2024-03-15")
    s.household("B", members=[dict(name="李四")], region_code=C1)
    s.enroll("B", "tekun", monthly_benefit=1001, start_date="2025-11-01")
    s.household("C", members=[dict(name="欧阳小华")], region_code=C1)
    s.enroll("C", "dibao", status="gradual_exit", monthly_benefit=300, start_date="2023-01-01")
    s.household("D_OTHER", members=[dict(name="赵六")], region_code=C2)
    s.enroll("D_OTHER", "dibao", monthly_benefit=500)
    for hid, program, status, end in (
        ("E_SUSPENDED", "dibao", "suspended", None),
        ("F_EDGE", "edge", "active", None),
        ("G_ENDED", "dibao", "terminated", "2026-02-28"),
        ("H_ALLOWANCE", "age_allowance", "active", None),
    ):
        s.household(hid, members=[dict(name=f"不列{hid}")], region_code=C1)
        s.enroll(hid, program, status=status, end_date=end, monthly_benefit=100)
    return s


@pytest.fixture(scope="module")
def night():
    con = duckdb.connect()
    build().load(con)
    load_working_days(con)
    raise_candidates(con, ParameterSet.load(), AS_OF)
    return con


@pytest.fixture(scope="module")
def written(night, tmp_path_factory):
    folder = tmp_path_factory.mktemp("exports") / gongshi.ROSTER_DIR
    return folder, gongshi.write_roster(night, folder, AS_OF)


def test_listed_households_masked_and_sorted(night):
    frame = gongshi.roster_frame(night)
    rows = [
        (
            r["community_code"],
            r["head_name_masked"],
            r["household_size"],
            r["program"],
            float(r["monthly_benefit"]),
            r["start_month"],
        )
        for r in frame.iter_rows(named=True)
    ]
    assert rows == [
        (C1, "张*明", 2, "dibao", 1234.56, "2024-03"),
        (C1, "李*", 1, "tekun", 1001.0, "2025-11"),
        (C1, "欧**华", 1, "dibao", 300.0, "2023-01"),
        (C2, "赵*", 1, "dibao", 500.0, "2024-01"),
    ]


def test_one_csv_and_one_workbook_per_community(written):
    folder, hashes = written
    assert sorted(hashes) == [f"gongshi/{c}.{x}" for c in (C1, C2) for x in ("csv", "xlsx")]
    assert (folder / f"{C1}.csv").read_text(encoding="utf-8-sig").splitlines()[0] == ",".join(gongshi.CSV_COLUMNS)
    assert (folder / f"{C1}.csv").read_bytes()[:3] == b"\xef\xbb\xbf"  # a BOM: Excel reads the Chinese names right
    ws = openpyxl.load_workbook(folder / f"{C1}.xlsx")["公示"]
    assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "portrait"
    assert [ws.cell(r, 2).value for r in (3, 4, 5)] == ["张*明", "李*", "欧**华"]


def test_nothing_private_appears(written):
    """No ID number, income, address, disability or health detail, and no full name, in any file of the roster."""
    folder, _ = written
    forbidden = [
        ID_A,
        ID_A[:6] + "19700101",
        f"{INCOME}",
        "2345",
        ADDRESS,
        "小龙坎正街",
        "张小明",
        "欧阳小华",
        "李四",
        "visual",
        "视力",
        "disability",
        "张一",
        "王芳",
    ]
    for path in sorted(folder.iterdir()):
        if path.suffix == ".csv":
            texts = [path.read_text(encoding="utf-8")]
        else:
            wb = openpyxl.load_workbook(path)
            texts = [str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value is not None]
            texts.append(str(wb.properties.title))
        for text in texts:
            assert not re.search(r"\d{17}[\dXx]", text), path.name
            for word in forbidden:
                assert word not in text, f"{path.name}: {word}"


@pytest.mark.parametrize("previous,first", [(None, True), (dt.date(2026, 2, 27), True), (dt.date(2026, 3, 2), False)])
def test_first_night_of_the_month(previous, first):
    con = duckdb.connect()
    con.execute("ATTACH ':memory:' AS store")
    con.execute("CREATE TABLE store.warning_snapshots (as_of DATE, warning_id VARCHAR)")
    if previous:
        con.execute("INSERT INTO store.warning_snapshots VALUES (?, 'W1')", [previous])
    assert gongshi.is_first_night_of_month(con, AS_OF) is first


def test_workbook_named_by_code_and_community_name_safe_for_a_file_system():
    assert gongshi.workbook_name(C1, "土湾社区") == f"{C1}_土湾社区.xlsx"
    assert gongshi.workbook_name(C1, C1) == f"{C1}.xlsx"
    assert gongshi.workbook_name(C1, None) == f"{C1}.xlsx"
    assert gongshi.workbook_name(C1, "a/b c") == f"{C1}_a_b_c.xlsx"
