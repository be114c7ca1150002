"""Known-bad rows, one per row-level check: each is a clean-looking row with exactly one thing wrong, the check code it
must be quarantined under, and a fragment its English reason must contain. Built in code (IDs need check characters)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from checks.id_number import check_char
from tests.checks.clean_night import CHILD_1, HEAD_1, HEAD_2, HEAD_3, STAFF, clean
from tests.checks.staging import DROP_2, make_id

D = dt.date


@dataclass
class Bad:
    name: str
    feed: str
    row: dict
    code: str
    reason: str  # fragment of reason_en
    extra: list[dict] = field(default_factory=list)  # rows added before `row` (e.g. the first of a duplicate pair)


def _person(pid: str, **kw) -> dict:
    row = dict(
        person_id=pid,
        household_id="H3",
        name="测试",
        sex="M",
        birth_date=D(1985, 11, 11),
        relation="child",
        disability_grade=0,
        disability_type=None,
        labor_capacity="full",
        in_school=False,
    )
    row.update(kw)
    return row


def _wrong_check(pid: str) -> str:
    return pid[:17] + ("0" if pid[17] != "0" else "1")


_BAD_DATE = "500106" + "19850230" + "013"
P_SEX = make_id("19900101", "013")  # odd sequence: a man
P_BIRTH = make_id("19900101", "023")
P_FUTURE = make_id("20260401", "013")
P_OLD = make_id("19000101", "013")


def _hh(**kw) -> dict:
    row = dict(
        household_id="H9",
        region_code="500106001001",
        hukou_type="urban",
        address="某街 9 号",
        registered_date=D(2020, 1, 1),
    )
    row.update(kw)
    return row


def _enr(**kw) -> dict:
    row = dict(
        enrollment_id="E9",
        household_id="H3",
        program="edge",
        covered_persons=1,
        monthly_benefit=0,
        status="active",
        start_date=D(2025, 1, 1),
        end_date=None,
    )
    row.update(kw)
    return row


def _inc(**kw) -> dict:
    row = dict(
        record_id="I9",
        person_id=HEAD_3,
        month=D(2026, 2, 1),
        source_type="wage",
        amount=100,
        provider="tax",
        _drop_date=DROP_2,
    )
    row.update(kw)
    return row


def _asset(**kw) -> dict:
    row = dict(
        asset_id="A9",
        person_id=HEAD_1,
        asset_type="vehicle",
        subtype="car",
        value=1000,
        start_date=D(2020, 1, 1),
        end_date=None,
    )
    row.update(kw)
    return row


CASES: list[Bad] = [
    Bad("household address empty", "households", _hh(household_id="H91", address=None), "NULL_address", "required"),
    Bad(
        "hukou type not in the contract",
        "households",
        _hh(household_id="H92", hukou_type="city"),
        "CODE_hukou_type",
        "found 'city'",
    ),
    Bad(
        "region code of 11 digits",
        "households",
        _hh(household_id="H93", region_code="50010600100"),
        "REGION_CODE_FORMAT",
        "not a 12-digit",
    ),
    Bad(
        "region code in another county",
        "households",
        _hh(household_id="H94", region_code="500107001001"),
        "REGION_OUTSIDE_DISTRICT",
        "start with 500106",
    ),
    Bad(
        "region code under no known street",
        "households",
        _hh(household_id="H95", region_code="500106999001"),
        "REGION_UNKNOWN_STREET",
        "street code 500106999",
    ),
    Bad(
        "person id of 17 characters",
        "persons",
        _person("50010619851111053"),
        "ID_FORMAT_person_id",
        "not a GB 11643 number",
    ),
    Bad(
        "person id with 30 February",
        "persons",
        _person(_BAD_DATE + check_char(_BAD_DATE)),
        "ID_FORMAT_person_id",
        "real birth date",
    ),
    Bad(
        "person id with a wrong check character",
        "persons",
        _person(_wrong_check(make_id("19851111", "093")), birth_date=D(1985, 11, 11)),
        "ID_CHECKSUM_person_id",
        "expects",
    ),
    Bad(
        "sex disagrees with the id",
        "persons",
        _person(P_SEX, sex="F", birth_date=D(1990, 1, 1)),
        "SEX_ID_MISMATCH",
        "means M",
    ),
    Bad(
        "birth date disagrees with the id",
        "persons",
        _person(P_BIRTH, birth_date=D(1990, 1, 2)),
        "BIRTH_ID_MISMATCH",
        "encodes 1990-01-01",
    ),
    Bad(
        "born after the as-of date",
        "persons",
        _person(P_FUTURE, birth_date=D(2026, 4, 1)),
        "BIRTH_DATE_FUTURE",
        "after the as-of date 2026-03-02",
    ),
    Bad("older than 120", "persons", _person(P_OLD, birth_date=D(1900, 1, 1)), "AGE_IMPLAUSIBLE", "older than 120"),
    Bad(
        "disability grade 5",
        "persons",
        _person(make_id("19700101", "103"), birth_date=D(1970, 1, 1), disability_grade=5),
        "DISABILITY_GRADE_RANGE",
        "found 5",
    ),
    Bad(
        "relation not in the contract",
        "persons",
        _person(make_id("19700101", "113"), birth_date=D(1970, 1, 1), relation="cousin"),
        "CODE_relation",
        "found 'cousin'",
    ),
    Bad(
        "member of an unknown household",
        "persons",
        _person(make_id("19700101", "123"), birth_date=D(1970, 1, 1), household_id="H404"),
        "ORPHAN_HOUSEHOLD",
        "'H404' is not in households.csv",
    ),
    Bad(
        "no covered person",
        "enrollment",
        _enr(enrollment_id="E91", covered_persons=0),
        "COVERED_PERSONS_MIN",
        "at least 1",
    ),
    Bad(
        "covers more than the members",
        "enrollment",
        _enr(enrollment_id="E92", household_id="H2", covered_persons=2),
        "COVERED_OVER_MEMBERS",
        "household H2 has 1 member rows",
    ),
    Bad(
        "ends before it starts",
        "enrollment",
        _enr(enrollment_id="E93", end_date=D(2024, 12, 31)),
        "END_BEFORE_START",
        "end_date 2024-12-31 is before start_date 2025-01-01",
    ),
    Bad(
        "negative benefit",
        "enrollment",
        _enr(enrollment_id="E94", monthly_benefit=-5),
        "NEGATIVE_monthly_benefit",
        "found -5",
    ),
    Bad(
        "enrollment of an unknown household",
        "enrollment",
        _enr(enrollment_id="E95", household_id="H404"),
        "ORPHAN_HOUSEHOLD",
        "'H404'",
    ),
    Bad("negative income", "income", _inc(record_id="I91", amount=-1), "NEGATIVE_amount", ">= 0"),
    Bad(
        "unknown income source",
        "income",
        _inc(record_id="I92", source_type="lottery"),
        "CODE_source_type",
        "found 'lottery'",
    ),
    Bad(
        "income of an unknown person",
        "income",
        _inc(record_id="I93", person_id=make_id("19700101", "999")),
        "ORPHAN_PERSON",
        "is not in persons.csv",
    ),
    Bad(
        "record id twice in one file: the later row",
        "income",
        _inc(record_id="I94", amount=200),
        "DUPLICATE_IN_FILE",
        "repeats line",
        extra=[_inc(record_id="I94", amount=100)],
    ),
    Bad(
        "self-paid above total",
        "expenses",
        dict(
            record_id="X91",
            person_id=CHILD_1,
            date=D(2026, 2, 1),
            category="education",
            total_amount=100,
            self_paid_amount=150,
            provider="education",
            _drop_date=DROP_2,
        ),
        "SELF_PAID_OVER_TOTAL",
        "150.00 is more than total_amount 100.00",
    ),
    Bad(
        "expense dated after its drop",
        "expenses",
        dict(
            record_id="X92",
            person_id=CHILD_1,
            date=D(2026, 3, 5),
            category="education",
            total_amount=100,
            self_paid_amount=50,
            provider="education",
            _drop_date=DROP_2,
        ),
        "EXPENSE_DATE_AFTER_DROP",
        "after the drop date 2026-03-02",
    ),
    Bad(
        "vehicle with a real-estate subtype",
        "assets",
        _asset(asset_id="A91", subtype="residential"),
        "SUBTYPE_MISMATCH",
        "not a subtype of asset_type 'vehicle'",
    ),
    Bad(
        "asset disposed before acquired",
        "assets",
        _asset(asset_id="A92", end_date=D(2019, 1, 1)),
        "END_BEFORE_START",
        "before start_date",
    ),
    Bad(
        "asset of an unknown owner",
        "assets",
        _asset(asset_id="A93", person_id=make_id("19700101", "998")),
        "ORPHAN_PERSON",
        "is not in persons.csv",
    ),
    Bad(
        "event dated after its drop",
        "events",
        dict(
            event_id="V91",
            person_id=HEAD_1,
            event_type="death",
            event_date=D(2026, 3, 10),
            source="health",
            _drop_date=DROP_2,
        ),
        "EVENT_DATE_AFTER_DROP",
        "event_date 2026-03-10 is after the drop date",
    ),
    Bad(
        "unknown event type",
        "events",
        dict(
            event_id="V92",
            person_id=HEAD_1,
            event_type="lottery_win",
            event_date=D(2026, 3, 1),
            source="health",
            _drop_date=DROP_2,
        ),
        "CODE_event_type",
        "found 'lottery_win'",
    ),
    Bad(
        "paid after its drop",
        "payments",
        dict(
            payment_id="P91",
            household_id="H1",
            program="dibao",
            period=D(2026, 3, 1),
            amount=1980,
            paid_date=D(2026, 3, 10),
            account_holder_id=HEAD_1,
            _drop_date=DROP_2,
        ),
        "PAID_DATE_AFTER_DROP",
        "paid_date 2026-03-10",
    ),
    Bad(
        "payment to an unknown household",
        "payments",
        dict(
            payment_id="P92",
            household_id="H404",
            program="dibao",
            period=D(2026, 2, 1),
            amount=1980,
            paid_date=D(2026, 2, 10),
            account_holder_id=HEAD_1,
            _drop_date=DROP_2,
        ),
        "ORPHAN_HOUSEHOLD",
        "'H404'",
    ),
    Bad(
        "decided before submitted",
        "applications",
        dict(
            application_id="AP91",
            household_id="H3",
            program="edge",
            submitted_date=D(2026, 2, 2),
            decided_date=D(2026, 1, 2),
            decision="approved",
        ),
        "END_BEFORE_START",
        "before submitted_date",
    ),
    Bad(
        "unknown decision",
        "applications",
        dict(
            application_id="AP92",
            household_id="H3",
            program="edge",
            submitted_date=D(2026, 2, 2),
            decided_date=D(2026, 2, 12),
            decision="maybe",
        ),
        "CODE_decision",
        "found 'maybe'",
    ),
    Bad(
        "staff id malformed",
        "staff_relatives",
        dict(staff_person_id="5001061979060607", relative_person_id=HEAD_1, relation="cousin", filed_date=None),
        "ID_FORMAT_staff_person_id",
        "not a GB 11643 number",
    ),
    Bad(
        "relative id with a wrong check character",
        "staff_relatives",
        dict(
            staff_person_id=STAFF, relative_person_id=_wrong_check(HEAD_1), relation="sibling", filed_date=D(2025, 1, 1)
        ),
        "ID_CHECKSUM_relative_person_id",
        "expects",
    ),
    Bad(
        "community code of 11 digits",
        "communities",
        dict(community_code="50010600100", community_name="短码社区", street_code="500106001"),
        "COMMUNITY_CODE_FORMAT",
        "'50010600100' is not a 12-digit",
    ),
    Bad(
        "community listed under another street",
        "communities",
        dict(community_code="500106002007", community_name="错街社区", street_code="500106001"),
        "COMMUNITY_OUTSIDE_STREET",
        "does not lie in street 500106001",
    ),
    Bad(
        "community code twice in one file: the later row",
        "communities",
        dict(community_code="500106021010", community_name="土主社区（重复）", street_code="500106021"),
        "DUPLICATE_IN_FILE",
        "repeats line",
        extra=[dict(community_code="500106021010", community_name="土主社区", street_code="500106021")],
    ),
]


def _contact(**kw) -> dict:
    row = dict(
        contact_id="C9",
        person_id=HEAD_2,
        contact_date=D(2026, 3, 1),
        mode="call",
        staff_id="S01",
        result="ok",
        _drop_date=DROP_2,
    )
    row.update(kw)
    return row


def _reading(**kw) -> dict:
    row = dict(reading_id="M9", household_id="H2", reading_date=D(2026, 3, 1), litres=90, _drop_date=DROP_2)
    row.update(kw)
    return row


CASES += [
    Bad(
        "contact for an unknown person",
        "care_contacts",
        _contact(contact_id="C91", person_id=make_id("19400101", "997")),
        "ORPHAN_PERSON",
        "is not in persons.csv",
    ),
    Bad(
        "contact dated after its drop",
        "care_contacts",
        _contact(contact_id="C92", contact_date=D(2026, 3, 3)),
        "CONTACT_DATE_AFTER_DROP",
        "contact_date 2026-03-03 is after the drop date 2026-03-02",
    ),
    Bad(
        "contact mode not in the contract",
        "care_contacts",
        _contact(contact_id="C93", mode="wechat"),
        "CODE_mode",
        "found 'wechat'",
    ),
    Bad(
        "contact result not in the contract",
        "care_contacts",
        _contact(contact_id="C94", result="fine"),
        "CODE_result",
        "found 'fine'",
    ),
    Bad(
        "contact id twice in one file: the later row",
        "care_contacts",
        _contact(contact_id="C95", mode="visit"),
        "DUPLICATE_IN_FILE",
        "repeats line",
        extra=[_contact(contact_id="C95")],
    ),
    Bad(
        "negative meter reading",
        "meter_readings",
        _reading(reading_id="M91", litres=-3),
        "NEGATIVE_litres",
        "must be >= 0 litres; found -3",
    ),
    Bad(
        "reading dated after its drop",
        "meter_readings",
        _reading(reading_id="M92", reading_date=D(2026, 3, 5)),
        "READING_DATE_AFTER_DROP",
        "reading_date 2026-03-05 is after the drop date 2026-03-02",
    ),
    Bad(
        "reading of an unknown household",
        "meter_readings",
        _reading(reading_id="M93", household_id="H404"),
        "ORPHAN_HOUSEHOLD",
        "'H404'",
    ),
    Bad(
        "reading id twice in one file: the later row",
        "meter_readings",
        _reading(reading_id="M94", litres=70),
        "DUPLICATE_IN_FILE",
        "repeats line",
        extra=[_reading(reading_id="M94")],
    ),
]

TYPING_REJECTS = [  # rows the ingest could not type: already in quarantine, not in staging
    dict(
        feed="income",
        drop_date=DROP_2,
        line=90,
        record_id="I99",
        check_code="TYPE_amount",
        reason_en="income.amount 'abc' is not a decimal",
        reason_zh="income.amount 'abc' 不是金额",
    ),
]


def corrupted_night() -> tuple[dict[str, list[dict]], list[Bad]]:
    """The clean night plus every known-bad row; each bad row's `_line` is recorded on the case as `line`."""
    rows = clean()
    for case in CASES:
        rows[case.feed].extend(case.extra)
        rows[case.feed].append(case.row)
    return rows, CASES
