"""A bad override file for `safetynet nightly --params` is a usage error (exit 2, one line naming the problem), found
by the argument parser before any night starts."""

import pytest

from flows.cli import parser


@pytest.mark.parametrize("content, expected", [
    (None, "does not exist"),
    ("no_such_param: 5\n", "unknown parameter 'no_such_param'"),
    ("dibao.standard_urban: [\n", "not valid YAML"),
    ("dibao.standard_urban: 5\n", "expected a mapping with 'values"),
    ("dibao.standard_urban: {values: {2026-13-01: {value: 700}}}\n", "month must be in 1..12"),
])
def test_bad_params_file_is_a_usage_error(tmp_path, capsys, content, expected):
    path = tmp_path / "override.yaml"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(SystemExit) as exit_:
        parser().parse_args(["nightly", "--drops", str(tmp_path), "--as-of", "2026-03-02", "--params", str(path)])
    assert exit_.value.code == 2 and expected in capsys.readouterr().err


# ---- `demo` never empties a folder it did not create -------------------------------------------------------------------

def _demo(store, capsys) -> tuple[int, str]:
    from flows.cli import main

    code = main(["demo", "--store", str(store)])
    return code, capsys.readouterr().err


def test_demo_refuses_a_folder_with_an_unrelated_file(tmp_path, capsys):
    (tmp_path / "report_2025.docx").write_bytes(b"not ours")
    code, err = _demo(tmp_path, capsys)
    assert code == 2 and len(err.strip().splitlines()) == 1 and "refusing to empty" in err and "拒绝清空" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report_2025.docx"]  # untouched, no Prefect home either


def test_demo_refuses_a_store_made_by_nightly(tmp_path, capsys):
    from flows.store import Store

    Store(tmp_path).init()  # what `nightly` creates
    code, err = _demo(tmp_path, capsys)
    assert code == 2 and "store made by 'safetynet nightly'" in err and (tmp_path / "safetynet.duckdb").exists()


def test_demo_refuses_its_own_store_once_it_holds_imported_outcomes(tmp_path, capsys):
    import duckdb

    from flows.queue import OUTCOMES_DDL
    from flows.store import Store

    Store(tmp_path).mark("demo")
    Store(tmp_path).init()
    with duckdb.connect(str(tmp_path / "safetynet.duckdb")) as con:
        con.execute(OUTCOMES_DDL)
        con.execute("INSERT INTO outcomes (warning_id, outcome) VALUES ('W1', 'dismissed')")
    code, err = _demo(tmp_path, capsys)
    assert code == 2 and "1 imported caseworker outcome(s)" in err and (tmp_path / "safetynet.duckdb").exists()


def test_demo_may_empty_its_own_store_and_a_new_or_empty_folder(tmp_path):
    """The near-miss twins of the refusals: nothing to protect, so no refusal (the demo itself is run elsewhere)."""
    from flows.cli import demo_store_refusal
    from flows.store import Store

    assert demo_store_refusal(tmp_path / "new") is None
    assert demo_store_refusal(tmp_path) is None
    (tmp_path / "prefect").mkdir()  # Prefect's home, started there by this command
    assert demo_store_refusal(tmp_path) is None
    Store(tmp_path).mark("demo")
    Store(tmp_path).init()
    (tmp_path / "exports" / "2026-03-02").mkdir()
    assert demo_store_refusal(tmp_path) is None


def test_demo_store_that_is_a_file(tmp_path, capsys):
    (tmp_path / "f").write_text("x")
    code, err = _demo(tmp_path / "f", capsys)
    assert code == 2 and "is a file" in err
