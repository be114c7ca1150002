"""Shock family: INCOME_SHOCK and MEDICAL_SHOCK.

By hand, D = 2026-03-10: recent = 2025-12..2026-02, prior = 2025-09..2025-11 (shock.recent_months 3); low-income line
1.5 x 770 = 1155 (LINE, from the shipped parameters); a drop is recent <= (1 - 0.5) x prior; unemployment counts in (D - 90 days, D] = from 2025-12-11.
Medical: self-paid medical_* of present members dated in (2025-03-10, 2026-03-10] above 20000.
"""

import pytest

from tests.rules.conftest import EDGE_MULTIPLE, PRIOR, RECENT, STD_URBAN, StateBuilder, deduction, yuan

IS, MS = "INCOME_SHOCK", "MEDICAL_SHOCK"
LINE = yuan(EDGE_MULTIPLE * STD_URBAN)
assert 1000 < LINE <= 1500


def build():
    s = StateBuilder()
    expect = {}

    def case(hid, code, fires, prior=None, recent=None, source="pension", **kw):
        expect[hid] = (code, fires)
        people = s.household(hid, **kw)
        if prior is not None:
            s.monthly(people[0], prior, months=PRIOR, source_type=source)
        if recent is not None:
            s.monthly(people[0], recent, months=RECENT, source_type=source)
        return people

    case("IS_DROP_HALF", IS, True, prior=1000, recent=500)  # 500 <= 0.5 x 1000, 500 < 1155
    case("IS_DROP_NOT_ENOUGH", IS, False, prior=1000, recent=500.01)
    case("IS_DROP_BUT_HIGH", IS, False, prior=3000, recent=1500)  # drop, but 1500 >= 1155
    case("IS_DROP_JUST_LOW", IS, True, prior=yuan(2 * (LINE - 0.01)), recent=yuan(LINE - 0.01))  # 2309.98, 1154.99
    case("IS_DROP_AT_LINE", IS, False, prior=yuan(2 * LINE), recent=LINE)  # 1155 is not below 1155
    # wage stops: prior wage 1500 - 231.00 = 1269.00 per month; no recent record -> recent 0 <= 634.50
    case("IS_WAGE_STOPPED", IS, True, prior=1500, source="wage")
    # prior 0 (no prior income): the drop branch needs prior > 0
    case("IS_NO_PRIOR", IS, False, recent=100)
    [p] = case("IS_UNEMPLOYED_89_DAYS", IS, True, prior=900, recent=900)
    s.event(p, "unemployment_registered", "2025-12-11", source="hr")
    [p] = case("IS_UNEMPLOYED_90_DAYS", IS, False, prior=900, recent=900)
    s.event(p, "unemployment_registered", "2025-12-10", source="hr")
    [p] = case("IS_UNEMPLOYED_HIGH_INCOME", IS, False, prior=LINE, recent=LINE)  # 1155 is not below 1155
    s.event(p, "unemployment_registered", "2026-02-01", source="hr")
    # unemployment but no income record at all: missing data is not zero income -> no INCOME_SHOCK
    [p] = case("IS_UNEMPLOYED_NO_DATA", IS, False)
    s.event(p, "unemployment_registered", "2026-02-01", source="hr")
    [p] = case("IS_COVERED", IS, False, prior=1000, recent=100)
    s.enroll("IS_COVERED")

    [p] = case("MS_ABOVE", MS, True)
    s.expense(p, "2025-10-01", 20000.01)
    [p] = case("MS_AT", MS, False)
    s.expense(p, "2025-10-01", 20000)
    [p] = case("MS_WINDOW_EDGE_OUT", MS, False)
    s.expense(p, "2025-03-10", 15000)
    s.expense(p, "2025-03-11", 10000)  # only 10000 in (D-365, D]
    [p] = case("MS_WINDOW_EDGE_IN", MS, True)
    s.expense(p, "2025-03-11", 15000)
    s.expense(p, "2026-03-10", 5000.01, category="medical_outpatient")
    [p] = case("MS_AFTER_D", MS, False)
    s.expense(p, "2026-03-11", 30000)
    [p] = case("MS_EDUCATION", MS, False)
    s.expense(p, "2025-10-01", 30000, category="education")
    a, b = case("MS_TWO_MEMBERS", MS, True, members=2)
    s.expense(a, "2025-10-01", 10000.01, category="medical_chronic")
    s.expense(b, "2025-11-01", 10000)
    [p] = case("MS_COVERED", MS, False)
    s.expense(p, "2025-10-01", 30000)
    s.enroll("MS_COVERED")
    a, b = case("MS_DEAD_MEMBER", MS, False, members=2)
    s.expense(b, "2025-10-01", 30000)
    s.event(b, "death", "2026-01-01")
    return s, expect


STATE, EXPECT = build()


@pytest.fixture(scope="module")
def result():
    return STATE.run()


@pytest.mark.parametrize("hid", sorted(EXPECT))
def test_shock_case(result, hid):
    code, fires = EXPECT[hid]
    assert (code in result.codes(hid)) is fires, result.for_household(hid)


def test_income_shock_evidence(result):
    row = result.one("IS_WAGE_STOPPED", IS)
    ev = row["evidence"]
    assert ev["prior"]["per_capita"] == yuan(1500 - deduction(STD_URBAN)) and ev["recent"]["per_capita"] == 0
    assert ev["recent"]["income_records"] == 0 and ev["income_drop"] is True
    assert "无收入记录" in row["reasons"]
    row = result.one("IS_UNEMPLOYED_89_DAYS", IS)
    assert [e["event_date"] for e in row["evidence"]["unemployment_events"]] == ["2025-12-11"]
    assert "登记失业" in row["reasons"]


def test_medical_shock_evidence(result):
    row = result.one("MS_WINDOW_EDGE_IN", MS)
    assert row["evidence"]["self_paid_total"] == 20000.01
    assert [x["date"] for x in row["evidence"]["expenses"]] == ["2025-03-11", "2026-03-10"]
    assert "20000.01" in row["reasons"] and "20000 元（2021-09-01 起）" in row["reasons"]
