"""The planted cases: one small household per scenario, each a case that must fire or its near-miss twin.

Why: precision and recall of the rules are only meaningful against cases worked out from docs/rulebook.md by hand. Each
scenario states the household, its records and the warnings it must (and must not) raise, with the arithmetic in the
note. Amounts are derived from the shipped parameters (standard, deduction, multiples), never typed in.

A scenario is a function `(ctx) -> Spec`. Member references are list indices; `first_night` is a night index.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flows.devtools.synthetic.thresholds import Thresholds
from flows.devtools.synthetic.workdays import WorkdayIndex
from models.rules.months import month_index, month_start


@dataclass
class Ctx:
    th: Thresholds
    start: dt.date
    nights: list[dt.date]
    wd: WorkdayIndex
    home_region: int = 500106  # the county the planted households live in (6-digit code, as in ID numbers)

    @property
    def smi(self) -> int:
        return month_index(self.start)

    def days(self, n: int) -> dt.date:
        return self.start - dt.timedelta(days=n)

    def month_first(self, offset: int) -> dt.date:
        mi = self.smi + offset
        return month_start(mi)

    def years_before(self, d: dt.date, years: int) -> dt.date:
        try:
            return d.replace(year=d.year - years)
        except ValueError:  # 29 February
            return d.replace(year=d.year - years, day=28)


@dataclass
class M:
    rel: str
    age: float = 40.0
    male: bool = True
    labor: str = "full"
    grade: int = 0
    dtype: str | None = None
    school: bool = False
    inc: dict = field(default_factory=dict)  # source -> monthly amount (all months)
    recent: dict | None = (
        None  # source -> monthly amount for the last `shock.recent_months` months before start and later
    )
    birth: dt.date | None = None
    same_as: tuple | None = None  # (scenario-local partner index, member index): the same person listed twice
    # across counties (flows/devtools/synthetic/cross_county.py): `export` names this person for a later county's
    # block; `shared` lists the person exported under that name there (same ID, birth date, sex and name)
    export: str | None = None
    shared: str | None = None


@dataclass
class Spec:
    name: str
    hukou: str = "urban"
    members: list = field(default_factory=list)
    enroll: list = field(default_factory=list)  # dicts: program, cp, benefit, status, start, end, end_night, from_night
    assets: list = field(default_factory=list)  # dicts: m, type, subtype, value, start, end, from_night
    expenses: list = field(default_factory=list)  # dicts: m, date, category, total, self_paid
    events: list = field(default_factory=list)  # dicts: m, type, date, (night)
    apps: list = field(default_factory=list)  # dicts: program, submitted, decided, decision, decided_night
    staff: list = field(default_factory=list)  # dicts: m, filed, from_night
    pay: dict = field(default_factory=dict)  # (program, period offset) -> overrides {amount, paid_date, holder, night}
    extra_pay: list = field(default_factory=list)  # dicts: program, offset, amount, paid_date, holder, night
    holder: object = 0  # member index, "outside", or "shared:<name>" (a person exported by another county)
    holder_from: int | None = None  # period offset from which `holder` applies (earlier: the head)
    truth: list = field(default_factory=list)  # (code, keyref, expected, first_night, note)
    partner: int | None = None  # index (in the returned list) of a linked household
    sub_nonpay: bool = False
    # care (flows/devtools/synthetic/care.py): None = the background's answered weekly contacts; a list (dicts: m, date, mode,
    # result) = exactly these. Meter readings (dicts: date, litres). allowance_auto: the background age allowance.
    contacts: list | None = None
    readings: list = field(default_factory=list)
    allowance_auto: bool = True


def _std(ctx, hukou):
    return ctx.th.standard(hukou)


def wage_for(ctx, net: float, hukou="urban") -> float:
    """The monthly wage whose net after the employment-cost deduction is `net`."""
    return round(net + ctx.th.deduction(hukou), 2)


def dibao(ctx, n_extra=1, cp=None, hukou="urban", start=None, net=600.0, **kw) -> Spec:
    """A plain covered dibao household: a head earning `net` after deduction, `n_extra` members without income."""
    members = [M("head", 48, True, "full", inc={"wage": wage_for(ctx, net, hukou)})]
    rels = [("spouse", 46, False, "partial"), ("child", 20, True, "partial"), ("parent", 78, False, "none")]
    for i in range(n_extra):
        r = rels[i]
        members.append(M(r[0], r[1], r[2], r[3]))
    n = len(members)
    std = _std(ctx, hukou)
    benefit = round(max(std * n - net, 0.15 * std * n), 2)
    s = Spec(
        kw.pop("name", "dibao"),
        hukou=hukou,
        members=members,
        enroll=[
            dict(
                program="dibao",
                cp=n if cp is None else cp,
                benefit=benefit,
                status="active",
                start=start or ctx.month_first(-30),
            )
        ],
    )
    for k, v in kw.items():
        setattr(s, k, v)
    return s


def comfortable(ctx, pc=2500.0, n=2, name="comfortable") -> Spec:
    """A non-covered household well clear of every exclusion line."""
    members = [M("head", 45, True, "full", inc={"wage": wage_for(ctx, pc * n)})]
    for i in range(n - 1):
        members.append(M("spouse" if i == 0 else "child", 43 if i == 0 else 20, i != 0, "partial"))
    return Spec(name, members=members)
