"""communities.csv — names of communities and villages (full extract, optional, docs/CONTRACT.md v2): contract checks
(a code repeated in a file is quarantined after its first row), the code a 12-digit 统计用区划代码 and inside the street
it is listed under (its first 9 digits are the street code). A quarantined row only costs the workbook a name: the
community then shows by its code, as when the feed is not delivered."""

from __future__ import annotations

from checks.row_check import RowCheck, contract_checks, fmt, fmt_zh

FEED = "communities"


def checks(ctx) -> list[RowCheck]:
    twelve_digits = "regexp_full_match(t.community_code, '[0-9]{12}')"
    return [
        *contract_checks(FEED),
        RowCheck(
            "COMMUNITY_CODE_FORMAT",
            FEED,
            f"t.community_code IS NOT NULL AND NOT {twelve_digits}",
            fmt("communities.community_code '{}' is not a 12-digit 统计用区划代码", "t.community_code"),
            fmt_zh("communities.community_code '{}' 不是 12 位统计用区划代码", "t.community_code"),
            "community_code has 12 digits",
        ),
        RowCheck(
            "COMMUNITY_OUTSIDE_STREET",
            FEED,
            f"{twelve_digits} AND t.street_code IS NOT NULL AND substr(t.community_code, 1, 9) <> t.street_code",
            fmt(
                "communities.community_code '{}' does not lie in street {}: its first 9 digits must be the street code",
                "t.community_code",
                "t.street_code",
            ),
            fmt_zh(
                "communities.community_code '{}' 不属于镇街 {}：前 9 位应为镇街代码",
                "t.community_code",
                "t.street_code",
            ),
            "community_code starts with its street_code (first 9 digits)",
        ),
    ]
