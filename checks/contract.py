"""The feed contract (docs/CONTRACT.md §1-2, version 2: v1 plus the optional communities and care feeds and the
`age_allowance` program) as data.

Every part of safetynet that needs to know a feed's columns, types, code sets, kind (full extract or increment) or key reads
it from here: the ingest (typed staging), the validation suites, the synthetic generator and the tests. Renaming or
re-typing anything here breaks the contract with the departments; extend only.
"""

from __future__ import annotations

from dataclasses import dataclass

# Contract type -> DuckDB type used in staging. `month` (YYYY-MM) is stored as the DATE of the month's first day.
DUCKDB_TYPES = {
    "str": "VARCHAR",
    "date": "DATE",
    "month": "DATE",
    "decimal": "DECIMAL(14,2)",
    "int": "INTEGER",
    "bool": "BOOLEAN",
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # one of DUCKDB_TYPES
    nullable: bool = False
    codes: tuple[str, ...] | None = None  # the contract's closed code set, when it has one
    signed: bool = False  # decimals are >= 0 unless the contract says otherwise
    unit: tuple[str, str] = ("yuan", "元")  # a decimal's unit (English, Chinese) as reasons name it


@dataclass(frozen=True)
class Feed:
    name: str
    kind: str  # "full" (newest drop on or before D is the truth) or "increment" (union; later row with same id wins)
    required: bool
    key: tuple[str, ...]  # the record id (increments) or the key unique within a full extract
    columns: tuple[Column, ...]

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


PROGRAMS = ("dibao", "tekun", "edge", "rigid", "age_allowance")  # age_allowance: 高龄津贴 (v2)
RELATIONS = ("head", "spouse", "child", "parent", "grandchild", "grandparent", "sibling", "other")
DISABILITY_TYPES = ("visual", "hearing", "speech", "physical", "intellectual", "mental", "multiple")
ENROLLMENT_STATUSES = ("active", "gradual_exit", "suspended", "terminated")
INCOME_SOURCES = (
    "wage",
    "pension",
    "business",
    "agriculture",
    "property",
    "support",
    "allowance_exempt",
    "assistance",
    "other",
)
INCOME_PROVIDERS = ("tax", "social_insurance", "hr", "agriculture", "declared", "survey")
EXPENSE_CATEGORIES = (
    "medical_inpatient",
    "medical_outpatient",
    "medical_chronic",
    "education",
    "disability_rehab",
    "other",
)
EXPENSE_PROVIDERS = ("medical_insurance", "education", "disabled_federation", "declared")
ASSET_TYPES = ("vehicle", "real_estate", "business", "deposit", "securities")
ASSET_SUBTYPES = {
    "vehicle": ("car", "motorcycle", "disability_mobility", "agricultural", "commercial"),
    "real_estate": ("residential", "commercial", "land_use"),
    "business": ("sole_proprietor", "company"),
    "deposit": ("-",),
    "securities": ("-",),
}
EVENT_TYPES = (
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
)
EVENT_SOURCES = ("public_security", "health", "hr", "justice", "disabled_federation", "civil_affairs")
DECISIONS = ("approved", "rejected", "withdrawn")
CONTACT_MODES = ("visit", "call")  # 上门, 电话 (v2)
CONTACT_RESULTS = ("ok", "no_answer", "concern")  # v2

C = Column
FEEDS: dict[str, Feed] = {
    f.name: f
    for f in (
        Feed(
            "households",
            "full",
            True,
            ("household_id",),
            (
                C("household_id", "str"),
                C("region_code", "str"),
                C("hukou_type", "str", codes=("urban", "rural")),
                C("address", "str"),
                C("registered_date", "date"),
            ),
        ),
        Feed(
            "persons",
            "full",
            True,
            ("person_id", "household_id"),
            (
                C("person_id", "str"),
                C("household_id", "str"),
                C("name", "str"),
                C("sex", "str", codes=("M", "F")),
                C("birth_date", "date"),
                C("relation", "str", codes=RELATIONS),
                C("disability_grade", "int"),
                C("disability_type", "str", nullable=True, codes=DISABILITY_TYPES),
                C("labor_capacity", "str", codes=("full", "partial", "none")),
                C("in_school", "bool"),
            ),
        ),
        Feed(
            "enrollment",
            "full",
            True,
            ("enrollment_id",),
            (
                C("enrollment_id", "str"),
                C("household_id", "str"),
                C("program", "str", codes=PROGRAMS),
                C("covered_persons", "int"),
                C("monthly_benefit", "decimal"),
                C("status", "str", codes=ENROLLMENT_STATUSES),
                C("start_date", "date"),
                C("end_date", "date", nullable=True),
            ),
        ),
        Feed(
            "income",
            "increment",
            True,
            ("record_id",),
            (
                C("record_id", "str"),
                C("person_id", "str"),
                C("month", "month"),
                C("source_type", "str", codes=INCOME_SOURCES),
                C("amount", "decimal"),
                C("provider", "str", codes=INCOME_PROVIDERS),
            ),
        ),
        Feed(
            "expenses",
            "increment",
            True,
            ("record_id",),
            (
                C("record_id", "str"),
                C("person_id", "str"),
                C("date", "date"),
                C("category", "str", codes=EXPENSE_CATEGORIES),
                C("total_amount", "decimal"),
                C("self_paid_amount", "decimal"),
                C("provider", "str", codes=EXPENSE_PROVIDERS),
            ),
        ),
        Feed(
            "assets",
            "full",
            True,
            ("asset_id",),
            (
                C("asset_id", "str"),
                C("person_id", "str"),
                C("asset_type", "str", codes=ASSET_TYPES),
                C("subtype", "str", codes=tuple(sorted({s for v in ASSET_SUBTYPES.values() for s in v}))),
                C("value", "decimal"),
                C("start_date", "date"),
                C("end_date", "date", nullable=True),
            ),
        ),
        Feed(
            "events",
            "increment",
            True,
            ("event_id",),
            (
                C("event_id", "str"),
                C("person_id", "str"),
                C("event_type", "str", codes=EVENT_TYPES),
                C("event_date", "date"),
                C("source", "str", codes=EVENT_SOURCES),
            ),
        ),
        Feed(
            "payments",
            "increment",
            False,
            ("payment_id",),
            (
                C("payment_id", "str"),
                C("household_id", "str"),
                C("program", "str", codes=PROGRAMS),
                C("period", "month"),
                C("amount", "decimal"),
                C("paid_date", "date"),
                C("account_holder_id", "str"),
            ),
        ),
        Feed(
            "applications",
            "full",
            False,
            ("application_id",),
            (
                C("application_id", "str"),
                C("household_id", "str"),
                C("program", "str", codes=PROGRAMS),
                C("submitted_date", "date"),
                C("decided_date", "date", nullable=True),
                C("decision", "str", nullable=True, codes=DECISIONS),
            ),
        ),
        Feed(
            "staff_relatives",
            "full",
            False,
            ("staff_person_id", "relative_person_id"),
            (
                C("staff_person_id", "str"),
                C("relative_person_id", "str"),
                C("relation", "str"),
                C("filed_date", "date", nullable=True),
            ),
        ),
        # v2: names of communities and villages, for the caseworkers' workbook (its 社区 column and sheet names)
        Feed(
            "communities",
            "full",
            False,
            ("community_code",),
            (
                C("community_code", "str"),
                C("community_name", "str"),
                C("street_code", "str"),
            ),
        ),
        # v2: visits and calls to older people living alone (独居老年人探访关爱), and their smart water meters
        Feed(
            "care_contacts",
            "increment",
            False,
            ("contact_id",),
            (
                C("contact_id", "str"),
                C("person_id", "str"),
                C("contact_date", "date"),
                C("mode", "str", codes=CONTACT_MODES),
                C("staff_id", "str"),
                C("result", "str", codes=CONTACT_RESULTS),
            ),
        ),
        Feed(
            "meter_readings",
            "increment",
            False,
            ("reading_id",),
            (
                C("reading_id", "str"),
                C("household_id", "str"),
                C("reading_date", "date"),
                C("litres", "decimal", unit=("litres", "升")),
            ),
        ),
    )
}
del C

MANIFEST_FILE = "_MANIFEST.csv"
