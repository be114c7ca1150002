"""The caseworker loop through the queue merge (sql/queue/queue_next.sql): in_progress keeps a warning active with its
deadline, a later final outcome closes it, in_progress never reopens a closed warning; the exports carry the district
escalation list of warnings overdue by more than `queue.escalation_overdue_working_days`."""

import datetime as dt

import duckdb
import openpyxl
import polars as pl
import pytest

from flows.caseworker.outcomes import import_outcomes
from flows.outputs import exports
from flows.queue import merge as queue
from flows.store import Store
from models.rules.parameters import ParameterSet
from tests.caseworker.helpers import CSV_HEADER, write_csv

PARAMS = ParameterSet.load()
H1, H2 = "H0001", "H0002"


def night(store: Store, as_of: dt.date, candidates: list[tuple], out: dict | None = None) -> dict:
    """Run the queue stage of night D on hand-made candidates (household, condition, code[, evidence JSON]); return
    {warning_id: row}."""
    con = duckdb.connect()
    con.execute(f"ATTACH '{store.db_path}' AS store")
    PARAMS.to_duckdb(con, as_of)
    queue.write_reference_tables(con, PARAMS, as_of)
    con.execute(
        "CREATE TABLE candidates (household_id VARCHAR, condition_key VARCHAR, warning_code VARCHAR, "
        "reasons VARCHAR, evidence VARCHAR)"
    )
    if candidates:
        con.executemany(
            "INSERT INTO candidates VALUES (?, ?, ?, '原因', ?)",
            [(*c[:3], c[3] if len(c) > 3 else "{}") for c in candidates],
        )
    con.execute(
        "CREATE TABLE households AS SELECT * FROM (VALUES ('H0001', '500106001001', '土湾路1号'), "
        "('H0002', '500106002003', '天星桥路2号')) t(household_id, region_code, address)"
    )
    con.execute(
        "CREATE TABLE communities AS SELECT * FROM (VALUES ('500106001001', '土湾社区', '500106001')) "
        "t(community_code, community_name, street_code)"
    )
    con.execute(
        "CREATE TABLE persons AS SELECT * FROM (VALUES ('H0001', '张三', '500106195001011234', 'head')) "
        "t(household_id, name, person_id, relation)"
    )
    con.execute(
        "CREATE TABLE quarantine (feed VARCHAR, drop_date DATE, file VARCHAR, line INTEGER, record_id VARCHAR, "
        "check_code VARCHAR, reason_zh VARCHAR, reason_en VARCHAR)"
    )
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
    ((wid, raised),) = night(store, d1, [(H1, "inc", "INCOME_OVER_LIMIT")]).items()
    outcome(store, tmp_path, d2, f"{wid},in_progress,,,CW7,入户中")
    w = night(store, d2, [(H1, "inc", "INCOME_OVER_LIMIT")])[wid]
    assert (w["status"], w["deadline"], w["resolved_date"]) == ("in_progress", raised["deadline"], None)
    w = night(store, d3, [(H1, "inc", "INCOME_OVER_LIMIT")])[wid]
    assert w["status"] == "in_progress"
    outcome(store, tmp_path, d4, f"{wid},confirmed,2026-03-05,terminated,CW7,")
    queue_d4 = night(store, d4, [(H1, "inc", "INCOME_OVER_LIMIT")])
    assert (queue_d4[wid]["status"], queue_d4[wid]["resolved_date"]) == ("confirmed", d4)
    assert len(queue_d4) == 1  # unchanged evidence: not raised again


def test_a_closed_warning_comes_back_when_its_records_change_not_because_a_night_passed(tmp_path, store):
    """APPLICATION_OVERDUE counts working days up to D and MEDICAL_SHOCK names a look-back ending on D: both change every
    night with the same records. A dismissed warning stays closed while only they move; a changed record raises it again
    (a new warning id, a new deadline)."""
    d1, d2, d3, d4 = dt.date(2026, 3, 2), dt.date(2026, 3, 3), dt.date(2026, 3, 4), dt.date(2026, 3, 5)

    def overdue(elapsed, submitted="2026-01-05"):
        return (
            H1,
            "APPLICATION_OVERDUE:A1",
            "APPLICATION_OVERDUE",
            f'{{"application_id": "A1", "submitted_date": "{submitted}", "working_days_elapsed": {elapsed}}}',
        )

    def medical(start, end, total="52000.00"):
        return (
            H2,
            "MEDICAL_SHOCK",
            "MEDICAL_SHOCK",
            f'{{"expenses": [{{"record_id": "X1", "self_paid_amount": {total}}}], "period": "{start}..{end}", '
            f'"self_paid_total": {total}}}',
        )

    first = night(store, d1, [overdue(31), medical("2025-03-03", "2026-03-02")])
    ids = {w["warning_code"]: wid for wid, w in first.items()}
    outcome(store, tmp_path, d1, f"{ids['APPLICATION_OVERDUE']},dismissed,2026-03-02,none,CW7,已口头告知")
    outcome(store, tmp_path, d1, f"{ids['MEDICAL_SHOCK']},dismissed,2026-03-02,none,CW7,已核实")
    q2 = night(store, d2, [overdue(32), medical("2025-03-04", "2026-03-03")])
    assert sorted(q2) == sorted(ids.values())
    assert {w["status"] for w in q2.values()} == {"dismissed"}
    q3 = night(store, d3, [overdue(33, submitted="2026-01-06"), medical("2025-03-05", "2026-03-04", total="61000.00")])
    new = {w["warning_code"]: w for wid, w in q3.items() if wid not in ids.values()}
    assert sorted(new) == ["APPLICATION_OVERDUE", "MEDICAL_SHOCK"]
    assert {(w["status"], w["raised_date"]) for w in new.values()} == {("open", d3)}
    assert (
        len(
            night(
                store, d4, [overdue(34, submitted="2026-01-06"), medical("2025-03-06", "2026-03-05", total="61000.00")]
            )
        )
        == 4
    )


def test_days_left_on_a_weekend_night_counts_a_passed_deadline_as_overdue(tmp_path, store):
    """Deadlines by hand (2026 calendar, no holiday in March): MEMBER_DECEASED raised Mon 03-02 + 5 working days = Mon
    03-09; APPLICATION_OVERDUE raised Tue 03-03 + 3 = Fri 03-06. On Saturday 03-07 the Friday deadline has passed
    (overdue, -1) and Monday's is the next working day (0). On Saturday 03-14: 03-09 is 5 working days before Monday 03-16
    (03-10..03-16), 03-06 is 6."""
    death, app = (H2, "death:E1", "MEMBER_DECEASED"), (H1, "APPLICATION_OVERDUE:A1", "APPLICATION_OVERDUE")
    night(store, dt.date(2026, 3, 2), [death])
    raised = night(store, dt.date(2026, 3, 3), [death, app])
    assert sorted(w["deadline"] for w in raised.values()) == [dt.date(2026, 3, 6), dt.date(2026, 3, 9)]
    for saturday, expected in (
        (dt.date(2026, 3, 7), {"APPLICATION_OVERDUE": -1, "MEMBER_DECEASED": 0}),
        (dt.date(2026, 3, 14), {"APPLICATION_OVERDUE": -6, "MEMBER_DECEASED": -5}),
    ):
        night(store, saturday, [death, app], {})
        files = sorted(store.exports_dir(saturday).glob("50010600?.csv"))
        rows = pl.concat([pl.read_csv(f, infer_schema=False) for f in files])
        assert dict(zip(rows["warning_code"], rows["days_left"].cast(int))) == expected


def test_in_progress_never_reopens_a_warning_the_data_closed(tmp_path, store):
    d1, d2, d3 = dt.date(2026, 3, 2), dt.date(2026, 3, 3), dt.date(2026, 3, 4)
    ((wid, _),) = night(store, d1, [(H1, "inc", "INCOME_OVER_LIMIT")]).items()
    outcome(store, tmp_path, d2, f"{wid},in_progress,,,CW7,")
    assert night(store, d2, [(H1, "inc", "INCOME_OVER_LIMIT")])[wid]["status"] == "in_progress"
    w = night(store, d3, [])[wid]  # the condition disappeared from the data
    assert (w["status"], w["resolved_date"]) == ("resolved_by_data", d3)
    w = night(store, dt.date(2026, 3, 5), [])[wid]  # the old in_progress outcome does not reopen it
    assert (w["status"], w["resolved_date"]) == ("resolved_by_data", d3)


def test_district_escalation_lists_warnings_overdue_by_more_than_the_parameter(tmp_path, store):
    raised_on, today = dt.date(2026, 2, 2), dt.date(2026, 3, 2)
    cands = [(H1, "death:E1", "MEMBER_DECEASED"), (H2, "edge", "EDGE_FAMILY")]
    night(store, raised_on, cands)
    out = {}
    night(store, today, cands, out)
    folder = store.exports_dir(today)
    assert {"district_escalation.csv", "district_escalation.xlsx", "500106001_小龙坎街道.xlsx"} <= set(out["hashes"])
    escalated = pl.read_csv(folder / "district_escalation.csv", infer_schema=False)
    street = pl.read_csv(folder / "500106001.csv", infer_schema=False)
    assert escalated.columns == street.columns
    assert street.select("address", "community_code", "community_name").rows() == [
        ("土湾路1号", "500106001001", "土湾社区")
    ]
    assert escalated["warning_code"].to_list() == ["MEMBER_DECEASED"]
    assert int(escalated["days_left"][0]) < -PARAMS.value("queue.escalation_overdue_working_days", today)
    wb = openpyxl.load_workbook(folder / "district_escalation.xlsx")
    assert wb.sheetnames == ["全部", "小龙坎街道(1条)", "证据", "说明"]
