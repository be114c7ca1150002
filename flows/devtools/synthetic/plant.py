"""Planted cases for every warning code (docs/rulebook.md), fire and near-miss, worked out with the shipped parameters.

Why: the truth file lets anyone measure precision and recall of the rules. Every scenario below documents its
arithmetic; `truth` rows name the condition key exactly as docs/rulebook.md defines it (household-level codes use the bare
code; per-person, per-event, per-payment and per-application codes append the id).
"""

from __future__ import annotations

from flows.devtools.synthetic.scenarios import Ctx, M, Spec, comfortable, dibao, wage_for

F, NF = "fire", "not_fire"


def scenarios(ctx: Ctx) -> list[list[Spec]]:
    """Groups of linked households (a group is usually one household; duplicate coverage needs two)."""
    th, U = ctx.th, ctx.th.std_urban
    R = ctx.th.std_rural
    later = len(ctx.nights) > 1
    n1 = ctx.nights[1] if later else None
    edge_hi = th.edge_multiple * U
    G: list[list[Spec]] = []
    add = lambda *s: G.append(list(s))  # noqa: E731

    def edge_enrolled(name, pc=869.73, **kw):
        s = Spec(
            name,
            members=[
                M("head", 45, True, "full", inc={"wage": wage_for(ctx, round(pc * 3, 2))}),
                M("spouse", 43, False, "partial"),
                M("child", 12, False, "none", school=True),
            ],
            enroll=[dict(program="edge", cp=3, benefit=0.0, status="active", start=ctx.month_first(-14))],
        )
        for k, v in kw.items():
            setattr(s, k, v)
        return s

    # ---------------- ELIGIBLE_NOT_COVERED
    add(
        Spec(
            "eligible_low_income",
            members=[
                M("head", 40, True, "full", inc={"wage": 1500.0}),
                M("spouse", 38, False, "partial"),
                M("child", 10, False, "none", school=True),
            ],
            truth=[("ELIGIBLE_NOT_COVERED", None, F, 0, f"pc=(1500-{th.deduction('urban')})/3 < {U}")],
        )
    )
    add(
        Spec(
            "eligible_unknown_income",
            members=[M("head", 35), M("spouse", 33, False)],
            truth=[("ELIGIBLE_NOT_COVERED", None, F, 0, "no income record: per-capita unknown counts as eligible")],
        )
    )
    add(
        Spec(
            "eligible_rural",
            hukou="rural",
            members=[M("head", 50, True, "full", inc={"agriculture": 700.0}), M("spouse", 48, False, "partial")],
            truth=[("ELIGIBLE_NOT_COVERED", None, F, 0, f"rural pc=350 < {R}")],
        )
    )
    add(
        Spec(
            "eligible_exempt_vehicle",
            members=[
                M("head", 45, True, "full", inc={"wage": 1200.0}),
                M("spouse", 44, False, "partial", grade=3, dtype="physical"),
            ],
            assets=[dict(m=1, type="vehicle", subtype="disability_mobility", value=8000.0)],
            truth=[
                (
                    "ELIGIBLE_NOT_COVERED",
                    None,
                    F,
                    0,
                    f"pc=(1200-{th.deduction('urban')})/2={(1200 - th.deduction('urban')) / 2:.2f} < {U}; disability_mobility vehicle is exempt",
                )
            ],
        )
    )
    add(
        Spec(
            "income_exactly_standard",
            members=[
                M("head", 40, True, "full", inc={"wage": wage_for(ctx, 2 * U)}),
                M("spouse", 38, False, "partial"),
            ],
            truth=[
                ("ELIGIBLE_NOT_COVERED", None, NF, 0, f"pc exactly {U:.2f} = standard, not below"),
                ("EDGE_FAMILY", None, F, 0, f"pc exactly {U:.2f}: >= standard and < {edge_hi:.2f}"),
            ],
        )
    )
    add(
        Spec(
            "eligible_but_car",
            members=[M("head", 42, True, "full", inc={"wage": 1300.0}), M("spouse", 40, False, "partial")],
            assets=[dict(m=0, type="vehicle", subtype="car", value=45000.0)],
            truth=[
                (
                    "ELIGIBLE_NOT_COVERED",
                    None,
                    NF,
                    0,
                    f"pc {(1300 - th.deduction('urban')) / 2:.2f} < {U} but a car fails the vehicle test",
                )
            ],
        )
    )
    add(
        Spec(
            "eligible_but_suspended",
            members=[
                M("head", 40, True, "full", inc={"wage": 1500.0}),
                M("spouse", 38, False, "partial"),
                M("child", 10, False, "none", school=True),
            ],
            enroll=[dict(program="dibao", cp=3, benefit=500.0, status="suspended", start=ctx.month_first(-26))],
            truth=[("ELIGIBLE_NOT_COVERED", None, NF, 0, "suspended dibao: on the roster")],
        )
    )
    add(
        Spec(
            "eligible_but_deposits",
            members=[
                M("head", 44, True, "full", inc={"wage": wage_for(ctx, 1000.0)}),
                M("spouse", 41, False, "partial"),
            ],
            assets=[dict(m=0, type="deposit", subtype="-", value=round(th.financial_limit_months * U * 2 + 100, 2))],
            truth=[("ELIGIBLE_NOT_COVERED", None, NF, 0, "deposits per capita exceed 24 x standard by 50")],
        )
    )

    # ---------------- TEKUN_CANDIDATE
    add(
        Spec(
            "tekun_disabled_adult_child",
            members=[
                M("head", 62, True, "partial", inc={"pension": 2600.0}),
                M("spouse", 64, False, "partial", inc={"pension": 2600.0}),
                M("child", 30, True, "none", grade=1, dtype="intellectual", inc={"allowance_exempt": 180.0}),
            ],
            truth=[("TEKUN_CANDIDATE", 2, F, 0, "grade 1, no labour, only exempt income, parents 60+ cannot support")],
        )
    )
    add(
        Spec(
            "tekun_elderly_alone",
            members=[M("head", 75, False, "none", inc={"allowance_exempt": 150.0})],
            truth=[
                ("TEKUN_CANDIDATE", 0, F, 0, "75, no labour, no countable income, alone"),
                ("ELIGIBLE_NOT_COVERED", None, F, 0, "countable pc 0 < standard"),
            ],
        )
    )
    add(
        Spec(
            "tekun_left_behind_child",
            members=[
                M("head", 66, False, "partial", inc={"pension": 2400.0}),
                M("grandchild", 10, True, "none", school=True),
            ],
            truth=[
                (
                    "TEKUN_CANDIDATE",
                    1,
                    F,
                    0,
                    f"child under 16 with only a 66-year-old grandparent (pc 1200 >= {edge_hi:.2f})",
                )
            ],
        )
    )
    add(
        Spec(
            "tekun_supported",
            members=[
                M("head", 62, True, "partial", inc={"pension": 2600.0}),
                M("spouse", 64, False, "partial", inc={"pension": 2600.0}),
                M("child", 30, True, "none", grade=1, dtype="intellectual", inc={"allowance_exempt": 180.0}),
                M("child", 35, False, "full", inc={"wage": 4000.0}),
            ],
            truth=[("TEKUN_CANDIDATE", 2, NF, 0, "a sibling aged 35 with full labour capacity lives with them")],
        )
    )
    add(
        Spec(
            "tekun_elderly_pension",
            members=[M("head", 70, True, "none", inc={"pension": 1500.0})],
            truth=[("TEKUN_CANDIDATE", 0, NF, 0, "has countable pension income")],
        )
    )
    last = ctx.nights[-1]
    add(
        Spec(
            "tekun_age_59",
            members=[
                M("head", 0, True, "none", birth=ctx.years_before(last, 60) + __import__("datetime").timedelta(days=1)),
                M("spouse", 61, False, "partial", inc={"pension": 2400.0}),
            ],
            truth=[
                ("TEKUN_CANDIDATE", 0, NF, 0, "aged 59 on every night (60th birthday the day after the last night)")
            ],
        )
    )
    add(
        Spec(
            "tekun_age_exactly_60",
            members=[
                M("head", 0, True, "none", birth=ctx.years_before(ctx.start, 60)),
                M("spouse", 61, False, "partial", inc={"pension": 2400.0}),
            ],
            truth=[("TEKUN_CANDIDATE", 0, F, 0, "60th birthday on the first night")],
        )
    )
    if later:
        add(
            Spec(
                "tekun_turns_60_later",
                members=[
                    M("head", 0, True, "none", birth=ctx.years_before(n1, 60)),
                    M("spouse", 61, False, "partial", inc={"pension": 2400.0}),
                ],
                truth=[("TEKUN_CANDIDATE", 0, F, 1, "60th birthday on the second night")],
            )
        )

    # ---------------- SEVERE_DISABILITY_SINGLE
    s = edge_enrolled(
        "severe_grade2_child", truth=[("SEVERE_DISABILITY_SINGLE", 2, F, 0, "edge family, member grade 2")]
    )
    s.members[2] = M("child", 12, False, "none", grade=2, dtype="physical")
    add(s)
    s = edge_enrolled(
        "severe_grade3_intellectual", truth=[("SEVERE_DISABILITY_SINGLE", 2, F, 0, "grade 3 intellectual")]
    )
    s.members[2] = M("child", 25, True, "partial", grade=3, dtype="intellectual")
    add(s)
    s = edge_enrolled(
        "severe_grade3_physical", truth=[("SEVERE_DISABILITY_SINGLE", 2, NF, 0, "grade 3 physical is not severe")]
    )
    s.members[2] = M("child", 25, True, "partial", grade=3, dtype="physical")
    add(s)
    add(
        Spec(
            "severe_not_edge",
            members=[
                M("head", 40, True, "full", inc={"wage": wage_for(ctx, 3609.2)}),
                M("spouse", 38, False, "partial"),
                M("child", 20, True, "none", grade=1, dtype="multiple"),
            ],
            enroll=[dict(program="rigid", cp=3, benefit=0.0, status="active", start=ctx.month_first(-3))],
            truth=[("SEVERE_DISABILITY_SINGLE", 2, NF, 0, "rigid-enrolled, not edge (pc 1203.07 >= 1.5 x standard)")],
        )
    )
    s = edge_enrolled(
        "severe_member_dead",
        truth=[("SEVERE_DISABILITY_SINGLE", 2, NF, 0, "the grade 2 member died before the first night")],
    )
    s.members[2] = M("parent", 80, False, "none", grade=2, dtype="physical")
    s.events = [dict(m=2, type="death", date=ctx.days(100))]
    add(s)
    # v2: an edge family by the income and asset test, not registered as edge, and its twin just above the edge line
    band, above = round((U + edge_hi) / 2, 2), round(edge_hi + 0.01, 2)
    for name, pc, fires in (("severe_unregistered_edge", band, F), ("severe_unregistered_above_line", above, NF)):
        add(
            Spec(
                name,
                members=[
                    M("head", 40, True, "full", inc={"wage": wage_for(ctx, round(pc * 3, 2))}),
                    M("spouse", 38, False, "partial"),
                    M("child", 20, True, "none", grade=1, dtype="multiple"),
                ],
                truth=[
                    (
                        "SEVERE_DISABILITY_SINGLE",
                        2,
                        fires,
                        0,
                        f"not registered as edge, pc {pc:.2f} "
                        + ("in" if fires == F else "not in")
                        + f" [{U}, {edge_hi:.2f})",
                    ),
                    ("EDGE_FAMILY", None, fires, 0, f"pc {pc:.2f}, the same edge-family test"),
                ],
            )
        )

    # ---------------- INCOME_SHOCK
    add(
        edge_enrolled(
            "shock_unemployment",
            events=[dict(m=1, type="unemployment_registered", date=ctx.days(30))],
            truth=[("INCOME_SHOCK", None, F, 0, "edge family pc 869.73 < 1.5 x standard, unemployment 30 days ago")],
        )
    )
    add(
        Spec(
            "shock_drop",
            members=[
                M("head", 45, True, "full", inc={"wage": wage_for(ctx, 4000)}, recent={"wage": wage_for(ctx, 1400)}),
                M("spouse", 43, False, "partial"),
            ],
            truth=[("INCOME_SHOCK", None, F, 0, f"recent pc 700 <= 0.5 x 2000 and < {edge_hi:.2f}; 6-month pc 1350")],
        )
    )
    if later:
        add(
            edge_enrolled(
                "shock_unemployment_later",
                events=[dict(m=0, type="unemployment_registered", date=n1, night=1)],
                truth=[("INCOME_SHOCK", None, F, 1, "unemployment registered on the second night")],
            )
        )
    add(
        edge_enrolled(
            "shock_event_too_old",
            events=[dict(m=1, type="unemployment_registered", date=ctx.days(95))],
            truth=[("INCOME_SHOCK", None, NF, 0, "unemployment 95 days before the first night (> 90)")],
        )
    )
    add(
        Spec(
            "shock_drop_still_high",
            members=[
                M("head", 45, True, "full", inc={"wage": wage_for(ctx, 8000)}, recent={"wage": wage_for(ctx, 2400)}),
                M("spouse", 43, False, "partial"),
            ],
            truth=[("INCOME_SHOCK", None, NF, 0, f"recent pc 1200 <= 0.5 x 4000 but >= {edge_hi:.2f}")],
        )
    )
    add(
        Spec(
            "shock_drop_small",
            members=[
                M("head", 45, True, "full", inc={"wage": wage_for(ctx, 3400)}, recent={"wage": wage_for(ctx, 1800)}),
                M("spouse", 43, False, "partial"),
            ],
            truth=[("INCOME_SHOCK", None, NF, 0, f"recent pc 900 > 0.5 x 1700; 6-month pc 1300 >= {edge_hi:.2f}")],
        )
    )
    s = comfortable(ctx, 2000, 2, "shock_unemployment_comfortable")
    s.events = [dict(m=1, type="unemployment_registered", date=ctx.days(20))]
    s.truth = [("INCOME_SHOCK", None, NF, 0, "unemployment but pc 2000 >= 1.5 x standard")]
    add(s)

    # ---------------- MEDICAL_SHOCK
    def med(name, items, truth):
        s = comfortable(ctx, 2500, 2, name)
        s.expenses = items
        s.truth = truth
        return s

    add(
        med(
            "medical_big_stay",
            [dict(m=1, date=ctx.days(60), category="medical_inpatient", total=60000.0, self_paid=23000.0)],
            [("MEDICAL_SHOCK", None, F, 0, "self-paid 23000 > 20000 in 365 days")],
        )
    )
    add(
        med(
            "medical_exactly_threshold",
            [
                dict(m=1, date=ctx.days(60), category="medical_inpatient", total=30000.0, self_paid=12000.0),
                dict(
                    m=0,
                    date=ctx.days(200),
                    category="medical_outpatient",
                    total=10000.0,
                    self_paid=round(th.medical_shock - 12000, 2),
                ),
            ],
            [("MEDICAL_SHOCK", None, NF, 0, "self-paid exactly 20000.00, not above")],
        )
    )
    add(
        med(
            "medical_outside_window",
            [dict(m=1, date=ctx.days(380), category="medical_inpatient", total=70000.0, self_paid=25000.0)],
            [("MEDICAL_SHOCK", None, NF, 0, "25000 self-paid 380 days before the first night")],
        )
    )
    add(
        med(
            "medical_insured",
            [dict(m=1, date=ctx.days(40), category="medical_inpatient", total=45000.0, self_paid=15000.0)],
            [("MEDICAL_SHOCK", None, NF, 0, "total 45000 but self-paid 15000")],
        )
    )
    add(
        dibao(
            ctx,
            1,
            name="medical_on_roster",
            expenses=[dict(m=1, date=ctx.days(50), category="medical_inpatient", total=70000.0, self_paid=25000.0)],
            truth=[("MEDICAL_SHOCK", None, NF, 0, "on the roster (dibao)")],
        )
    )
    if later:
        s = med(
            "medical_stay_later",
            [dict(m=0, date=n1, category="medical_inpatient", total=50000.0, self_paid=21000.0, night=1)],
            [("MEDICAL_SHOCK", None, F, 1, "hospital stay delivered on the second night, self-paid 21000")],
        )
        s.events = [dict(m=0, type="hospital_admission", date=n1, night=1)]
        add(s)

    # ---------------- INCOME_OVER_LIMIT
    over, over_rural = round(U + 64, 2), round(R + 15, 2)
    add(
        dibao(
            ctx,
            1,
            net=2 * over,
            name="over_limit",
            truth=[("INCOME_OVER_LIMIT", None, F, 0, f"dibao active, pc {over:.2f} > {U}")],
        )
    )
    s = dibao(
        ctx,
        0,
        hukou="rural",
        net=over_rural,
        name="over_limit_rural",
        truth=[("INCOME_OVER_LIMIT", None, F, 0, f"rural pc {over_rural:.2f} > {R}")],
    )
    s.members[0].inc = {"agriculture": over_rural}
    add(s)
    s = dibao(
        ctx,
        1,
        net=2200.0,
        name="gradual_exit",
        truth=[("INCOME_OVER_LIMIT", None, NF, 0, "pc 1100 but in gradual exit")],
    )
    s.enroll[0].update(status="gradual_exit", benefit=round(0.3 * U * 2, 2))
    add(s)
    add(
        dibao(
            ctx,
            1,
            net=2 * U,
            name="over_limit_exactly_standard",
            truth=[("INCOME_OVER_LIMIT", None, NF, 0, "pc exactly equal to the standard")],
        )
    )
    s = dibao(
        ctx,
        1,
        name="over_limit_unknown",
        truth=[("INCOME_OVER_LIMIT", None, NF, 0, "no income record: unknown, never over")],
    )
    s.members[0].inc = {}
    add(s)
    s = dibao(
        ctx,
        1,
        net=600.0,
        name="over_limit_exempt_income",
        truth=[("INCOME_OVER_LIMIT", None, NF, 0, "countable pc 300; 1800 a month of exempt/assistance income")],
    )
    s.members[0].inc = {"wage": wage_for(ctx, 600.0), "assistance": 1000.0}
    s.members[1] = M("child", 15, False, "none", grade=1, dtype="physical", inc={"allowance_exempt": 800.0})
    add(s)

    # ---------------- ASSET_OVER_LIMIT
    add(
        dibao(
            ctx,
            1,
            name="asset_car",
            assets=[dict(m=0, type="vehicle", subtype="car", value=30000.0)],
            truth=[("ASSET_OVER_LIMIT", None, F, 0, "car (not an exempt subtype)")],
        )
    )
    add(
        dibao(
            ctx,
            1,
            name="asset_two_homes",
            assets=[
                dict(m=0, type="real_estate", subtype="residential", value=300000.0),
                dict(m=1, type="real_estate", subtype="residential", value=250000.0),
            ],
            truth=[("ASSET_OVER_LIMIT", None, F, 0, "two residential properties")],
        )
    )
    add(
        dibao(
            ctx,
            1,
            name="asset_business",
            assets=[dict(m=1, type="business", subtype="sole_proprietor", value=20000.0)],
            truth=[("ASSET_OVER_LIMIT", None, F, 0, "registered business")],
        )
    )
    lim2 = round(th.financial_limit_months * U * 2, 2)
    add(
        dibao(
            ctx,
            1,
            name="asset_deposits",
            assets=[
                dict(m=0, type="deposit", subtype="-", value=round(lim2 - 5000, 2)),
                dict(m=1, type="securities", subtype="-", value=5000.01),
            ],
            truth=[("ASSET_OVER_LIMIT", None, F, 0, f"financial assets {lim2 + 0.01:.2f} / 2 > 24 x standard")],
        )
    )
    s = dibao(
        ctx,
        0,
        name="asset_tekun_shop",
        truth=[("ASSET_OVER_LIMIT", None, F, 0, "tekun member owns commercial real estate")],
    )
    s.members = [M("head", 78, False, "none")]
    s.enroll = [dict(program="tekun", cp=1, benefit=th.tekun_standard, status="active", start=ctx.month_first(-40))]
    s.assets = [dict(m=0, type="real_estate", subtype="commercial", value=200000.0)]
    add(s)
    s = dibao(
        ctx,
        1,
        hukou="rural",
        name="asset_exempt_vehicles",
        truth=[("ASSET_OVER_LIMIT", None, NF, 0, "disability_mobility and agricultural vehicles are exempt")],
    )
    s.members[1] = M("spouse", 46, False, "none", grade=2, dtype="physical")
    s.assets = [
        dict(m=1, type="vehicle", subtype="disability_mobility", value=6000.0),
        dict(m=0, type="vehicle", subtype="agricultural", value=15000.0),
    ]
    add(s)
    add(
        dibao(
            ctx,
            1,
            name="asset_at_limits",
            assets=[
                dict(m=0, type="real_estate", subtype="residential", value=280000.0),
                dict(m=0, type="real_estate", subtype="land_use", value=40000.0),
                dict(m=0, type="deposit", subtype="-", value=lim2),
            ],
            truth=[("ASSET_OVER_LIMIT", None, NF, 0, f"one home, land use, deposits exactly {lim2:.2f} (= limit)")],
        )
    )
    add(
        dibao(
            ctx,
            1,
            name="asset_car_sold",
            assets=[dict(m=0, type="vehicle", subtype="car", value=30000.0, start=ctx.days(900), end=ctx.days(200))],
            truth=[("ASSET_OVER_LIMIT", None, NF, 0, "car deregistered 200 days before")],
        )
    )
    if later:
        add(
            dibao(
                ctx,
                1,
                name="asset_car_later",
                assets=[dict(m=0, type="vehicle", subtype="car", value=52000.0, start=n1, from_night=1)],
                truth=[("ASSET_OVER_LIMIT", None, F, 1, "car registered on the second night")],
            )
        )

    # ---------------- MEMBER_DECEASED / MEMBER_LEFT
    add(
        dibao(
            ctx,
            2,
            name="deceased",
            events=[dict(m=2, type="death", date=ctx.days(20))],
            truth=[("MEMBER_DECEASED", ("ev", 0), F, 0, "covered_persons 3 > 2 present")],
        )
    )
    if later:
        add(
            dibao(
                ctx,
                2,
                name="deceased_later",
                events=[dict(m=2, type="death", date=n1, night=1)],
                truth=[("MEMBER_DECEASED", ("ev", 0), F, 1, "death delivered on the second night")],
            )
        )
    add(
        dibao(
            ctx,
            2,
            cp=2,
            name="deceased_adjusted",
            events=[dict(m=2, type="death", date=ctx.days(40))],
            truth=[("MEMBER_DECEASED", ("ev", 0), NF, 0, "covered_persons already 2")],
        )
    )
    s = comfortable(ctx, 2500, 2, "deceased_not_covered")
    s.members.append(M("parent", 84, True, "none", inc={}))
    s.members[0].inc = {"wage": wage_for(ctx, 5000)}
    s.events = [dict(m=2, type="death", date=ctx.days(25))]
    s.truth = [("MEMBER_DECEASED", ("ev", 0), NF, 0, "household not covered")]
    add(s)
    s = dibao(ctx, 0, name="tekun_dead_paid_on", truth=[])
    s.members = [M("head", 82, True, "none")]
    s.enroll = [dict(program="tekun", cp=1, benefit=th.tekun_standard, status="active", start=ctx.month_first(-50))]
    death = ctx.month_first(-2).replace(day=10)
    s.events = [dict(m=0, type="death", date=death)]
    s.truth = [
        ("MEMBER_DECEASED", ("ev", 0), F, 0, "only member died, covered_persons 1 > 0"),
        ("PAYMENT_AFTER_END", ("pay", "tekun", -2), NF, 0, "payment for the month of death (n = 1 on its first day)"),
    ]
    add(s)
    s = dibao(ctx, 0, name="tekun_dead_ended", truth=[])
    s.members = [M("head", 85, False, "none")]
    death = ctx.month_first(-1).replace(day=5)
    s.enroll = [
        dict(
            program="tekun",
            cp=1,
            benefit=th.tekun_standard,
            status="terminated",
            start=ctx.month_first(-60),
            end=death.replace(day=6),
        )
    ]
    s.events = [dict(m=0, type="death", date=death)]
    s.truth = [
        ("MEMBER_DECEASED", ("ev", 0), NF, 0, "enrollment ended the day after the death"),
        ("PAYMENT_AFTER_END", ("pay", "tekun", -1), NF, 0, "last payment is for the month of death"),
    ]
    add(s)
    add(
        dibao(
            ctx,
            2,
            name="left_hukou",
            events=[dict(m=2, type="hukou_out", date=ctx.days(50))],
            truth=[("MEMBER_LEFT", ("ev", 0), F, 0, "hukou moved out, covered_persons 3 > 2")],
        )
    )
    add(
        dibao(
            ctx,
            2,
            name="left_prison",
            events=[dict(m=1, type="incarceration", date=ctx.days(100))],
            truth=[("MEMBER_LEFT", ("ev", 0), F, 0, "incarcerated, no release")],
        )
    )
    if later:
        add(
            dibao(
                ctx,
                2,
                name="left_later",
                events=[dict(m=2, type="hukou_out", date=n1, night=1)],
                truth=[("MEMBER_LEFT", ("ev", 0), F, 1, "hukou out delivered on the second night")],
            )
        )
    add(
        dibao(
            ctx,
            2,
            name="left_and_back",
            events=[dict(m=2, type="hukou_out", date=ctx.days(200)), dict(m=2, type="hukou_in", date=ctx.days(30))],
            truth=[("MEMBER_LEFT", ("ev", 0), NF, 0, "hukou moved back in 30 days before")],
        )
    )
    add(
        dibao(
            ctx,
            2,
            name="left_released",
            events=[dict(m=1, type="incarceration", date=ctx.days(300)), dict(m=1, type="release", date=ctx.days(20))],
            truth=[("MEMBER_LEFT", ("ev", 0), NF, 0, "released 20 days before")],
        )
    )
    add(
        dibao(
            ctx,
            2,
            cp=2,
            name="left_adjusted",
            events=[dict(m=2, type="hukou_out", date=ctx.days(60))],
            truth=[("MEMBER_LEFT", ("ev", 0), NF, 0, "covered_persons already 2")],
        )
    )

    # ---------------- DUPLICATE_COVERAGE
    a = dibao(
        ctx,
        2,
        name="duplicate_a",
        truth=[("DUPLICATE_COVERAGE", ("p", 2), F, 0, "member also listed in another covered household")],
    )
    a.members[2] = M("child", 30, True, "partial")
    b = dibao(
        ctx,
        0,
        name="duplicate_b",
        truth=[("DUPLICATE_COVERAGE", ("p", 1), F, 0, "member also listed in another covered household")],
    )
    b.members[0] = M("head", 29, False, "full", inc={"wage": wage_for(ctx, 600.0)})
    b.members.append(M("spouse", 30, True, "partial", same_as=(0, 2)))
    b.enroll[0]["cp"] = 2
    b.enroll[0]["benefit"] = round(2 * U - 600, 2)
    add(a, b)
    s = dibao(
        ctx,
        1,
        name="duplicate_dibao_tekun",
        truth=[("DUPLICATE_COVERAGE", "dibao+tekun", F, 0, "dibao 2 + tekun 1 > 2 present")],
    )
    s.members[1] = M("parent", 80, False, "none")
    s.enroll.append(dict(program="tekun", cp=1, benefit=th.tekun_standard, status="active", start=ctx.month_first(-20)))
    add(s)
    a = dibao(
        ctx,
        2,
        name="duplicate_one_covered",
        truth=[("DUPLICATE_COVERAGE", ("p", 2), NF, 0, "the other household is not covered")],
    )
    a.members[2] = M("child", 31, True, "partial")
    b = comfortable(ctx, 3000, 1, "duplicate_other_uncovered")
    b.members.append(M("sibling", 31, True, "partial", same_as=(0, 2)))
    b.members[0].inc = {"wage": wage_for(ctx, 6000.0)}
    b.truth = [("DUPLICATE_COVERAGE", ("p", 1), NF, 0, "this household is not covered")]
    add(a, b)
    s = dibao(
        ctx,
        1,
        cp=1,
        name="dibao_tekun_split",
        truth=[("DUPLICATE_COVERAGE", "dibao+tekun", NF, 0, "dibao 1 + tekun 1 = 2 present")],
    )
    s.members[1] = M("parent", 80, False, "none")
    s.enroll[0]["benefit"] = round(U - 600, 2)
    s.enroll.append(dict(program="tekun", cp=1, benefit=th.tekun_standard, status="active", start=ctx.month_first(-20)))
    add(s)

    # ---------------- payments (truth computed per payment by plant_truth; twins named here)
    def ended(name, end, extra, truth):
        s = comfortable(ctx, 1200, 2, name)
        s.enroll = [
            dict(program="dibao", cp=2, benefit=400.0, status="terminated", start=ctx.month_first(-40), end=end)
        ]
        s.extra_pay = extra
        s.truth = truth
        return s

    add(
        ended(
            "paid_after_end",
            ctx.month_first(-1),
            [dict(program="dibao", offset=-1, amount=400.0), dict(program="dibao", offset=0, amount=400.0)],
            [],
        )
    )
    add(
        ended(
            "paid_month_of_end",
            ctx.month_first(-1).replace(day=15),
            [],
            [
                (
                    "PAYMENT_AFTER_END",
                    ("pay", "dibao", -1),
                    NF,
                    0,
                    "enrollment ended mid-period; in force on its first day",
                )
            ],
        )
    )
    add(dibao(ctx, 1, name="paid_short", pay={("dibao", -1): dict(delta=-72.0)}, truth=[]))
    add(dibao(ctx, 1, name="paid_over", pay={("dibao", -2): dict(delta=100.0)}, truth=[]))
    s = dibao(
        ctx,
        1,
        name="benefit_renewed",
        truth=[
            (
                "PAYMENT_MISMATCH",
                ("pay", "dibao", -2),
                NF,
                0,
                "matches the renewed benefit in force on the period's first day",
            )
        ],
    )
    old = dict(s.enroll[0])
    old.update(
        status="terminated", end=ctx.month_first(-2), benefit=round(old["benefit"] + 50, 2), start=ctx.month_first(-40)
    )
    new = dict(s.enroll[0])
    new.update(start=ctx.month_first(-2))
    s.enroll = [old, new]
    add(s)
    add(
        dibao(
            ctx,
            1,
            name="paid_exact",
            truth=[
                ("PAYMENT_MISMATCH", ("pay", "dibao", -1), NF, 0, "paid exactly the approved benefit"),
                ("PAYMENT_LATE", ("pay", "dibao", -1), NF, 0, "paid within the period"),
            ],
        )
    )
    add(dibao(ctx, 1, name="paid_late", pay={("dibao", -2): dict(paid="next_first")}, truth=[]))
    add(
        dibao(
            ctx,
            1,
            name="paid_on_due_date",
            pay={("dibao", -1): dict(paid="last_day")},
            truth=[("PAYMENT_LATE", ("pay", "dibao", -1), NF, 0, "paid on the last day of the period (the due date)")],
        )
    )
    if later:
        add(dibao(ctx, 1, name="paid_late_later", pay={("dibao", -1): dict(paid="night1")}, truth=[]))
    add(dibao(ctx, 1, name="holder_outside", holder="outside", truth=[]))
    add(dibao(ctx, 1, name="holder_outside_recent", holder="outside", holder_from=-3, truth=[]))
    add(
        dibao(
            ctx,
            1,
            name="holder_spouse",
            holder=1,
            truth=[("ACCOUNT_HOLDER_OUTSIDE", ("p", 1), NF, 0, "the spouse is a listed member")],
        )
    )
    s = dibao(
        ctx,
        2,
        name="holder_live_in_other",
        holder=2,
        truth=[("ACCOUNT_HOLDER_OUTSIDE", ("p", 2), NF, 0, "holder listed with relation other")],
    )
    s.members[2] = M("other", 52, False, "partial")
    add(s)

    # ---------------- STAFF_RELATIVE_UNFILED
    add(
        dibao(
            ctx,
            1,
            name="relative_unfiled",
            staff=[dict(m=1, filed=None)],
            truth=[("STAFF_RELATIVE_UNFILED", ("p", 1), F, 0, "close relative of a staff member, no filing")],
        )
    )
    add(
        dibao(
            ctx,
            1,
            name="relative_filed_late",
            staff=[dict(m=1, filed=last + __import__("datetime").timedelta(days=30))],
            truth=[("STAFF_RELATIVE_UNFILED", ("p", 1), F, 0, "filing dated after every night")],
        )
    )
    if later:
        add(
            dibao(
                ctx,
                1,
                name="relative_unfiled_later",
                staff=[dict(m=1, filed=None, from_night=1)],
                truth=[("STAFF_RELATIVE_UNFILED", ("p", 1), F, 1, "relation reported on the second night, unfiled")],
            )
        )
    add(
        dibao(
            ctx,
            1,
            name="relative_filed",
            staff=[dict(m=1, filed=ctx.days(100))],
            truth=[("STAFF_RELATIVE_UNFILED", ("p", 1), NF, 0, "filed 100 days before")],
        )
    )
    s = comfortable(ctx, 2500, 2, "relative_not_covered")
    s.staff = [dict(m=1, filed=None)]
    s.truth = [("STAFF_RELATIVE_UNFILED", ("p", 1), NF, 0, "household not covered")]
    add(s)
    add(
        dibao(
            ctx,
            2,
            cp=2,
            name="relative_dead",
            staff=[dict(m=2, filed=None)],
            events=[dict(m=2, type="death", date=ctx.days(60))],
            truth=[
                ("STAFF_RELATIVE_UNFILED", ("p", 2), NF, 0, "the relative died (not present)"),
                ("MEMBER_DECEASED", ("ev", 0), NF, 0, "covered_persons adjusted to 2"),
            ],
        )
    )

    # ---------------- APPLICATION_OVERDUE (expected computed per night by plant_truth from the working-day calendar)
    def app(name, wd_before, decided_wd_after=None, decided_night=None):
        s = comfortable(ctx, 2500, 2, name)
        sub = ctx.wd.back(ctx.start, wd_before)
        dec = None
        if decided_wd_after is not None:
            dec = ctx.wd.forward(sub, decided_wd_after)
        if decided_night is not None and decided_night < len(ctx.nights):
            dec = ctx.nights[decided_night]
        s.apps = [dict(program="dibao", submitted=sub, decided=dec, decision="rejected" if dec else None)]
        return s

    add(app("app_overdue_40", 40))
    add(app("app_overdue_31", th.processing_limit_wd + 1))
    add(app("app_exactly_limit_decided", th.processing_limit_wd, decided_night=1))
    add(app("app_29_decided", th.processing_limit_wd - 1, decided_night=1))
    add(app("app_decided_late", 60, decided_wd_after=40))
    if later:
        add(app("app_limit_then_overdue", th.processing_limit_wd))

    # ---------------- EDGE_FAMILY
    def edge(name, pc=800.0, truth=(), **kw):
        s = Spec(
            name,
            members=[
                M("head", 40, True, "full", inc={"wage": wage_for(ctx, round(pc * 2, 2))}),
                M("spouse", 38, False, "partial"),
            ],
            truth=list(truth),
        )
        for k, v in kw.items():
            setattr(s, k, v)
        return s

    add(edge("edge_family", truth=[("EDGE_FAMILY", None, F, 0, f"pc 800 in [{U}, {edge_hi:.2f})")]))
    add(
        edge(
            "edge_enrollment_ended",
            truth=[("EDGE_FAMILY", None, F, 0, "edge enrollment terminated 60 days before")],
            enroll=[
                dict(
                    program="edge", cp=2, benefit=0.0, status="terminated", start=ctx.month_first(-20), end=ctx.days(60)
                )
            ],
        )
    )
    add(
        edge(
            "edge_exactly_multiple",
            pc=round(edge_hi, 2),
            truth=[("EDGE_FAMILY", None, NF, 0, f"pc exactly {edge_hi:.2f} = 1.5 x standard")],
        )
    )
    add(
        edge(
            "edge_already_enrolled",
            truth=[("EDGE_FAMILY", None, NF, 0, "already enrolled as edge")],
            enroll=[dict(program="edge", cp=2, benefit=0.0, status="active", start=ctx.month_first(-10))],
        )
    )
    add(
        edge(
            "edge_with_shop",
            truth=[("EDGE_FAMILY", None, NF, 0, "commercial real estate fails the asset test")],
            assets=[dict(m=0, type="real_estate", subtype="commercial", value=150000.0)],
        )
    )
    edge_rural = round(R + 70, 2)
    s = Spec(
        "edge_rural_single",
        hukou="rural",
        members=[M("head", 55, True, "full", inc={"agriculture": edge_rural})],
        truth=[("EDGE_FAMILY", None, F, 0, f"rural pc {edge_rural:.2f} in [{R}, {th.edge_multiple * R:.2f})")],
    )
    add(s)

    # ---------------- RIGID_EXPENSE_FAMILY
    def rigid(name, pc, n, items, truth, **kw):
        members = [
            M("head", 45, True, "full", inc={"wage": wage_for(ctx, round(pc * n, 2))}),
            M("spouse", 44, False, "partial", grade=3, dtype="physical"),
            M("child", 19, True, "full", school=True),
        ][:n]
        s = Spec(name, members=members, expenses=items, truth=truth)
        for k, v in kw.items():
            setattr(s, k, v)
        return s

    share = th.rigid_share
    thr3 = share * 1500 * 3 * 12
    add(
        rigid(
            "rigid_family",
            1500,
            3,
            [
                dict(m=2, date=ctx.days(150), category="education", total=20000.0, self_paid=20000.0),
                dict(
                    m=1,
                    date=ctx.days(90),
                    category="disability_rehab",
                    total=9000.0,
                    self_paid=round(thr3 - 20000 + 500, 2),
                ),
            ],
            [
                (
                    "RIGID_EXPENSE_FAMILY",
                    None,
                    F,
                    0,
                    f"rigid spending {thr3 + 500:.2f} > {share} x annual income {1500 * 36}",
                )
            ],
        )
    )
    add(
        rigid(
            "rigid_exactly_share",
            1500,
            3,
            [
                dict(m=2, date=ctx.days(150), category="education", total=20000.0, self_paid=20000.0),
                dict(
                    m=1, date=ctx.days(90), category="disability_rehab", total=9000.0, self_paid=round(thr3 - 20000, 2)
                ),
            ],
            [("RIGID_EXPENSE_FAMILY", None, NF, 0, f"rigid spending exactly {thr3:.2f} = the share, not above")],
        )
    )
    add(
        rigid(
            "rigid_enrolled",
            1500,
            3,
            [dict(m=2, date=ctx.days(150), category="education", total=30000.0, self_paid=30000.0)],
            [("RIGID_EXPENSE_FAMILY", None, NF, 0, "already enrolled as rigid")],
            enroll=[dict(program="rigid", cp=3, benefit=0.0, status="active", start=ctx.month_first(-4))],
        )
    )
    add(
        rigid(
            "rigid_income_too_high",
            3200,
            2,
            [dict(m=1, date=ctx.days(100), category="education", total=60000.0, self_paid=60000.0)],
            [("RIGID_EXPENSE_FAMILY", None, NF, 0, f"pc 3200 >= {th.rigid_monthly:.2f}")],
        )
    )
    add(
        rigid(
            "rigid_spending_old",
            1500,
            3,
            [dict(m=2, date=ctx.days(370), category="education", total=40000.0, self_paid=40000.0)],
            [("RIGID_EXPENSE_FAMILY", None, NF, 0, "spending 370 days before the first night")],
        )
    )
    thr2 = share * 1500 * 2 * 12
    add(
        rigid(
            "rigid_medical",
            1500,
            2,
            [
                dict(m=1, date=ctx.days(200), category="medical_chronic", total=15000.0, self_paid=9000.0),
                dict(
                    m=0,
                    date=ctx.days(30),
                    category="medical_inpatient",
                    total=30000.0,
                    self_paid=round(thr2 - 9000 + 500, 2),
                ),
            ],
            [
                (
                    "RIGID_EXPENSE_FAMILY",
                    None,
                    F,
                    0,
                    f"medical self-paid {thr2 + 500:.2f} > {thr2:.2f}, below the 20000 medical line",
                )
            ],
        )
    )
    from flows.devtools.synthetic.care import care_scenarios

    G.extend(care_scenarios(ctx))
    return G
