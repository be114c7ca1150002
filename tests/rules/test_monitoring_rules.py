"""Monitoring family: EDGE_FAMILY and RIGID_EXPENSE_FAMILY.

By hand, D = 2026-03-10, pensions (no deduction): edge band urban [770, 1155), rural [630, 945) (from the shipped
standards U, R and multiple 1.5).
Rigid: per-capita x 12 < 37595 (rigid.disposable_income_annual, from 2023-10-19) and rigid spending (medical_*,
education, disability_rehab, self-paid, in (D-365, D]) > 0.5 x annual income (per-capita x n x 12).
"""

import datetime as dt

import pytest

from tests.rules.conftest import EDGE_MULTIPLE, STD_RURAL, STD_URBAN, StateBuilder, yuan

EF, RF = "EDGE_FAMILY", "RIGID_EXPENSE_FAMILY"
U, R = STD_URBAN, STD_RURAL
LINE, LINE_RURAL = yuan(EDGE_MULTIPLE * U), yuan(EDGE_MULTIPLE * R)
MID = yuan((U + LINE) / 2)  # 962.50: inside the urban band
assert LINE < 3132.91


def build():
    s = StateBuilder()
    expect = {}

    def case(hid, code, fires, pension=None, **kw):
        expect[hid] = (code, fires)
        people = s.household(hid, **kw)
        if pension is not None:
            s.monthly(people[0], pension, source_type="pension")
        return people

    case("EF_AT_STANDARD", EF, True, U)  # 770
    case("EF_BELOW_STANDARD", EF, False, yuan(U - 0.01))  # 769.99
    case("EF_JUST_BELOW_LINE", EF, True, yuan(LINE - 0.01))  # 1154.99
    case("EF_AT_LINE", EF, False, LINE)  # 1155
    case("EF_RURAL_AT", EF, True, R, hukou_type="rural")  # 630
    case("EF_RURAL_BELOW_LINE", EF, True, yuan(LINE_RURAL - 0.01), hukou_type="rural")  # 944.99
    case("EF_RURAL_AT_LINE", EF, False, LINE_RURAL, hukou_type="rural")  # 945
    case("EF_ALREADY_EDGE", EF, False, MID)
    s.enroll("EF_ALREADY_EDGE", program="edge")
    case("EF_EDGE_TERMINATED", EF, True, MID)
    s.enroll("EF_EDGE_TERMINATED", program="edge", status="terminated", end_date="2025-12-31")
    case("EF_ON_ROSTER", EF, False, MID)
    s.enroll("EF_ON_ROSTER", status="suspended")
    [p] = case("EF_HAS_CAR", EF, False, MID)
    s.asset(p, "vehicle", "car", 30000)
    case("EF_UNKNOWN_INCOME", EF, False)

    # pension 1000 -> annual income 12000, spending line 6000
    [p] = case("RF_ABOVE", RF, True, 1000)
    s.expense(p, "2025-10-01", 6000.01)
    [p] = case("RF_AT", RF, False, 1000)
    s.expense(p, "2025-10-01", 6000)
    [p] = case("RF_EDUCATION", RF, True, 1000)
    s.expense(p, "2025-10-01", 7000, category="education")
    [p] = case("RF_REHAB", RF, True, 1000)
    s.expense(p, "2025-10-01", 7000, category="disability_rehab")
    [p] = case("RF_OTHER", RF, False, 1000)
    s.expense(p, "2025-10-01", 7000, category="other")
    # income line: 3132.91 x 12 = 37594.92 < 37595; spending line 18797.46
    [p] = case("RF_INCOME_BELOW_LINE", RF, True, 3132.91)
    s.expense(p, "2025-10-01", 18797.47)
    # 3132.92 x 12 = 37595.04, not below 37595
    [p] = case("RF_INCOME_AT_LINE", RF, False, 3132.92)
    s.expense(p, "2025-10-01", 30000)
    [p] = case("RF_ALREADY_RIGID", RF, False, 1000)
    s.expense(p, "2025-10-01", 7000)
    s.enroll("RF_ALREADY_RIGID", program="rigid")
    [p] = case("RF_EDGE", RF, False, 1000)
    s.expense(p, "2025-10-01", 7000)
    s.enroll("RF_EDGE", program="edge")
    [p] = case("RF_HAS_BUSINESS", RF, False, 1000)
    s.expense(p, "2025-10-01", 7000)
    s.asset(p, "business", "company", 1)
    [p] = case("RF_UNKNOWN_INCOME", RF, False)
    s.expense(p, "2025-10-01", 7000)
    [p] = case("RF_OLD_EXPENSE", RF, False, 1000)
    s.expense(p, "2025-03-10", 7000)
    return s, expect


STATE, EXPECT = build()


@pytest.fixture(scope="module")
def result():
    return STATE.run()


@pytest.mark.parametrize("hid", sorted(EXPECT))
def test_monitoring_case(result, hid):
    code, fires = EXPECT[hid]
    assert (code in result.codes(hid)) is fires, result.for_household(hid)


def test_rigid_reason(result):
    row = result.one("RF_ABOVE", RF)
    assert row["evidence"]["spending_line"] == 6000.00 and row["evidence"]["annual_income"] == 12000.00
    assert "自付 6000.01 元" in row["reasons"] and "37595 元（2023-10-19 起）" in row["reasons"]


def test_rigid_rule_starts_with_its_parameters():
    """rigid.* take effect on 2023-10-19 (国办发〔2023〕39号): the day before, nothing is raised; on the day, it is.
    Window for 2023-10-18/19: 2023-04..2023-09; pension 1000, medical 7000 on 2023-06-01."""
    s = StateBuilder()
    [p] = s.household("H")
    s.monthly(p, 1000, months=["2023-04", "2023-05", "2023-06", "2023-07", "2023-08", "2023-09"], source_type="pension")
    s.expense(p, "2023-06-01", 7000)
    assert RF not in s.run(dt.date(2023, 10, 18)).codes("H")
    assert RF in s.run(dt.date(2023, 10, 19)).codes("H")
