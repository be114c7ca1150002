"""The SQL GB 11643 checks agree with checks/id_number.py on valid, mistyped and malformed numbers."""

from __future__ import annotations

import random

import duckdb

from checks import id_number
from checks import id_number_sql as idn
from tests.checks.staging import make_id


def _numbers() -> list[str]:
    rng = random.Random(11643)
    out = []
    for _ in range(400):
        birth = f"{rng.randint(1920, 2025)}{rng.randint(1, 12):02d}{rng.randint(1, 31):02d}"
        good = make_id(birth, f"{rng.randint(0, 999):03d}", region=f"{rng.randint(110000, 659999)}")
        out.append(good)
        out.append(good[:17] + rng.choice("0123456789X"))  # random check character: right about 1 time in 11
    out += ["", "X" * 18, "50010619800101001", "5001061980010100111", "50010619800101001x", "500106198002300011"]
    return out


def test_sql_agrees_with_python():
    con = duckdb.connect()
    numbers = _numbers()
    con.execute("CREATE TABLE ids (id VARCHAR)")
    con.executemany("INSERT INTO ids VALUES (?)", [[n] for n in numbers])
    rows = con.execute(f"""SELECT id, {idn.well_formed("id")} AND substr(id, 18, 1) = {idn.check_char("id")},
        CASE WHEN {idn.well_formed("id")} THEN {idn.birth_date("id")} END,
        CASE WHEN {idn.well_formed("id")} THEN {idn.sex("id")} END FROM ids""").fetchall()
    assert len(rows) == len(numbers)
    valid = 0
    for number, ok, birth, sex in rows:
        assert ok == id_number.is_valid(number), number
        if ok:
            valid += 1
            assert birth == id_number.birth_date(number) and sex == id_number.sex(number), number
    assert 400 < valid < 800  # both kinds are exercised
