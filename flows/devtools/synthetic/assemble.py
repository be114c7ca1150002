"""Assembles one block of a county: background and planted households into per-night feed tables and truth.

Why: one place sequences the steps (district -> people -> income -> holdings -> roster -> later nights -> IDs -> feeds
-> truth) so each concept stays in its own small module and the order that keeps the random stream deterministic is
explicit. A block is what fits in memory; flows/devtools/synthetic/municipality.py writes blocks one after another.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import polars as pl

from checks.contract import EVENT_TYPES, EXPENSE_CATEGORIES, INCOME_SOURCES
from flows.devtools.synthetic import planted as plant_mod
from flows.devtools.synthetic.care import background_care, night_of
from flows.devtools.synthetic.counties import County
from flows.devtools.synthetic.district import build_households, community_table
from flows.devtools.synthetic.economy import assign_income, income_rows
from flows.devtools.synthetic.hidden import everyday_spending, hidden_traces, pick_hidden
from flows.devtools.synthetic.holdings import background_assets
from flows.devtools.synthetic.life import history_events, later_nights
from flows.devtools.synthetic.members import CLASS_NAMES, DIBAO, EDGE, GRADUAL, NONCOV, RIGID, TEKUN, build_members
from flows.devtools.synthetic.people import draw_names, id_numbers
from flows.devtools.synthetic.programs import (
    PROGRAM_CODE,
    background_applications,
    background_enrollments,
    payments_for,
    transition_applications,
)
from flows.devtools.synthetic.progress import Progress
from flows.devtools.synthetic.scenarios import Ctx
from flows.devtools.synthetic.spending import background_expenses
from models.rules.months import month_index, month_index_expr, month_start_expr, yyyymm_expr

HISTORY_DAYS = 395
PERSON_SCHEMA = {
    "hh": pl.Int64,
    "seq": pl.Int32,
    "relation": pl.String,
    "male": pl.Boolean,
    "birth": pl.Date,
    "region6": pl.Int64,
    "grade": pl.Int32,
    "dtype": pl.String,
    "labor": pl.String,
    "school": pl.Boolean,
    "from_night": pl.Int32,
}
PERSON_COLS = list(PERSON_SCHEMA)


def _persons(df: pl.DataFrame, extra=()) -> pl.DataFrame:
    return df.select([pl.col(c).cast(t) for c, t in PERSON_SCHEMA.items()] + list(extra))


def _hid(col="hh"):
    return pl.format("{}", pl.col(col).add(1).cast(pl.String).str.zfill(8))


def _month_date(col="month"):
    return month_start_expr(pl.col(col))


def _pl_frame(rows: list[dict], schema: dict) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)


@dataclass(frozen=True)
class BlockSpec:
    """Which households a block holds and the random streams it draws from (flows/devtools/synthetic/counties.py)."""

    county: County
    index: int  # the block's place in its county (0: the first, which also draws the county's communities)
    households: int
    hh0: int  # the number of households before this block in the municipality: its first is H{hh0 + 1:08d}
    rng: np.random.Generator
    hidden_rng: np.random.Generator
    county_rng: Callable[[], np.random.Generator]  # a fresh copy of the stream of the county's first block
    cross: tuple = ()  # cross-county groups to plant here (flows/devtools/synthetic/cross_county.py)
    shared: pl.DataFrame | None = None  # people exported by earlier counties: key, person_id, birth, male, name


@dataclass
class Block:
    """A generated block: its rows per night (sorted, ready to append) and what is gathered over all blocks."""

    night_feeds: Callable[[int, dt.date], dict[str, pl.DataFrame]]
    staff_relatives: pl.DataFrame  # with from_night; sorted by person IDs over all blocks at the end
    communities: pl.DataFrame
    truth: pl.DataFrame  # sorted by household: blocks come in household order
    hidden: pl.DataFrame
    persons: int
    planted: int
    classes: dict[str, int]
    taken: pl.DataFrame  # the ID sequence numbers used so far (people.id_numbers)
    exported: pl.DataFrame  # people listed again by a later county: key, person_id, birth, male, name


def build_block(b: BlockSpec, th, ctx: Ctx, taken: pl.DataFrame | None, prog: Progress) -> Block:
    """One block of a county's households, all nights: the single-district generator, run on the block's own random
    stream with household numbers from `b.hh0` (so IDs never repeat across blocks)."""
    rng, households, start, night_dates, hh0 = b.rng, b.households, ctx.start, ctx.nights, b.hh0
    nights, wd, home = len(night_dates), ctx.wd, b.county.region
    smi = month_index(start)
    lmi = month_index(night_dates[-1])
    first_night_of_month: dict[int, int] = {}
    for i, d in enumerate(night_dates):
        first_night_of_month.setdefault(month_index(d), i)

    # 1. district and planted placement
    comm = community_table(rng if b.index == 0 else b.county_rng(), b.county.streets)
    H = build_households(rng, households, comm, start, b.county.name, hh0)
    prog.step(f"{b.county.name} block {b.index + 1}: {households} households in {len(b.county.streets)} towns/streets")
    town = H["town"].to_numpy()
    rural = (H["hukou_type"] == "rural").to_numpy()
    P = plant_mod.build(
        rng, ctx, np.nonzero(town & rural)[0] + hh0, np.nonzero(~town & ~rural)[0] + hh0, households, b.cross
    )
    planted_hh = np.array(sorted({r["hh"] for r in P["households"]}), dtype=np.int64)
    is_planted = np.zeros(households, bool)
    is_planted[planted_hh - hh0] = True
    prog.step(f"{len(planted_hh)} planted households")

    # 2. background members and income
    bg = H.filter(~pl.Series(is_planted))
    nb = bg.height
    brural = (bg["hukou_type"] == "rural").to_numpy()
    u = rng.random(nb)
    f = np.where(brural, 1.6, 1.0)
    cls = np.select(
        [u < 0.030 * f, u < 0.030 * f + 0.004, u < 0.030 * f + 0.016, u < 0.030 * f + 0.021, u < 0.030 * f + 0.023],
        [DIBAO, TEKUN, EDGE, RIGID, GRADUAL],
        NONCOV,
    ).astype(np.int32)
    p = build_members(rng, bg["hh"].to_numpy(), cls, start, home)
    p = assign_income(rng, p, H, th)
    ded = np.round(th.employment_cost_share * p["hstd"].to_numpy(), 2)
    srcv, base = p["src"].to_numpy(), p["base"].to_numpy()
    earned = np.isin(srcv, ("wage", "business"))
    net_p = np.where(
        p["dead"].to_numpy(), 0.0, base - np.where(earned, np.minimum(ded, base), 0.0) + p["base2"].to_numpy()
    )
    p = p.with_columns(pl.Series("net_p", net_p))
    hhs = (
        p.group_by("hh")
        .agg(
            pl.col("net_p").sum().alias("hnet"),
            (~pl.col("dead")).sum().alias("n_alive"),
            pl.col("hstd").first(),
            pl.col("cls").first(),
        )
        .sort("hh")
    )
    p = p.join(hhs.select("hh", "n_alive"), on="hh", how="left")
    prog.step(f"{p.height} background persons")

    # 3. later nights (needs to know deaths before income is cut off)
    # later_nights indexes arrays by household number: it sees the block's numbers from 0
    later = later_nights(
        rng, p.with_columns(pl.col("hh") - hh0), hhs.with_columns(pl.col("hh") - hh0), night_dates, home
    )
    later = {k: None if v is None else v.with_columns(pl.col("hh") + hh0) for k, v in later.items()}
    death_date = np.where(
        p["dead"].to_numpy(),
        np.datetime64(start) - p["death_days"].to_numpy().astype("timedelta64[D]"),
        np.datetime64("NaT"),
    )
    p = p.with_columns(pl.Series("death_date", death_date).cast(pl.Date))
    if later["deaths"] is not None and later["deaths"].height:
        p = (
            p.join(later["deaths"].rename({"death_date": "d2"}), on=["hh", "seq"], how="left")
            .with_columns(pl.coalesce("death_date", "d2").alias("death_date"))
            .drop("d2")
        )
    p = p.with_columns(
        pl.when(pl.col("death_date").is_null())
        .then(10**7)
        .otherwise(month_index_expr(pl.col("death_date")))
        .alias("death_month")
    )
    income_months = np.array(
        [mi for mi in range(smi - 13, lmi) if mi < smi or (mi + 1) in first_night_of_month], np.int32
    )
    nom = {int(mi): (0 if mi < smi else first_night_of_month[int(mi) + 1]) for mi in income_months}
    inc = income_rows(rng, p, income_months, nom)
    # corrections on later nights: a department re-sends last month's record with a slightly different amount
    if nights > 1:
        cand = inc.filter(
            (pl.col("month") == smi - 1)
            & pl.col("hh").is_in(hhs.filter(pl.col("cls") == NONCOV)["hh"].implode())
            & pl.col("source_type").is_in(["wage", "pension", "business"])
        )
        pick = rng.random(cand.height) < 0.0005 * (nights - 1)
        corr = cand.filter(pl.Series(pick))
        corr = corr.with_columns(
            (pl.col("amount") * pl.Series(0.97 + 0.06 * rng.random(corr.height))).round(2).alias("amount"),
            pl.Series("night", rng.integers(1, nights, corr.height)).cast(pl.Int32),
        )
        inc = pl.concat([inc, corr])
    prog.step(f"{inc.height} income rows")

    # 4. holdings, spending, history events
    first_hist = start - dt.timedelta(days=HISTORY_DAYS)
    assets = background_assets(rng, p, start, first_hist)
    exp = background_expenses(rng, p, start, HISTORY_DAYS).with_columns(pl.lit(0, pl.Int32).alias("night"))
    ev = history_events(rng, p, exp, start, HISTORY_DAYS)
    prog.step(f"{assets.height} assets, {exp.height} expenses, {ev.height} history events")
    # hidden income and everyday spending (flows/devtools/synthetic/hidden.py), on their own random stream
    hrng = b.hidden_rng
    hidden = pick_hidden(hrng, p)
    h_assets, h_exp = hidden_traces(hrng, hidden, start, 365, th.financial_limit_months)
    assets = pl.concat([assets, h_assets.select(assets.columns)], how="vertical_relaxed")
    exp = pl.concat(
        [
            exp,
            pl.concat([h_exp, everyday_spending(hrng, p, start, 365)])
            .with_columns(pl.lit(0, pl.Int32).alias("night"))
            .select(exp.columns),
        ],
        how="vertical_relaxed",
    )

    # 5. roster
    enr = background_enrollments(rng, hhs, start, night_dates, th)
    apps = pl.concat(
        [
            background_applications(rng, hhs, start, night_dates, wd),
            transition_applications(enr, night_dates, wd, start),
        ]
    )
    prog.step(f"{enr.height} enrollments, {apps.height} applications")

    # 6. persons of all kinds and their ID numbers
    newp = later["persons"]
    pl_persons = _pl_frame(
        P["persons"], PERSON_SCHEMA | {"same_hh": pl.Int64, "same_seq": pl.Int32, "shared": pl.String}
    )
    extra = [x for x in (newp,) if x is not None]
    others = pl.concat([_persons(pl_persons)] + [_persons(x) for x in extra])
    others = others.with_columns(draw_names(rng, others["male"].to_numpy()))
    allp = pl.concat([_persons(p, ["name"]), _persons(others, ["name"])])
    same = pl_persons.filter(pl.col("same_hh") >= 0).select("hh", "seq", "same_hh", "same_seq")
    shared = pl_persons.filter(pl.col("shared").is_not_null()).select("hh", "seq", "shared")
    allp = allp.join(same, on=["hh", "seq"], how="left").join(shared, on=["hh", "seq"], how="left").sort(["hh", "seq"])
    ext = _pl_frame(P["externals"], {"key": pl.String, "birth": pl.Date, "male": pl.Boolean})
    own = allp.filter(pl.col("same_hh").is_null() & pl.col("shared").is_null()).drop("shared")
    n_own = own.height
    region = np.concatenate([own["region6"].to_numpy(), np.full(ext.height, home)])
    birth = np.concatenate(
        [own["birth"].to_numpy().astype("datetime64[D]"), ext["birth"].to_numpy().astype("datetime64[D]")]
    )
    male = np.concatenate([own["male"].to_numpy(), ext["male"].to_numpy()])
    ids, taken = id_numbers(region, birth, male, rng.random(len(region)), taken)
    own = own.with_columns(pl.Series("person_id", ids[:n_own]))
    ext = ext.with_columns(pl.Series("person_id", ids[n_own:]))
    # people another county exported (cross-county cases): listed here with their ID, birth date, sex and name
    came = b.shared.select("key", "birth", "male", "person_id", "name") if b.shared is not None else None
    if came is not None:
        ext = pl.concat([ext, came.drop("name")])
    copies = (
        allp.filter(pl.col("shared").is_not_null())
        .drop("birth", "male", "name", "same_hh", "same_seq")
        .join(came.rename({"key": "shared"}), on="shared", how="left")
        .drop("shared")
        if came is not None
        else None
    )
    dup = (
        allp.filter(pl.col("same_hh").is_not_null())
        .drop("birth", "male", "name", "region6")
        .join(
            own.select(
                pl.col("hh").alias("same_hh"),
                pl.col("seq").cast(pl.Int32).alias("same_seq"),
                "person_id",
                "birth",
                "male",
                "name",
                "region6",
            ),
            on=["same_hh", "same_seq"],
            how="left",
        )
    )
    columns = own.drop("same_hh", "same_seq").columns
    persons = pl.concat(
        [
            own.drop("same_hh", "same_seq"),
            dup.drop("same_hh", "same_seq", "shared").select(columns),
            *([copies.select(columns)] if copies is not None else []),
        ]
    )
    pid_all = persons.select("hh", "seq", "person_id")
    exported = (
        _pl_frame(P["exports"], {"key": pl.String, "hh": pl.Int64, "seq": pl.Int32})
        .join(persons.select("hh", "seq", "person_id", "birth", "male", "name"), on=["hh", "seq"])
        .select("key", "person_id", "birth", "male", "name")
    )
    prog.step(f"{persons.height} persons with ID numbers")

    # 7. merge planted rows
    def planted_frame(key, schema):
        return _pl_frame(P[key], schema)

    inc = pl.concat(
        [
            inc.select("hh", "seq", "month", "source_type", "amount", "provider", "night"),
            planted_frame(
                "income",
                {
                    "hh": pl.Int64,
                    "seq": pl.Int32,
                    "month": pl.Int32,
                    "source_type": pl.String,
                    "amount": pl.Float64,
                    "provider": pl.String,
                    "night": pl.Int32,
                },
            ),
        ]
    )
    xs = [
        exp.select("hh", "seq", "date", "category", "total", "self_paid", "provider", "night"),
        planted_frame(
            "expenses",
            {
                "hh": pl.Int64,
                "seq": pl.Int32,
                "date": pl.Date,
                "category": pl.String,
                "total": pl.Float64,
                "self_paid": pl.Float64,
                "provider": pl.String,
                "night": pl.Int32,
            },
        ),
    ]
    if later["expenses"] is not None:
        xs.append(later["expenses"].select(xs[0].columns))
    exp = pl.concat([x.with_columns(pl.col("seq").cast(pl.Int32), pl.col("night").cast(pl.Int32)) for x in xs])
    evs = [
        ev,
        planted_frame(
            "events",
            {
                "hh": pl.Int64,
                "seq": pl.Int32,
                "event_type": pl.String,
                "event_date": pl.Date,
                "source": pl.String,
                "night": pl.Int32,
            },
        ),
    ]
    if later["events"] is not None:
        evs.append(later["events"])
    ev = pl.concat(
        [
            e.select(
                "hh", pl.col("seq").cast(pl.Int32), "event_type", "event_date", "source", pl.col("night").cast(pl.Int32)
            )
            for e in evs
        ]
    )
    aschema = {
        "hh": pl.Int64,
        "seq": pl.Int32,
        "k": pl.Int32,
        "asset_type": pl.String,
        "subtype": pl.String,
        "value": pl.Float64,
        "start_date": pl.Date,
        "end_date": pl.Date,
        "from_night": pl.Int32,
        "end_night": pl.Int32,
    }
    al = [assets, planted_frame("assets", aschema)] + ([later["assets"]] if later["assets"] is not None else [])
    assets = pl.concat([a.select([pl.col(c).cast(t) for c, t in aschema.items()]) for a in al])
    eschema = {
        "hh": pl.Int64,
        "k": pl.Int32,
        "program": pl.String,
        "covered_persons": pl.Int32,
        "monthly_benefit": pl.Float64,
        "status": pl.String,
        "start_date": pl.Date,
        "end_date": pl.Date,
        "from_night": pl.Int32,
        "end_night": pl.Int32,
    }
    enr = pl.concat([enr.select([pl.col(c).cast(t) for c, t in eschema.items()]), planted_frame("enrollment", eschema)])
    apschema = {
        "hh": pl.Int64,
        "k": pl.Int32,
        "program": pl.String,
        "submitted_date": pl.Date,
        "decided_date": pl.Date,
        "decision": pl.String,
        "from_night": pl.Int32,
        "decided_night": pl.Int32,
    }
    apps = pl.concat(
        [apps.select([pl.col(c).cast(t) for c, t in apschema.items()]), planted_frame("applications", apschema)]
    )
    prog.step("planted rows merged")

    # 8. payments (background: head holds the account, sometimes the spouse)
    heads = persons.filter(pl.col("relation") == "head").select("hh", pl.col("person_id").alias("account_holder_id"))
    bg_enr = enr.filter(~pl.col("hh").is_in(pl.Series(planted_hh).implode()))
    pay = payments_for(bg_enr, heads, start, night_dates, rng)
    ppay = _pl_frame(
        P["payments"],
        {
            "program": pl.String,
            "period": pl.Int32,
            "amount": pl.Float64,
            "paid_date": pl.Date,
            "night": pl.Int32,
            "holder_ext": pl.String,
            "holder_seq": pl.Int32,
            "hh": pl.Int64,
        },
    )
    ppay = ppay.join(pid_all.rename({"seq": "holder_seq"}), on=["hh", "holder_seq"], how="left").join(
        ext.select(pl.col("key").alias("holder_ext"), pl.col("person_id").alias("ext_id")), on="holder_ext", how="left"
    )
    ppay = ppay.with_columns(pl.coalesce("ext_id", "person_id").alias("account_holder_id"))
    pay = pl.concat(
        [
            pay.select(
                "hh", "program", pl.col("period").cast(pl.Int32), "amount", "paid_date", "account_holder_id", "night"
            ),
            ppay.select("hh", "program", "period", "amount", "paid_date", "account_holder_id", "night"),
        ]
    )
    prog.step(f"{pay.height} payments")

    # 9. staff relatives: background staff are non-covered working-age heads; relatives in other households
    staff_src = p.filter(
        (pl.col("cls") == NONCOV)
        & (pl.col("relation") == "head")
        & (pl.col("age") >= 25)
        & (pl.col("age") < 60)
        & ~pl.col("dead")
    )
    n_staff = max(1, households // 150)
    sidx = rng.choice(staff_src.height, size=min(n_staff, staff_src.height), replace=False)
    staff = staff_src[np.sort(sidx)].select("hh", "seq")
    rel_pool = p.filter(~pl.col("dead") & (pl.col("age") >= 18)).select("hh", "seq", "cls")
    nrel = rng.integers(1, 4, staff.height)
    sh = np.repeat(staff["hh"].to_numpy(), nrel)
    ss = np.repeat(staff["seq"].to_numpy(), nrel)
    ridx = rng.integers(0, rel_pool.height, len(sh))
    rel = rel_pool[ridx]
    keep = rel["hh"].to_numpy() != sh
    covered_rel = np.isin(rel["cls"].to_numpy(), (DIBAO, TEKUN, GRADUAL))
    filed = np.where(
        covered_rel | (rng.random(len(sh)) < 0.5),
        np.datetime64(start) - rng.integers(30, 1500, len(sh)).astype("timedelta64[D]"),
        np.datetime64("NaT"),
    )
    relations = np.array(["sibling", "parent", "child", "spouse_sibling", "cousin"])[rng.integers(0, 5, len(sh))]
    sr = pl.DataFrame(
        {
            "shh": sh,
            "sseq": ss,
            "rhh": rel["hh"].to_numpy(),
            "rseq": rel["seq"].to_numpy(),
            "relation": relations,
            "filed_date": filed,
            "from_night": np.zeros(len(sh), np.int32),
        }
    ).filter(pl.Series(keep))
    sr = sr.with_columns(pl.col("filed_date").cast(pl.Date)).unique(
        ["shh", "sseq", "rhh", "rseq"], keep="first", maintain_order=True
    )
    sr = sr.join(
        pid_all.select(
            pl.col("hh").alias("shh"), pl.col("seq").alias("sseq"), pl.col("person_id").alias("staff_person_id")
        ),
        on=["shh", "sseq"],
    ).join(
        pid_all.select(
            pl.col("hh").alias("rhh"), pl.col("seq").alias("rseq"), pl.col("person_id").alias("relative_person_id")
        ),
        on=["rhh", "rseq"],
    )
    psr = _pl_frame(
        P["staff"],
        {
            "staff": pl.String,
            "hh": pl.Int64,
            "seq": pl.Int32,
            "relation": pl.String,
            "filed_date": pl.Date,
            "from_night": pl.Int32,
        },
    )
    psr = (
        psr.join(ext.select(pl.col("key").alias("staff"), pl.col("person_id").alias("staff_person_id")), on="staff")
        .join(pid_all, on=["hh", "seq"])
        .rename({"person_id": "relative_person_id"})
    )
    staff_rel = pl.concat(
        [
            sr.select("staff_person_id", "relative_person_id", "relation", "filed_date", "from_night"),
            psr.select("staff_person_id", "relative_person_id", "relation", "filed_date", "from_night"),
        ]
    )
    prog.step(f"{staff_rel.height} staff relatives")

    # 9b. care (flows/devtools/synthetic/care.py): contacts, meter readings, the age allowance; planted ones as their scenario says
    care = background_care(
        rng, persons, ev, night_dates, P["manual_contacts"], P["manual_allowance"], set(planted_hh.tolist())
    )
    pcon = _pl_frame(
        P["contacts"],
        {
            "contact_id": pl.String,
            "hh": pl.Int64,
            "seq": pl.Int32,
            "contact_date": pl.Date,
            "mode": pl.String,
            "result": pl.String,
        },
    )
    pcon = pcon.join(pid_all, on=["hh", "seq"], how="left").with_columns(
        pl.format("S{}", ((pl.col("hh") % 97) + 1).cast(pl.String).str.zfill(3)).alias("staff_id"),
        night_of(pl.col("contact_date"), night_dates, before=False).alias("night"),
    )
    contacts = pl.concat([care["contacts"], pcon.select(care["contacts"].columns)])
    prd = _pl_frame(P["readings"], {"hh": pl.Int64, "reading_date": pl.Date, "litres": pl.Float64})
    prd = prd.with_columns(
        pl.format("M{}{}", _hid(), pl.col("reading_date").dt.strftime("%Y%m%d")).alias("reading_id"),
        pl.format("H{}", _hid()).alias("household_id"),
        night_of(pl.col("reading_date"), night_dates, before=True).alias("night"),
    )
    readings = pl.concat([care["readings"], prd.select(care["readings"].columns)])
    enr = pl.concat([enr, care["allowance"].select(enr.columns)])
    prog.step(
        f"{contacts.height} care contacts, {readings.height} meter readings, {care['allowance'].height} age allowances"
    )

    # 10. final text columns and per-night writing
    households_out = H.with_columns(
        pl.when(pl.Series(is_planted)).then(pl.lit(None)).otherwise(pl.col("hukou_type")).alias("hukou_type")
    )
    ph = pl.DataFrame(P["households"]).select("hh", pl.col("hukou_type").alias("ph"))
    households_out = (
        H.join(ph, on="hh", how="left").with_columns(pl.coalesce("ph", "hukou_type").alias("hukou_type")).sort("hh")
    )
    households_out = households_out.select("household_id", "region_code", "hukou_type", "address", "registered_date")
    persons_out = persons.with_columns(
        pl.format("H{}", _hid()).alias("household_id"),
        pl.when(pl.col("male")).then(pl.lit("M")).otherwise(pl.lit("F")).alias("sex"),
        pl.col("birth").alias("birth_date"),
        pl.col("grade").alias("disability_grade"),
        pl.col("dtype").alias("disability_type"),
        pl.col("labor").alias("labor_capacity"),
        pl.col("school").alias("in_school"),
    ).sort(["household_id", "person_id"])
    src_code = {s: i for i, s in enumerate(INCOME_SOURCES)}
    inc = inc.join(pid_all, on=["hh", "seq"], how="left").with_columns(
        pl.format(
            "R{}{}{}{}",
            _hid(),
            pl.col("seq").cast(pl.String).str.zfill(2),
            yyyymm_expr(pl.col("month")).cast(pl.String),
            pl.col("source_type").replace_strict(src_code, return_dtype=pl.String),
        ).alias("record_id"),
        _month_date("month").alias("month"),
    )
    cat_code = {c: str(i) for i, c in enumerate(EXPENSE_CATEGORIES)}
    exp = exp.sort(["hh", "seq", "date", "category", "self_paid"]).with_columns(
        pl.int_range(pl.len()).over(["hh", "seq", "date", "category"]).alias("j")
    )
    exp = exp.join(pid_all, on=["hh", "seq"], how="left").with_columns(
        pl.format(
            "X{}{}{}{}{}",
            _hid(),
            pl.col("seq").cast(pl.String).str.zfill(2),
            pl.col("date").dt.strftime("%Y%m%d"),
            pl.col("category").replace_strict(cat_code),
            pl.col("j").cast(pl.String).str.zfill(2),
        ).alias("record_id"),
        pl.col("total").alias("total_amount"),
        pl.col("self_paid").alias("self_paid_amount"),
    )
    ev_code = {t: f"{i:02d}" for i, t in enumerate(EVENT_TYPES)}
    ev = (
        ev.filter(pl.col("event_date") <= night_dates[-1])
        .join(pid_all, on=["hh", "seq"], how="left")
        .with_columns(
            pl.format(
                "V{}{}{}{}",
                _hid(),
                pl.col("seq").cast(pl.String).str.zfill(2),
                pl.col("event_date").dt.strftime("%Y%m%d"),
                pl.col("event_type").replace_strict(ev_code),
            ).alias("event_id")
        )
        .unique("event_id", keep="first", maintain_order=True)
    )
    assets = assets.join(pid_all, on=["hh", "seq"], how="left").with_columns(
        pl.format(
            "A{}{}{}", _hid(), pl.col("seq").cast(pl.String).str.zfill(2), pl.col("k").cast(pl.String).str.zfill(2)
        ).alias("asset_id"),
        pl.col("asset_type"),
        pl.col("start_date"),
    )
    enr = enr.with_columns(
        pl.format("E{}{}", _hid(), pl.col("k").cast(pl.String)).alias("enrollment_id"),
        pl.format("H{}", _hid()).alias("household_id"),
    )
    pay = pay.with_columns(
        pl.format(
            "P{}{}{}",
            _hid(),
            yyyymm_expr(pl.col("period")).cast(pl.String),
            pl.col("program").replace_strict({k: str(v) for k, v in PROGRAM_CODE.items()}),
        ).alias("payment_id"),
        pl.format("H{}", _hid()).alias("household_id"),
        _month_date("period").alias("period"),
    )
    apps = apps.with_columns(
        pl.format("AP{}{}", _hid(), pl.col("k").cast(pl.String)).alias("application_id"),
        pl.format("H{}", _hid()).alias("household_id"),
    )
    prog.step("ids formatted")

    # the names of the communities the households live in (docs/CONTRACT.md v2, full extract, the same every night)
    communities = (
        H.select(
            pl.col("region_code").alias("community_code"),
            "community_name",
            pl.col("region_code").str.slice(0, 9).alias("street_code"),
        )
        .unique()
        .sort("community_code")
    )

    def night_feeds(t: int, d: dt.date) -> dict[str, pl.DataFrame]:
        """The block's rows of night t's feeds, each sorted by its key (staff_relatives, communities: gathered)."""
        return {
            "households": households_out,
            "persons": persons_out.filter(pl.col("from_night") <= t),
            "enrollment": enr.filter(pl.col("from_night") <= t)
            .with_columns(
                pl.when(pl.col("end_night").is_not_null() & (pl.col("end_night") <= t))
                .then(pl.col("end_date"))
                .otherwise(None)
                .alias("end_date")
            )
            .with_columns(
                pl.when(pl.col("end_date").is_not_null() & (pl.col("end_date") <= d))
                .then(pl.lit("terminated"))
                .otherwise(pl.col("status"))
                .alias("status")
            )
            .sort("enrollment_id"),
            "income": inc.filter(pl.col("night") == t).sort("record_id", maintain_order=True),
            "expenses": exp.filter(pl.col("night") == t).sort("record_id"),
            "assets": assets.filter(pl.col("from_night") <= t)
            .with_columns(
                pl.when(pl.col("end_night").is_not_null() & (pl.col("end_night") <= t))
                .then(pl.col("end_date"))
                .otherwise(None)
                .alias("end_date")
            )
            .sort("asset_id"),
            "events": ev.filter(pl.col("night") == t).sort("event_id"),
            "payments": pay.filter(pl.col("night") == t).sort("payment_id"),
            "applications": apps.filter(pl.col("from_night") <= t)
            .with_columns(
                pl.when(pl.col("decided_night").is_not_null() & (pl.col("decided_night") <= t))
                .then(pl.col("decided_date"))
                .otherwise(None)
                .alias("decided_date"),
                pl.when(pl.col("decided_night").is_not_null() & (pl.col("decided_night") <= t))
                .then(pl.col("decision"))
                .otherwise(None)
                .alias("decision"),
            )
            .sort("application_id"),
            "care_contacts": contacts.filter(pl.col("night") == t).sort("contact_id"),
            "meter_readings": readings.filter(pl.col("night") == t).sort("reading_id"),
        }

    # 11. truth
    truth = pl.DataFrame(P["truth"])
    truth = truth.with_columns(pl.format("H{}", _hid()).alias("household_id"))
    keys = truth["condition_key"].to_list()
    pid_map = {(h, s): i for h, s, i in pid_all.iter_rows()}
    ext_map = dict(zip(ext["key"].to_list(), ext["person_id"].to_list()))

    def resolve(k):
        k = re.sub(r"\{pid:(\d+):(\d+)\}", lambda m: pid_map[(int(m.group(1)), int(m.group(2)))], k)
        return re.sub(r"\{ext:([^}]+)\}", lambda m: ext_map[m.group(1)], k)

    truth = truth.with_columns(
        pl.Series("condition_key", [resolve(k) for k in keys]),
        pl.col("first_night").map_elements(lambda i: night_dates[i].isoformat(), return_dtype=pl.String),
    )
    truth = (
        truth.select("household_id", "warning_code", "condition_key", "expected", "first_night", "note")
        .unique(["household_id", "condition_key"], keep="first", maintain_order=True)
        .sort(["household_id", "warning_code", "condition_key"])
    )
    hidden = hidden.join(pid_all, on=["hh", "seq"]).with_columns(pl.format("H{}", _hid()).alias("household_id"))
    hidden = hidden.select("household_id", "person_id", "monthly_amount").sort("household_id")
    cls_counts = dict(zip(*np.unique(cls, return_counts=True)))
    return Block(
        night_feeds=night_feeds,
        staff_relatives=staff_rel,
        communities=communities,
        truth=truth,
        hidden=hidden,
        persons=persons.height,
        planted=int(len(planted_hh)),
        classes={CLASS_NAMES[int(k)]: int(v) for k, v in cls_counts.items()},
        taken=taken,
        exported=exported,
    )
