"""households.csv — the household register (户): contract checks and the region code inside the district."""

from __future__ import annotations

from checks.row_check import RowCheck, contract_checks, fmt, fmt_zh, in_list

FEED = "households"


def checks(ctx) -> list[RowCheck]:
    county, streets = ctx.county_code, sorted(ctx.streets)
    twelve_digits = "regexp_full_match(t.region_code, '[0-9]{12}')"
    return [
        *contract_checks(FEED),
        RowCheck(
            "REGION_CODE_FORMAT",
            FEED,
            f"t.region_code IS NOT NULL AND NOT {twelve_digits}",
            fmt("households.region_code '{}' is not a 12-digit 统计用区划代码", "t.region_code"),
            fmt_zh("households.region_code '{}' 不是 12 位统计用区划代码", "t.region_code"),
            "region_code has 12 digits",
        ),
        RowCheck(
            "REGION_OUTSIDE_DISTRICT",
            FEED,
            f"{twelve_digits} AND substr(t.region_code, 1, 6) <> '{county}'",
            fmt(
                f"households.region_code '{{}}' is outside the district: expected it to start with {county}",
                "t.region_code",
            ),
            fmt_zh(f"households.region_code '{{}}' 不属于本区：应以 {county} 开头", "t.region_code"),
            f"region_code starts with the district's county code {county}",
        ),
        RowCheck(
            "REGION_UNKNOWN_STREET",
            FEED,
            f"{twelve_digits} AND substr(t.region_code, 1, 6) = '{county}' "
            f"AND substr(t.region_code, 1, 9) NOT IN {in_list(streets)}",
            fmt(
                "households.region_code '{}' names street code {}, which is not one of the district's "
                f"{len(streets)} streets (district.streets)",
                "t.region_code",
                "substr(t.region_code, 1, 9)",
            ),
            fmt_zh(
                "households.region_code '{}' 的镇街代码 {} 不在本区镇街名录中（district.streets）",
                "t.region_code",
                "substr(t.region_code, 1, 9)",
            ),
            "region_code lies under one of the district's streets (first 9 digits)",
        ),
    ]
