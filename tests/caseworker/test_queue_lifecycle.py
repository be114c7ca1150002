"""The caseworker loop through the queue merge (sql/queue/queue_next.sql): in_progress keeps a warning active with its
deadline, a later final outcome closes it, in_progress never reopens a closed warning; the exports carry the district
escalation list of warnings overdue by more than `queue.escalation_overdue_working_days`."""

import datetime as dt

import duckdb
import openpyxl
import polars as pl
import pytest

from flows import exports, queue
from flows.outcomes import import_outcomes
from flows.store import Store
from models.rules.parameters import ParameterSet
from tests.caseworker.helpers import CSV_HEADER, write_csv

PARAMS = ParameterSet.load()
H1, H2 = "H0001", "H0002"


def night(store: Store, as_of: dt.date, candidates: list[tuple[str, str, str]], out: dict | None = None) -> dict:
    """Run the queue stage of night D on hand-made candidates (household, condition, code); return {warning_id: row}."""
    con = duckdb.connect()
    con.execute(f"ATTACH '{store.db_path}' AS store")
    PARAMS.to_duckdb(con, as_of)
    queue.write_reference_tables(con, PARAMS, as_of)
    con.execute("CREATE TABLE candidates (household_id VARCHAR, condition_key VARCHAR, warning_code VARCHAR, "
                "reasons VARCHAR, evidence VARCHAR)")
    if candidates:
        con.executemany("INSERT INTO candidates VALUES (?, ?, ?, '原因', '{}')", candidates)
    con.execute("CREATE TABLE households AS SELECT * FROM (VALUES ('H0001', '500106001001'), ('H0002', '500106002003')) "
                "t(household_id, region_code)")
    con.execute("CREATE TABLE persons AS SELECT * FROM (VALUES ('H0001', '张三', '500106195001011234', 'head')) "
                "t(household_id, name, person_id, relation)")
    con.execute("CREATE TABLE quarantine (feed VARCHAR, drop_date DATE, file VARCHAR, line INTEGER, record_id VARCHAR, "
                "check_code VARCHAR, reason_zh VARCHAR, reason_en VARCHAR)")
    queue.merge(con, as_of)
    queue.publish(con, as_of)
    if out is not None:
        out["hashes"] = exports.write_exports(con, store.exports_dir(as_of), as_of)
    rows = con.sql("SELECT * FROM queue_next").pl()
    con.close()
    return {r["warning_id"]: r for r in rows.iter_rows(named=True)}


def outcome(store, tmp_path, arrival, line):
    path = write_csv(tmp_path / f"{arrival}.csv", CSV_HEADER, line)
    report = import_outcomes(store.root, path, arrival)
    assert report["applied"] == 1, report
    return report


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "store")
    s.init()
    return s


def test_in_progress_keeps_the_warning_active_until_a_final_outcome_closes_it(tmp_path, store):
    d1, d2, d3, d4 = dt.date(2026, 3, 2), dt.date(2026, 3, 3), dt.date(2026, 3, 4), dt.date(2026, 3, 5)
    (wid, raised), = night(store, d1, [(H1, "inc", "INCOME_OVER_LIMIT")]).items()
    outcome(store, tmp_path, d2, f"{wid},in_progress,,,CW7,入户中")
    w = night(store, d2, [(H1, "inc", "INCOME_OVER_LIMIT")])[wid]
    assert (w["status"], w["deadline"], w["resolved_date"]) == ("in_progress", raised["deadline"], None)
    w = night(store, d3, [(H1, "inc", "INCOME_OVER_LIMIT")])[wid]
    assert w["status"] == "in_progress"
    outcome(store, tmp_path, d4, f"{wid},confirmed,2026-03-05,terminated,CW7,")
    queue_d4 = night(store, d4, [(H1, "inc", "INCOME_OVER_LIMIT")])
    assert (queue_d4[wid]["status"], queue_d4[wid]["resolved_date"]) == ("confirmed", d4)
    assert len(queue_d4) == 1  # unchanged evidence: not raised again


def test_in_progress_never_reopens_a_warning_the_data_closed(tmp_path, store):
    d1, d2, d3 = dt.date(2026, 3, 2), dt.date(2026, 3, 3), dt.date(2026, 3, 4)
    (wid, _), = night(store, d1, [(H1, "inc", "INCOME_OVER_LIMIT")]).items()
    outcome(store, tmp_path, d2, f"{wid},in_progress,,,CW7,")
    assert night(store, d2, [(H1, "inc", "INCOME_OVER_LIMIT")])[wid]["status"] == "in_progress"
    w = night(store, d3, [])[wid]                      # the condition disappeared from the data
    assert (w["status"], w["resolved_date"]) == ("resolved_by_data", d3)
    w = night(store, dt.date(2026, 3, 5), [])[wid]     # the old in_progress outcome does not reopen it
    assert (w["status"], w["resolved_date"]) == ("resolved_by_data", d3)


def test_district_escalation_lists_warnings_overdue_by_more_than_the_parameter(tmp_path, store):
    raised_on, today = dt.date(2026, 2, 2), dt.date(2026, 3, 2)
    cands = [(H1, "death:E1", "MEMBER_DECEASED"), (H2, "edge", "EDGE_FAMILY")]
    night(store, raised_on, cands)
    out = {}
    night(store, today, cands, out)
    folder = store.exports_dir(today)
    assert {"district_escalation.csv", "district_escalation.xlsx", "500106001.xlsx"} <= set(out["hashes"])
    escalated = pl.read_csv(folder / "district_escalation.csv")
    street = pl.read_csv(folder / "500106001.csv")
    assert escalated.columns == street.columns
    assert escalated["warning_code"].to_list() == ["MEMBER_DECEASED"]
    assert escalated["days_left"][0] < -PARAMS.value("queue.escalation_overdue_working_days", today)
    wb = openpyxl.load_workbook(folder / "district_escalation.xlsx")
    assert wb.sheetnames == ["全部", "小龙坎街道 (1条)", "说明"]
