"""GB 11643-1999 citizen identity numbers: check character, birth date and sex.

An 18-character number is 6 region digits, 8 birth-date digits (YYYYMMDD), 3 sequence digits whose last is odd for men
and even for women, and a check character (ISO 7064 MOD 11-2) that is 0-9 or X.
"""

from __future__ import annotations

import datetime as dt
import re

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"  # indexed by (weighted sum mod 11)


def check_char(first17: str) -> str:
    """The check character for the first 17 digits."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError(f"expected 17 digits, found {len(first17)} characters")
    return CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, WEIGHTS)) % 11]


def is_valid(person_id: str) -> bool:
    """True when the number has 18 characters, a real birth date and the right check character."""
    if len(person_id) != 18 or not person_id[:17].isdigit():
        return False
    try:
        birth_date(person_id)
    except ValueError:
        return False
    return person_id[17] == check_char(person_id[:17])


def birth_date(person_id: str) -> dt.date:
    return dt.datetime.strptime(person_id[6:14], "%Y%m%d").date()


def sex(person_id: str) -> str:
    """`M` when the sequence's last digit is odd, `F` when even."""
    return "M" if int(person_id[16]) % 2 == 1 else "F"


def mask(person_id: str) -> str:
    """Export form (docs/CONTRACT.md §4): first 6 and last 4 characters only."""
    return person_id[:6] + "*" * (len(person_id) - 10) + person_id[-4:]


# ID numbers inside free text, masked to their first 6 and last 4 characters (docs/CONTRACT.md §4).
# - `ID_LIKE`: 17 digits and a check character, anywhere, as the first 18 characters of a longer run too. For texts
#   that quote delivered values (the quarantine list, halt messages, caseworkers' notes), where a typo can glue an ID
#   number to other characters or give it a digit too many. An identifier holding such a run is masked too.
# - `ID_IN_TEXT`: a run of 17 to 19 such characters (an ID number, or one a digit short or long) standing alone, no
#   letter or digit touching it. For the rules' reasons and evidence, which name checked ID numbers, and also record
#   ids that must stay readable (an expense record id is X + 21 digits). Written without look-around, which DuckDB's
#   RE2 lacks, so a match takes the character on each side: two ID numbers one character apart need a second pass, and
#   its user (sql/queue/export_rows.sql) applies it twice.
ID_LIKE = r"(\d{6})\d{8}(\d{3}[\dXx])"
ID_LIKE_MASKED = r"\1********\2"
ID_LIKE_MASKED_POLARS = "${1}********${2}"
ID_IN_TEXT = r"(^|[^0-9A-Za-z])(\d{6})\d{7,9}(\d{3}[\dXx])([^0-9A-Za-z]|$)"
ID_IN_TEXT_MASKED = r"\1\2********\3\4"  # Python's and DuckDB's replacement syntax
ID_IN_TEXT_MASKED_POLARS = "${1}${2}********${3}${4}"
_ID_LIKE = re.compile(ID_LIKE)


def mask_ids_in_text_polars(column: str):
    """Polars expression: `column` with every ID number that stands alone masked (`ID_IN_TEXT`, two passes)."""
    import polars as pl

    return (
        pl.col(column)
        .str.replace_all(ID_IN_TEXT, ID_IN_TEXT_MASKED_POLARS)
        .str.replace_all(ID_IN_TEXT, ID_IN_TEXT_MASKED_POLARS)
    )


def mask_id_like(text: str) -> str:
    """`text` with every run that may be an ID number masked, wherever it stands (see `ID_LIKE`)."""
    return _ID_LIKE.sub(ID_LIKE_MASKED, text)
