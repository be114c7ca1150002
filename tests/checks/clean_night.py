"""A small, clean night (as-of 2026-03-02) that passes every suite: three households in 沙坪坝区, their members, and a
row or two in every other feed. Tests copy it and break one thing (`known_bad`)."""

from __future__ import annotations

import copy
import datetime as dt

from tests.checks.staging import DROP_1, DROP_2, make_id

D = dt.date
HEAD_1 = make_id("19650304", "011")  # man, 60
WIFE_1 = make_id("19680715", "022")  # woman
CHILD_1 = make_id("20100120", "031")  # boy, in school
HEAD_2 = make_id("19400210", "044")  # woman, 86, alone
HEAD_3 = make_id("19851111", "053")  # man
STAFF = make_id("19790606", "071")

CLEAN: dict[str, list[dict]] = {
    "households": [
        dict(
            household_id="H1",
            region_code="500106001001",
            hukou_type="urban",
            address="小龙坎正街 1 号",
            registered_date=D(2001, 5, 1),
        ),
        dict(
            household_id="H2",
            region_code="500106104203",
            hukou_type="rural",
            address="青木关镇 2 组",
            registered_date=D(1990, 1, 1),
        ),
        dict(
            household_id="H3",
            region_code="500106021010",
            hukou_type="urban",
            address="土主街道 3 号",
            registered_date=D(2015, 9, 9),
        ),
    ],
    "persons": [
        dict(
            person_id=HEAD_1,
            household_id="H1",
            name="张伟",
            sex="M",
            birth_date=D(1965, 3, 4),
            relation="head",
            disability_grade=0,
            disability_type=None,
            labor_capacity="partial",
            in_school=False,
        ),
        dict(
            person_id=WIFE_1,
            household_id="H1",
            name="李芳",
            sex="F",
            birth_date=D(1968, 7, 15),
            relation="spouse",
            disability_grade=2,
            disability_type="physical",
            labor_capacity="none",
            in_school=False,
        ),
        dict(
            person_id=CHILD_1,
            household_id="H1",
            name="张小明",
            sex="M",
            birth_date=D(2010, 1, 20),
            relation="child",
            disability_grade=0,
            disability_type=None,
            labor_capacity="none",
            in_school=True,
        ),
        dict(
            person_id=HEAD_2,
            household_id="H2",
            name="王秀英",
            sex="F",
            birth_date=D(1940, 2, 10),
            relation="head",
            disability_grade=0,
            disability_type=None,
            labor_capacity="none",
            in_school=False,
        ),
        dict(
            person_id=HEAD_3,
            household_id="H3",
            name="刘强",
            sex="M",
            birth_date=D(1985, 11, 11),
            relation="head",
            disability_grade=0,
            disability_type=None,
            labor_capacity="full",
            in_school=False,
        ),
    ],
    "enrollment": [
        dict(
            enrollment_id="E1",
            household_id="H1",
            program="dibao",
            covered_persons=3,
            monthly_benefit=1980.00,
            status="active",
            start_date=D(2024, 1, 1),
            end_date=None,
        ),
        dict(
            enrollment_id="E2",
            household_id="H2",
            program="tekun",
            covered_persons=1,
            monthly_benefit=1100.50,
            status="active",
            start_date=D(2020, 6, 1),
            end_date=D(2026, 12, 31),
        ),
    ],
    "income": [
        dict(
            record_id="I1",
            person_id=HEAD_1,
            month=D(2026, 1, 1),
            source_type="wage",
            amount=1200.00,
            provider="tax",
            _drop_date=DROP_1,
        ),
        dict(
            record_id="I2",
            person_id=HEAD_3,
            month=D(2026, 1, 1),
            source_type="business",
            amount=4000.00,
            provider="declared",
            _drop_date=DROP_1,
        ),
        dict(
            record_id="I1",
            person_id=HEAD_1,
            month=D(2026, 1, 1),
            source_type="wage",
            amount=1250.00,
            provider="tax",
            _drop_date=DROP_2,
        ),  # a correction in a later drop: not a duplicate
    ],
    "expenses": [
        dict(
            record_id="X1",
            person_id=WIFE_1,
            date=D(2026, 2, 10),
            category="medical_inpatient",
            total_amount=30000.00,
            self_paid_amount=9000.00,
            provider="medical_insurance",
            _drop_date=DROP_2,
        ),
    ],
    "assets": [
        dict(
            asset_id="A1",
            person_id=HEAD_3,
            asset_type="vehicle",
            subtype="car",
            value=60000.00,
            start_date=D(2019, 4, 1),
            end_date=None,
        ),
        dict(
            asset_id="A2",
            person_id=HEAD_1,
            asset_type="deposit",
            subtype="-",
            value=8000.00,
            start_date=D(2023, 1, 1),
            end_date=D(2025, 1, 1),
        ),
    ],
    "events": [
        dict(
            event_id="V1",
            person_id=HEAD_3,
            event_type="unemployment_registered",
            event_date=D(2026, 2, 28),
            source="hr",
            _drop_date=DROP_1,
        ),
    ],
    "payments": [
        dict(
            payment_id="P1",
            household_id="H1",
            program="dibao",
            period=D(2026, 2, 1),
            amount=1980.00,
            paid_date=D(2026, 2, 10),
            account_holder_id=HEAD_1,
            _drop_date=DROP_2,
        ),
    ],
    "applications": [
        dict(
            application_id="AP1",
            household_id="H3",
            program="dibao",
            submitted_date=D(2026, 2, 2),
            decided_date=None,
            decision=None,
        ),
    ],
    "staff_relatives": [
        dict(staff_person_id=STAFF, relative_person_id=HEAD_3, relation="sibling", filed_date=None),
    ],
    "communities": [
        dict(community_code="500106001001", community_name="小龙坎正街社区", street_code="500106001"),
        dict(community_code="500106104203", community_name="大天池村", street_code="500106104"),
    ],
    "care_contacts": [
        dict(
            contact_id="C1",
            person_id=HEAD_2,
            contact_date=D(2026, 2, 27),
            mode="visit",
            staff_id="S01",
            result="ok",
            _drop_date=DROP_1,
        ),
        dict(
            contact_id="C2",
            person_id=HEAD_2,
            contact_date=D(2026, 3, 2),
            mode="call",
            staff_id="S01",
            result="no_answer",
            _drop_date=DROP_2,
        ),
    ],
    "meter_readings": [
        dict(reading_id="M1", household_id="H2", reading_date=D(2026, 2, 28), litres=85.5, _drop_date=DROP_1),
        dict(reading_id="M2", household_id="H2", reading_date=D(2026, 3, 1), litres=0, _drop_date=DROP_2),
    ],
}


def clean() -> dict[str, list[dict]]:
    return copy.deepcopy(CLEAN)
