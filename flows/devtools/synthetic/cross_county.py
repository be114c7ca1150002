"""Cross-county cases of a municipality: people who appear in two counties, planted on purpose with their truth.

Why: counties are generated independently, so by chance no person would ever link two of them, and the night's
cross-county stage (DUPLICATE_COVERAGE, MEMBER_LEFT to another county, ACCOUNT_HOLDER_OUTSIDE) would have nothing to
find. For each linked pair of counties (i < j, a ring over the counties) the earlier county i plants households with a
person marked for export, and county j, generated later, lists that same person (same ID, birth date, sex, name):

- duplicate: covered in i and covered in j -> DUPLICATE_COVERAGE fires in both; its twin is covered in i only;
- moved: a covered member of a household in i moved out (hukou_out) and lives in a household of j -> MEMBER_LEFT fires
  in i; its twin's household already adjusted its covered persons;
- holder: a covered household of j is paid into the account of a person of a household of i -> ACCOUNT_HOLDER_OUTSIDE.

The cases are planted once per pair, in each county's first block, whatever the number of households.
"""

from __future__ import annotations

from flows.devtools.synthetic.scenarios import Ctx, M, Spec, comfortable, dibao, wage_for

F, NF = "fire", "not_fire"


def pairs(counties: int) -> list[tuple[int, int]]:
    """Linked county pairs (i < j): neighbours in a ring, so every county links two others (one when N = 2)."""
    ring = [(c, c + 1) for c in range(counties - 1)]
    return ring + ([(0, counties - 1)] if counties >= 3 else [])


def _key(i: int, j: int, case: str) -> str:
    return f"c{i}-{j}-{case}"


def exporting(ctx: Ctx, i: int, j: int, other: str) -> list[list[Spec]]:
    """County i's side of the pair (i, j); `other` is county j's name (for the notes)."""
    dup = dibao(
        ctx,
        2,
        name="cross_county_duplicate_a",
        truth=[("DUPLICATE_COVERAGE", ("p", 2), F, 0, f"member also listed in a covered household of {other}")],
    )
    dup.members[2] = M("child", 30, True, "partial", export=_key(i, j, "dup"))
    dup_twin = dibao(
        ctx,
        2,
        name="cross_county_duplicate_one_covered",
        truth=[("DUPLICATE_COVERAGE", ("p", 2), NF, 0, f"the household of {other} listing the member is not covered")],
    )
    dup_twin.members[2] = M("child", 31, True, "partial", export=_key(i, j, "dup_twin"))
    moved = dibao(
        ctx,
        2,
        name="cross_county_moved",
        events=[dict(m=2, type="hukou_out", date=ctx.days(50))],
        truth=[("MEMBER_LEFT", ("ev", 0), F, 0, f"hukou moved out to {other}, covered_persons 3 > 2")],
    )
    moved.members[2] = M("child", 20, True, "partial", export=_key(i, j, "moved"))
    moved_twin = dibao(
        ctx,
        2,
        cp=2,
        name="cross_county_moved_adjusted",
        events=[dict(m=2, type="hukou_out", date=ctx.days(60))],
        truth=[("MEMBER_LEFT", ("ev", 0), NF, 0, f"hukou moved out to {other}, covered_persons already 2")],
    )
    moved_twin.members[2] = M("child", 20, True, "partial", export=_key(i, j, "moved_twin"))
    holder = comfortable(ctx, 3000, 2, "cross_county_holder_home")
    holder.members[1] = M("spouse", 43, False, "partial", export=_key(i, j, "holder"))
    return [[dup], [dup_twin], [moved], [moved_twin], [holder]]


def listing(ctx: Ctx, i: int, j: int, other: str) -> list[list[Spec]]:
    """County j's side of the pair (i, j); `other` is county i's name. Members mirror the exported ones."""
    U = ctx.th.std_urban
    dup = dibao(
        ctx,
        0,
        name="cross_county_duplicate_b",
        truth=[("DUPLICATE_COVERAGE", ("p", 1), F, 0, f"member also listed in a covered household of {other}")],
    )
    dup.members[0] = M("head", 29, False, "full", inc={"wage": wage_for(ctx, 600.0)})
    dup.members.append(M("spouse", 30, True, "partial", shared=_key(i, j, "dup")))
    dup.enroll[0]["cp"] = 2
    dup.enroll[0]["benefit"] = round(2 * U - 600, 2)
    dup_twin = comfortable(ctx, 3000, 1, "cross_county_duplicate_uncovered")
    dup_twin.members[0].inc = {"wage": wage_for(ctx, 6000.0)}
    dup_twin.members.append(M("sibling", 31, True, "partial", shared=_key(i, j, "dup_twin")))
    dup_twin.truth = [("DUPLICATE_COVERAGE", ("p", 1), NF, 0, "this household is not covered")]
    moved = comfortable(ctx, 3000, 1, "cross_county_moved_in")
    moved.members[0].inc = {"wage": wage_for(ctx, 6000.0)}
    moved.members.append(M("sibling", 20, True, "partial", shared=_key(i, j, "moved")))
    moved.truth = [("DUPLICATE_COVERAGE", ("p", 1), NF, 0, f"moved in from {other}; this household is not covered")]
    moved_twin = comfortable(ctx, 3000, 1, "cross_county_moved_in_adjusted")
    moved_twin.members[0].inc = {"wage": wage_for(ctx, 6000.0)}
    moved_twin.members.append(M("sibling", 20, True, "partial", shared=_key(i, j, "moved_twin")))
    moved_twin.truth = [
        ("DUPLICATE_COVERAGE", ("p", 1), NF, 0, f"moved in from {other}; this household is not covered")
    ]
    paid = dibao(ctx, 1, name="cross_county_holder_elsewhere", holder=f"shared:{_key(i, j, 'holder')}")
    return [[dup], [dup_twin], [moved], [moved_twin], [paid]]


def groups_for(ctx: Ctx, county: int, names: list[str]) -> tuple:
    """Every cross-county group county `county` plants (in its first block), in pair order."""
    out: list[list[Spec]] = []
    for i, j in pairs(len(names)):
        if county == i:
            out += exporting(ctx, i, j, names[j])
        if county == j:
            out += listing(ctx, i, j, names[i])
    return tuple(out)
