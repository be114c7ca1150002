"""Turns planted scenarios into feed rows and truth rows, replicated to scale with the district.

Why: scenarios are written per household for clarity; this module places them on randomly chosen households (rural
ones in 镇 villages), emits their rows in the same internal shape as the background, and resolves each truth row's
condition key (person, event, payment or application id). Payment-code truth is computed per planted payment from the
docs/rulebook.md definitions, so incidental consequences (a tekun member who died and is still paid) are never missed.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from flows.devtools.synthetic.care import contact_id
from flows.devtools.synthetic.plant import scenarios
from flows.devtools.synthetic.scenarios import Ctx
from models.rules.months import month_index, month_start

EVENT_SOURCE = {
    "death": "public_security",
    "hukou_out": "public_security",
    "hukou_in": "public_security",
    "incarceration": "justice",
    "release": "justice",
    "hospital_admission": "health",
    "unemployment_registered": "hr",
    "employment_registered": "hr",
    "birth": "public_security",
}
EVENT_CODE = {
    t: i
    for i, t in enumerate(
        (
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
    )
}
PROVIDER = {
    "wage": "tax",
    "pension": "social_insurance",
    "agriculture": "agriculture",
    "business": "tax",
    "allowance_exempt": "declared",
    "assistance": "declared",
    "support": "declared",
}


def hid(hh: int) -> str:
    return f"H{hh + 1:08d}"


def event_id(hh: int, seq: int, etype: str, d: dt.date) -> str:
    return f"V{hh + 1:08d}{seq:02d}{d:%Y%m%d}{EVENT_CODE[etype]:02d}"


def payment_id(hh: int, mi: int, program: str) -> str:
    from flows.devtools.synthetic.programs import PROGRAM_CODE

    return f"P{hh + 1:08d}{month_start(mi):%Y%m}{PROGRAM_CODE[program]}"


def app_id(hh: int, k: int) -> str:
    return f"AP{hh + 1:08d}{k}"


def month_first(mi: int) -> dt.date:
    return month_start(mi)


def month_last(mi: int) -> dt.date:
    return month_first(mi + 1) - dt.timedelta(days=1)


def replicas(households: int, n_groups: int) -> int:
    return max(1, int(round(households * 0.015 / max(n_groups, 1))))


def build(
    rng: np.random.Generator,
    ctx: Ctx,
    households_town_rural: np.ndarray,
    households_urban_street: np.ndarray,
    n_households: int,
    extra: tuple = (),
) -> dict:
    """Returns lists of row dicts per feed (small), chosen household indices, and truth rows with key placeholders."""
    groups = scenarios(ctx)
    reps = replicas(n_households, len(groups))
    # `extra`: groups planted once, after the replicated ones (the cross-county cases of a municipality)
    specs = [(r, gi, g) for r in range(reps) for gi, g in enumerate(groups)] + [(0, -1, g) for g in extra]
    need_rural = sum(1 for _, _, g in specs for s in g if s.hukou == "rural")
    need_urban = sum(1 for _, _, g in specs for s in g if s.hukou != "rural")
    if need_rural > len(households_town_rural) or need_urban > len(households_urban_street):
        raise ValueError(
            f"district too small for {need_rural + need_urban} planted households; generate more households"
        )
    rural_pool = rng.permutation(households_town_rural)[:need_rural]
    urban_pool = rng.permutation(households_urban_street)[:need_urban]
    ri = ui = 0
    out = {
        k: []
        for k in (
            "persons",
            "income",
            "expenses",
            "events",
            "assets",
            "enrollment",
            "payments",
            "applications",
            "staff",
            "truth",
            "externals",
            "households",
            "contacts",
            "readings",
            "exports",
        )
    }
    out["manual_contacts"], out["manual_allowance"] = set(), set()
    smi, nights = ctx.smi, ctx.nights
    lmi = month_index(nights[-1])
    first_night_of_month = {}
    for i, d in enumerate(nights):
        first_night_of_month.setdefault(month_index(d), i)
    income_months = [mi for mi in range(smi - 13, lmi) if mi < smi or (mi + 1) in first_night_of_month]
    ext_counter = 0

    for _rep, _gi, group in specs:
        placed = []
        for s in group:
            if s.hukou == "rural":
                hh = int(rural_pool[ri])
                ri += 1
            else:
                hh = int(urban_pool[ui])
                ui += 1
            placed.append(hh)
        for si, s in enumerate(group):
            hh = placed[si]
            out["households"].append({"hh": hh, "hukou_type": s.hukou, "scenario": s.name})
            members = []
            for mi_, m in enumerate(s.members):
                seq = mi_ + 1
                birth = m.birth or (ctx.start - dt.timedelta(days=int(m.age * 365.25) + int(rng.integers(0, 300))))
                if m.birth is None and m.age >= 1 and (ctx.start - birth).days / 365.25 >= m.age + 0.9:
                    birth = ctx.start - dt.timedelta(days=int(m.age * 365.25) + 30)
                same = None
                if m.same_as is not None:
                    same = (placed[m.same_as[0]], m.same_as[1] + 1)
                members.append((seq, birth))
                out["persons"].append(
                    {
                        "hh": hh,
                        "seq": seq,
                        "relation": m.rel,
                        "male": m.male,
                        "birth": birth,
                        "region6": ctx.home_region,
                        "grade": m.grade,
                        "dtype": m.dtype,
                        "labor": m.labor,
                        "school": m.school,
                        "from_night": 0,
                        "same_hh": same[0] if same else -1,
                        "same_seq": same[1] if same else -1,
                        "shared": m.shared,
                    }
                )
                if m.export is not None:
                    out["exports"].append({"key": m.export, "hh": hh, "seq": seq})
                death = next((e["date"] for e in s.events if e["m"] == mi_ and e["type"] == "death"), None)
                for src, amt in m.inc.items():
                    for mo in income_months:
                        if death is not None and mo >= month_index(death):
                            continue
                        a = amt
                        if m.recent and mo >= smi - ctx.th.shock_recent_months:
                            a = m.recent.get(src, 0.0)
                        if a <= 0:
                            continue
                        night = 0 if mo < smi else first_night_of_month[mo + 1]
                        out["income"].append(
                            {
                                "hh": hh,
                                "seq": seq,
                                "month": mo,
                                "source_type": src,
                                "amount": round(a, 2),
                                "provider": PROVIDER.get(src, "declared"),
                                "night": night,
                            }
                        )
            # events
            ev_ids = []
            for e in s.events:
                seq = e["m"] + 1
                night = e.get("night", 0)
                out["events"].append(
                    {
                        "hh": hh,
                        "seq": seq,
                        "event_type": e["type"],
                        "event_date": e["date"],
                        "source": EVENT_SOURCE.get(e["type"], "civil_affairs"),
                        "night": night,
                    }
                )
                ev_ids.append(event_id(hh, seq, e["type"], e["date"]))
            for x in s.expenses:
                out["expenses"].append(
                    {
                        "hh": hh,
                        "seq": x["m"] + 1,
                        "date": x["date"],
                        "category": x["category"],
                        "total": x["total"],
                        "self_paid": x["self_paid"],
                        "provider": "education"
                        if x["category"] == "education"
                        else ("disabled_federation" if x["category"] == "disability_rehab" else "medical_insurance"),
                        "night": x.get("night", 0),
                    }
                )
            for j, a in enumerate(s.assets):
                out["assets"].append(
                    {
                        "hh": hh,
                        "seq": a["m"] + 1,
                        "k": 30 + j,
                        "asset_type": a["type"],
                        "subtype": a["subtype"],
                        "value": a["value"],
                        "start_date": a.get("start", ctx.days(int(rng.integers(400, 3000)))),
                        "end_date": a.get("end"),
                        "from_night": a.get("from_night", 0),
                        "end_night": 0 if a.get("end") else None,
                    }
                )
            for k, e in enumerate(s.enroll):
                out["enrollment"].append(
                    {
                        "hh": hh,
                        "k": k + 1,
                        "program": e["program"],
                        "covered_persons": e["cp"],
                        "monthly_benefit": e["benefit"],
                        "status": e["status"],
                        "start_date": e["start"],
                        "end_date": e.get("end"),
                        "from_night": 0,
                        "end_night": 0 if e.get("end") else None,
                    }
                )
            for k, a in enumerate(s.apps):
                dec = a["decided"]
                out["applications"].append(
                    {
                        "hh": hh,
                        "k": k + 1,
                        "program": a["program"],
                        "submitted_date": a["submitted"],
                        "decided_date": dec,
                        "decision": a["decision"],
                        "from_night": 0,
                        "decided_night": None if dec is None else max(0, (dec - ctx.start).days),
                    }
                )
            # staff relatives: the staff member is an outside person (a cadre of another community)
            for st in s.staff:
                ext_counter += 1
                key = f"x{ext_counter}"
                out["externals"].append(
                    {
                        "key": key,
                        "birth": ctx.start - dt.timedelta(days=int(rng.integers(30 * 365, 55 * 365))),
                        "male": bool(rng.random() < 0.5),
                    }
                )
                out["staff"].append(
                    {
                        "staff": key,
                        "hh": hh,
                        "seq": st["m"] + 1,
                        "relation": "sibling",
                        "filed_date": st.get("filed"),
                        "from_night": st.get("from_night", 0),
                    }
                )
            # payments
            holder_ext = None
            if isinstance(s.holder, str) and s.holder.startswith("shared:"):
                holder_ext = s.holder.removeprefix("shared:")  # resolved to the exported person's ID
            elif s.holder == "outside":
                ext_counter += 1
                holder_ext = f"x{ext_counter}"
                out["externals"].append(
                    {
                        "key": holder_ext,
                        "birth": ctx.start - dt.timedelta(days=int(rng.integers(35 * 365, 60 * 365))),
                        "male": bool(rng.random() < 0.5),
                    }
                )
            pays = []
            for e in s.enroll:
                if e["program"] not in ("dibao", "tekun") or e["status"] == "suspended":
                    continue
                for mo in range(smi - 12, lmi + 1):
                    first = month_first(mo)
                    if not (e["start"] <= first and (e.get("end") is None or e["end"] > first)):
                        continue
                    if mo < smi:
                        paid, night = first + dt.timedelta(days=int(rng.integers(4, 20))), 0
                    elif mo in first_night_of_month:
                        night = first_night_of_month[mo]
                        paid = nights[night]
                    else:
                        continue
                    pays.append(
                        {
                            "program": e["program"],
                            "period": mo,
                            "amount": e["benefit"],
                            "paid_date": paid,
                            "night": night,
                        }
                    )
            for x in s.extra_pay:
                mo = smi + x["offset"]
                night = 0 if mo <= smi else first_night_of_month.get(mo, -1)
                if night < 0:
                    continue
                paid = month_first(mo) + dt.timedelta(days=9) if mo < smi else nights[night]
                pays.append(
                    {"program": x["program"], "period": mo, "amount": x["amount"], "paid_date": paid, "night": night}
                )
            for p in pays:
                ov = s.pay.get((p["program"], p["period"] - smi))
                if ov:
                    p["amount"] = round(p["amount"] + ov.get("delta", 0.0), 2)
                    if ov.get("paid") == "next_first":
                        p["paid_date"] = month_first(p["period"] + 1)
                        p["night"] = max(0, (p["paid_date"] - ctx.start).days) if p["paid_date"] > ctx.start else 0
                    elif ov.get("paid") == "last_day":
                        p["paid_date"] = month_last(p["period"])
                    elif ov.get("paid") == "night1":
                        p["paid_date"] = nights[1]
                        p["night"] = 1
                use_ext = holder_ext is not None and (s.holder_from is None or p["period"] >= smi + s.holder_from)
                p["holder_ext"] = holder_ext if use_ext else None
                p["holder_seq"] = (s.holder + 1) if isinstance(s.holder, int) else 1
                p["hh"] = hh
                out["payments"].append(p)
            # care: contacts and meter readings as the scenario gives them (flows/devtools/synthetic/care.py)
            if s.contacts is not None:
                out["manual_contacts"].add(hh)
            if not s.allowance_auto:
                out["manual_allowance"].add(hh)
            for j, c in enumerate(s.contacts or []):
                out["contacts"].append(
                    {
                        "contact_id": contact_id(hh, j, c["date"]),
                        "hh": hh,
                        "seq": c["m"] + 1,
                        "contact_date": c["date"],
                        "mode": c["mode"],
                        "result": c["result"],
                    }
                )
            for r in s.readings:
                out["readings"].append({"hh": hh, "reading_date": r["date"], "litres": r["litres"]})
            # declared truth
            for code, ref, expected, first_night, note in s.truth:
                out["truth"].append(_truth(hh, code, ref, expected, first_night, note, ev_ids, s, smi))
            # computed truth: payment codes and applications
            out["truth"].extend(_payment_truth(hh, s, pays, members, ctx, holder_ext))
            out["truth"].extend(_application_truth(hh, s, ctx))
    return out


def _truth(hh, code, ref, expected, first_night, note, ev_ids, s, smi):
    """Condition key per docs/rulebook.md; person ids are placeholders `{pid:hh:seq}` resolved once IDs exist."""
    if ref is None:
        key = code
    elif isinstance(ref, str):
        key = f"{code}:{ref}"
    elif isinstance(ref, int):
        key = f"{code}:{{pid:{hh}:{ref + 1}}}"
    elif ref[0] == "ev":
        key = f"{code}:{ev_ids[ref[1]]}"
    elif ref[0] == "pay":
        key = f"{code}:{payment_id(hh, smi + ref[2], ref[1])}"
    elif ref[0] == "week":  # ("week", member index, ISO week): CARE_CONTACT_MISSED
        key = f"{code}:{{pid:{hh}:{ref[1] + 1}}}:{ref[2]}"
    elif ref[0] == "contact":  # ("contact", index in s.contacts): CARE_CONCERN of one contact
        key = f"{code}:{contact_id(hh, ref[1], s.contacts[ref[1]]['date'])}"
    elif ref[0] == "contact_run":  # ("contact_run", member index, first contact of the no_answer run)
        key = f"{code}:{{pid:{hh}:{ref[1] + 1}}}:no_answer_since:{contact_id(hh, ref[2], s.contacts[ref[2]]['date'])}"
    else:  # ("p", member index)
        key = f"{code}:{{pid:{hh}:{ref[1] + 1}}}"
    return {
        "hh": hh,
        "warning_code": code,
        "condition_key": key,
        "expected": expected,
        "first_night": first_night,
        "note": f"{s.name}: {note}",
    }


def _payment_truth(hh, s, pays, members, ctx: Ctx, holder_ext):
    """PAYMENT_AFTER_END / MISMATCH / LATE / ACCOUNT_HOLDER_OUTSIDE per docs/rulebook.md, for every planted payment."""
    rows = []
    deaths = {e["m"] + 1: e["date"] for e in s.events if e["type"] == "death"}
    n_members = len(s.members)
    due = ctx.th.due_offset_days
    holder_first = {}
    for p in pays:
        first = month_first(p["period"])
        # visible from night p.night; in the payment window on night t if period >= month(D) - 12: always true here
        enr = [
            e
            for e in s.enroll
            if e["program"] == p["program"] and e["start"] <= first and (e.get("end") is None or e["end"] > first)
        ]
        alive_on_first = sum(
            1 for q in range(1, n_members + 1) if q not in deaths or deaths[q] >= first
        )  # dead from the month after
        pid = payment_id(hh, p["period"], p["program"])
        note = f"{s.name}: payment {first:%Y-%m} {p['amount']:.2f} paid {p['paid_date']}"
        fire_after = not enr or alive_on_first == 0
        if fire_after:
            rows.append(
                _row(
                    hh,
                    "PAYMENT_AFTER_END",
                    pid,
                    "fire",
                    p["night"],
                    note + " after the enrollment ended or the last member died",
                )
            )
        if enr and abs(p["amount"] - enr[-1]["benefit"]) > 1e-9:
            rows.append(
                _row(hh, "PAYMENT_MISMATCH", pid, "fire", p["night"], note + f" vs approved {enr[-1]['benefit']:.2f}")
            )
        if p["paid_date"] > month_last(p["period"]) + dt.timedelta(days=due):
            rows.append(_row(hh, "PAYMENT_LATE", pid, "fire", p["night"], note + " after the last day of the period"))
        if p["holder_ext"]:
            holder_first.setdefault(p["holder_ext"], p["night"])
            holder_first[p["holder_ext"]] = min(holder_first[p["holder_ext"]], p["night"])
    for key, night in holder_first.items():
        rows.append(
            {
                "hh": hh,
                "warning_code": "ACCOUNT_HOLDER_OUTSIDE",
                "condition_key": f"ACCOUNT_HOLDER_OUTSIDE:{{ext:{key}}}",
                "expected": "fire",
                "first_night": night,
                "note": f"{s.name}: benefit paid into an account of a non-member",
            }
        )
    fired = {r["condition_key"] for r in rows}
    for code, ref, expected, _, _ in s.truth:
        if isinstance(ref, tuple) and ref[0] == "pay" and expected == "not_fire":
            if f"{code}:{payment_id(hh, ctx.smi + ref[2], ref[1])}" in fired:
                raise AssertionError(f"scenario {s.name}: declared not_fire {code} but the payment fires")
    return rows


def _row(hh, code, ident, expected, night, note):
    return {
        "hh": hh,
        "warning_code": code,
        "condition_key": f"{code}:{ident}",
        "expected": expected,
        "first_night": night,
        "note": note,
    }


def _application_truth(hh, s, ctx: Ctx):
    rows = []
    for k, a in enumerate(s.apps):
        first = None
        for t, d in enumerate(ctx.nights):
            undecided = a["decided"] is None or a["decided"] > d
            if undecided and d >= a["submitted"] and ctx.wd.count_after(a["submitted"], d) > ctx.th.processing_limit_wd:
                first = t
                break
        days = ctx.wd.count_after(a["submitted"], ctx.nights[0])
        note = (
            f"{s.name}: submitted {a['submitted']}, {days} working days after submission on the first night, "
            f"decided {a['decided'] or 'not yet'}"
        )
        rows.append(
            _row(
                hh,
                "APPLICATION_OVERDUE",
                app_id(hh, k + 1),
                "fire" if first is not None else "not_fire",
                first if first is not None else 0,
                note,
            )
        )
    return rows
