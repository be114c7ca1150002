"""Hand-made households for the rule tests.

`StateBuilder` keeps tiny feed tables as Python literals and loads them into an in-memory DuckDB with the contract's
types (checks/contract.py), the way the lead's state step hands them over: one table per feed, as of D, clean.
A module builds all its households in one state and runs the rule pass once (`run`), then each test looks at one household.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest

from checks.contract import DUCKDB_TYPES, FEEDS
from models.rules.candidates import raise_candidates
from models.rules.parameters import ParameterSet
from models.rules.working_days import WorkingCalendar

AS_OF = dt.date(2026, 3, 10)  # income window 2025-09..2026-02; recent 2025-12..2026-02; prior 2025-09..2025-11
WINDOW = ["2025-09", "2025-10", "2025-11", "2025-12", "2026-01", "2026-02"]
RECENT = WINDOW[3:]
PRIOR = WINDOW[:3]

# The amounts the rule tests are worked out from, read from the shipped parameters in force on AS_OF (never repeated
# here), so a new dated standard changes the households with it. On 2026-03-10: urban 770, rural 630 (from 2025-07-29).
_SHIPPED = ParameterSet.load()
STD_URBAN = float(_SHIPPED.value("dibao.standard_urban", AS_OF))
STD_RURAL = float(_SHIPPED.value("dibao.standard_rural", AS_OF))
STD_SINCE = _SHIPPED.at("dibao.standard_urban", AS_OF).effective_from.isoformat()
TEKUN_STANDARD = float(_SHIPPED.value("tekun.basic_living_standard", AS_OF))
EDGE_MULTIPLE = float(_SHIPPED.value("edge.income_multiple", AS_OF))
COST_SHARE = float(_SHIPPED.value("income.employment_cost_share", AS_OF))


def yuan(x: float) -> float:
    """An amount rounded to the fen, as the feeds carry it."""
    return round(x + 0.0, 2)


def deduction(standard: float) -> float:
    """The employment-cost deduction per earner-month: share x standard, to the fen."""
    return yuan(COST_SHARE * standard)


def std_text(standard: float) -> str:
    """A parameter value as the reasons print it (636, not 636.0)."""
    return f"{standard:g}"


def _date(v):
    if v is None or isinstance(v, dt.date):
        return v
    if len(v) == 7:  # YYYY-MM -> first day of the month
        v = v + "-01"
    return dt.date.fromisoformat(v)


@dataclass
class Result:
    rows: list[dict]

    def for_household(self, hid: str) -> list[dict]:
        return [r for r in self.rows if r["household_id"] == hid]

    def keys(self, hid: str, code: str | None = None) -> set[str]:
        return {r["condition_key"] for r in self.for_household(hid) if code is None or r["warning_code"] == code}

    def codes(self, hid: str) -> set[str]:
        return {r["warning_code"] for r in self.for_household(hid)}

    def one(self, hid: str, code: str, key: str | None = None) -> dict:
        hits = [
            r
            for r in self.for_household(hid)
            if r["warning_code"] == code and (key is None or r["condition_key"] == key)
        ]
        assert len(hits) == 1, (
            f"{hid}: expected one {code} {key or ''}, found {[(r['warning_code'], r['condition_key']) for r in self.for_household(hid)]}"
        )
        row = dict(hits[0])
        row["evidence"] = json.loads(row["evidence"])
        return row


@dataclass
class StateBuilder:
    rows: dict[str, list[dict]] = field(default_factory=lambda: {name: [] for name in FEEDS})
    quarantine_rows: list[dict] = field(default_factory=list)
    _seq: int = 0

    def _id(self, prefix: str) -> str:
        self._seq += 1
        return f"{prefix}{self._seq:05d}"

    def household(self, hid: str, hukou_type: str = "urban", members: int | list[dict] = 1, **kw) -> list[str]:
        """A household and its members; `members` is a count of default adults or a list of person keyword dicts."""
        self.rows["households"].append(
            dict(
                household_id=hid,
                region_code="500106001001",
                hukou_type=hukou_type,
                address="沙坪坝区某街道",
                registered_date=_date("2015-01-01"),
            )
            | kw
        )
        specs = [{} for _ in range(members)] if isinstance(members, int) else members
        return [self.person(hid, **spec) for spec in specs]

    def person(self, hid: str, person_id: str | None = None, **kw) -> str:
        pid = person_id or f"{hid}-P{sum(1 for p in self.rows['persons'] if p['household_id'] == hid) + 1}"
        row = dict(
            person_id=pid,
            household_id=hid,
            name=f"成员{pid}",
            sex="M",
            birth_date=_date("1980-05-01"),
            relation="head",
            disability_grade=0,
            disability_type=None,
            labor_capacity="full",
            in_school=False,
        )
        row.update({k: (_date(v) if k == "birth_date" else v) for k, v in kw.items()})
        self.rows["persons"].append(row)
        return pid

    def enroll(
        self,
        hid: str,
        program: str = "dibao",
        status: str = "active",
        covered_persons: int = 1,
        monthly_benefit: float = 0,
        start_date: str = "2024-01-01",
        end_date: str | None = None,
        enrollment_id: str | None = None,
    ) -> str:
        eid = enrollment_id or self._id("E")
        self.rows["enrollment"].append(
            dict(
                enrollment_id=eid,
                household_id=hid,
                program=program,
                covered_persons=covered_persons,
                monthly_benefit=monthly_benefit,
                status=status,
                start_date=_date(start_date),
                end_date=_date(end_date),
            )
        )
        return eid

    def income(
        self,
        pid: str,
        month: str,
        amount: float,
        source_type: str = "wage",
        provider: str = "tax",
        record_id: str | None = None,
    ) -> str:
        rid = record_id or self._id("I")
        self.rows["income"].append(
            dict(
                record_id=rid,
                person_id=pid,
                month=_date(month),
                source_type=source_type,
                amount=amount,
                provider=provider,
            )
        )
        return rid

    def monthly(self, pid: str, amount: float, months=WINDOW, source_type: str = "wage") -> None:
        for m in months:
            self.income(pid, m, amount, source_type)

    def expense(
        self, pid: str, date: str, self_paid: float, category: str = "medical_inpatient", record_id: str | None = None
    ) -> str:
        rid = record_id or self._id("X")
        self.rows["expenses"].append(
            dict(
                record_id=rid,
                person_id=pid,
                date=_date(date),
                category=category,
                total_amount=self_paid * 2,
                self_paid_amount=self_paid,
                provider="medical_insurance",
            )
        )
        return rid

    def asset(
        self,
        pid: str,
        asset_type: str,
        subtype: str = "-",
        value: float = 0,
        start_date: str = "2020-01-01",
        end_date: str | None = None,
        asset_id: str | None = None,
    ) -> str:
        aid = asset_id or self._id("A")
        self.rows["assets"].append(
            dict(
                asset_id=aid,
                person_id=pid,
                asset_type=asset_type,
                subtype=subtype,
                value=value,
                start_date=_date(start_date),
                end_date=_date(end_date),
            )
        )
        return aid

    def event(
        self, pid: str, event_type: str, date: str, event_id: str | None = None, source: str = "public_security"
    ) -> str:
        evid = event_id or self._id("V")
        self.rows["events"].append(
            dict(event_id=evid, person_id=pid, event_type=event_type, event_date=_date(date), source=source)
        )
        return evid

    def payment(
        self,
        hid: str,
        period: str,
        amount: float,
        paid_date: str,
        account_holder_id: str,
        program: str = "dibao",
        payment_id: str | None = None,
    ) -> str:
        pay = payment_id or self._id("PAY")
        self.rows["payments"].append(
            dict(
                payment_id=pay,
                household_id=hid,
                program=program,
                period=_date(period),
                amount=amount,
                paid_date=_date(paid_date),
                account_holder_id=account_holder_id,
            )
        )
        return pay

    def application(
        self,
        hid: str,
        submitted: str,
        decided: str | None = None,
        decision: str | None = None,
        program: str = "dibao",
        application_id: str | None = None,
    ) -> str:
        aid = application_id or self._id("APP")
        self.rows["applications"].append(
            dict(
                application_id=aid,
                household_id=hid,
                program=program,
                submitted_date=_date(submitted),
                decided_date=_date(decided),
                decision=decision,
            )
        )
        return aid

    def staff_relative(self, staff: str, relative: str, filed_date: str | None = None, relation: str = "子女") -> None:
        self.rows["staff_relatives"].append(
            dict(staff_person_id=staff, relative_person_id=relative, relation=relation, filed_date=_date(filed_date))
        )

    def contact(
        self,
        pid: str,
        date: str,
        mode: str = "call",
        result: str = "ok",
        contact_id: str | None = None,
        staff_id: str = "S01",
    ) -> str:
        cid = contact_id or self._id("C")
        self.rows["care_contacts"].append(
            dict(contact_id=cid, person_id=pid, contact_date=_date(date), mode=mode, staff_id=staff_id, result=result)
        )
        return cid

    def reading(self, hid: str, date: str, litres: float, reading_id: str | None = None) -> str:
        rid = reading_id or self._id("M")
        self.rows["meter_readings"].append(
            dict(reading_id=rid, household_id=hid, reading_date=_date(date), litres=litres)
        )
        return rid

    def readings(self, hid: str, first: str, last: str, litres: float) -> None:
        """One reading a day, the same use, from `first` to `last` inclusive."""
        d, end = _date(first), _date(last)
        while d <= end:
            self.reading(hid, d.isoformat(), litres)
            d += dt.timedelta(days=1)

    def quarantined(self, hid: str, feed: str = "income", check_code: str = "NEGATIVE_amount") -> None:
        """A row of the household the night quarantined (sql/state/quarantined_households.sql builds it from the checks)."""
        self.quarantine_rows.append(dict(household_id=hid, feed=feed, check_code=check_code))

    def load(self, con) -> None:
        for name, feed in FEEDS.items():
            cols = ", ".join(f"{c.name} {DUCKDB_TYPES[c.type]}" for c in feed.columns)
            con.execute(f"CREATE OR REPLACE TABLE {name} ({cols})")
            if self.rows[name]:
                marks = ", ".join("?" for _ in feed.columns)
                con.executemany(
                    f"INSERT INTO {name} VALUES ({marks})",
                    [[r.get(c) for c in feed.column_names] for r in self.rows[name]],
                )
        con.execute(
            "CREATE OR REPLACE TABLE quarantined_households (household_id VARCHAR, feed VARCHAR, check_code VARCHAR)"
        )
        if self.quarantine_rows:
            con.executemany(
                "INSERT INTO quarantined_households VALUES (?, ?, ?)",
                [[r["household_id"], r["feed"], r["check_code"]] for r in self.quarantine_rows],
            )

    def run(self, as_of: dt.date = AS_OF, params: ParameterSet | None = None) -> Result:
        con = duckdb.connect(":memory:", config={"autoinstall_known_extensions": "false"})
        self.load(con)
        load_working_days(con)
        raise_candidates(con, params or ParameterSet.load(), as_of)
        cur = con.execute("SELECT * FROM candidates")
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, r)) for r in cur.fetchall()]
        con.close()
        return Result(rows)


def load_working_days(con) -> None:
    """working_days(date, is_working, ...) for 2004-2026 from the production calendar (models/rules/working_days.py:
    the holiday notices kept as parameter files, Monday-Friday for a year without one), the one a night builds.
    test_integrity_process_rules keeps one cross-check of it against chinesecalendar, an independent encoding."""
    WorkingCalendar(ParameterSet.load(), dt.date(2026, 12, 31)).to_duckdb(
        con, dt.date(2004, 1, 1), dt.date(2026, 12, 31)
    )
    con.unregister("working_days_arrow")


def override(tmp_path: Path, text: str) -> ParameterSet:
    """The shipped parameters with a bureau override file layered on top."""
    f = tmp_path / "override.yaml"
    f.write_text(text, encoding="utf-8")
    return ParameterSet.load(override=f)


@pytest.fixture
def state() -> StateBuilder:
    return StateBuilder()
