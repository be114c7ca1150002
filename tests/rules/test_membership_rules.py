"""Membership family: MEMBER_DECEASED, MEMBER_LEFT, DUPLICATE_COVERAGE.

By hand, D = 2026-03-10, enrollments from 2024-01-01: a death / move-out / incarceration of a covered member on or after
the enrollment start and on or before D fires while covered_persons > n (present members); one warning per event.
"""

import pytest

from tests.rules.conftest import StateBuilder

MD, ML, DC = "MEMBER_DECEASED", "MEMBER_LEFT", "DUPLICATE_COVERAGE"


def build():
    s = StateBuilder()
    expect = {}  # hid -> (code, expected condition keys)

    def two(hid, covered_persons=2, status="active", start="2024-01-01"):
        people = s.household(hid, members=2)
        s.enroll(hid, covered_persons=covered_persons, status=status, start_date=start)
        return people

    a, b = two("MD_FIRES")
    e = s.event(b, "death", "2026-01-15")
    expect["MD_FIRES"] = (MD, {f"{MD}:{e}"})
    a, b = two("MD_ON_D")
    e = s.event(b, "death", "2026-03-10")
    expect["MD_ON_D"] = (MD, {f"{MD}:{e}"})
    # benefit already adjusted: covered_persons = 1 = n
    a, b = two("MD_REFLECTED", covered_persons=1)
    s.event(b, "death", "2026-01-15")
    expect["MD_REFLECTED"] = (MD, set())
    # died before the enrollment started
    a, b = two("MD_BEFORE_START")
    s.event(b, "death", "2023-12-31")
    expect["MD_BEFORE_START"] = (MD, set())
    a, b = two("MD_AFTER_D")
    s.event(b, "death", "2026-03-11")
    expect["MD_AFTER_D"] = (MD, set())
    a, b = two("MD_SUSPENDED", status="suspended")
    s.event(b, "death", "2026-01-15")
    expect["MD_SUSPENDED"] = (MD, set())
    a, b = two("MD_GRADUAL_EXIT", status="gradual_exit")
    e = s.event(b, "death", "2026-01-15")
    expect["MD_GRADUAL_EXIT"] = (MD, {f"{MD}:{e}"})

    a, b = two("ML_HUKOU_OUT")
    e = s.event(b, "hukou_out", "2025-11-01")
    expect["ML_HUKOU_OUT"] = (ML, {f"{ML}:{e}"})
    a, b = two("ML_RETURNED")
    s.event(b, "hukou_out", "2025-11-01")
    s.event(b, "hukou_in", "2026-01-05")
    expect["ML_RETURNED"] = (ML, set())
    a, b = two("ML_INCARCERATED")
    e = s.event(b, "incarceration", "2025-12-01", source="justice")
    expect["ML_INCARCERATED"] = (ML, {f"{ML}:{e}"})
    a, b = two("ML_RELEASED")
    s.event(b, "incarceration", "2025-12-01")
    s.event(b, "release", "2026-02-01")
    expect["ML_RELEASED"] = (ML, set())
    # out 2024-05, back 2024-08, out again 2025-06: only the latest move-out is the condition
    a, b = two("ML_LATEST_ONLY")
    s.event(b, "hukou_out", "2024-05-01")
    s.event(b, "hukou_in", "2024-08-01")
    e = s.event(b, "hukou_out", "2025-06-01")
    expect["ML_LATEST_ONLY"] = (ML, {f"{ML}:{e}"})
    a, b = two("ML_REFLECTED", covered_persons=1)
    s.event(b, "hukou_out", "2025-11-01")
    expect["ML_REFLECTED"] = (ML, set())
    a, b = two("ML_BEFORE_START", start="2025-12-01")
    s.event(b, "hukou_out", "2025-11-01")
    expect["ML_BEFORE_START"] = (ML, set())

    # one person listed in two covered households: a warning in each
    s.household("DC_A", members=[dict(person_id="DUP1")])
    s.enroll("DC_A")
    s.household("DC_B", members=[dict(person_id="DUP1")])
    s.enroll("DC_B", program="tekun")
    expect["DC_A"] = (DC, {f"{DC}:DUP1"})
    expect["DC_B"] = (DC, {f"{DC}:DUP1"})
    # twin: the second household is not covered (edge only)
    s.household("DC_C", members=[dict(person_id="DUP2")])
    s.enroll("DC_C")
    s.household("DC_D", members=[dict(person_id="DUP2")])
    s.enroll("DC_D", program="edge")
    expect["DC_C"] = (DC, set())
    expect["DC_D"] = (DC, set())
    # dibao (2) + tekun (1) for 2 present members: 3 > 2
    s.household("DC_BOTH", members=2)
    s.enroll("DC_BOTH", covered_persons=2)
    s.enroll("DC_BOTH", program="tekun")
    expect["DC_BOTH"] = (DC, {f"{DC}:dibao+tekun"})
    # twin: dibao 1 + tekun 1 = 2, not more than n = 2
    s.household("DC_SPLIT", members=2)
    s.enroll("DC_SPLIT")
    s.enroll("DC_SPLIT", program="tekun")
    expect["DC_SPLIT"] = (DC, set())
    return s, expect


STATE, EXPECT = build()


@pytest.fixture(scope="module")
def result():
    return STATE.run()


@pytest.mark.parametrize("hid", sorted(EXPECT))
def test_membership_case(result, hid):
    code, keys = EXPECT[hid]
    assert result.keys(hid, code) == keys, result.for_household(hid)


def test_deceased_reason_and_evidence(result):
    row = result.one("MD_FIRES", MD)
    assert (
        "2026-01-15 死亡" in row["reasons"] and "保障人数仍为 2 人" in row["reasons"] and "成员 1 人" in row["reasons"]
    )
    assert row["evidence"]["members_present"] == 1 and row["evidence"]["enrollments"][0]["covered_persons"] == 2
