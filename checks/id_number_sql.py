"""GB 11643 checks in DuckDB SQL, the set-based twin of `checks/id_number.py` (cross-checked in tests/checks).

The check character is computed with the weights and the character table of `checks.id_number` (one source), unrolled
into 17 plain multiplications of the digits of one BIGINT: cheaper in DuckDB than a list lambda or `ascii(substr())`
per digit. The checks share one derived column per ID column (`derived_number`), computed once per row.
"""

from __future__ import annotations

from checks.id_number import CHECK_CHARS, WEIGHTS
from checks.row_check import RowCheck, fmt, fmt_zh, lit


def well_formed(col: str) -> str:
    """18 characters: 17 digits then 0-9 or X, and digits 7-14 a real calendar date."""
    return (
        f"(regexp_full_match({col}, '[0-9]{{17}}[0-9X]') AND try_strptime(substr({col}, 7, 8), '%Y%m%d') IS NOT NULL)"
    )


def digits17(col: str) -> str:
    """The first 17 characters as one BIGINT (NULL when they are not all digits). 10^17 fits in a BIGINT."""
    return f"TRY_CAST(substr({col}, 1, 17) AS BIGINT)"


def check_char_of(n: str) -> str:
    """The check character of the 17-digit number `n` (a BIGINT expression, see `digits17`): digit i is
    n // 10^(16-i) % 10 — integer arithmetic, about 3x cheaper in DuckDB than 17 `ascii(substr(...))`."""
    terms = " + ".join(f"({n} // {10 ** (16 - i)} % 10) * {w}" for i, w in enumerate(WEIGHTS))
    return f"substr({lit(CHECK_CHARS)}, (({terms}) % 11) + 1, 1)"


def check_char(col: str) -> str:
    """The expected check character of a well-formed number (NULL or garbage for other strings: guard with well_formed)."""
    return check_char_of(digits17(col))


def birth_date(col: str) -> str:
    return f"CAST(try_strptime(substr({col}, 7, 8), '%Y%m%d') AS DATE)"


def sex(col: str) -> str:
    return f"CASE WHEN (ascii(substr({col}, 17, 1)) - 48) % 2 = 1 THEN 'M' ELSE 'F' END"


def birth_date_of(n: str) -> str:
    """Digits 7-14 of the 17-digit number `n` as a DATE (only for well-formed numbers, whose date is real)."""
    return (
        f"make_date(CAST({n} // 10000000 % 10000 AS BIGINT), CAST({n} // 100000 % 100 AS BIGINT), "
        f"CAST({n} // 1000 % 100 AS BIGINT))"
    )


def sex_of(n: str) -> str:
    """`M` when the 17th digit (the last of `n`) is odd."""
    return f"CASE WHEN {n} % 2 = 1 THEN 'M' ELSE 'F' END"


def number_column(col: str) -> str:
    """Name of the derived column `id_checks` adds: the first 17 digits as a BIGINT when `col` is well formed, else NULL."""
    return f"_{col}_n17"


def derived_number(col: str) -> tuple[str, str]:
    """(name, SQL over `t`) of the per-row ID fact the ID checks share. The checks stage computes it once per row in one
    pass (checks/runner.py), so the regular expression and the date parse run once, not once per check."""
    return number_column(col), f"CASE WHEN {well_formed(f't.{col}')} THEN {digits17(f't.{col}')} END"


def id_checks(feed: str, col: str) -> list[RowCheck]:
    """ID_FORMAT_<col> and ID_CHECKSUM_<col> (mutually exclusive: the checksum is only judged on a well-formed number).

    Both read the derived column `t._<col>_n17` (`derived_number`): NULL exactly when the value is missing or not well
    formed, else the first 17 digits as a number."""
    c, n = f"t.{col}", f"t.{number_column(col)}"
    derived = (derived_number(col),)
    return [
        RowCheck(
            f"ID_FORMAT_{col}",
            feed,
            f"{c} IS NOT NULL AND {n} IS NULL",
            fmt(
                f"{feed}.{col} '{{}}' is not a GB 11643 number: expected 17 digits with a real birth date (digits 7-14) "
                "and a check character 0-9 or X",
                c,
            ),
            fmt_zh(
                f"{feed}.{col} '{{}}' 不符合 GB 11643 公民身份号码格式：应为 17 位数字（第 7-14 位为有效出生日期）"
                "加校验码 0-9 或 X",
                c,
            ),
            f"{col} is an 18-character GB 11643 number with a real birth date",
            derived=derived,
        ),
        RowCheck(
            f"ID_CHECKSUM_{col}",
            feed,
            f"{n} IS NOT NULL AND substr({c}, 18, 1) <> {check_char_of(n)}",
            fmt(
                f"{feed}.{col} '{{}}' has check character {{}}; GB 11643 (ISO 7064 MOD 11-2) expects {{}}",
                c,
                f"substr({c}, 18, 1)",
                check_char_of(n),
            ),
            fmt_zh(
                f"{feed}.{col} '{{}}' 校验码为 {{}}，按 GB 11643 应为 {{}}", c, f"substr({c}, 18, 1)", check_char_of(n)
            ),
            f"{col} has the right GB 11643 check character",
            derived=derived,
        ),
    ]
