"""Importing caseworkers' outcomes (flows/caseworker/outcomes.py): CSV and returned workbooks, row by row, nothing lost."""

import csv
import datetime as dt

import duckdb
import openpyxl
import pytest

from flows.caseworker.outcomes import OutcomeImportError, import_outcomes, register
from flows.outputs.workbook import ALL_SHEET, write_street_workbook
from tests.caseworker.helpers import AS_OF, CSV_HEADER, STREET, export_row, frame, make_store, outcomes, snap, write_csv

ARRIVAL = dt.date(2026, 3, 5)
W = [None] + [f"W20260302-{n:010d}" for n in range(1, 10)]


@pytest.fixture
def store(tmp_path):
    return make_store(
        tmp_path / "store",
        [snap(n) for n in range(1, 7)]
        + [snap(n, as_of=AS_OF) for n in range(1, 7)]
        + [snap(7, as_of=AS_OF, status="resolved_by_data")],
    )


def fill(path, entries: dict[int, dict], sheet=ALL_SHEET):
    """Fill the workbook's fill-in columns like a caseworker: {row number: {header: value}}."""
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    heads = [c.value for c in ws[1]]
    for row, values in entries.items():
        for title, value in values.items():
            ws.cell(row, heads.index(title) + 1, value)
    wb.save(path)
    return path


def returned_workbook(tmp_path, entries, n=6):
    path = tmp_path / f"{STREET}.xlsx"
    write_street_workbook(
        path, frame(*(export_row(i, "00" + str(1 + i % 2)) for i in range(1, n + 1))), STREET, "小龙坎街道", AS_OF, 3
    )
    return fill(path, entries)


def test_returned_workbook_applies_valid_rows_and_reports_each_invalid_one(tmp_path, store):
    path = returned_workbook(
        tmp_path,
        {
            2: {
                "核查结果": "confirmed",
                "办结日期": dt.datetime(2026, 3, 4),
                "处置措施": "terminated",
                "核查人": 1024,
                "备注": "已入户核实",
            },
            3: {"核查结果": "dismissed", "办结日期": "2026-03-04", "处置措施": "none"},
            4: {"核查结果": "approved", "办结日期": dt.datetime(2026, 3, 4)},  # bad outcome
            5: {"核查结果": "confirmed"},  # no resolved date
            6: {"核查结果": "dismissed", "办结日期": dt.datetime(2026, 3, 9)},  # after arrival
            # row 7: nothing filled in: skipped
        },
    )
    report = import_outcomes(store.root, path, ARRIVAL)
    assert (report["rows"], report["applied"], report["duplicates"], report["skipped_blank"]) == (6, 2, 0, 1)
    assert [(r["row"], r["warning_id"], r["reason_code"]) for r in report["rejected"]] == [
        (4, W[3], "bad_outcome"),
        (5, W[4], "missing_resolved_date"),
        (6, W[5], "resolved_after_arrival"),
    ]
    assert "核查结果“approved”无效" in report["rejected"][0]["reason_zh"]
    assert "after the file arrived on 2026-03-05" in report["rejected"][2]["reason_en"]
    assert outcomes(store) == [
        (W[1], "confirmed", dt.date(2026, 3, 4), "terminated", "1024", "已入户核实", 2, ARRIVAL),
        (W[2], "dismissed", dt.date(2026, 3, 4), "none", None, None, 3, ARRIVAL),
    ]
    with open(report["rejected_file"], encoding="utf-8-sig") as fh:
        rejected = list(csv.DictReader(fh))
    assert [(r["row"], r["outcome"], r["resolved_date"]) for r in rejected] == [
        ("4", "approved", "2026-03-04"),
        ("5", "confirmed", ""),
        ("6", "dismissed", "2026-03-09"),
    ]


def test_csv_of_the_contract_is_imported_and_logged(tmp_path, store):
    path = write_csv(
        tmp_path / "outcomes.csv",
        CSV_HEADER,
        f'{W[1]},confirmed,2026-03-04,adjusted,CW7,"核实属实, 已调整"',
        "W20990101-XXXXXXXXXX,dismissed,2026-03-04,none,CW7,",  # unknown warning
        f"{W[2]},in_progress,,,CW7,已预约入户",
        f"{W[3]},confirmed,2026-03-01,enrolled,CW7,",  # before it was raised
        f"{W[4]},dismissed,2026-03-04,stopped,CW7,户主500106195001011234",  # unknown action
        f"{W[6]},in_progress,2026-03-04,,CW7,",  # in progress yet a resolved date
        f"{W[5]},,,,,",
    )  # nothing filled in
    report = import_outcomes(store.root, path, ARRIVAL)
    assert (report["format"], report["rows"], report["applied"], report["skipped_blank"]) == ("csv", 7, 2, 1)
    assert [(r["row"], r["reason_code"]) for r in report["rejected"]] == [
        (3, "unknown_warning"),
        (5, "resolved_before_raised"),
        (6, "bad_action"),
        (7, "in_progress_with_date"),
    ]
    assert report["rejected"][2]["note"] == "户主500106********1234"  # what leaves the store is masked
    assert [(o[0], o[1], o[5]) for o in outcomes(store)] == [
        (W[1], "confirmed", "核实属实, 已调整"),
        (W[2], "in_progress", "已预约入户"),
    ]
    with duckdb.connect(str(store.db_path)) as con:
        assert con.execute("SELECT kind, drop_date, name, sha256 FROM input_log").fetchall() == [
            ("outcomes", ARRIVAL, "outcomes.csv", report["sha256"])
        ]
    assert store.get(report["sha256"]).read_bytes() == path.read_bytes()
    assert (store.root / "exports" / f"outcomes-2026-03-05-{report['sha256'][:8]}-rejected.csv").exists()


def test_importing_the_same_file_twice_applies_nothing_new(tmp_path, store):
    path = write_csv(
        tmp_path / "o.csv",
        CSV_HEADER,
        f"{W[1]},in_progress,,,CW7,",
        f"{W[1]},confirmed,2026-03-04,none,CW7,",
        f"{W[2]},dismissed,2026-03-04,none,CW7,",
        "W-UNKNOWN,dismissed,2026-03-04,none,CW7,",
    )
    first = import_outcomes(store.root, path, ARRIVAL)
    before = outcomes(store)
    second = import_outcomes(store.root, path, ARRIVAL)
    assert (first["applied"], first["duplicates"], len(first["rejected"])) == (3, 0, 1)
    assert (second["applied"], second["duplicates"], len(second["rejected"])) == (0, 3, 1)
    assert outcomes(store) == before
    with duckdb.connect(str(store.db_path)) as con:
        assert con.execute("SELECT count(*) FROM input_log").fetchone()[0] == 1


def test_a_recorded_outcome_is_never_overwritten_only_repeated_exactly(tmp_path, store):
    """A different outcome is a contradiction; the same outcome with another date, action, caseworker or note is a
    correction the import may not make on its own (rejected, saying what is recorded); only an exact repeat is a
    duplicate."""
    import_outcomes(
        store.root, write_csv(tmp_path / "a.csv", CSV_HEADER, f"{W[1]},confirmed,2026-03-04,terminated,CW7,"), ARRIVAL
    )
    later = write_csv(
        tmp_path / "b.csv",
        CSV_HEADER,
        f"{W[1]},confirmed,2026-03-05,adjusted,CW7,更正：3月5日办结，措施为调整",
        f"{W[1]},in_progress,,,CW8,",
        f"{W[2]},dismissed,2026-03-05,none,CW8,",
        f"{W[1]},Confirmed,2026-03-04,terminated,CW7,",
        f"{W[2]},不属实,2026-03-05,无需处置,CW8,已复核",
    )
    report = import_outcomes(store.root, later, dt.date(2026, 3, 6))
    assert (report["applied"], report["duplicates"]) == (1, 1)
    assert [(r["row"], r["reason_code"]) for r in report["rejected"]] == [
        (2, "differs_from_earlier_outcome"),
        (3, "already_closed"),
        (6, "differs_from_earlier_outcome"),
    ]
    assert report["rejected"][0]["reason_zh"] == (
        "该预警已记录为属实（confirmed）（办结日期 2026-03-04，处置措施 terminated）（2026-03-05 导入，文件 a.csv 第 2 行），"
        "本行的办结日期、处置措施、备注与之不同；已记录的结果不会被覆盖，如需更正请联系区民政局"
    )
    assert "this row differs in note" in report["rejected"][2]["reason_en"]  # against row 4 of the same file
    contradicting = write_csv(
        tmp_path / "c.csv", CSV_HEADER, f"{W[1]},dismissed,2026-03-05,none,CW8,", f"{W[2]},属实,2026-03-05,none,CW8,"
    )
    report = import_outcomes(store.root, contradicting, dt.date(2026, 3, 7))
    assert [(r["row"], r["reason_code"]) for r in report["rejected"]] == [
        (2, "contradicts_earlier_outcome"),
        (3, "contradicts_earlier_outcome"),
    ]
    assert (
        "已记录为属实（confirmed）" in report["rejected"][0]["reason_zh"]
        and "a.csv" in report["rejected"][0]["reason_en"]
    )
    assert "已记录为不属实（dismissed）" in report["rejected"][1]["reason_zh"]
    assert sorted((o[0], o[1], o[2], o[3]) for o in outcomes(store)) == [
        (W[1], "confirmed", dt.date(2026, 3, 4), "terminated"),
        (W[2], "dismissed", dt.date(2026, 3, 5), "none"),
    ]


def test_two_different_outcomes_for_one_warning_in_one_file_are_both_rejected_naming_each_other(tmp_path, store):
    """The caseworker decides which is right; the import does not take the first. The same outcome twice, or
    核查中 before a final outcome, is no conflict (its near-miss twin)."""
    path = write_csv(
        tmp_path / "o.csv",
        CSV_HEADER,
        f"{W[1]},属实,2026-03-04,停止救助,CW7,",
        f"{W[2]},in_progress,,,CW7,已约入户",
        f"{W[1]},dismissed,2026-03-04,none,CW7,",
        f"{W[2]},不属实,2026-03-04,无需处置,CW7,",
        f"{W[3]},confirmed,2026-03-04,none,CW7,",
        f"{W[3]},属实,2026-03-04,无需处置,CW7,",
    )
    report = import_outcomes(store.root, path, ARRIVAL)
    assert [(r["row"], r["reason_code"]) for r in report["rejected"]] == [
        (2, "conflicting_outcomes_in_file"),
        (4, "conflicting_outcomes_in_file"),
    ]
    assert "第 4 行为不属实（dismissed）" in report["rejected"][0]["reason_zh"]
    assert "row 2 says confirmed" in report["rejected"][1]["reason_en"]
    assert (report["applied"], report["duplicates"]) == (3, 1)
    assert [o[:4] for o in outcomes(store)] == [
        (W[2], "in_progress", None, None),
        (W[2], "dismissed", dt.date(2026, 3, 4), "none"),
        (W[3], "confirmed", dt.date(2026, 3, 4), "none"),
    ]


def test_an_in_progress_report_with_a_new_note_is_recorded_the_same_one_is_a_duplicate(tmp_path, store):
    first = write_csv(tmp_path / "a.csv", CSV_HEADER, f"{W[1]},核查中,,,CW7,已约入户")
    assert import_outcomes(store.root, first, ARRIVAL)["applied"] == 1
    again = write_csv(tmp_path / "b.csv", CSV_HEADER, f"{W[1]},in_progress,,,CW7,已约入户", f"{W[2]},核查中,,,CW8,")
    assert (lambda r: (r["applied"], r["duplicates"]))(import_outcomes(store.root, again, ARRIVAL)) == (1, 1)
    later = write_csv(tmp_path / "c.csv", CSV_HEADER, f"{W[1]},核查中,,,CW9,已入户，待补材料")
    assert import_outcomes(store.root, later, dt.date(2026, 3, 6))["applied"] == 1
    assert [o[4:6] for o in outcomes(store) if o[0] == W[1]] == [("CW7", "已约入户"), ("CW9", "已入户，待补材料")]


def test_the_resolved_date_is_checked_against_the_day_the_file_came_in(tmp_path, store):
    """Received on 03-05 after night 03-05 had run, the file applies from night 03-06, yet an outcome dated 03-06 is
    still after the day the file came in."""
    with duckdb.connect(str(store.db_path)) as con:
        con.execute("INSERT INTO runs (run_id, as_of, status, seq) VALUES ('r', DATE '2026-03-05', 'ok', 1)")
    path = write_csv(
        tmp_path / "o.csv",
        CSV_HEADER,
        f"{W[1]},confirmed,2026-03-06,terminated,CW7,",
        f"{W[2]},confirmed,2026-03-05,terminated,CW7,",
    )
    report = import_outcomes(store.root, path, ARRIVAL)
    assert (report["received"], report["arrival"], report["applied"]) == ("2026-03-05", "2026-03-06", 1)
    assert [(r["row"], r["reason_code"]) for r in report["rejected"]] == [(2, "resolved_after_arrival")]
    assert "晚于文件接收日期 2026-03-05" in report["rejected"][0]["reason_zh"]
    with duckdb.connect(str(store.db_path)) as con:  # what an audit rerun replays: applied from 03-06, received 03-05
        assert con.execute("SELECT drop_date, first_seen_as_of FROM input_log").fetchall() == [
            (dt.date(2026, 3, 6), dt.date(2026, 3, 5))
        ]
    replay = make_store(tmp_path / "replay", [snap(n) for n in (1, 2)])
    again = import_outcomes(replay.root, path, dt.date(2026, 3, 5), applies=dt.date(2026, 3, 6))
    assert (again["applied"], [r["reason_code"] for r in again["rejected"]]) == (1, ["resolved_after_arrival"])


def test_a_row_whose_household_or_street_is_not_its_warnings_is_rejected(tmp_path, store):
    """A caseworker sorted only the outcome columns (row 3 now carries row 4's household) and pasted in a row of another
    street's workbook: neither is applied to the warning its id names."""
    path = returned_workbook(
        tmp_path,
        {
            2: {"核查结果": "dismissed", "办结日期": "2026-03-04", "处置措施": "none"},
            3: {"户编号": "H0003", "核查结果": "confirmed", "办结日期": "2026-03-04"},
            4: {"镇街代码": "500106018", "核查结果": "confirmed", "办结日期": "2026-03-04"},
        },
    )
    report = import_outcomes(store.root, path, ARRIVAL)
    assert report["applied"] == 1
    assert [(r["row"], r["warning_id"], r["reason_code"]) for r in report["rejected"]] == [
        (3, W[2], "household_id_mismatch"),
        (4, W[3], "street_code_mismatch"),
    ]
    assert "本行的户编号 H0003 与预警 W20260302-0000000002 的户编号 H0002 不一致" in report["rejected"][0]["reason_zh"]
    assert [o[0] for o in outcomes(store)] == [W[1]]


def test_a_warning_closed_by_the_data_takes_a_verdict_but_not_in_progress(tmp_path, store):
    path = write_csv(
        tmp_path / "o.csv", CSV_HEADER, f"{W[7]},in_progress,,,CW7,", f"{W[7]},confirmed,2026-03-04,adjusted,CW7,"
    )
    report = import_outcomes(store.root, path, ARRIVAL)
    assert report["applied"] == 1
    assert [(r["row"], r["reason_code"]) for r in report["rejected"]] == [(2, "warning_not_open")]


def test_a_warning_issued_after_the_arrival_date_is_unknown(tmp_path):
    store = make_store(tmp_path / "s", [snap(1, as_of=dt.date(2026, 3, 6), raised=dt.date(2026, 3, 6))])
    report = import_outcomes(
        store.root, write_csv(tmp_path / "o.csv", CSV_HEADER, f"{W[1]},dismissed,2026-03-05,none,,"), ARRIVAL
    )
    assert [r["reason_code"] for r in report["rejected"]] == ["unknown_warning"]


def test_round_trip_write_fill_in_import(tmp_path, store):
    path = returned_workbook(
        tmp_path,
        {
            2: {"核查结果": "in_progress", "核查人": "CW7"},
            4: {
                "核查结果": "dismissed",
                "办结日期": dt.datetime(2026, 3, 5),
                "处置措施": "none",
                "核查人": "CW7",
                "备注": "收入已核实",
            },
            7: {"备注": "户主外出务工，待回访"},
        },
    )  # a note without an outcome
    report = import_outcomes(store.root, path, ARRIVAL)
    assert (report["format"], report["rows"], report["applied"], report["skipped_blank"]) == ("xlsx", 6, 2, 3)
    assert [(r["row"], r["warning_id"], r["reason_code"], r["note"]) for r in report["rejected"]] == [
        (7, W[6], "missing_outcome", "户主外出务工，待回访")
    ]
    assert [o[:6] for o in outcomes(store)] == [
        (W[1], "in_progress", None, None, "CW7", None),
        (W[3], "dismissed", dt.date(2026, 3, 5), "none", "CW7", "收入已核实"),
    ]


def test_a_result_typed_only_on_a_community_sheet_is_reported_not_lost(tmp_path, store):
    path = returned_workbook(tmp_path, {2: {"核查结果": "dismissed", "办结日期": dt.datetime(2026, 3, 4)}})
    wb = openpyxl.load_workbook(path)
    community = wb.sheetnames[1]
    fill(path, {2: {"核查结果": "confirmed", "办结日期": dt.datetime(2026, 3, 4)}}, sheet=community)
    report = import_outcomes(store.root, path, ARRIVAL)
    assert report["applied"] == 1
    assert [(r["sheet"], r["row"], r["reason_code"]) for r in report["rejected"]] == [
        (community, 2, "filled_outside_main_sheet")
    ]


def test_an_unreadable_file_is_refused_and_nothing_recorded(tmp_path, store):
    bad = tmp_path / "o.csv"
    bad.write_bytes(b"warning_id,outcome\nW1,confirmed\n" + b"\xff\xff\xff\xfe")
    with pytest.raises(OutcomeImportError, match="neither UTF-8 nor GBK/GB18030") as err:
        import_outcomes(store.root, bad, ARRIVAL)
    assert "既不是 UTF-8 也不是 GBK" in err.value.zh
    with pytest.raises(OutcomeImportError, match="no column outcome"):
        import_outcomes(store.root, write_csv(tmp_path / "x.csv", "warning_id,result", "W1,ok"), ARRIVAL)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(OutcomeImportError, match="not a readable .xlsx"):
        import_outcomes(store.root, broken, ARRIVAL)
    with duckdb.connect(str(store.db_path)) as con:
        assert con.execute("SELECT count(*) FROM input_log").fetchone()[0] == 0


def _cli(argv):
    import argparse

    parser = argparse.ArgumentParser(prog="safetynet")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


def test_command_line_exit_codes(tmp_path, store, capsys):
    good = write_csv(
        tmp_path / "o.csv", CSV_HEADER, f"{W[1]},confirmed,2026-03-04,none,CW7,", "W-NOPE,confirmed,2026-03-04,none,,"
    )
    assert _cli(["outcomes", "import", str(good), "--store", str(store.root), "--arrival", "2026-03-05"]) == 0
    out = capsys.readouterr().out
    assert "1 applied" in out and "REJECTED o.csv row 3 W-NOPE" in out and "预警编号 W-NOPE 不存在" in out
    assert _cli(["outcomes", "import", str(tmp_path / "missing.csv"), "--store", str(store.root)]) == 2
    assert "cannot read the file" in capsys.readouterr().err


def test_the_headers_of_workbooks_sent_out_before_the_renaming_are_still_read(tmp_path, store):
    path = write_csv(
        tmp_path / "old.csv",
        "预警编号,处理结果,办结日期,处置措施,核实人,备注",
        f"{W[1]},confirmed,2026-03-04,none,CW7,旧表头",
    )
    assert import_outcomes(store.root, path, ARRIVAL)["applied"] == 1
    assert outcomes(store)[0][:6] == (W[1], "confirmed", dt.date(2026, 3, 4), "none", "CW7", "旧表头")


def _report(arrival: str, latest: str | None, applied: int = 1) -> dict:
    return {"file": "r.xlsx", "format": "xlsx", "sha256": "0" * 64, "arrival": arrival, "received": arrival,
            "latest_night": latest, "rows": 1, "applied": applied, "duplicates": 0, "skipped_blank": 0,
            "rejected": []}  # fmt: skip


def test_outcomes_dated_after_the_next_night_say_that_earlier_nights_do_not_apply_them():
    """The demo's nights are in the past: imported today, the outcomes would be silently absent from its next night."""
    from flows.caseworker.outcomes import format_report

    late = format_report(_report("2026-12-04", "2026-03-04")).splitlines()
    assert len(late) == 3 and "--arrival" in late[2] and "库中最近一晚为 2026-03-04" in late[2]
    assert len(format_report(_report("2026-03-05", "2026-03-04")).splitlines()) == 2  # the next night applies them
    assert len(format_report(_report("2026-12-04", "2026-03-04", applied=0)).splitlines()) == 2  # nothing to apply
    assert len(format_report(_report("2026-12-04", None)).splitlines()) == 2  # no night yet: the first one applies them
