"""GB 11643 checks in DuckDB SQL, the set-based twin of `checks/id_number.py` (cross-checked in tests/checks).

The check character is computed with the weights and the character table of `checks.id_number` (one source), unrolled
into 17 plain multiplications: cheaper in DuckDB than a list lambda per row.
"""

from __future__ import annotations

from checks.id_number import CHECK_CHARS, WEIGHTS
from checks.row_check import RowCheck, fmt, fmt_zh, lit


def well_formed(col: str) -> str:
    """18 characters: 17 digits then 0-9 or X, and digits 7-14 a real calendar date."""
    return (f"(regexp_full_match({col}, '[0-9]{{17}}[0-9X]') "
            f"AND try_strptime(substr({col}, 7, 8), '%Y%m%d') IS NOT NULL)")


def check_char(col: str) -> str:
    """The expected check character of a well-formed number (garbage for other strings: guard with well_formed)."""
    terms = " + ".join(f"(ascii(substr({col}, {i + 1}, 1)) - 48) * {w}" for i, w in enumerate(WEIGHTS))
    return f"substr({lit(CHECK_CHARS)}, (({terms}) % 11) + 1, 1)"


def birth_date(col: str) -> str:
    return f"CAST(try_strptime(substr({col}, 7, 8), '%Y%m%d') AS DATE)"


def sex(col: str) -> str:
    return f"CASE WHEN (ascii(substr({col}, 17, 1)) - 48) % 2 = 1 THEN 'M' ELSE 'F' END"


def id_checks(feed: str, col: str) -> list[RowCheck]:
    """ID_FORMAT_<col> and ID_CHECKSUM_<col> (mutually exclusive: the checksum is only judged on a well-formed number)."""
    c = f"t.{col}"
    return [
        RowCheck(
            f"ID_FORMAT_{col}", feed, f"{c} IS NOT NULL AND NOT {well_formed(c)}",
            fmt(f"{feed}.{col} '{{}}' is not a GB 11643 number: expected 17 digits with a real birth date (digits 7-14) "
                "and a check character 0-9 or X", c),
            fmt_zh(f"{feed}.{col} '{{}}' 不符合 GB 11643 公民身份号码格式：应为 17 位数字（第 7-14 位为有效出生日期）"
                   "加校验码 0-9 或 X", c),
            f"{col} is an 18-character GB 11643 number with a real birth date",
        ),
        RowCheck(
            f"ID_CHECKSUM_{col}", feed, f"{well_formed(c)} AND substr({c}, 18, 1) <> {check_char(c)}",
            fmt(f"{feed}.{col} '{{}}' has check character {{}}; GB 11643 (ISO 7064 MOD 11-2) expects {{}}",
                c, f"substr({c}, 18, 1)", check_char(c)),
            fmt_zh(f"{feed}.{col} '{{}}' 校验码为 {{}}，按 GB 11643 应为 {{}}", c, f"substr({c}, 18, 1)", check_char(c)),
            f"{col} has the right GB 11643 check character",
        ),
    ]
