"""AGE_ALLOWANCE_DUE and the 免申即享 fast track (docs/CONTRACT.md v2, docs/POLICY.md §7).

By hand, D = 2026-03-10: the allowance age is 80 in full years (born 1946-03-10 is 80, 1946-03-11 is 79). The income
window is 2025-09..2026-02; the urban standard 636: a single person with 300 a month is below it.
fast_track is true when no income of the household in the window is `declared` or `survey`, an asset extract is there,
and no row of the household was quarantined; ELIGIBLE_NOT_COVERED also needs a known income. AGE_ALLOWANCE_DUE needs
only the register, the events and the roster, so only a quarantined row takes its fast track away.
"""

from __future__ import annotations

import pytest

from tests.rules.conftest import WINDOW, StateBuilder

AA, ENC, TK = "AGE_ALLOWANCE_DUE", "ELIGIBLE_NOT_COVERED", "TEKUN_CANDIDATE"
OLD = dict(birth_date="1940-01-01", labor_capacity="none")


def _wage(s: StateBuilder, p: str, provider: str = "tax", declared_month: str | None = None) -> list[str]:
    return [s.income(p, m, 300, "wage", provider="declared" if m == declared_month else provider) for m in WINDOW]


def build():
    s = StateBuilder()
    ids: dict[str, object] = {}

    [ids["AA_80"]] = s.household("AA_80", members=[dict(birth_date="1946-03-10")])
    s.household("AA_79", members=[dict(birth_date="1946-03-11")])
    s.household("AA_ENROLLED", members=[OLD])
    s.enroll("AA_ENROLLED", program="age_allowance", monthly_benefit=100)
    s.household("AA_SUSPENDED", members=[OLD])
    s.enroll("AA_SUSPENDED", program="age_allowance", status="suspended", monthly_benefit=100)
    [ids["AA_ENDED"]] = s.household("AA_ENDED", members=[OLD])
    s.enroll("AA_ENDED", program="age_allowance", status="terminated", end_date="2026-01-31", monthly_benefit=100)
    ids["AA_TWO_ONE_COVERED"] = s.household("AA_TWO_ONE_COVERED", members=[OLD, dict(OLD, relation="spouse")])
    s.enroll("AA_TWO_ONE_COVERED", program="age_allowance", monthly_benefit=100, covered_persons=1)
    [p] = s.household("AA_DEAD", members=[OLD])
    s.event(p, "death", "2026-02-01")
    [ids["AA_QUARANTINED"]] = s.household("AA_QUARANTINED", members=[OLD])
    s.quarantined("AA_QUARANTINED", "persons", "ID_CHECKSUM_person_id")

    [p] = s.household("FT_ENC_AUTH")
    _wage(s, p)
    s.asset(p, "deposit", value=1000)
    [p] = s.household("FT_ENC_DECLARED")
    ids["FT_ENC_DECLARED"] = _wage(s, p, declared_month="2025-11")[2]
    [p] = s.household("FT_ENC_SURVEY")
    _wage(s, p, provider="survey")
    s.household("FT_ENC_UNKNOWN")
    [p] = s.household("FT_ENC_QUARANTINED")
    _wage(s, p)
    s.quarantined("FT_ENC_QUARANTINED", "income", "NEGATIVE_amount")
    s.household("FT_TK_AUTH", members=[dict(birth_date="1950-01-01", labor_capacity="none")])
    [p] = s.household("FT_TK_SURVEY", members=[dict(birth_date="1950-01-01", labor_capacity="none")])
    s.income(p, "2025-12", 200, "allowance_exempt", provider="survey")
    return s, ids


STATE, IDS = build()


@pytest.fixture(scope="module")
def result():
    return STATE.run()


def test_age_allowance_due_at_80(result):
    row = result.one("AA_80", AA)
    assert row["condition_key"] == f"{AA}:{IDS['AA_80']}"
    assert (row["evidence"]["age"], row["evidence"]["covered_persons"]) == (80, 0)
    assert row["evidence"]["fast_track"]["value"] is True and "无需本人申请" in row["reasons"]


def test_an_ended_allowance_is_no_allowance(result):
    assert result.keys("AA_ENDED", AA) == {f"{AA}:{IDS['AA_ENDED']}"}


def test_two_entitled_one_covered_names_both(result):
    a, b = IDS["AA_TWO_ONE_COVERED"]
    assert result.keys("AA_TWO_ONE_COVERED", AA) == {f"{AA}:{a}", f"{AA}:{b}"}
    ev = result.one("AA_TWO_ONE_COVERED", AA, f"{AA}:{a}")["evidence"]
    assert (ev["covered_persons"], ev["entitled_members"]) == (1, 2)


@pytest.mark.parametrize("hid", ["AA_79", "AA_ENROLLED", "AA_SUSPENDED", "AA_DEAD"])
def test_age_allowance_near_misses(result, hid):
    assert AA not in result.codes(hid)


def test_a_quarantined_row_takes_the_fast_track_away(result):
    row = result.one("AA_QUARANTINED", AA)
    ft = row["evidence"]["fast_track"]
    assert ft["value"] is False
    assert [m["code"] for m in ft["missing"]] == ["quarantined_rows"]
    assert "persons:ID_CHECKSUM_person_id" in ft["missing"][0]["zh"] and "需先核实" in row["reasons"]


def test_eligible_from_authoritative_feeds_is_fast_track(result):
    ft = result.one("FT_ENC_AUTH", ENC)["evidence"]["fast_track"]
    assert ft == {
        "facts": [
            {"fact": "assets", "source": "assets"},
            {"fact": "income", "source": "income: tax"},
            {"fact": "members_ages", "source": "persons"},
            {"fact": "members_present", "source": "events"},
            {"fact": "not_enrolled", "source": "enrollment"},
        ],
        "missing": [],
        "value": True,
    }


@pytest.mark.parametrize(
    "hid,missing",
    [
        ("FT_ENC_DECLARED", ["income_self_reported"]),
        ("FT_ENC_SURVEY", ["income_self_reported"]),
        ("FT_ENC_UNKNOWN", ["income_unknown"]),
        ("FT_ENC_QUARANTINED", ["quarantined_rows"]),
    ],
)
def test_eligible_not_fast_track_names_the_missing_fact(result, hid, missing):
    ft = result.one(hid, ENC)["evidence"]["fast_track"]
    assert ft["value"] is False and [m["code"] for m in ft["missing"]] == missing


def test_the_declared_record_is_named(result):
    ft = result.one("FT_ENC_DECLARED", ENC)["evidence"]["fast_track"]
    assert IDS["FT_ENC_DECLARED"] in ft["missing"][0]["zh"]


def test_tekun_fast_track(result):
    """No income at all is what the authoritative feeds show for a 特困 candidate: fast track; a survey record is not."""
    assert result.one("FT_TK_AUTH", TK)["evidence"]["fast_track"]["value"] is True
    ft = result.one("FT_TK_SURVEY", TK)["evidence"]["fast_track"]
    assert ft["value"] is False and [m["code"] for m in ft["missing"]] == ["income_self_reported"]


def test_no_asset_extract_is_no_fast_track():
    s = StateBuilder()
    [p] = s.household("NO_ASSETS")
    _wage(s, p)
    ft = s.run().one("NO_ASSETS", ENC)["evidence"]["fast_track"]
    assert ft["value"] is False and [m["code"] for m in ft["missing"]] == ["asset_extract_missing"]
