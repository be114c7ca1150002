"""Real-format resident ID numbers whose check characters were worked out by hand from GB 11643-1999 (weights
7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2, sum mod 11 -> 1 0 X 9 8 7 6 5 4 3 2), not by the production checksum. The first
two are the standard's and the literature's published examples. Every digit position is non-zero in at least one
number, so a wrong weight anywhere changes at least one check character. Python and the SQL the checks run must both
accept each number and reject each one-character near miss."""

import datetime as dt

import duckdb
import pytest

from checks import id_number
from checks import id_number_sql as idn

BY_HAND = [
    ("11010519491231002X", dt.date(1949, 12, 31), "F"),
    ("440524188001010014", dt.date(1880, 1, 1), "M"),
    ("500106196503040119", dt.date(1965, 3, 4), "M"),
    ("500106194002100444", dt.date(1940, 2, 10), "F"),
    ("500106201001200315", dt.date(2010, 1, 20), "M"),
    ("412726199111115654", dt.date(1991, 11, 11), "M"),
]
WRONG_CHECK = [
    "110105194912310020",
    "440524188001010015",
    "50010619650304011X",
    "500106194002100443",
    "500106201001200310",
    "412726199111115658",
]


def _sql(numbers: list[str]) -> dict[str, tuple]:
    con = duckdb.connect()
    con.execute("CREATE TABLE ids (id VARCHAR)")
    con.executemany("INSERT INTO ids VALUES (?)", [[n] for n in numbers])
    return {
        r[0]: r[1:]
        for r in con.execute(
            f"SELECT id, {idn.well_formed('id')} AND substr(id, 18, 1) = {idn.check_char('id')}, "
            f"{idn.birth_date('id')}, {idn.sex('id')} FROM ids"
        ).fetchall()
    }


@pytest.mark.parametrize("number, birth, sex", BY_HAND)
def test_hand_checked_numbers_are_valid_in_python(number, birth, sex):
    assert id_number.check_char(number[:17]) == number[17]
    assert id_number.is_valid(number) and id_number.birth_date(number) == birth and id_number.sex(number) == sex


def test_hand_checked_numbers_are_valid_in_sql():
    found = _sql([n for n, _, _ in BY_HAND])
    assert found == {n: (True, birth, sex) for n, birth, sex in BY_HAND}


def test_a_wrong_check_character_is_refused_in_python_and_sql():
    assert not any(id_number.is_valid(n) for n in WRONG_CHECK)
    assert [ok for ok, _, _ in _sql(WRONG_CHECK).values()] == [False] * len(WRONG_CHECK)
