"""Every user mistake is a usage error: exit 2 and one line naming the problem and the fix, found before any work
starts (a bad override file, a store that is a file, one night's folder given as the drops root, ...)."""

import datetime as dt

import pytest

from flows.cli import main, parser
from flows.store import db_path


def _usage_error(argv: list[str], capsys) -> str:
    """argparse's error for `argv`: exit 2, the usage lines and ONE error line, returned."""
    with pytest.raises(SystemExit) as exit_:
        parser().parse_args(argv)
    err = capsys.readouterr().err
    assert exit_.value.code == 2
    assert len([line for line in err.splitlines() if "error:" in line]) == 1 and "Traceback" not in err
    return err


@pytest.mark.parametrize(
    "content, expected",
    [
        (None, "does not exist"),
        ("no_such_param: 5\n", "unknown parameter 'no_such_param'"),
        ("dibao.standard_urban: [\n", "not valid YAML"),
        ("dibao.standard_urban: 5\n", "expected a mapping with 'values"),
        ("dibao.standard_urban: {values: {2026-13-01: {value: 700}}}\n", "month must be in 1..12"),
    ],
)
@pytest.mark.parametrize("command", ["nightly", "rerun"])
def test_bad_params_file_is_a_usage_error(tmp_path, capsys, content, expected, command):
    path = tmp_path / "override.yaml"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    drops = ["--drops", str(tmp_path)] if command == "nightly" else []
    err = _usage_error([command, *drops, "--as-of", "2026-03-02", "--params", str(path)], capsys)
    assert expected in err


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
    assert code == 2 and "store made by 'safetynet nightly'" in err and db_path(tmp_path).exists()


def test_demo_refuses_its_own_store_once_it_holds_imported_outcomes(tmp_path, capsys):
    import duckdb

    from flows.store import Store

    Store(tmp_path).mark("demo")
    Store(tmp_path).init()
    with duckdb.connect(str(db_path(tmp_path))) as con:
        con.execute("INSERT INTO outcomes (warning_id, outcome) VALUES ('W1', 'dismissed')")
    code, err = _demo(tmp_path, capsys)
    assert code == 2 and "1 imported caseworker outcome(s)" in err and db_path(tmp_path).exists()


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


# ---- --params: the nearest name, the short form, the format message -------------------------------------------------


def test_an_unknown_parameter_name_suggests_the_nearest(tmp_path, capsys):
    path = tmp_path / "p.yaml"
    path.write_text("dibao.standard_urbn: {values: {2026-01-01: {value: 700, reference: x}}}\n", encoding="utf-8")
    err = _usage_error(["rerun", "--as-of", "2026-03-02", "--params", str(path)], capsys)
    assert "unknown parameter 'dibao.standard_urbn'; did you mean 'dibao.standard_urban'?" in err


def test_the_short_form_is_explained_with_the_full_form(tmp_path, capsys):
    path = tmp_path / "p.yaml"
    path.write_text("dibao.standard_urban: 700\n", encoding="utf-8")
    err = _usage_error(["nightly", "--drops", str(tmp_path), "--as-of", "2026-03-02", "--params", str(path)], capsys)
    assert "found the short form 'dibao.standard_urban: 700'" in err
    assert "e.g. dibao.standard_urban: {values: {2026-01-01: {value: ..., reference: ..., status: unconfirmed}}}" in err
    assert "}}}}" not in err and "{{" not in err


# ---- the store, the drops, the sizes -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["nightly", "--drops", "{drops}", "--as-of", "2026-03-02", "--store", "{store}"],
        ["rerun", "--as-of", "2026-03-02", "--store", "{store}"],
        ["runs", "--store", "{store}"],
        ["report", "--store", "{store}"],
        ["train", "--store", "{store}", "--as-of", "2026-03-02"],
        ["outcomes", "import", "{drops}/o.csv", "--store", "{store}"],
        ["serve", "--drops", "{drops}", "--store", "{store}"],
    ],
)
def test_a_store_that_is_a_file(tmp_path, capsys, argv):
    (tmp_path / "drops").mkdir()
    (tmp_path / "var").write_text("not a folder")
    args = [a.format(drops=tmp_path / "drops", store=tmp_path / "var") for a in argv]
    err = _usage_error(args, capsys)
    assert "is not a folder" in err and "不是文件夹" in err


def test_a_store_under_a_file(tmp_path, capsys):
    (tmp_path / "var").write_text("not a folder")
    assert "is not a folder" in _usage_error(["runs", "--store", str(tmp_path / "var" / "s")], capsys)


def test_one_nights_folder_as_the_drops_root(tmp_path, capsys):
    night = tmp_path / "drops" / "2026-03-02"
    night.mkdir(parents=True)
    (night / "households.csv").write_text("household_id\n")
    err = _usage_error(["nightly", "--drops", str(night), "--as-of", "2026-03-02"], capsys)
    assert "looks like a single night's drop; pass its parent folder" in err and str(tmp_path / "drops") in err


def test_the_drops_root_itself_is_accepted(tmp_path):
    """The near miss: the parent of the night folders parses."""
    (tmp_path / "drops" / "2026-03-02").mkdir(parents=True)
    args = parser().parse_args(["nightly", "--drops", str(tmp_path / "drops"), "--as-of", "2026-03-02"])
    assert args.drops == tmp_path / "drops"


@pytest.mark.parametrize(
    "flag, value", [("--households", "0"), ("--households", "-5"), ("--nights", "0"), ("--households", "ten")]
)
def test_generate_with_no_or_negative_size(tmp_path, capsys, flag, value):
    err = _usage_error(["generate", "--out", str(tmp_path), flag, value], capsys)
    assert f"argument {flag}" in err


def test_train_with_no_labelled_outcomes_says_how_many_and_what_is_needed(tmp_path, capsys):
    import duckdb

    from flows.store import Store

    Store(tmp_path / "s").init()
    with duckdb.connect(str(db_path(tmp_path / "s"))) as con:
        con.execute(
            "INSERT INTO outcomes (warning_id, outcome, imported_as_of) VALUES ('W1', 'confirmed', ?), "
            "('W2', 'confirmed', ?), ('W3', 'dismissed', ?)",
            [dt.date(2026, 3, 2)] * 2 + [dt.date(2026, 3, 9)],
        )
    assert main(["train", "--store", str(tmp_path / "s"), "--as-of", "2026-03-04"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "holds 2 confirmed and 0 dismissed outcomes imported on or before 2026-03-04" in err
    assert "at least one outcome of each kind" in err and "no household description" in err


def test_train_with_no_store_at_all(tmp_path, capsys):
    assert main(["train", "--store", str(tmp_path / "none"), "--as-of", "2026-03-04"]) == 2
    assert "holds 0 confirmed and 0 dismissed" in capsys.readouterr().err


def test_a_store_taken_after_the_preflight_is_refused_without_a_traceback(tmp_path, prefect_harness, capsys, caplog):
    """Another process takes the store between the command's preflight and the flow opening it: the flow ends in a
    failed state with one line, and the command gets NightRefused (exit 2), with no traceback logged."""
    import subprocess
    import sys

    from flows.night import NightRefused
    from flows.nightly import run_night
    from flows.store import Store

    Store(tmp_path / "s").init()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('held', flush=True); sys.stdin.read()",
            str(db_path(tmp_path / "s")),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(NightRefused, match="in use by another process"):
            run_night(drops=str(tmp_path), as_of=dt.date(2026, 3, 2), store=str(tmp_path / "s"))
    finally:
        holder.communicate("")
    logged = caplog.text + capsys.readouterr().err
    assert "Traceback" not in logged and "in use by another process" in logged


def test_a_dask_scheduler_nobody_answers_at_is_refused_in_one_line(tmp_path, capsys):
    import socket

    with socket.socket() as closed:  # a port just released: nothing listens there
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    drops = tmp_path / "drops" / "2026-03-02"
    drops.mkdir(parents=True)
    store = tmp_path / "store"
    argv = ["nightly", "--drops", str(drops.parent), "--as-of", "2026-03-02", "--store", str(store)]
    code = main([*argv, "--partition", "county", "--dask", f"tcp://127.0.0.1:{port}"])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert f"tcp://127.0.0.1:{port}" in err and "无法连接 Dask 调度器" in err and "Traceback" not in err
    assert not db_path(store).exists()  # nothing run


def test_the_folder_above_the_drops_root_is_a_usage_error_naming_the_root(tmp_path, capsys):
    (tmp_path / "samples" / "drops" / "2026-03-02").mkdir(parents=True)
    (tmp_path / "samples" / "truth").mkdir()
    err = _usage_error(["nightly", "--drops", str(tmp_path / "samples"), "--as-of", "2026-03-02"], capsys)
    assert f"--drops {tmp_path / 'samples' / 'drops'}" in err


def test_an_empty_drops_root_is_still_accepted(tmp_path):
    (tmp_path / "drops").mkdir()
    args = parser().parse_args(["nightly", "--drops", str(tmp_path / "drops"), "--as-of", "2026-03-02"])
    assert args.drops == tmp_path / "drops"


def test_generate_into_a_file_is_a_usage_error(tmp_path, capsys):
    (tmp_path / "afile").write_text("mine", encoding="utf-8")
    err = _usage_error(["generate", "--out", str(tmp_path / "afile" / "sub")], capsys)
    assert "is a file" in err and "不是文件夹，请指定输出目录" in err
    assert (tmp_path / "afile").read_text(encoding="utf-8") == "mine"
