"""Special conditions: TEKUN_CANDIDATE and SEVERE_DISABILITY_SINGLE.

By hand, D = 2026-03-10: age in full years on D, so born 1966-03-10 is 60 (meets tekun.min_age 60), born 1966-03-11 is
59; born 2010-03-11 is 15 (< tekun.max_child_age 16), born 2010-03-10 is 16. A supporter is another present member aged
18..59 with full labour capacity. Severe disability: grade 1-2, or grade 3 intellectual/mental.
"""

import pytest

from tests.rules.conftest import StateBuilder

TK, SD = "TEKUN_CANDIDATE", "SEVERE_DISABILITY_SINGLE"
ELDER = dict(birth_date="1950-01-01", labor_capacity="none")


def build():
    s = StateBuilder()
    expect = {}  # hid -> (code, set of person ids expected to fire)

    def case(hid, code, members, fire_idx=(), enroll=None):
        people = s.household(hid, members=members)
        if enroll:
            s.enroll(hid, program=enroll[0], status=enroll[1], covered_persons=len(people))
        expect[hid] = (code, {people[i] for i in fire_idx})
        return people

    case("TK_AGE_60", TK, [dict(birth_date="1966-03-10", labor_capacity="none")], [0])
    case("TK_AGE_59", TK, [dict(birth_date="1966-03-11", labor_capacity="none")])
    # a 15-year-old and a 76-year-old grandparent, neither can work: two warnings, one per person
    case("TK_CHILD_15_AND_ELDER", TK, [dict(birth_date="2010-03-11", labor_capacity="none", relation="grandchild"),
                                       dict(ELDER, relation="grandparent")], [0, 1])
    case("TK_CHILD_16", TK, [dict(birth_date="2010-03-10", labor_capacity="none")])
    case("TK_DISABLED_GRADE2", TK, [dict(labor_capacity="none", disability_grade=2, disability_type="physical")], [0])
    # severe disability as docs/POLICY.md §2 defines it: grade 3 counts when intellectual or mental, not physical
    case("TK_DISABLED_GRADE3_INTELLECTUAL", TK, [dict(labor_capacity="none", disability_grade=3,
                                                      disability_type="intellectual")], [0])
    case("TK_DISABLED_GRADE3_MENTAL", TK, [dict(labor_capacity="none", disability_grade=3, disability_type="mental")], [0])
    case("TK_DISABLED_GRADE3_PHYSICAL", TK, [dict(labor_capacity="none", disability_grade=3, disability_type="physical")])
    case("TK_PARTIAL_LABOUR", TK, [dict(birth_date="1950-01-01", labor_capacity="partial")])
    # a son aged 40 with full labour capacity can support: no warning; partial capacity cannot
    case("TK_SUPPORTER_40", TK, [ELDER, dict(birth_date="1986-01-01", relation="child")])
    case("TK_SUPPORTER_PARTIAL", TK, [ELDER, dict(birth_date="1986-01-01", labor_capacity="partial")], [0])
    # age 17 and age 60 are outside 18..59
    case("TK_SUPPORTER_17", TK, [ELDER, dict(birth_date="2008-03-11", relation="grandchild")], [0])
    case("TK_SUPPORTER_18", TK, [ELDER, dict(birth_date="2008-03-10", relation="grandchild")])
    case("TK_SUPPORTER_60", TK, [ELDER, dict(birth_date="1966-03-10", relation="spouse")], [0])
    # the would-be supporter has moved out
    e, son = case("TK_SUPPORTER_AWAY", TK, [ELDER, dict(birth_date="1986-01-01")], [0])
    s.event(son, "hukou_out", "2025-01-01")
    # countable income (pension 100 in the window) is a source of living; an exempt allowance is not
    [p] = case("TK_HAS_PENSION", TK, [ELDER]); s.income(p, "2025-10", 100, "pension")
    [p] = case("TK_ONLY_ALLOWANCE", TK, [ELDER], [0]); s.monthly(p, 300, source_type="allowance_exempt")
    [p] = case("TK_PENSION_BEFORE_WINDOW", TK, [ELDER], [0]); s.income(p, "2025-08", 100, "pension")
    case("TK_ON_ROSTER", TK, [ELDER], enroll=("dibao", "suspended"))
    case("TK_EDGE_ENROLLED", TK, [ELDER], [0], enroll=("edge", "active"))
    [p] = case("TK_DEAD", TK, [ELDER]); s.event(p, "death", "2026-01-01")

    edge = ("edge", "active")
    case("SD_GRADE1", SD, [dict(disability_grade=1, disability_type="visual")], [0], enroll=edge)
    case("SD_GRADE2", SD, [dict(), dict(disability_grade=2, disability_type="physical")], [1], enroll=edge)
    case("SD_GRADE3_INTELLECTUAL", SD, [dict(disability_grade=3, disability_type="intellectual")], [0], enroll=edge)
    case("SD_GRADE3_MENTAL", SD, [dict(disability_grade=3, disability_type="mental")], [0], enroll=edge)
    case("SD_GRADE3_PHYSICAL", SD, [dict(disability_grade=3, disability_type="physical")], enroll=edge)
    case("SD_GRADE4_INTELLECTUAL", SD, [dict(disability_grade=4, disability_type="intellectual")], enroll=edge)
    case("SD_NOT_EDGE", SD, [dict(disability_grade=1, disability_type="visual")])
    case("SD_EDGE_SUSPENDED", SD, [dict(disability_grade=1, disability_type="visual")], enroll=("edge", "suspended"))
    [p] = case("SD_DEAD", SD, [dict(disability_grade=1, disability_type="visual")], enroll=edge)
    s.event(p, "death", "2025-12-01")
    case("SD_ALSO_ON_DIBAO", SD, [dict(disability_grade=1, disability_type="visual")], enroll=edge)
    s.enroll("SD_ALSO_ON_DIBAO", program="dibao")
    return s, expect


STATE, EXPECT = build()


@pytest.fixture(scope="module")
def result():
    return STATE.run()


@pytest.mark.parametrize("hid", sorted(EXPECT))
def test_special_condition_case(result, hid):
    code, persons = EXPECT[hid]
    assert result.keys(hid, code) == {f"{code}:{p}" for p in persons}, result.for_household(hid)


def test_tekun_evidence_and_reason(result):
    row = result.one("TK_AGE_60", TK)
    ev = row["evidence"]
    assert ev["age"] == 60 and ev["conditions"] == ["elderly"] and ev["countable_income"] == 0
    assert "（60 岁）" in row["reasons"] and "年满 60 周岁" in row["reasons"] and "18–59" in row["reasons"]


def test_tekun_severe_disability_reason(result):
    row = result.one("TK_DISABLED_GRADE3_MENTAL", TK)
    assert row["evidence"]["conditions"] == ["severe_disability"]
    assert row["evidence"]["disability_grade"] == 3 and row["evidence"]["disability_type"] == "mental"
    assert "持 3 级精神残疾人证" in row["reasons"]
    assert {"disability.severe_typed_grade", "disability.severe_grade3_types"} <= {
        p["name"] for p in row["evidence"]["parameters"]}


def test_severe_disability_reason(result):
    row = result.one("SD_GRADE3_MENTAL", SD)
    assert "3 级精神残疾人证" in row["reasons"]
    assert {p["name"] for p in row["evidence"]["parameters"]} == {
        "disability.severe_grades", "disability.severe_typed_grade", "disability.severe_grade3_types"}
