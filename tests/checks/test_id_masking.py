"""ID numbers in free text (reasons, evidence, quarantine, halt messages) are masked to their first 6 and last 4
characters; other identifiers that merely contain 18 digits in a row (an expense record id is X + 21 digits) stay as
they are, or caseworkers could not look the records up. Python, DuckDB and Polars apply the same pattern."""

import duckdb
import polars as pl
import pytest

from checks.id_number import ID_IN_TEXT, ID_IN_TEXT_MASKED, ID_IN_TEXT_MASKED_POLARS, mask_ids_in_text

CASES = [
    ("500106198810210025|H00000001", "500106********0025|H00000001"),
    ('{"person_id":"50010619881021002X"}', '{"person_id":"500106********002X"}'),
    ("两人 500106198810210025,500106198810210033 同户", "两人 500106********0025,500106********0033 同户"),
    ("500106198810210025", "500106********0025"),
    ('{"record_id":"X000000980320251003300"}', '{"record_id":"X000000980320251003300"}'),  # an expense record id
    ("R00000001012025022", "R00000001012025022"),  # an income record id
    ("5001061988102100251", "5001061988102100251"),  # 19 digits: not an ID number
]


@pytest.mark.parametrize("text, masked", CASES)
def test_python(text, masked):
    assert mask_ids_in_text(text) == masked


def test_duckdb_and_polars_agree_with_python():
    texts = [t for t, _ in CASES]
    once = f"regexp_replace(t, '{ID_IN_TEXT}', '{ID_IN_TEXT_MASKED}', 'g')"
    twice = once.replace("regexp_replace(t,", f"regexp_replace({once},", 1)
    got = [r[0] for r in duckdb.sql(f"SELECT {twice} FROM unnest($texts) WITH ORDINALITY u(t, i) ORDER BY i",
                                    params={"texts": texts}).fetchall()]
    assert got == [m for _, m in CASES]
    frame = pl.DataFrame({"t": texts}).select(pl.col("t").str.replace_all(ID_IN_TEXT, ID_IN_TEXT_MASKED_POLARS)
                                              .str.replace_all(ID_IN_TEXT, ID_IN_TEXT_MASKED_POLARS))
    assert frame["t"].to_list() == [m for _, m in CASES]


def test_the_export_sql_uses_the_same_pattern_twice_per_column():
    from sql import ROOT

    text = (ROOT / "queue" / "export_rows.sql").read_text(encoding="utf-8")
    assert text.count(f"'{ID_IN_TEXT}', '{ID_IN_TEXT_MASKED}', 'g'") == 4  # reasons and evidence, two passes each
