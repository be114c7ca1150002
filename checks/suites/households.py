"""households.csv — the household register (户): contract checks and the region code inside the district."""

from __future__ import annotations

from checks.row_check import RowCheck, contract_checks, fmt, fmt_zh, in_list

FEED = "households"


def checks(ctx) -> list[RowCheck]:
    streets = sorted(ctx.streets)
    twelve_digits = "regexp_full_match(t.region_code, '[0-9]{12}')"
    # one county (a district bureau) keeps the wording and SQL it always had; a municipality names its counties
    if len(ctx.counties) == 1:
        county = ctx.counties[0]
        outside, inside = f"<> '{county}'", f"= '{county}'"
        expected, expected_zh, expectation = (
            f"start with {county}",
            f"以 {county} 开头",
            f"region_code starts with the district's county code {county}",
        )
    else:
        listed = ", ".join(ctx.counties)
        outside, inside = f"NOT IN {in_list(ctx.counties)}", f"IN {in_list(ctx.counties)}"
        expected, expected_zh, expectation = (
            f"start with one of the configured counties {listed}",
            f"以本市所辖区县代码之一开头（{listed}）",
            f"region_code starts with the code of one of the configured counties (district.counties: {listed})",
        )
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
            f"{twelve_digits} AND substr(t.region_code, 1, 6) {outside}",
            fmt(
                f"households.region_code '{{}}' is outside the district: expected it to {expected}",
                "t.region_code",
            ),
            fmt_zh(f"households.region_code '{{}}' 不属于本区：应{expected_zh}", "t.region_code"),
            expectation,
        ),
        RowCheck(
            "REGION_UNKNOWN_STREET",
            FEED,
            f"{twelve_digits} AND substr(t.region_code, 1, 6) {inside} "
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
