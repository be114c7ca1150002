"""Special conditions: TEKUN_CANDIDATE and SEVERE_DISABILITY_SINGLE.

By hand, D = 2026-03-10: age in full years on D, so born 1966-03-10 is 60 (meets tekun.min_age 60), born 1966-03-11 is
59; born 2010-03-11 is 15 (< tekun.max_child_age 16), born 2010-03-10 is 16. A supporter is another present member aged
18..59 with full labour capacity. Severe disability: grade 1-2, or grade 3 intellectual/mental.
"""

import pytest

from tests.rules.conftest import EDGE_MULTIPLE, STD_RURAL, STD_SINCE, STD_URBAN, StateBuilder, std_text, yuan

TK, SD = "TEKUN_CANDIDATE", "SEVERE_DISABILITY_SINGLE"
U, LINE, LINE_RURAL = STD_URBAN, yuan(EDGE_MULTIPLE * STD_URBAN), yuan(EDGE_MULTIPLE * STD_RURAL)
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
    case(
        "TK_CHILD_15_AND_ELDER",
        TK,
        [
            dict(birth_date="2010-03-11", labor_capacity="none", relation="grandchild"),
            dict(ELDER, relation="grandparent"),
        ],
        [0, 1],
    )
    case("TK_CHILD_16", TK, [dict(birth_date="2010-03-10", labor_capacity="none")])
    case("TK_DISABLED_GRADE2", TK, [dict(labor_capacity="none", disability_grade=2, disability_type="physical")], [0])
    # severe disability as docs/POLICY.md §2 defines it: grade 3 counts when intellectual or mental, not physical
    case(
        "TK_DISABLED_GRADE3_INTELLECTUAL",
        TK,
        [dict(labor_capacity="none", disability_grade=3, disability_type="intellectual")],
        [0],
    )
    case(
        "TK_DISABLED_GRADE3_MENTAL",
        TK,
        [dict(labor_capacity="none", disability_grade=3, disability_type="mental")],
        [0],
    )
    case(
        "TK_DISABLED_GRADE3_PHYSICAL", TK, [dict(labor_capacity="none", disability_grade=3, disability_type="physical")]
    )
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
    [p] = case("TK_HAS_PENSION", TK, [ELDER])
    s.income(p, "2025-10", 100, "pension")
    [p] = case("TK_ONLY_ALLOWANCE", TK, [ELDER], [0])
    s.monthly(p, 300, source_type="allowance_exempt")
    [p] = case("TK_PENSION_BEFORE_WINDOW", TK, [ELDER], [0])
    s.income(p, "2025-08", 100, "pension")
    case("TK_ON_ROSTER", TK, [ELDER], enroll=("dibao", "suspended"))
    case("TK_EDGE_ENROLLED", TK, [ELDER], [0], enroll=("edge", "active"))
    [p] = case("TK_DEAD", TK, [ELDER])
    s.event(p, "death", "2026-01-01")

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
    # registered as edge: raised whatever the income (here pc 2000, above the edge line 1155)
    [p] = case("SD_REGISTERED_ABOVE_LINE", SD, [dict(disability_grade=1, disability_type="visual")], [0], enroll=edge)
    s.monthly(p, 2000, source_type="pension")

    # v2: not registered as edge but meeting the edge-family test that night (pensions, no deduction; urban standard
    # U = 770, edge line 1.5 x 770 = 1155; rural 630 and 945). Head's pension for 2 members = 2 x per capita.
    def unregistered(hid, pc, fire, hukou_type="urban", **kw):
        head, member = case(
            hid, SD, [dict(), dict(disability_grade=2, disability_type="physical")], [1] if fire else []
        )
        s.rows["households"][-1]["hukou_type"] = hukou_type
        s.monthly(head, yuan(2 * pc), source_type="pension")
        return head, member

    unregistered("SD_TEST_IN_BAND", yuan((U + LINE) / 2), True)  # pc 962.50 in [770, 1155)
    unregistered("SD_TEST_AT_STANDARD", U, True)  # pc 770.00: at the standard, in the band
    unregistered("SD_TEST_JUST_BELOW_LINE", yuan(LINE - 0.01), True)  # pc 1154.99
    unregistered("SD_TEST_AT_LINE", LINE, False)  # pc 1155.00 = 1.5 x 770: not below
    unregistered("SD_TEST_JUST_ABOVE_LINE", yuan(LINE + 0.01), False)  # pc 1155.01
    unregistered("SD_TEST_BELOW_STANDARD", yuan(U - 0.01), False)  # pc 769.99: a dibao case, not an edge one
    unregistered("SD_TEST_RURAL", yuan(LINE_RURAL - 0.01), True, hukou_type="rural")  # pc 944.99 < 945
    unregistered("SD_TEST_RURAL_AT_LINE", LINE_RURAL, False, hukou_type="rural")  # pc 945.00
    head, _ = unregistered("SD_TEST_CAR", yuan((U + LINE) / 2), False)  # in the band, but a car fails the asset test
    s.asset(head, "vehicle", "car", 30000)
    unregistered("SD_TEST_ON_DIBAO", yuan((U + LINE) / 2), False)  # in the band, but on the roster
    s.enroll("SD_TEST_ON_DIBAO", program="dibao", covered_persons=2)
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
        p["name"] for p in row["evidence"]["parameters"]
    }


def test_severe_disability_reason(result):
    row = result.one("SD_GRADE3_MENTAL", SD)
    assert "3 级精神残疾人证" in row["reasons"]
    assert {p["name"] for p in row["evidence"]["parameters"]} == {
        "disability.severe_grades",
        "disability.severe_typed_grade",
        "disability.severe_grade3_types",
    }


def test_severe_disability_in_an_unregistered_edge_family(result):
    """pc 962.50 = (770 + 1155) / 2 with the shipped standard: the reason reads the test, the evidence carries it."""
    row = result.one("SD_TEST_IN_BAND", SD)
    assert row["reasons"].startswith(
        f"家庭月人均收入 {(U + LINE) / 2:.2f} 元，不低于城市低保标准 {std_text(U)} 元（{STD_SINCE} 起），但低于其 1.5 倍"
        f"（{LINE:.2f} 元），财产符合规定，属低保边缘家庭（尚未登记）；成员 "
    )
    assert "持 2 级" in row["reasons"] and "可按重病重残单人纳入低保" in row["reasons"]
    ev = row["evidence"]
    assert ev["edge_basis"] == "income_test" and ev["edge_line"] == LINE and ev["standard"] == U
    assert ev["income"]["per_capita"] == yuan((U + LINE) / 2) and ev["members_present"] == 2
    assert {"edge.income_multiple", "dibao.standard_urban", "disability.severe_grades"} <= {
        p["name"] for p in ev["parameters"]
    }
    assert "EDGE_FAMILY" in result.codes("SD_TEST_IN_BAND")  # the same test raises the edge-family warning


def test_registered_edge_family_evidence_is_unchanged(result):
    ev = result.one("SD_GRADE1", SD)["evidence"]
    assert "edge_basis" not in ev and set(ev) == {"disability_grade", "disability_type", "parameters", "person_id"}
