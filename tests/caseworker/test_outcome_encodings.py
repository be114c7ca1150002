"""Outcome files as Chinese offices save them: Excel and WPS on a Chinese system save "CSV" as GBK/GB18030, which is
read as such (UTF-8 with or without a byte-order mark stays the default); a legacy .xls is refused with a Chinese reason
saying to save it as .xlsx; every file-level refusal carries a Chinese reason."""

import datetime as dt

import pytest

from flows.caseworker.outcomes import OutcomeImportError, decode_csv, import_outcomes
from tests.caseworker.helpers import CSV_HEADER, make_store, outcomes, snap

ARRIVAL = dt.date(2026, 3, 5)
W1, W2 = "W20260302-0000000001", "W20260302-0000000002"
NOTE = "已入户核实，家中有残疾人，收入属实"


@pytest.fixture
def store(tmp_path):
    return make_store(tmp_path / "store", [snap(1), snap(2)])


def _file(tmp_path, name: str, encoding: str, bom: bytes = b"") -> object:
    text = f"{CSV_HEADER}\n{W1},dismissed,2026-03-04,none,CW7,{NOTE}\n{W2},confirmed,2026-03-04,adjusted,CW7,\n"
    path = tmp_path / name
    path.write_bytes(bom + text.encode(encoding))
    return path


@pytest.mark.parametrize("encoding, bom", [("gbk", b""), ("gb18030", b""), ("utf-8", b""), ("utf-8", b"\xef\xbb\xbf")])
def test_the_same_outcomes_whatever_the_offices_encoding(tmp_path, store, encoding, bom):
    report = import_outcomes(store.root, _file(tmp_path, "o.csv", encoding, bom), ARRIVAL)
    assert report["applied"] == 2 and report["rejected"] == []
    notes = {r[0]: r[5] for r in outcomes(store)}
    assert notes[W1] == NOTE and not notes[W2]


def test_utf8_is_tried_first_and_gbk_only_when_it_is_not_utf8():
    assert decode_csv("核实".encode()) == ("核实", "utf-8")
    assert decode_csv("核实".encode("gbk")) == ("核实", "gb18030")
    with pytest.raises(UnicodeDecodeError):  # UTF-8 cut inside its last character: a truncated copy, not GBK
        decode_csv("核实".encode()[:-1])


def test_a_legacy_xls_is_refused_with_a_chinese_reason(tmp_path, store):
    path = tmp_path / "街道.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    with pytest.raises(OutcomeImportError, match=r"legacy Excel 97-2003 \(.xls\)") as err:
        import_outcomes(store.root, path, ARRIVAL)
    assert "另存为 .xlsx" in err.value.zh and outcomes(store) == []


@pytest.mark.parametrize(
    "content, zh",
    [
        (None, "无法读取该文件"),
        (b"", "是空文件"),
        (b"warning_id,result\nW1,ok\n", "表头缺少"),
        (b"PK\x03\x04 not a zip", "不是可读取的 .xlsx"),
        (b"\x00\x01\x02binary", "是二进制文件"),
    ],
)
def test_every_file_level_refusal_has_a_chinese_reason(tmp_path, store, capsys, content, zh):
    from flows.cli import main

    path = tmp_path / "o.csv"
    if content is not None:
        path.write_bytes(content)
    assert main(["outcomes", "import", str(path), "--store", str(store.root)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and err[0].startswith("outcomes import: ") and err[1].startswith("无法导入：") and zh in err[1]
