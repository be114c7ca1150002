"""Care for older people living alone and the age allowance in the synthetic district (docs/CONTRACT.md v2, docs/POLICY.md §7).

Why a module of its own: the care feeds (visits and calls, water meters) and the 高龄津贴 roster are new and touch every
household with an older member, planted or not. Two parts:
- `care_scenarios`: planted households, each a case that must fire or its near-miss twin (CARE_CONTACT_MISSED,
  CARE_CONCERN, WATER_USAGE_ANOMALY, AGE_ALLOWANCE_DUE, and the 免申即享 fast track of ELIGIBLE_NOT_COVERED), with the
  arithmetic in the note and dates relative to the first night, so any start date works;
- `background_care`: what keeps every other household quiet and realistic: weekly visits and calls (1 + 3, all
  answered) for every older person, a water meter with steady use for a share of those living alone, and the age
  allowance for every household with a member of the allowance age — except where a scenario sets its own.
Amounts and ages are read from the parameter loader (`CareThresholds`), never typed in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from flows.devtools.synthetic.scenarios import Ctx, M, Spec, wage_for
from models.rules.parameters import ParameterSet

F, NF = "fire", "not_fire"
ALLOWANCE_K = 9  # enrollment sequence of the background age allowance (background programs use 1-2, scenarios 1..n)
ALLOWANCE_MONTHLY = 100.0  # synthetic amount: the city sets it (docs/POLICY.md §7 [LOCAL]); no rule reads it
METER_SHARE = 0.3  # share of the older people living alone with a meter (consent): a synthetic proportion
PENSION = 3000.0  # a comfortable pension: the care scenarios raise no income or asset warning
MODE_CODE = {"visit": "1", "call": "2"}


@dataclass(frozen=True)
class CareThresholds:
    living_alone_min_age: int
    weekly_visits: int
    weekly_calls: int
    no_answer_run: int
    follow_up_days: int
    baseline_days: int
    low_use_share: float
    min_baseline_days: int
    allowance_age: int

    @classmethod
    def load(cls, on: dt.date) -> CareThresholds:
        p = ParameterSet.load()
        v = lambda name: p.value(name, on)  # noqa: E731
        return cls(
            int(v("care.living_alone_min_age")),
            int(v("care.weekly_visits")),
            int(v("care.weekly_calls")),
            int(v("care.no_answer_run")),
            int(v("care.follow_up_days")),
            int(v("meter.baseline_days")),
            float(v("meter.low_use_share")),
            int(v("meter.min_baseline_days")),
            int(v("age_allowance.min_age")),
        )


def judged_week(d: dt.date) -> tuple[dt.date, str]:
    """The last full Monday..Sunday week before night `d`: its Monday and ISO name (as sql/features/care_context.sql)."""
    monday = d - dt.timedelta(days=d.weekday()) - dt.timedelta(days=7)
    y, w, _ = monday.isocalendar()
    return monday, f"{y}-W{w:02d}"


def judged_weeks(nights: list[dt.date], follow_up_days: int) -> list[tuple[dt.date, str, int]]:
    """(Monday, ISO week, first night judging it) of every full week some night judges: each week that ended before the
    night and on or after night - follow_up_days (sql/features/care_weeks.sql)."""
    out: dict[dt.date, tuple[str, int]] = {}
    for t, d in enumerate(nights):
        last_monday, _ = judged_week(d)
        monday = last_monday
        while monday + dt.timedelta(days=6) >= d - dt.timedelta(days=follow_up_days):
            y, w, _ = monday.isocalendar()
            out.setdefault(monday, (f"{y}-W{w:02d}", t))
            monday -= dt.timedelta(days=7)
    return [(m, iso, t) for m, (iso, t) in sorted(out.items())]


def contact_id(hh: int, j: int, d: dt.date) -> str:
    """A planted contact: 19 characters (background ones have 20, so the two never collide)."""
    return f"C{hh + 1:08d}{d:%Y%m%d}{j:02d}"


def _weekly(first_monday: dt.date, last: dt.date, visits: int, calls: int) -> list[dict]:
    """Contacts every week from `first_monday` up to `last`: visits on Tuesday (and Saturday), calls from Wednesday."""
    out, monday = [], first_monday
    while monday <= last:
        days = [(1, "visit"), (5, "visit")][:visits] + [(2, "call"), (3, "call"), (4, "call"), (6, "call")][:calls]
        for off, mode in sorted(days):
            d = monday + dt.timedelta(days=off)
            if d <= last:
                out.append(dict(m=0, date=d, mode=mode, result="ok"))
        monday += dt.timedelta(days=7)
    return out


def care_scenarios(ctx: Ctx) -> list[list[Spec]]:
    ct = CareThresholds.load(ctx.start)
    s0, last = ctx.start, ctx.nights[-1]
    ws, _ = judged_week(s0)
    weeks = judged_weeks(ctx.nights, ct.follow_up_days)
    history = weeks[0][0]  # contacts from the first week any night judges
    G: list[list[Spec]] = []

    def every_week(expected: str, note: str) -> list[tuple]:
        """CARE_CONTACT_MISSED truth for each judged week (the pattern is the same every week)."""
        return [
            ("CARE_CONTACT_MISSED", ("week", 0, w_iso), expected, first, f"week {w_iso} ({monday}..): {note}")
            for monday, w_iso, first in weeks
        ]

    def alone(name, age=72.0, birth=None, contacts=None, readings=(), truth=(), allowance_auto=True, enroll=()):
        s = Spec(
            name,
            members=[M("head", age, False, "none", inc={"pension": PENSION}, birth=birth)],
            enroll=list(enroll),
            truth=list(truth),
        )
        s.contacts, s.readings, s.allowance_auto = contacts, list(readings), allowance_auto
        G.append([s])
        return s

    def daily(first: dt.date, end: dt.date, litres) -> list[dict]:
        n = (end - first).days + 1
        return [
            dict(date=first + dt.timedelta(days=i), litres=float(litres(first + dt.timedelta(days=i))))
            for i in range(max(n, 0))
        ]

    need = f"{ct.weekly_visits} visit + {ct.weekly_calls} calls"
    # ---------------- CARE_CONTACT_MISSED (each week judged: those that ended within care.follow_up_days of a night)
    alone(
        "care_contacts_met",
        contacts=_weekly(history, last, ct.weekly_visits, ct.weekly_calls),
        truth=every_week(NF, f"{need}, as required"),
    )
    alone(
        "care_missed_calls",
        contacts=_weekly(history, last, ct.weekly_visits, ct.weekly_calls - 1),
        truth=every_week(F, f"one call short of {ct.weekly_calls}"),
    )
    alone(
        "care_missed_visit",
        contacts=_weekly(history, last, 0, ct.weekly_calls + 1),
        truth=every_week(F, f"{ct.weekly_calls + 1} calls but no visit (counted separately)"),
    )
    unreached = _weekly(history, last, ct.weekly_visits, ct.weekly_calls - 1)
    unreached += [
        dict(m=0, date=monday + dt.timedelta(days=5), mode="call", result="no_answer") for monday, _, _ in weeks
    ]
    alone(
        "care_unanswered_call",
        contacts=sorted(unreached, key=lambda c: c["date"]),
        truth=every_week(F, f"{ct.weekly_calls - 1} answered calls and one no_answer (an attempt, not a contact)"),
    )
    alone(
        "care_age_below",
        birth=ctx.years_before(last, ct.living_alone_min_age) + dt.timedelta(days=1),
        contacts=[],
        truth=every_week(NF, f"alone, no contact, but {ct.living_alone_min_age - 1} on every night"),
    )
    alone(
        "care_age_reached",
        birth=ctx.years_before(s0, ct.living_alone_min_age),
        contacts=[],
        truth=every_week(F, f"alone, {ct.living_alone_min_age} on the first night, no contact"),
    )

    # ---------------- CARE_CONCERN
    met = _weekly(history, last, ct.weekly_visits, ct.weekly_calls)
    concern = sorted(
        met + [dict(m=0, date=s0 - dt.timedelta(days=3), mode="visit", result="concern")], key=lambda c: c["date"]
    )
    j = next(i for i, c in enumerate(concern) if c["result"] == "concern")
    alone(
        "care_concern_recent",
        contacts=concern,
        truth=[("CARE_CONCERN", ("contact", j), F, 0, f"a visit on {s0 - dt.timedelta(days=3)} recorded concern")],
    )
    old_day = s0 - dt.timedelta(days=ct.follow_up_days + 1)
    old = sorted(met + [dict(m=0, date=old_day, mode="visit", result="concern")], key=lambda c: c["date"])
    j = next(i for i, c in enumerate(old) if c["result"] == "concern")
    alone(
        "care_concern_old",
        contacts=old,
        truth=[
            (
                "CARE_CONCERN",
                ("contact", j),
                NF,
                0,
                f"the concern of {old_day} is before the {ct.follow_up_days}-day follow-up of every night",
            )
        ],
    )
    answered = _weekly(history, ws + dt.timedelta(days=6), ct.weekly_visits, ct.weekly_calls)
    run_days = [ws + dt.timedelta(days=5), ws + dt.timedelta(days=6), s0][-ct.no_answer_run :]
    run = answered + [dict(m=0, date=d, mode="call", result="no_answer") for d in run_days]
    alone(
        "care_no_answer_run",
        contacts=run,
        truth=[
            (
                "CARE_CONCERN",
                ("contact_run", 0, len(answered)),
                F,
                0,
                f"the last {ct.no_answer_run} contacts ({', '.join(map(str, run_days))}) all no_answer",
            )
        ]
        + every_week(NF, f"{need} answered before the run"),
    )
    short = answered + [dict(m=0, date=d, mode="call", result="no_answer") for d in run_days[1:]]
    alone(
        "care_no_answer_short",
        contacts=short,
        truth=[
            (
                "CARE_CONCERN",
                ("contact_run", 0, len(answered)),
                NF,
                0,
                f"only the last {ct.no_answer_run - 1} contacts no_answer, then an answered one before them",
            )
        ],
    )

    # ---------------- WATER_USAGE_ANOMALY (judged reading day of the first night: the day before it)
    r0 = s0 - dt.timedelta(days=1)
    start_readings = r0 - dt.timedelta(days=ct.baseline_days + 10)
    end_readings = last - dt.timedelta(days=1)
    limit = ct.low_use_share * 100
    wave = lambda d: 90 + 10 * (d.toordinal() % 3)  # noqa: E731  90, 100, 110: median 100
    alone(
        "water_normal",
        readings=daily(start_readings, end_readings, wave),
        truth=[("WATER_USAGE_ANOMALY", f"low_use:{r0}", NF, 0, "steady 90-110 litres a day")],
    )
    alone(
        "water_sudden_zero",
        readings=daily(start_readings, end_readings, lambda d: 0 if d >= r0 else wave(d)),
        truth=[("WATER_USAGE_ANOMALY", f"no_use:{r0}", F, 0, f"0 litres from {r0} on, after 90-110 a day")],
    )
    low = 0.75 * limit
    alone(
        "water_sudden_low",
        readings=daily(start_readings, end_readings, lambda d: low if d >= r0 else wave(d)),
        truth=[
            (
                "WATER_USAGE_ANOMALY",
                f"low_use:{r0}",
                F,
                0,
                f"{low:g} litres from {r0} on < {ct.low_use_share:g} x median 100 = {limit:g}",
            )
        ],
    )
    slope = 1.5
    decline = lambda d: 120 - slope * (d - start_readings).days  # noqa: E731
    alone(
        "water_slow_decline",
        readings=daily(start_readings, end_readings, decline),
        truth=[
            (
                "WATER_USAGE_ANOMALY",
                f"low_use:{r0}",
                NF,
                0,
                f"use falls {slope:g} litres a day ({decline(r0):g} on {r0}); the {ct.baseline_days}-day median falls "
                f"with it ({decline(r0 - dt.timedelta(days=ct.baseline_days // 2)):g}), so no day is under "
                f"{ct.low_use_share:g} of it: a slow decline is not this rule's signal",
            )
        ],
    )
    alone(
        "water_silent",
        readings=daily(start_readings, r0 - dt.timedelta(days=2), wave),
        truth=[
            (
                "WATER_USAGE_ANOMALY",
                f"silent:{r0 - dt.timedelta(days=1)}",
                F,
                0,
                f"no reading after {r0 - dt.timedelta(days=2)}: meter silent, not zero use",
            )
        ],
    )
    # installed so that even the last night's window holds fewer than min_baseline_days readings
    new_days = max(1, ct.min_baseline_days - len(ctx.nights))
    new_from = r0 - dt.timedelta(days=new_days)
    alone(
        "water_new_meter_low",
        readings=daily(new_from, end_readings, lambda d: low if d >= r0 else 100),
        truth=[
            (
                "WATER_USAGE_ANOMALY",
                f"low_use:{r0}",
                NF,
                0,
                f"a meter of {new_days} days before {r0} (at most {ct.min_baseline_days - 1} on the last night): no "
                "baseline, low use not judged",
            )
        ],
    )
    alone(
        "water_new_meter_zero",
        readings=daily(new_from, end_readings, lambda d: 0 if d >= r0 else 100),
        truth=[("WATER_USAGE_ANOMALY", f"no_use:{r0}", F, 0, "a new meter without baseline still shows no use")],
    )

    # ---------------- AGE_ALLOWANCE_DUE and the fast track
    alone(
        "allowance_age_reached",
        age=0,
        birth=ctx.years_before(s0, ct.allowance_age),
        allowance_auto=False,
        truth=[
            (
                "AGE_ALLOWANCE_DUE",
                0,
                F,
                0,
                f"{ct.allowance_age} on the first night, no age_allowance; fast_track "
                "true: age from persons.csv, no quarantined row",
            )
        ],
    )
    alone(
        "allowance_age_below",
        age=0,
        birth=ctx.years_before(last, ct.allowance_age) + dt.timedelta(days=1),
        allowance_auto=False,
        truth=[("AGE_ALLOWANCE_DUE", 0, NF, 0, f"{ct.allowance_age - 1} on every night")],
    )
    alone(
        "allowance_granted",
        age=86,
        allowance_auto=False,
        enroll=[
            dict(program="age_allowance", cp=1, benefit=ALLOWANCE_MONTHLY, status="active", start=ctx.month_first(-60))
        ],
        truth=[("AGE_ALLOWANCE_DUE", 0, NF, 0, "86 with an active age_allowance enrollment")],
    )
    U = ctx.th.std_urban
    wage = wage_for(ctx, U)  # net of the deduction: the head alone brings the household to U, 2 persons -> U/2 each
    for name, spouse_src, fast in (
        ("fast_track_eligible", "pension", "true"),
        ("fast_track_declared", "support", "false"),
    ):
        s = Spec(
            name,
            members=[
                M("head", 45, True, "full", inc={"wage": wage}),
                M("spouse", 44, False, "partial", inc={spouse_src: round(U / 4, 2)}),
            ],
            truth=[
                (
                    "ELIGIBLE_NOT_COVERED",
                    None,
                    F,
                    0,
                    f"pc = ({U:g} + {U / 4:g}) / 2 < {U:g}; fast_track {fast}: spouse's {spouse_src} income is "
                    + ("from social_insurance" if fast == "true" else "declared by the family"),
                )
            ],
        )
        s.contacts, s.readings, s.allowance_auto = None, [], True
        G.append([s])
    return G


FAST_TRACK_TRUTH = {"allowance_age_reached": True, "fast_track_eligible": True, "fast_track_declared": False}


def fast_track_truth(truth: pl.DataFrame) -> pl.DataFrame:
    """truth/fast_track.csv: household_id, warning_code, condition_key, fast_track — the flag each planted 免申即享
    scenario's warning must carry (its note says why)."""
    scenario = pl.col("note").str.extract(r"^([a-z_0-9]+):", 1)
    return (
        truth.filter((pl.col("expected") == F) & scenario.is_in(list(FAST_TRACK_TRUTH)))
        .with_columns(
            scenario.replace_strict({k: str(v).lower() for k, v in FAST_TRACK_TRUTH.items()}).alias("fast_track")
        )
        .select("household_id", "warning_code", "condition_key", "fast_track")
        .sort("household_id", "condition_key")
    )


# ---------------------------------------------------------------------------------------------------------- background


def night_of(dates: pl.Expr, nights: list[dt.date], before: bool) -> pl.Expr:
    """The night that delivers a record dated d: the first night on or after d (contacts), or after d (readings, a day
    known once it is over); the first night also carries all history. Null: after the last night."""
    expr = pl.lit(None, pl.Int32)
    for t in range(len(nights) - 1, -1, -1):
        cond = (dates < pl.lit(nights[t])) if before else (dates <= pl.lit(nights[t]))
        expr = pl.when(cond).then(pl.lit(t, pl.Int32)).otherwise(expr)
    return expr


def background_care(
    rng: np.random.Generator,
    persons: pl.DataFrame,
    events: pl.DataFrame,
    nights: list[dt.date],
    manual_contacts: set[int],
    manual_allowance: set[int],
    planted: set[int],
) -> dict[str, pl.DataFrame]:
    """Contacts for every older person (1 visit + 3 calls a week, answered), meters with steady use for a share of
    those living alone, and the age allowance for every household with a member of the allowance age on the last
    night. `persons`: hh, seq, birth, from_night; `events`: hh, seq, event_type, event_date. Households in the manual
    sets get nothing here (their scenario sets it); `planted` households get no meter."""
    ct = CareThresholds.load(nights[0])
    s0, last = nights[0], nights[-1]
    weeks = judged_weeks(nights, ct.follow_up_days)
    deaths = (
        events.filter(pl.col("event_type") == "death")
        .group_by("hh", "seq")
        .agg(pl.col("event_date").min().alias("death"))
    )
    before_birthday = (
        pl.col("birth").dt.month().cast(pl.Int32) * 100 + pl.col("birth").dt.day().cast(pl.Int32)
        > last.month * 100 + last.day
    ).cast(pl.Int32)
    people = (
        persons.filter(pl.col("from_night") == 0)
        .join(deaths, on=["hh", "seq"], how="left")
        .with_columns((last.year - pl.col("birth").dt.year().cast(pl.Int32) - before_birthday).alias("age_last"))
    )  # full years, last night

    # contacts: one row per person, week and slot; slots as in the scenarios' weekly pattern
    older = people.filter((pl.col("age_last") >= ct.living_alone_min_age) & ~pl.col("hh").is_in(list(manual_contacts)))
    mondays, monday = [], weeks[0][0]  # from the first week any night judges
    while monday <= last:
        mondays.append(monday)
        monday += dt.timedelta(days=7)
    slots = pl.DataFrame(
        {"offset": [1] + [2, 3, 4, 6][: ct.weekly_calls], "mode": ["visit"] + ["call"] * ct.weekly_calls}
    )
    weeks = pl.DataFrame({"monday": mondays}, schema={"monday": pl.Date})
    contacts = (
        older.select("hh", "seq", "person_id", "death")
        .join(weeks, how="cross")
        .join(slots, how="cross")
        .with_columns((pl.col("monday") + pl.duration(days=pl.col("offset"))).alias("contact_date"))
        .filter(
            (pl.col("contact_date") <= last) & (pl.col("death").is_null() | (pl.col("contact_date") < pl.col("death")))
        )
        .with_columns(
            pl.format(
                "C{}{}{}{}",
                pl.format("{}", (pl.col("hh") + 1).cast(pl.String).str.zfill(8)),
                pl.col("seq").cast(pl.String).str.zfill(2),
                pl.col("contact_date").dt.strftime("%Y%m%d"),
                pl.col("offset").cast(pl.String),
            ).alias("contact_id"),
            pl.format("S{}", ((pl.col("hh") % 97) + 1).cast(pl.String).str.zfill(3)).alias("staff_id"),
            pl.lit("ok").alias("result"),
            night_of(pl.col("contact_date"), nights, before=False).alias("night"),
        )
        .select("contact_id", "person_id", "contact_date", "mode", "staff_id", "result", "night")
    )

    # meters: households with one person row, that person alive and of the living-alone age, not planted
    sizes = persons.group_by("hh").agg(pl.len().alias("rows"))
    alone = (
        people.join(sizes, on="hh")
        .filter(
            (pl.col("rows") == 1)
            & pl.col("death").is_null()
            & (pl.col("age_last") >= ct.living_alone_min_age)
            & ~pl.col("hh").is_in(list(planted))
        )
        .sort("hh")
    )
    metered = alone.filter(pl.Series(rng.random(alone.height) < METER_SHARE)).select("hh")
    first = s0 - dt.timedelta(days=ct.baseline_days + 11)
    days = pl.DataFrame({"reading_date": pl.date_range(first, last - dt.timedelta(days=1), eager=True)})
    means = rng.uniform(60, 160, metered.height)
    readings = metered.with_columns(pl.Series("mean", means)).join(days, how="cross")
    noise = np.clip(rng.normal(0, 0.15, readings.height), -0.45, 0.45)
    readings = readings.with_columns(
        (pl.col("mean") * (1 + pl.Series(noise))).round(2).alias("litres"),
        pl.format(
            "M{}{}", (pl.col("hh") + 1).cast(pl.String).str.zfill(8), pl.col("reading_date").dt.strftime("%Y%m%d")
        ).alias("reading_id"),
        pl.format("H{}", (pl.col("hh") + 1).cast(pl.String).str.zfill(8)).alias("household_id"),
        night_of(pl.col("reading_date"), nights, before=True).alias("night"),
    ).select("reading_id", "household_id", "reading_date", "litres", "night")

    # the age allowance: households with members of the allowance age on the last night, covered from the month the
    # youngest of them reached it (at the latest the first night's month)
    due = (
        people.filter((pl.col("age_last") >= ct.allowance_age) & ~pl.col("hh").is_in(list(manual_allowance)))
        .with_columns(pl.col("birth").dt.offset_by(f"{ct.allowance_age}y").alias("reached"))
        .group_by("hh")
        .agg(pl.len().alias("covered_persons"), pl.col("reached").max())
        .with_columns(
            pl.min_horizontal(pl.col("reached").dt.month_start(), pl.lit(s0).dt.month_start()).alias("start_date")
        )
        .sort("hh")
    )
    allowance = due.select(
        "hh",
        pl.lit(ALLOWANCE_K, pl.Int32).alias("k"),
        pl.lit("age_allowance").alias("program"),
        pl.col("covered_persons").cast(pl.Int32),
        pl.lit(ALLOWANCE_MONTHLY).alias("monthly_benefit"),
        pl.lit("active").alias("status"),
        "start_date",
        pl.lit(None, pl.Date).alias("end_date"),
        pl.lit(0, pl.Int32).alias("from_night"),
        pl.lit(None, pl.Int32).alias("end_night"),
    )
    return {"contacts": contacts, "readings": readings, "allowance": allowance}
