"""Income family: ELIGIBLE_NOT_COVERED (income side) and INCOME_OVER_LIMIT.

Worked by hand from docs/rulebook.md with the shipped parameters in force on D = 2026-03-10, read from their files (U, R):
urban standard U = 770, rural R = 630 (from 2025-07-29); window = 6 complete months 2025-09..2026-02; employment-cost
deduction 0.3 x U = 231.00 per earner-month (rural 0.3 x R = 189.00), capped at that month's wage + business;
allowance_exempt and assistance are not counted. Per-capita = (countable - deductions) / 6 / n. The comments give the
arithmetic with today's values; the amounts are written from U and R so that a new standard moves them along.
"""

import pytest

from tests.rules.conftest import (
    _SHIPPED,
    AS_OF,
    STD_RURAL,
    STD_SINCE,
    STD_URBAN,
    WINDOW,
    StateBuilder,
    deduction,
    override,
    std_text,
    yuan,
)

ENC, IOL = "ELIGIBLE_NOT_COVERED", "INCOME_OVER_LIMIT"
U, R = STD_URBAN, STD_RURAL
DU, DR = deduction(U), deduction(R)
# the fixed amounts below sit on the side of the standard their comment says
assert 600 < U < 600 + 500 + 300 and 500 < U < 1000 and U < 812.50 and DU > 100


def build() -> tuple[StateBuilder, dict[str, tuple[str, bool]]]:
    s = StateBuilder()
    expect: dict[str, tuple[str, bool]] = {}

    def case(hid, code, fires, **kw):
        expect[hid] = (code, fires)
        return s.household(hid, **kw)

    # wage 1000.99 - 231.00 = 769.99 < 770 -> below the standard
    [p] = case("ENC_WAGE_BELOW", ENC, True)
    s.monthly(p, yuan(U + DU - 0.01))
    # wage 1001.00 - 231.00 = 770.00, at the standard: not below
    [p] = case("ENC_WAGE_AT", ENC, False)
    s.monthly(p, yuan(U + DU))
    # wage 1001.01 - 231.00 = 770.01: above
    [p] = case("ENC_WAGE_ABOVE", ENC, False)
    s.monthly(p, yuan(U + DU + 0.01))
    # pension is not earned income: no deduction; 769.99 < 770
    [p] = case("ENC_PENSION_BELOW", ENC, True)
    s.monthly(p, yuan(U - 0.01), source_type="pension")
    [p] = case("ENC_PENSION_AT", ENC, False)
    s.monthly(p, U, source_type="pension")
    # pension 600 counted; allowance_exempt 500 and assistance 300 excluded -> 600 < 770 (counting them: 1400)
    [p] = case("ENC_EXCLUDED_SOURCES", ENC, True)
    s.monthly(p, 600, source_type="pension")
    s.monthly(p, 500, source_type="allowance_exempt")
    s.monthly(p, 300, source_type="assistance")
    # no income record at all: unknown income, still raised, evidence says income_records 0 (no virtual income)
    case("ENC_UNKNOWN", ENC, True)
    # records only outside the window (2025-08 and the month of D, 2026-03): unknown as well
    [p] = case("ENC_OUTSIDE_WINDOW", ENC, True)
    s.income(p, "2025-08", 5000, "pension")
    s.income(p, "2026-03", 5000, "pension")
    # 2 members, A pension 1000, B died 2025-10-01: n = 1 -> 1000 > 770, no warning (counting B: 500 < 770)
    a, b = case("ENC_DEAD_NOT_COUNTED", ENC, False, members=2)
    s.monthly(a, 1000, source_type="pension")
    s.event(b, "death", "2025-10-01")
    # twin: B alive -> 1000 / 2 = 500 < 770
    a, b = case("ENC_BOTH_ALIVE", ENC, True, members=2)
    s.monthly(a, 1000, source_type="pension")
    # B moved hukou out 2025-06-01, never back: n = 1 -> 1000, no warning
    a, b = case("ENC_MOVED_OUT", ENC, False, members=2)
    s.monthly(a, 1000, source_type="pension")
    s.event(b, "hukou_out", "2025-06-01")
    # B moved out and back in: present, 500 < 770
    a, b = case("ENC_MOVED_BACK", ENC, True, members=2)
    s.monthly(a, 1000, source_type="pension")
    s.event(b, "hukou_out", "2025-06-01")
    s.event(b, "hukou_in", "2025-07-01")
    # B incarcerated 2025-12-01: n = 1 -> 1000
    a, b = case("ENC_INCARCERATED", ENC, False, members=2)
    s.monthly(a, 1000, source_type="pension")
    s.event(b, "incarceration", "2025-12-01", source="justice")
    # the income of an absent member does not count either: A pension 500 present; B (moved out) wage 5000 -> 500 < 770
    a, b = case("ENC_ABSENT_INCOME", ENC, True, members=2)
    s.monthly(a, 500, source_type="pension")
    s.monthly(b, 5000)
    s.event(b, "hukou_out", "2025-06-01")
    # rural standard 630: 629.99 below, 630 at
    [p] = case("ENC_RURAL_BELOW", ENC, True, hukou_type="rural")
    s.monthly(p, yuan(R - 0.01), source_type="pension")
    [p] = case("ENC_RURAL_AT", ENC, False, hukou_type="rural")
    s.monthly(p, R, source_type="pension")
    # rural deduction 189.00: wage 818.99 - 189.00 = 629.99 < 630
    [p] = case("ENC_RURAL_WAGE_BELOW", ENC, True, hukou_type="rural")
    s.monthly(p, yuan(R + DR - 0.01))
    # already covered (dibao active): not an exclusion case
    [p] = case("ENC_COVERED", ENC, False)
    s.enroll("ENC_COVERED")
    s.monthly(p, 100, source_type="pension")
    # suspended dibao is still on the roster
    [p] = case("ENC_SUSPENDED", ENC, False)
    s.enroll("ENC_SUSPENDED", status="suspended")
    s.monthly(p, 100, months=["2025-09"])
    # terminated enrollment (ended 2025-12-31): not on the roster any more -> raised
    [p] = case("ENC_TERMINATED", ENC, True)
    s.enroll("ENC_TERMINATED", status="terminated", end_date="2025-12-31")
    s.monthly(p, 100, source_type="pension")
    # everybody dead: n = 0, nothing to raise
    [p] = case("ENC_NOBODY_PRESENT", ENC, False)
    s.event(p, "death", "2025-01-01")

    # INCOME_OVER_LIMIT: dibao active
    [p] = case("IOL_ABOVE", IOL, True)
    s.enroll("IOL_ABOVE")
    s.monthly(p, yuan(U + 0.01), source_type="pension")
    [p] = case("IOL_AT", IOL, False)
    s.enroll("IOL_AT")
    s.monthly(p, U, source_type="pension")
    # gradual exit (渐退期) suppresses it
    [p] = case("IOL_GRADUAL_EXIT", IOL, False)
    s.enroll("IOL_GRADUAL_EXIT", status="gradual_exit")
    s.monthly(p, 2000, source_type="pension")
    # unknown income is not "over"
    case("IOL_UNKNOWN", IOL, False)
    s.enroll("IOL_UNKNOWN")
    # tekun is not tested against the dibao standard
    [p] = case("IOL_TEKUN", IOL, False)
    s.enroll("IOL_TEKUN", program="tekun")
    s.monthly(p, 2000, source_type="pension")
    # deduction capped at earned income: wage 100 + pension 800 -> deduction 100, net 800 > 770 (uncapped: 669.00)
    [p] = case("IOL_DEDUCTION_CAPPED", IOL, True)
    s.enroll("IOL_DEDUCTION_CAPPED")
    s.monthly(p, 100)
    s.monthly(p, yuan(U + 30), source_type="pension")
    # enrollment ending on D is no longer in force (end_date must be after D)
    [p] = case("IOL_ENDS_ON_D", IOL, False)
    s.enroll("IOL_ENDS_ON_D", end_date="2026-03-10")
    s.monthly(p, 2000, source_type="pension")
    [p] = case("IOL_ENDS_AFTER_D", IOL, True)
    s.enroll("IOL_ENDS_AFTER_D", end_date="2026-03-11")
    s.monthly(p, 2000, source_type="pension")
    # per capita a fraction of a cent off the standard: 4619.99 / 6 = 769.998 is below 770, 4620.01 / 6 = 770.0017 above;
    # the reasons must not read "770.00 below 770" or "770.00 above 770"
    [p] = case("ENC_SUB_CENT_BELOW", ENC, True)
    s.income(p, "2025-09", yuan(6 * U - 0.01), "pension")
    [p] = case("IOL_SUB_CENT_ABOVE", IOL, True)
    s.enroll("IOL_SUB_CENT_ABOVE")
    s.income(p, "2025-09", yuan(6 * U + 0.01), "pension")
    # the reason example: 2 members, pension 1625 for one -> 1625 / 2 = 812.50
    a, b = case("IOL_REASON", IOL, True, members=2)
    s.enroll("IOL_REASON", covered_persons=2)
    s.monthly(a, 1625, source_type="pension")
    return s, expect


STATE, EXPECT = build()


@pytest.fixture(scope="module")
def result():
    return STATE.run()


@pytest.mark.parametrize("hid", sorted(EXPECT))
def test_income_case(result, hid):
    code, fires = EXPECT[hid]
    assert (code in result.codes(hid)) is fires, result.for_household(hid)


def test_unknown_income_is_said_not_imputed(result):
    row = result.one("ENC_UNKNOWN", ENC)
    assert row["evidence"]["income"]["income_records"] == 0
    assert row["evidence"]["income"]["income_known"] is False
    assert row["evidence"]["income"]["per_capita"] is None
    assert "收入未知" in row["reasons"] and "不以零收入推定" in row["reasons"]


def test_excluded_sources_counted_out(result):
    income = result.one("ENC_EXCLUDED_SOURCES", ENC)["evidence"]["income"]
    assert income["countable"] == 3600.00 and income["per_capita"] == 600.00 and len(income["record_ids"]) == 18


def test_shown_per_capita_is_on_the_side_the_reason_says(result):
    below = result.one("ENC_SUB_CENT_BELOW", ENC)
    assert below["reasons"].startswith(f"家庭月人均收入 {U - 0.01:.2f} 元，低于城市低保标准 {std_text(U)} 元")
    assert below["evidence"]["income"]["per_capita"] == yuan(U - 0.01)
    above = result.one("IOL_SUB_CENT_ABOVE", IOL)
    assert above["reasons"].startswith(f"家庭月人均收入 {U + 0.01:.2f} 元，高于城市低保标准 {std_text(U)} 元")
    assert above["evidence"]["income"]["per_capita"] == yuan(U + 0.01)


def test_reason_reads_amount_and_dated_standard(result):
    row = result.one("IOL_REASON", IOL)
    assert row["reasons"].startswith(f"家庭月人均收入 812.50 元，高于城市低保标准 {std_text(U)} 元（{STD_SINCE} 起）")
    names = [p["name"] for p in row["evidence"]["parameters"]]
    assert names == sorted(names) and "dibao.standard_urban" in names and "dibao.standard_rural" not in names
    std = next(p for p in row["evidence"]["parameters"] if p["name"] == "dibao.standard_urban")
    shipped = _SHIPPED.at("dibao.standard_urban", AS_OF)
    assert std == {
        "effective_from": STD_SINCE,
        "name": "dibao.standard_urban",
        "reference": shipped.reference,
        "status": shipped.status,
        "value": shipped.value,
    }


def test_standard_change_applies_from_its_effective_date(tmp_path):
    """A bureau override raises the urban standard to 870 from 2026-03-01: pension 820 is over 770 on 2026-02-27 and
    under 870 on 2026-03-10 (window 2025-08..2026-01 and 2025-09..2026-02, both fully paid)."""
    params = override(
        tmp_path,
        f"""
dibao.standard_urban:
  values:
    2026-03-01:
      value: {U + 100:g}
      reference: test override (bureau confirmation)
      status: unconfirmed
""",
    )
    s = StateBuilder()
    [p] = s.household("H", members=1)
    s.enroll("H")
    s.monthly(p, yuan(U + 50), months=["2025-08", *WINDOW], source_type="pension")
    import datetime as dt

    before = s.run(dt.date(2026, 2, 27), params)
    after = s.run(dt.date(2026, 3, 10), params)
    assert IOL in before.codes("H")
    assert f"{std_text(U)} 元（{STD_SINCE} 起）" in before.one("H", IOL)["reasons"]
    assert IOL not in after.codes("H")
    row = after.one("H", ENC) if ENC in after.codes("H") else None
    assert row is None  # covered household: never an exclusion warning
