"""Bad deliveries: the night halts with a message naming the file, or the row is quarantined with its line and reason."""

import datetime as dt

import duckdb
import pytest

from checks.halt import NightHalted
from flows.ingest import drops, staging
from tests.flows.drop_writer import write_drop

D = dt.date(2026, 3, 2)
HH = {
    "household_id": "H1",
    "region_code": "500106001001",
    "hukou_type": "urban",
    "address": "a",
    "registered_date": "2020-01-01",
}


def _select_halts(drops_dir) -> NightHalted:
    """The halt that selecting night D's files raises."""
    with pytest.raises(NightHalted) as err:
        drops.select(drops_dir, D)
    return err.value


def test_missing_required_feed_halts_naming_the_file(tmp_path):
    write_drop(tmp_path, "2026-03-02", {"households": [HH]}, skip=("persons",))
    err = _select_halts(tmp_path)
    assert err.check_code == "FEED_MISSING" and "2026-03-02/persons.csv" in err.message


def test_header_without_a_contract_column_halts(tmp_path):
    folder = write_drop(tmp_path, "2026-03-02", {"households": [HH]})
    (folder / "households.csv").write_text(
        "household_id,region_code,address,registered_date\nH1,500106001001,a,2020-01-01\n"
    )
    err = _select_halts(tmp_path)
    assert err.check_code == "HEADER_MISSING_COLUMN" and "hukou_type" in err.message


def test_file_that_fails_its_manifest_halts(tmp_path):
    folder = write_drop(tmp_path, "2026-03-02", {"households": [HH, HH | {"household_id": "H2"}]}, manifest=True)
    data = (folder / "households.csv").read_text()
    (folder / "households.csv").write_text(data[: data.rindex("H2")])  # truncated in transfer
    err = _select_halts(tmp_path)
    assert err.check_code == "MANIFEST_MISMATCH" and "households.csv" in err.message


def test_manifest_row_count_is_checked_after_loading(tmp_path):
    folder = write_drop(tmp_path, "2026-03-02", {"households": [HH]}, manifest=True)
    manifest = (folder / "_MANIFEST.csv").read_text().replace("households.csv,1,", "households.csv,2,")
    (folder / "_MANIFEST.csv").write_text(manifest)
    with pytest.raises(NightHalted) as err:
        staging.load(duckdb.connect(), drops.select(tmp_path, D))
    assert err.value.check_code == "MANIFEST_MISMATCH" and "1 data rows read" in err.value.message


def test_untypable_and_malformed_rows_are_quarantined_and_counted(tmp_path):
    folder = write_drop(tmp_path, "2026-03-02", {})
    (folder / "households.csv").write_text(
        "household_id,region_code,hukou_type,address,registered_date\n"
        "H1,500106001001,urban,a,2020-01-01\n"
        "H2,500106001001,urban,b,2020-13-01\n"  # line 3: impossible date
        "H3,500106001001\n"  # line 4: too few columns
        'H4,500106001002,rural,"x, y",2021-02-02\n'
    )
    con = duckdb.connect()
    staging.load(con, drops.select(tmp_path, D))
    assert con.execute("SELECT household_id, _line FROM stg_households ORDER BY 2").fetchall() == [("H1", 2), ("H4", 5)]
    q = con.execute("SELECT line, record_id, check_code FROM quarantine ORDER BY line").fetchall()
    assert q == [(3, "H2", "TYPE_registered_date"), (4, None, "CSV_STRUCTURE")]
    reason = con.execute("SELECT reason_zh FROM quarantine WHERE line = 3").fetchone()[0]
    assert "2020-13-01" in reason
    rows_in = con.execute("SELECT rows_in FROM raw_counts WHERE feed = 'households'").fetchone()[0]
    assert rows_in == 4 == 2 + len(q)  # nothing lost: loaded + quarantined


def test_money_with_more_than_two_decimals_is_not_silently_rounded(tmp_path):
    write_drop(
        tmp_path,
        "2026-03-02",
        {
            "income": [
                {
                    "record_id": "R1",
                    "person_id": "P1",
                    "month": "2026-01",
                    "source_type": "wage",
                    "amount": "10.005",
                    "provider": "tax",
                }
            ]
        },
    )
    con = duckdb.connect()
    staging.load(con, drops.select(tmp_path, D))
    assert con.execute("SELECT check_code FROM quarantine").fetchall() == [("TYPE_amount",)]


def test_file_not_in_utf8_halts_without_quoting_it(tmp_path):
    folder = write_drop(tmp_path, "2026-03-02", {"households": [HH | {"address": "重庆市沙坪坝区"}]})
    path = folder / "households.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("gbk"))  # a GBK export
    err = _select_halts(tmp_path)
    assert err.check_code == "FILE_UNREADABLE" and "2026-03-02/households.csv is not UTF-8" in err.message
    assert "沙坪坝" not in str(err) and "H1" not in str(err)


@pytest.mark.parametrize(
    "header",
    [
        "household_id,region_code,hukou_type,address,registered_date,address",
        "household_id,region_code,hukou_type,address,registered_date,",
    ],
)
def test_header_with_a_repeated_or_empty_column_halts(tmp_path, header):
    folder = write_drop(tmp_path, "2026-03-02", {"households": [HH]})
    (folder / "households.csv").write_text(header + "\nH1,500106001001,urban,a,2020-01-01,x\n")
    err = _select_halts(tmp_path)
    assert err.check_code == "HEADER_INVALID" and "2026-03-02/households.csv" in err.message


def test_file_listed_in_the_manifest_but_not_delivered_halts(tmp_path):
    app = {
        "application_id": "A1",
        "household_id": "H1",
        "program": "dibao",
        "submitted_date": "2026-02-01",
        "decided_date": "",
        "decision": "",
    }
    folder = write_drop(tmp_path, "2026-03-02", {"households": [HH], "applications": [app]}, manifest=True)
    (folder / "applications.csv").unlink()  # an optional feed, lost in transfer
    err = _select_halts(tmp_path)
    assert err.check_code == "MANIFEST_MISMATCH" and "applications.csv, not delivered" in err.message


def test_manifest_with_a_byte_order_mark_is_read(tmp_path):
    folder = write_drop(tmp_path, "2026-03-02", {"households": [HH]}, manifest=True)
    manifest = folder / "_MANIFEST.csv"
    manifest.write_bytes(b"\xef\xbb\xbf" + manifest.read_bytes())
    selection = drops.select(tmp_path, D)
    assert [f.manifest_rows for f in selection.files["households"]] == [1]


def test_drop_folder_named_like_an_impossible_date_halts_the_night(tmp_path):
    write_drop(tmp_path, "2026-03-02", {"households": [HH]})
    (tmp_path / "2026-02-30").mkdir()
    assert drops.drop_dates(tmp_path) == [D]  # listing the drops (the scheduler, the demo) still works
    err = _select_halts(tmp_path)  # the night itself halts, inside the night, so it is recorded
    assert err.check_code == "FILE_UNREADABLE" and "2026-02-30" in err.message


def test_file_without_its_header_halts_without_quoting_an_id_number(tmp_path):
    folder = write_drop(tmp_path, "2026-03-02", {"households": [HH]})
    (folder / "households.csv").write_text("H1,500106001001,urban,11010119900101123X,2020-01-01\n")
    err = _select_halts(tmp_path)
    assert err.check_code == "HEADER_MISSING_COLUMN"
    assert "11010119900101123X" not in err.message and "110101********123X" in err.message


HH_HEADER = "household_id,region_code,hukou_type,address,registered_date\n"


def test_an_unterminated_quote_that_swallows_lines_halts(tmp_path):
    folder = write_drop(tmp_path, "2026-03-02", {})
    body = "".join(f"H{i},500106001001,urban,a,2020-01-01\n" for i in range(5, 2000))
    (folder / "households.csv").write_text(
        HH_HEADER + 'H1,500106001001,urban,a,2020-01-01\nH2,500106001001,urban,"open,2020-01-01\n' + body
    )
    with pytest.raises(NightHalted) as err:
        staging.load(duckdb.connect(), drops.select(tmp_path, D))
    assert err.value.check_code == "FILE_UNREADABLE" and "2026-03-02/households.csv" in err.value.message
    assert "belong to no record" in err.value.message and "line 3" in err.value.message


def test_quoted_line_breaks_blank_lines_and_a_short_open_quote_lose_nothing(tmp_path):
    folder = write_drop(tmp_path, "2026-03-02", {})
    (folder / "households.csv").write_text(
        HH_HEADER
        + 'H1,500106001001,urban,"重庆市\n沙坪坝区",2020-01-01\n'  # lines 2-3: a quoted value with a line break
        + "\n"  # line 4: blank
        + "H2,500106001001,urban,b,2020-01-01\n"  # line 5
        + 'H3,500106001001,urban,"c,2020-01-01\n'  # line 6: the quote is never closed ...
        + "H4,500106001001,urban,d,2020-01-01\n"
    )  # line 7: ... and takes this line with it
    con = duckdb.connect()
    staging.load(con, drops.select(tmp_path, D))
    staged = con.execute("SELECT household_id, address FROM stg_households ORDER BY household_id").fetchall()
    assert staged == [("H1", "重庆市\n沙坪坝区"), ("H2", "b")]
    [(code, reason_en, reason_zh)] = con.execute("SELECT check_code, reason_en, reason_zh FROM quarantine").fetchall()
    assert code == "CSV_STRUCTURE" and "runs over 2 lines" in reason_en and "跨 2 行" in reason_zh


def test_a_line_break_in_an_extra_column_is_accounted_for(tmp_path):
    folder = write_drop(tmp_path, "2026-03-02", {})
    (folder / "households.csv").write_text(
        HH_HEADER.rstrip("\n") + ",note\n"
        'H1,500106001001,urban,a,2020-01-01,"x\ny"\n'  # extra column, two lines
        "H2,500106001001,urban,b,2020-01-01,z\n"
    )
    con = duckdb.connect()
    staging.load(con, drops.select(tmp_path, D))
    assert con.execute("SELECT household_id FROM stg_households ORDER BY 1").fetchall() == [("H1",), ("H2",)]
    assert con.execute("SELECT count(*) FROM quarantine").fetchone()[0] == 0


def test_a_file_cut_off_in_its_last_record_halts_without_a_manifest(tmp_path):
    """The last record has no line end and too few values: the delivery stopped there. Quarantining it would leave
    the rest of the extract silently missing (its households would look unenrolled)."""
    folder = write_drop(tmp_path, "2026-03-02", {})
    (folder / "households.csv").write_text(HH_HEADER + "H1,500106001001,urban,a,2020-01-01\nH2,500106001")
    with pytest.raises(NightHalted) as err:
        staging.load(duckdb.connect(), drops.select(tmp_path, D))
    assert err.value.check_code == "FILE_TRUNCATED" and "2026-03-02/households.csv" in err.value.message
    assert "H2" not in err.value.message  # nothing of the delivered text is quoted


def test_a_whole_last_record_without_a_line_end_loads(tmp_path):
    folder = write_drop(tmp_path, "2026-03-02", {})
    (folder / "households.csv").write_text(
        HH_HEADER + "H1,500106001001,urban,a,2020-01-01\nH2,500106001001,urban,b,2020-01-01"
    )
    con = duckdb.connect()
    staging.load(con, drops.select(tmp_path, D))
    assert con.execute("SELECT household_id FROM stg_households ORDER BY 1").fetchall() == [("H1",), ("H2",)]
    assert con.execute("SELECT count(*) FROM quarantine").fetchone()[0] == 0


def test_a_file_that_mixes_line_endings_halts_with_the_reason(tmp_path):
    folder = write_drop(tmp_path, "2026-03-02", {})
    (folder / "households.csv").write_bytes(
        (
            HH_HEADER.replace("\n", "\r\n") + "H1,500106001001,urban,a,2020-01-01\r\n"
            "H2,500106001001,urban,b,2020-01-01\nH3,500106001001,urban,c,2020-01-01\r\n"
        ).encode()
    )
    with pytest.raises(NightHalted) as err:
        staging.load(duckdb.connect(), drops.select(tmp_path, D))
    assert err.value.check_code == "FILE_UNREADABLE" and "2026-03-02/households.csv" in err.value.message
    assert "line endings" in err.value.message and "H2" not in err.value.message
