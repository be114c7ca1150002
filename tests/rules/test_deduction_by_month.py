"""The employment-cost deduction is per person and month, capped at the month's *total* wage + business income
(RULEBOOK "Employment-cost deduction"). member_income takes a per-record shortcut when a month holds one earned record
and regroups by month otherwise; these households hold two earned records in some months, worked by hand on
D = 2026-03-10 (urban standard 636, deduction cap 0.3 x 636 = 190.80, window 2025-09..2026-02)."""

import pytest

from tests.rules.conftest import PRIOR, RECENT, StateBuilder

IOL, ENC, SHOCK = "INCOME_OVER_LIMIT", "ELIGIBLE_NOT_COVERED", "INCOME_SHOCK"


@pytest.fixture(scope="module")
def result():
    s = StateBuilder()
    # every month: wage 100 + business 100 (deduction 190.80, not 100 + 100) + pension 630 -> net 639.20 > 636
    [p] = s.household("TWO_EARNED_EVERY_MONTH"); s.enroll("TWO_EARNED_EVERY_MONTH")
    s.monthly(p, 100); s.monthly(p, 100, source_type="business"); s.monthly(p, 630, source_type="pension")
    # two wage records in the recent months only: 3 x (500 - 190.80) + 3 x (300 + 200 - 190.80) = 1855.20 -> 309.20
    # a month (per record it would be 3 x (500 - 190.80) + 3 x (300 - 190.80 + 200 - 190.80) = 1283.20 -> 213.87)
    [p] = s.household("TWO_EARNED_RECENT")
    s.monthly(p, 500, months=PRIOR); s.monthly(p, 300, months=RECENT); s.monthly(p, 200, months=RECENT)
    return s.run()


def test_two_earned_records_in_a_month_share_one_deduction(result):
    income = result.one("TWO_EARNED_EVERY_MONTH", IOL)["evidence"]["income"]
    assert income["deduction"] == 1144.80 and income["net"] == 3835.20 and income["per_capita"] == 639.20
    assert income["income_records"] == 18 and len(income["record_ids"]) == 18


def test_months_with_one_and_two_earned_records_mix(result):
    income = result.one("TWO_EARNED_RECENT", ENC)["evidence"]["income"]
    assert income["deduction"] == 1144.80 and income["net"] == 1855.20 and income["per_capita"] == 309.20
