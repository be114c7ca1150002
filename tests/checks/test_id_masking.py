"""ID numbers in free text are masked to their first 6 and last 4 characters (docs/CONTRACT.md §4), typos and all. Texts
quoting delivered values (quarantine list, halt messages, caseworkers' notes) mask 17 digits and a check character
wherever they stand; the exports' reasons and evidence mask a run of 17-19 only where it stands alone, so that record
ids holding long digit runs (an expense record id is X + 21 digits) stay readable. Python, DuckDB and Polars agree."""

import duckdb
import polars as pl
import pytest

from checks.id_number import (
    ID_IN_TEXT,
    ID_IN_TEXT_MASKED,
    ID_LIKE,
    ID_LIKE_MASKED_POLARS,
    mask_id_like,
    mask_ids_in_text_polars,
)

ANYWHERE = [
    ("500106198810210025|H00000001", "500106********0025|H00000001"),
    ("persons.person_id '11010119900101123XX' is not", "persons.person_id '110101********123XX' is not"),
    ("1101011990010112345|H1", "110101********12345|H1"),  # a digit too many
    ("A11010119900101123X", "A110101********123X"),  # a stray letter before it
    ("户主500106198810210025联系", "户主500106********0025联系"),
    ("R00000001012025022", "R00000001012025022"),  # R + 17 digits: an income record id, not an ID number
]
STANDING_ALONE = [
    ('{"person_id":"50010619881021002X"}', '{"person_id":"500106********002X"}'),
    ("两人 500106198810210025,500106198810210033 同户", "两人 500106********0025,500106********0033 同户"),
    ("500106198810210025", "500106********0025"),
    ("5001061988102100251", "500106********0251"),  # a digit too many, standing alone
    ("50010619881021002", "500106********1002"),  # a digit short, standing alone
    ('{"record_id":"X000000980320251003300"}', '{"record_id":"X000000980320251003300"}'),  # an expense record id
    ("R00000001012025022", "R00000001012025022"),
]


@pytest.mark.parametrize("text, masked", ANYWHERE)
def test_anywhere_python_and_polars(text, masked):
    assert mask_id_like(text) == masked
    assert pl.Series([text]).str.replace_all(ID_LIKE, ID_LIKE_MASKED_POLARS).to_list() == [masked]


def test_standing_alone_in_duckdb():
    once = f"regexp_replace(t, '{ID_IN_TEXT}', '{ID_IN_TEXT_MASKED}', 'g')"
    twice = once.replace("regexp_replace(t,", f"regexp_replace({once},", 1)
    got = duckdb.sql(
        f"SELECT {twice} FROM unnest($texts) WITH ORDINALITY u(t, i) ORDER BY i",
        params={"texts": [t for t, _ in STANDING_ALONE]},
    ).fetchall()
    assert [r[0] for r in got] == [m for _, m in STANDING_ALONE]


def test_standing_alone_in_polars_agrees_with_duckdb():
    frame = pl.DataFrame({"t": [t for t, _ in STANDING_ALONE]})
    assert frame.select(mask_ids_in_text_polars("t"))["t"].to_list() == [m for _, m in STANDING_ALONE]


def test_the_export_sql_uses_the_same_pattern_twice_per_column():
    from sql import ROOT

    text = (ROOT / "queue" / "export_rows.sql").read_text(encoding="utf-8")
    assert text.count(f"'{ID_IN_TEXT}', '{ID_IN_TEXT_MASKED}', 'g'") == 4  # reasons and evidence, two passes each


def test_the_rerun_diff_masks_id_numbers_standing_alone(tmp_path):
    """What an auditor's rerun prints and writes (flows/rerun.py warning_diff) masks ID numbers as the exports do."""
    import datetime as dt

    from flows.rerun import warning_diff
    from tests.caseworker.helpers import make_store, snap

    evidence = '{"person_id": "500106196603030014", "record_id": "X0000001234567890123"}'
    recorded = make_store(
        tmp_path / "a", [snap(1) | {"condition_key": "TEKUN_CANDIDATE:500106196603030014", "evidence": evidence}]
    )
    rebuilt = make_store(tmp_path / "b", [])
    [row] = warning_diff(recorded.root, rebuilt.root, dt.date(2026, 3, 2)).iter_rows(named=True)
    assert (row["change"], row["condition_key"]) == ("would_close", "TEKUN_CANDIDATE:500106********0014")
    assert row["recorded_evidence"] == '{"person_id": "500106********0014", "record_id": "X0000001234567890123"}'
