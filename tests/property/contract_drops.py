"""Hypothesis strategies that write docs/CONTRACT.md drops from scratch: the columns, codes and ID-number rule are copied
from the contract's text here, not read from checks/contract.py, and nothing of `safetynet generate` is used, so a drop
is shaped the way an independent department would read the contract.

Covered: every optional feed absent, header-only or with rows, on each night on its own (the v2 feeds communities,
care_contacts and meter_readings too, and the `age_allowance` program); increments with no row;
households of one and of twelve members; money at 0, 0.01 and exactly the dibao standard in force; dates on month ends,
leap days, Spring Festival holidays and make-up working days; long Chinese names and addresses with commas and quotes;
some feeds as Parquet instead of CSV; with or without a `_MANIFEST.csv`.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import strategies as st

D = dt.date
COLUMNS = {
    "households": ["household_id", "region_code", "hukou_type", "address", "registered_date"],
    "persons": [
        "person_id",
        "household_id",
        "name",
        "sex",
        "birth_date",
        "relation",
        "disability_grade",
        "disability_type",
        "labor_capacity",
        "in_school",
    ],
    "enrollment": [
        "enrollment_id",
        "household_id",
        "program",
        "covered_persons",
        "monthly_benefit",
        "status",
        "start_date",
        "end_date",
    ],
    "income": ["record_id", "person_id", "month", "source_type", "amount", "provider"],
    "expenses": ["record_id", "person_id", "date", "category", "total_amount", "self_paid_amount", "provider"],
    "assets": ["asset_id", "person_id", "asset_type", "subtype", "value", "start_date", "end_date"],
    "events": ["event_id", "person_id", "event_type", "event_date", "source"],
    "payments": ["payment_id", "household_id", "program", "period", "amount", "paid_date", "account_holder_id"],
    "applications": ["application_id", "household_id", "program", "submitted_date", "decided_date", "decision"],
    "staff_relatives": ["staff_person_id", "relative_person_id", "relation", "filed_date"],
    "communities": ["community_code", "community_name", "street_code"],
    "care_contacts": ["contact_id", "person_id", "contact_date", "mode", "staff_id", "result"],
    "meter_readings": ["reading_id", "household_id", "reading_date", "litres"],
}
FULL = ("households", "persons", "enrollment", "assets", "applications", "staff_relatives", "communities")
OPTIONAL = ("payments", "applications", "staff_relatives", "communities", "care_contacts", "meter_readings")
# Nights on a month end, the 2028 leap day (no holiday notice yet: weekdays, flagged), a Spring Festival holiday, a make-up Saturday, a Monday, a year end.
NIGHTS = [
    D(2026, 2, 28),
    D(2028, 2, 29),
    D(2026, 2, 17),
    D(2026, 2, 14),
    D(2026, 3, 2),
    D(2025, 12, 31),
    D(2026, 1, 31),
]
SPECIAL_DAYS = [
    D(2024, 2, 29),
    D(2028, 2, 29),
    D(2026, 2, 14),
    D(2026, 2, 28),
    D(2026, 2, 16),
    D(2025, 12, 31),
    D(2026, 1, 31),
    D(2025, 10, 1),
    D(2026, 1, 4),
]
STREETS = ["500106001", "500106009", "500106104", "500106112", "500106021"]
HAN = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤阿卜杰买提古丽娜尔"
ADDRESS = HAN + "沙坪坝区小龙坎正街路巷号栋单元室楼组村社区,，\"'“”（）() -0123456789"
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)  # GB 11643-1999
CHECK = "10X98765432"


def id_number(region: str, birth: dt.date, seq: int, male: bool) -> str:
    """A GB 11643 number: region, birth date, a 3-digit sequence whose last digit is odd for men, check character."""
    seq = (seq * 2 + (1 if male else 0)) % 1000
    body = f"{region}{birth:%Y%m%d}{seq:03d}"
    return body + CHECK[sum(int(c) * w for c, w in zip(body, WEIGHTS)) % 11]


def months_before(day: dt.date, n: int) -> str:
    y, m = divmod(day.year * 12 + day.month - 1 - n, 12)
    return f"{y:04d}-{m + 1:02d}"


def _money(standard: float) -> st.SearchStrategy[str]:
    return st.sampled_from(["0", "0.01", f"{standard:.2f}", f"{standard}", "1234.5", "98765.43"])


def _day(before: dt.date, after: dt.date = D(1990, 1, 1)) -> st.SearchStrategy[dt.date]:  # noqa: B008 (a date is immutable)
    """A date in [after, before] (`after` moved back to `before` when it is later), often one of SPECIAL_DAYS."""
    after = min(after, before)
    special = [d for d in SPECIAL_DAYS if after <= d <= before]
    plain = st.dates(after, before)
    return st.one_of(st.sampled_from(special), plain) if special else plain


@st.composite
def _persons(draw, hid: str, n: int, as_of: dt.date, first_seq: int) -> list[dict]:
    out = []
    for i in range(n):
        male = draw(st.booleans())
        birth = draw(
            st.one_of(
                st.sampled_from([D(1960, 2, 29), D(2000, 2, 29), D(1975, 1, 31), D(1988, 4, 30)]),
                st.dates(D(1935, 1, 1), as_of - dt.timedelta(days=1)),
            )
        )
        grade = draw(st.sampled_from([0, 0, 0, 1, 2, 3, 4]))
        out.append(
            {
                "person_id": id_number(
                    draw(st.sampled_from(["500106", "500103", "510107", "110105"])), birth, first_seq + i, male
                ),
                "household_id": hid,
                "name": draw(st.sampled_from(HAN)) + draw(st.text(HAN + "·", min_size=1, max_size=23)),
                "sex": "M" if male else "F",
                "birth_date": birth.isoformat(),
                "relation": "head"
                if i == 0
                else draw(
                    st.sampled_from(["spouse", "child", "parent", "grandchild", "grandparent", "sibling", "other"])
                ),
                "disability_grade": str(grade),
                "disability_type": None
                if grade == 0
                else draw(
                    st.sampled_from(["visual", "hearing", "speech", "physical", "intellectual", "mental", "multiple"])
                ),
                "labor_capacity": draw(st.sampled_from(["full", "partial", "none"])),
                "in_school": draw(st.sampled_from(["true", "false"])),
            }
        )
    return out


@st.composite
def _increment(
    draw, feed: str, night: dt.date, k: int, people: list[dict], households: list[str], standard: float, as_of: dt.date
) -> list[dict]:
    """Up to a few rows of an increment delivered on `night` (ids made unique by the night and row number)."""
    rows = []
    for i in range(draw(st.integers(0, 3))):
        rid = f"{feed[:2].upper()}{night:%m%d}{k}{i}"
        pid = draw(st.sampled_from(people))["person_id"]
        if feed == "income":
            rows.append(
                {
                    "record_id": rid,
                    "person_id": pid,
                    "month": months_before(as_of, draw(st.integers(1, 13))),
                    "source_type": draw(
                        st.sampled_from(
                            [
                                "wage",
                                "pension",
                                "business",
                                "agriculture",
                                "property",
                                "support",
                                "allowance_exempt",
                                "assistance",
                                "other",
                            ]
                        )
                    ),
                    "amount": draw(_money(standard)),
                    "provider": draw(
                        st.sampled_from(["tax", "social_insurance", "hr", "agriculture", "declared", "survey"])
                    ),
                }
            )
        elif feed == "expenses":
            total = draw(_money(standard))
            rows.append(
                {
                    "record_id": rid,
                    "person_id": pid,
                    "date": draw(_day(night, D(2025, 1, 1))).isoformat(),
                    "category": draw(
                        st.sampled_from(
                            [
                                "medical_inpatient",
                                "medical_outpatient",
                                "medical_chronic",
                                "education",
                                "disability_rehab",
                                "other",
                            ]
                        )
                    ),
                    "total_amount": total,
                    "self_paid_amount": draw(st.sampled_from([total, "0", "0.00"])),
                    "provider": draw(
                        st.sampled_from(["medical_insurance", "education", "disabled_federation", "declared"])
                    ),
                }
            )
        elif feed == "events":
            rows.append(
                {
                    "event_id": rid,
                    "person_id": pid,
                    "event_type": draw(
                        st.sampled_from(
                            [
                                "death",
                                "hukou_out",
                                "hukou_in",
                                "incarceration",
                                "release",
                                "hospital_admission",
                                "disability_certified",
                                "unemployment_registered",
                                "employment_registered",
                                "marriage",
                                "divorce",
                                "birth",
                            ]
                        )
                    ),
                    "event_date": draw(_day(night, D(2025, 1, 1))).isoformat(),
                    "source": draw(
                        st.sampled_from(
                            ["public_security", "health", "hr", "justice", "disabled_federation", "civil_affairs"]
                        )
                    ),
                }
            )
        elif feed == "care_contacts":
            rows.append(
                {
                    "contact_id": rid,
                    "person_id": pid,
                    "contact_date": draw(_day(night, night - dt.timedelta(days=30))).isoformat(),
                    "mode": draw(st.sampled_from(["visit", "call"])),
                    "staff_id": f"S{i}",
                    "result": draw(st.sampled_from(["ok", "no_answer", "concern"])),
                }
            )
        elif feed == "meter_readings":  # one reading a day: the day is the row's own, counted back from the night
            rows.append(
                {
                    "reading_id": rid,
                    "household_id": draw(st.sampled_from(households)),
                    "reading_date": (night - dt.timedelta(days=i + 1)).isoformat(),
                    "litres": draw(st.sampled_from(["0", "0.01", "85.5", "120", "3000.25"])),
                }
            )
        else:  # payments
            hid = draw(st.sampled_from(households))
            holder = draw(st.sampled_from(people))["person_id"]
            rows.append(
                {
                    "payment_id": rid,
                    "household_id": hid,
                    "program": draw(st.sampled_from(["dibao", "tekun"])),
                    "period": months_before(as_of, draw(st.integers(0, 3))),
                    "amount": draw(_money(standard)),
                    "paid_date": draw(_day(night, D(2025, 6, 1))).isoformat(),
                    "account_holder_id": holder,
                }
            )
    return rows


@st.composite
def districts(draw, standard_of) -> dict:
    """A district delivered on one or two consecutive nights: {"nights": [dates], "drops": {date: {feed: (format,
    rows or None for header-only)}}, "manifest": {date: bool}}. `standard_of(as_of)` is the urban dibao standard in
    force (the boundary money value)."""
    first = draw(st.sampled_from(NIGHTS))
    nights = [first] if draw(st.booleans()) else [first, first + dt.timedelta(days=1)]
    as_of = nights[-1]
    standard = float(standard_of(as_of))
    sizes = draw(st.lists(st.sampled_from([1, 12, 2, 3]), min_size=1, max_size=3))
    households, people = [], []
    for h, n in enumerate(sizes):
        hid = f"H{h + 1:03d}"
        households.append(
            {
                "household_id": hid,
                "region_code": draw(st.sampled_from(STREETS)) + f"{h + 1:03d}",
                "hukou_type": draw(st.sampled_from(["urban", "rural"])),
                "address": draw(st.text(ADDRESS, min_size=1, max_size=80).map(lambda s: "沙" + s)),
                "registered_date": draw(_day(first)).isoformat(),
            }
        )
        people += draw(_persons(hid, n, first, len(people)))
    hids = [h["household_id"] for h in households]
    enrollment = []
    for i, hid in enumerate(hids):
        if draw(st.booleans()):
            program = draw(st.sampled_from(["dibao", "tekun", "edge", "rigid", "age_allowance"]))
            start = draw(_day(first, D(2015, 1, 1)))
            end = draw(st.one_of(st.none(), _day(D(2027, 12, 31), start)))
            size = sum(1 for p in people if p["household_id"] == hid)
            enrollment.append(
                {
                    "enrollment_id": f"E{i + 1:03d}",
                    "household_id": hid,
                    "program": program,
                    "covered_persons": str(draw(st.integers(1, size))),
                    "monthly_benefit": "0" if program in ("edge", "rigid") else draw(_money(standard)),
                    "status": draw(st.sampled_from(["active", "gradual_exit", "suspended", "terminated"])),
                    "start_date": start.isoformat(),
                    "end_date": end.isoformat() if end else None,
                }
            )
    assets = []
    for i in range(draw(st.integers(0, 3))):
        kind, sub = draw(
            st.sampled_from(
                [
                    ("vehicle", "car"),
                    ("vehicle", "disability_mobility"),
                    ("real_estate", "residential"),
                    ("business", "company"),
                    ("deposit", "-"),
                    ("securities", "-"),
                ]
            )
        )
        start = draw(_day(first))
        assets.append(
            {
                "asset_id": f"A{i + 1:03d}",
                "person_id": draw(st.sampled_from(people))["person_id"],
                "asset_type": kind,
                "subtype": sub,
                "value": draw(_money(standard)),
                "start_date": start.isoformat(),
                "end_date": None,
            }
        )
    applications = []
    for i in range(draw(st.integers(1, 2))):
        submitted = draw(_day(first, D(2025, 6, 1)))
        decided = draw(st.one_of(st.none(), _day(first, submitted)))
        applications.append(
            {
                "application_id": f"AP{i + 1:03d}",
                "household_id": draw(st.sampled_from(hids)),
                "program": draw(st.sampled_from(["dibao", "tekun", "edge", "rigid"])),
                "submitted_date": submitted.isoformat(),
                "decided_date": decided.isoformat() if decided else None,
                "decision": draw(st.sampled_from(["approved", "rejected", "withdrawn"])) if decided else None,
            }
        )
    staff = [
        {
            "staff_person_id": id_number("500106", D(1980, 6, 6), 400 + i, True),
            "relative_person_id": draw(st.sampled_from(people))["person_id"],
            "relation": "sibling",
            "filed_date": draw(st.one_of(st.none(), _day(first).map(dt.date.isoformat))),
        }
        for i in range(1)
    ]
    communities = [
        {
            "community_code": code,
            "community_name": draw(st.text(HAN, min_size=1, max_size=12)) + "社区",
            "street_code": code[:9],
        }
        for code in sorted({h["region_code"] for h in households})
    ]
    full = {
        "households": households,
        "persons": people,
        "enrollment": enrollment,
        "assets": assets,
        "applications": applications,
        "staff_relatives": staff,
        "communities": communities,
    }
    drops = {}
    for k, night in enumerate(nights):
        files = {}
        for feed in COLUMNS:
            mode = draw(st.sampled_from(["absent", "header", "rows"])) if feed in OPTIONAL else "rows"
            if mode == "absent":
                continue
            if feed in FULL:
                rows = full[feed]
            else:
                rows = draw(_increment(feed, night, k, people, hids, standard, as_of))
            files[feed] = (draw(st.sampled_from(["csv", "csv", "parquet"])), None if mode == "header" else rows)
        drops[night] = files
    return {"nights": nights, "drops": drops, "manifest": {n: draw(st.booleans()) for n in nights}}


def write(district: dict, root: Path) -> dict[tuple[dt.date, str], int]:
    """Write the drops under `root`; return the data rows written per (night, feed)."""
    written = {}
    for night, files in district["drops"].items():
        folder = root / night.isoformat()
        folder.mkdir(parents=True)
        listed = []
        for feed, (fmt, rows) in files.items():
            rows = rows or []
            path = folder / f"{feed}.{fmt}"
            if fmt == "csv":
                with path.open("w", newline="", encoding="utf-8") as fh:
                    out = csv.writer(fh, lineterminator="\r\n")
                    out.writerow(COLUMNS[feed])
                    out.writerows([["" if r[c] is None else r[c] for c in COLUMNS[feed]] for r in rows])
            else:
                table = pa.table({c: pa.array([r[c] for r in rows], pa.string()) for c in COLUMNS[feed]})
                pq.write_table(table, path)
            written[(night, feed)] = len(rows)
            listed.append(f"{path.name},{len(rows)},{hashlib.sha256(path.read_bytes()).hexdigest()}")
        if district["manifest"][night]:
            (folder / "_MANIFEST.csv").write_text("file,rows,sha256\n" + "\n".join(listed) + "\n", encoding="utf-8")
    return written
