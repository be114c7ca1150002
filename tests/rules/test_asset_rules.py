"""Asset family: the four asset tests, seen through ELIGIBLE_NOT_COVERED (not covered, income unknown or low) and
ASSET_OVER_LIMIT (covered).

By hand, D = 2026-03-10: financial limit = 24 x standard x n (standards read from the shipped parameters): urban
n=1 24 x 770 = 18480, n=2 36960; rural n=1 24 x 630 = 15120.
Vehicles fail unless disability_mobility or agricultural; more than 1 residential or any commercial real estate fails
(land_use not counted); any business fails. Only assets of present members held on D (start <= D < end) count.
"""

import pytest

from tests.rules.conftest import _SHIPPED, AS_OF, STD_RURAL, STD_URBAN, StateBuilder, yuan

ENC, AOL = "ELIGIBLE_NOT_COVERED", "ASSET_OVER_LIMIT"
MONTHS = _SHIPPED.value("assets.financial_limit_months", AS_OF)
LIM, LIM2, LIM_RURAL = yuan(MONTHS * STD_URBAN), yuan(2 * MONTHS * STD_URBAN), yuan(MONTHS * STD_RURAL)
assert STD_RURAL > 300 and LIM2 > 20000


def build():
    s = StateBuilder()
    expect = {}

    def case(hid, code, fires, covered=False, **kw):
        expect[hid] = (code, fires)
        people = s.household(hid, **kw)
        for p in people:
            s.monthly(p, 300, source_type="pension")  # 300 < 630 < 770: income is never the reason
        if covered:
            s.enroll(hid, covered_persons=len(people), status=covered if isinstance(covered, str) else "active")
        return people

    [p] = case("FIN_AT", ENC, True)
    s.asset(p, "deposit", value=LIM)
    [p] = case("FIN_ABOVE", ENC, False)
    s.asset(p, "deposit", value=yuan(LIM + 0.01))
    a, b = case("FIN_TWO_AT", ENC, True, members=2)
    s.asset(a, "deposit", value=20000)
    s.asset(b, "securities", value=yuan(LIM2 - 20000))
    a, b = case("FIN_TWO_ABOVE", ENC, False, members=2)
    s.asset(a, "deposit", value=20000)
    s.asset(b, "securities", value=yuan(LIM2 - 20000 + 0.01))
    [p] = case("FIN_RURAL_AT", ENC, True, hukou_type="rural")
    s.asset(p, "deposit", value=LIM_RURAL)
    [p] = case("FIN_RURAL_ABOVE", ENC, False, hukou_type="rural")
    s.asset(p, "deposit", value=yuan(LIM_RURAL + 0.01))
    [p] = case("VEH_CAR", ENC, False)
    s.asset(p, "vehicle", "car", 30000)
    [p] = case("VEH_MOTORCYCLE", ENC, False)
    s.asset(p, "vehicle", "motorcycle", 3000)
    [p] = case("VEH_EXEMPT_DISABILITY", ENC, True)
    s.asset(p, "vehicle", "disability_mobility", 8000)
    [p] = case("VEH_EXEMPT_AGRICULTURAL", ENC, True)
    s.asset(p, "vehicle", "agricultural", 8000)
    [p] = case("VEH_DISPOSED", ENC, True)
    s.asset(p, "vehicle", "car", 30000, end_date="2026-01-01")
    [p] = case("VEH_DISPOSED_ON_D", ENC, True)
    s.asset(p, "vehicle", "car", 30000, end_date="2026-03-10")
    [p] = case("VEH_BOUGHT_AFTER_D", ENC, True)
    s.asset(p, "vehicle", "car", 30000, start_date="2026-03-11")
    [p] = case("RE_ONE_HOME", ENC, True)
    s.asset(p, "real_estate", "residential", 500000)
    [p] = case("RE_TWO_HOMES", ENC, False)
    s.asset(p, "real_estate", "residential", 500000)
    s.asset(p, "real_estate", "residential", 300000)
    [p] = case("RE_HOME_AND_LAND", ENC, True)
    s.asset(p, "real_estate", "residential", 500000)
    s.asset(p, "real_estate", "land_use", 100000)
    [p] = case("RE_COMMERCIAL", ENC, False)
    s.asset(p, "real_estate", "commercial", 200000)
    [p] = case("BIZ_SOLE", ENC, False)
    s.asset(p, "business", "sole_proprietor", 1000)
    [p] = case("BIZ_COMPANY", ENC, False)
    s.asset(p, "business", "company", 1000)
    # the car belongs to a member who died: not held by a present member
    a, b = case("VEH_DEAD_OWNER", ENC, True, members=2)
    s.asset(b, "vehicle", "car", 30000)
    s.event(b, "death", "2025-05-01")

    [p] = case("AOL_CAR", AOL, True, covered=True)
    s.asset(p, "vehicle", "car", 30000, asset_id="CAR1")
    [p] = case("AOL_EXEMPT", AOL, False, covered=True)
    s.asset(p, "vehicle", "disability_mobility", 8000)
    [p] = case("AOL_FIN_AT", AOL, False, covered=True)
    s.asset(p, "deposit", value=LIM)
    [p] = case("AOL_FIN_ABOVE", AOL, True, covered=True)
    s.asset(p, "deposit", value=yuan(LIM + 0.01), asset_id="DEP1")
    [p] = case("AOL_GRADUAL_EXIT", AOL, True, covered="gradual_exit")
    s.asset(p, "business", "sole_proprietor", 1)
    [p] = case("AOL_SUSPENDED", AOL, False, covered="suspended")
    s.asset(p, "business", "sole_proprietor", 1)
    [p] = case("AOL_NOT_COVERED", AOL, False)
    s.asset(p, "business", "sole_proprietor", 1)
    [p] = case("AOL_TWO_HOMES", AOL, True, covered=True)
    s.asset(p, "real_estate", "residential", 500000, asset_id="HOME1")
    s.asset(p, "real_estate", "residential", 300000, asset_id="HOME2")
    return s, expect


STATE, EXPECT = build()


@pytest.fixture(scope="module")
def result():
    return STATE.run()


@pytest.mark.parametrize("hid", sorted(EXPECT))
def test_asset_case(result, hid):
    code, fires = EXPECT[hid]
    assert (code in result.codes(hid)) is fires, result.for_household(hid)


def test_evidence_names_the_failing_vehicle(result):
    row = result.one("AOL_CAR", AOL)
    assert row["evidence"]["failed_tests"] == ["vehicle"]
    assert [a["asset_id"] for a in row["evidence"]["failing_assets"]] == ["CAR1"]
    assert "CAR1（car）" in row["reasons"]


def test_evidence_names_the_financial_total_and_limit(result):
    row = result.one("AOL_FIN_ABOVE", AOL)
    ev = row["evidence"]
    assert (
        ev["failed_tests"] == ["financial"]
        and ev["financial_total"] == yuan(LIM + 0.01)
        and ev["financial_limit"] == LIM
    )
    assert [a["asset_id"] for a in ev["failing_assets"]] == ["DEP1"]
    assert f"{LIM + 0.01:.2f}" in row["reasons"] and f"{LIM:.2f}" in row["reasons"]


def test_evidence_names_both_homes(result):
    ev = result.one("AOL_TWO_HOMES", AOL)["evidence"]
    assert ev["failed_tests"] == ["real_estate"] and ev["residential_count"] == 2
    assert [a["asset_id"] for a in ev["failing_assets"]] == ["HOME1", "HOME2"]
