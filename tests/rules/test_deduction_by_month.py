"""The employment-cost deduction is per person and month, capped at the month's *total* wage + business income
(docs/rulebook.md "Employment-cost deduction"). member_income takes a per-record shortcut when a month holds one earned record
and regroups by month otherwise; these households hold two earned records in some months, worked by hand on
D = 2026-03-10 from the shipped parameters (urban standard U = 770, deduction cap DU = 0.3 x 770 = 231.00, window
2025-09..2026-02); the amounts are written from U and DU."""

import pytest

from tests.rules.conftest import PRIOR, RECENT, STD_URBAN, StateBuilder, deduction, yuan

IOL, ENC, SHOCK = "INCOME_OVER_LIMIT", "ELIGIBLE_NOT_COVERED", "INCOME_SHOCK"
U, DU = STD_URBAN, deduction(STD_URBAN)
EARNED = yuan(0.6 * DU)  # each of wage and business below the cap, together above it: 138.60 + 138.60 = 277.20 > 231
PENSION = yuan(U - 40)  # 730
assert 200 < DU < 300


@pytest.fixture(scope="module")
def result():
    s = StateBuilder()
    # every month: wage 138.60 + business 138.60 (deduction 231.00, not 138.60 + 138.60) + pension 730
    # -> net 776.20 > 770 (deducting per record: 730 < 770, no warning)
    [p] = s.household("TWO_EARNED_EVERY_MONTH")
    s.enroll("TWO_EARNED_EVERY_MONTH")
    s.monthly(p, EARNED)
    s.monthly(p, EARNED, source_type="business")
    s.monthly(p, PENSION, source_type="pension")
    # two wage records in the recent months only: 3 x (500 - 231) + 3 x (300 + 200 - 231) = 1614.00 -> 269.00
    # a month (per record it would be 3 x (500 - 231) + 3 x (300 - 231 + 200 - 231) = 921.00 -> 153.50)
    [p] = s.household("TWO_EARNED_RECENT")
    s.monthly(p, 500, months=PRIOR)
    s.monthly(p, 300, months=RECENT)
    s.monthly(p, 200, months=RECENT)
    return s.run()


def test_two_earned_records_in_a_month_share_one_deduction(result):
    income = result.one("TWO_EARNED_EVERY_MONTH", IOL)["evidence"]["income"]
    per_capita = yuan(2 * EARNED + PENSION - DU)  # 776.20
    assert income["deduction"] == yuan(6 * DU) and income["net"] == yuan(6 * per_capita)
    assert income["per_capita"] == per_capita
    assert income["income_records"] == 18 and len(income["record_ids"]) == 18


def test_months_with_one_and_two_earned_records_mix(result):
    income = result.one("TWO_EARNED_RECENT", ENC)["evidence"]["income"]
    assert income["deduction"] == yuan(6 * DU) and income["net"] == yuan(6 * (500 - DU))
    assert income["per_capita"] == yuan(500 - DU)
