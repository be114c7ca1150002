"""assets.csv — property (full extract): contract checks, subtype allowed for the asset type, end date not before
start date, and the owner present in persons.csv."""

from __future__ import annotations

from checks.contract import ASSET_SUBTYPES
from checks.row_check import RowCheck, contract_checks, end_not_before_start, fmt, fmt_zh, lit, orphan_check

FEED = "assets"


def checks(ctx) -> list[RowCheck]:
    pairs = ", ".join(f"{lit(a)}: [{', '.join(lit(s) for s in subs)}]" for a, subs in sorted(ASSET_SUBTYPES.items()))
    allowed = f"MAP {{{pairs}}}[t.asset_type]"
    return [
        *contract_checks(FEED),
        RowCheck(
            "SUBTYPE_MISMATCH",
            FEED,
            f"t.asset_type IN ({', '.join(lit(a) for a in sorted(ASSET_SUBTYPES))}) "
            f"AND NOT list_contains({allowed}, t.subtype)",
            fmt(
                "assets.subtype '{}' is not a subtype of asset_type '{}' (allowed: {})",
                "t.subtype",
                "t.asset_type",
                f"array_to_string({allowed}, ', ')",
            ),
            fmt_zh(
                "assets.subtype '{}' 不是 asset_type '{}' 的子类（允许：{}）",
                "t.subtype",
                "t.asset_type",
                f"array_to_string({allowed}, ', ')",
            ),
            "subtype is one the contract allows for the asset_type",
        ),
        end_not_before_start(FEED),
        orphan_check(FEED, "person_id", "persons", "person_id"),
    ]
