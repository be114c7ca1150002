"""As-of semantics of docs/CONTRACT.md §1, on tiny hand-made drops: which rows a night sees."""

import datetime as dt

import duckdb
import pytest

import sql
from checks.halt import NightHalted
from flows.ingest import drops, staging
from tests.flows.drop_writer import write_drop

HH = {
    "household_id": "H1",
    "region_code": "500106001001",
    "hukou_type": "urban",
    "address": "a",
    "registered_date": "2020-01-01",
}


def income(record_id, amount, month="2026-01"):
    return {
        "record_id": record_id,
        "person_id": "P1",
        "month": month,
        "source_type": "wage",
        "amount": amount,
        "provider": "tax",
    }


def state(root, as_of, **kw):
    con = duckdb.connect()
    staging.load(con, drops.select(root, as_of, **kw))
    sql.build(con, "state")
    return con


def test_later_row_with_same_record_id_is_a_correction(tmp_path):
    write_drop(tmp_path, "2026-03-02", {"households": [HH], "income": [income("R1", "100.00"), income("R2", "50.00")]})
    write_drop(tmp_path, "2026-03-03", {"households": [HH], "income": [income("R1", "120.00")]})
    rows = state(tmp_path, dt.date(2026, 3, 3)).execute("SELECT record_id, amount FROM income ORDER BY 1").fetchall()
    assert [(r, float(a)) for r, a in rows] == [("R1", 120.0), ("R2", 50.0)]


def test_newest_full_extract_replaces_state(tmp_path):
    write_drop(tmp_path, "2026-03-02", {"households": [HH, HH | {"household_id": "H2"}]})
    write_drop(tmp_path, "2026-03-03", {"households": [HH | {"address": "new"}]})
    rows = state(tmp_path, dt.date(2026, 3, 3)).execute("SELECT household_id, address FROM households").fetchall()
    assert rows == [("H1", "new")]


def test_drop_dated_after_as_of_is_ignored(tmp_path):
    write_drop(tmp_path, "2026-03-02", {"households": [HH], "income": [income("R1", "100.00")]})
    write_drop(tmp_path, "2026-03-03", {"households": [], "income": [income("R1", "999.00")]})
    con = state(tmp_path, dt.date(2026, 3, 2))
    assert con.execute("SELECT count(*) FROM households").fetchone()[0] == 1
    assert float(con.execute("SELECT amount FROM income").fetchone()[0]) == 100.0


def test_increment_that_only_holds_a_header_is_fine(tmp_path):
    write_drop(tmp_path, "2026-03-02", {"households": [HH]})
    assert state(tmp_path, dt.date(2026, 3, 2)).execute("SELECT count(*) FROM income").fetchone()[0] == 0


def test_no_drop_on_the_as_of_date_halts_unless_allowed(tmp_path):
    write_drop(tmp_path, "2026-03-02", {"households": [HH]})
    with pytest.raises(NightHalted) as err:
        drops.select(tmp_path, dt.date(2026, 3, 3))
    assert err.value.check_code == "STALE_FEEDS" and "2026-03-02" in err.value.message
    sel = drops.select(tmp_path, dt.date(2026, 3, 3), allow_stale=True)
    assert sel.stale and sel.latest_drop == dt.date(2026, 3, 2)
