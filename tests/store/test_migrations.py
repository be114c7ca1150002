"""A store keeps its schema version; an older store is migrated in place when opened (in one transaction, once), and a
store from a newer release is refused with one line — what an operator upgrading or downgrading safetynet relies on."""

import datetime as dt
import hashlib

import duckdb
import pytest

from flows import night as night_flow
from flows.cli import main
from flows.night import NightRefused, preflight
from flows.store import Store, StoreTooNew, connect, db_path, migrations, runs
from tests.flows.drop_writer import write_drop
from tests.flows.test_optional_feeds import _rows
from tests.store.v1 import v1_store

D1, D2 = dt.date(2026, 3, 1), dt.date(2026, 3, 2)
V1_RUNS = [
    ("20260301-halted0001", D1, "halted", "income ROW_COUNT", None, None, None),
    ("20260301-okrun00001", D1, "ok", "", 2, 2, "bb01"),
]


def _tables(root) -> dict[str, str]:
    with duckdb.connect(str(db_path(root)), read_only=True) as con:
        return dict(con.execute("SELECT table_name, sql FROM duckdb_tables() ORDER BY table_name").fetchall())


def _version(root) -> int:
    with duckdb.connect(str(db_path(root)), read_only=True) as con:
        return migrations.version(con, con.execute("SELECT current_database()").fetchone()[0])


def test_a_v1_store_is_migrated_in_place_when_opened_and_keeps_its_rows(tmp_path):
    root = v1_store(tmp_path / "s")
    assert _version(root) == 1 and "models" not in _tables(root)
    assert Store(root).latest_ok_night() == (D1, "20260301-okrun00001")  # a read-only open migrates first
    assert _version(root) == 2
    with connect(root, read_only=True) as con:
        assert runs.listing(con) == V1_RUNS
        assert con.execute("SELECT warning_id, outcome, imported_as_of FROM outcomes").fetchall() == [
            ("W-V1-0002", "dismissed", D2)
        ]
        assert con.execute("SELECT count(*) FROM warning_snapshots").fetchone()[0] == 2
        assert con.execute("SELECT count(*) FROM models").fetchone()[0] == 0


def test_a_migrated_store_has_exactly_the_tables_of_a_new_one(tmp_path):
    v1 = v1_store(tmp_path / "old")
    Store(v1).init()
    Store(tmp_path / "new").init()
    assert _tables(v1) == _tables(tmp_path / "new")
    assert set(_tables(v1)) == {"input_log", "models", "outcomes", "runs", "store_meta", "warning_snapshots"}


def test_opening_a_migrated_store_again_changes_nothing(tmp_path):
    root = v1_store(tmp_path / "s")
    Store(root).init()
    with connect(root) as con:
        before = con.execute("SELECT * FROM runs ORDER BY seq").fetchall()
    Store(root).init()
    with connect(root, read_only=True) as con:
        assert con.execute("SELECT * FROM store_meta").fetchall() == [(2,)]
        assert con.execute("SELECT * FROM runs ORDER BY seq").fetchall() == before


def test_a_migration_that_fails_leaves_the_store_as_it_was(tmp_path, monkeypatch):
    root = v1_store(tmp_path / "s")
    tables = _tables(root)

    def half(con, db):
        con.execute(f"ALTER TABLE {db}.runs ADD COLUMN half_done INTEGER")
        raise RuntimeError("killed half-way")

    monkeypatch.setitem(migrations.STEPS, 2, half)
    with pytest.raises(RuntimeError, match="half-way"):
        Store(root).init()
    assert _tables(root) == tables and _version(root) == 1


def test_a_runs_table_from_before_run_order_is_numbered_by_night(tmp_path):
    root = v1_store(
        tmp_path / "s",
        "CREATE TABLE runs(run_id VARCHAR PRIMARY KEY, as_of DATE, status VARCHAR, halted_feed VARCHAR, "
        "halted_check VARCHAR, warnings_open INTEGER, warnings_raised INTEGER, output_hash VARCHAR, manifest VARCHAR);"
        "INSERT INTO runs (run_id, as_of, status) VALUES ('b', DATE '2026-03-02', 'ok'), ('a', DATE '2026-03-01', 'ok')",
    )
    with connect(root, read_only=True) as con:
        assert con.execute("SELECT run_id, seq FROM runs ORDER BY seq").fetchall() == [("a", 1), ("b", 2)]


def test_a_store_from_a_newer_release_is_refused_untouched(tmp_path, capsys):
    root = v1_store(tmp_path / "s")
    Store(root).init()
    with duckdb.connect(str(db_path(root))) as con:
        con.execute("UPDATE store_meta SET schema_version = 3")
    digest = hashlib.sha256(db_path(root).read_bytes()).hexdigest()
    with pytest.raises(StoreTooNew, match="schema version 3, newer than this safetynet's \\(2\\)"):
        Store(root).init()
    with pytest.raises(NightRefused, match="schema version 3"):
        preflight(root, D2)
    assert main(["runs", "--store", str(root)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "newer than this safetynet's" in err and "Traceback" not in err
    assert hashlib.sha256(db_path(root).read_bytes()).hexdigest() == digest


def test_a_night_runs_on_a_migrated_v1_store(tmp_path):
    """The store an operator upgrades with: its recorded night, queue and outcome carry on into the next night."""
    root = v1_store(tmp_path / "store")
    write_drop(tmp_path / "drops", D2.isoformat(), _rows(), manifest=True)
    doc = night_flow.sequence(tmp_path / "drops", D2, root)
    assert doc["status"] == "ok" and doc["queue"]["previous_night"] == D1.isoformat()
    assert _version(root) == 2
    with connect(root, read_only=True) as con:
        listed = runs.listing(con)
        assert listed[:2] == V1_RUNS and listed[2][:3] == (doc["run_id"], D2, "ok")
        carried = con.execute(
            "SELECT warning_id, status FROM warning_snapshots WHERE as_of = ? AND warning_id LIKE 'W-V1-%' "
            "ORDER BY warning_id",
            [D2],
        ).fetchall()
    assert [w for w, _ in carried] == ["W-V1-0001", "W-V1-0002"]
    assert dict(carried)["W-V1-0002"] == "dismissed"


def test_outcomes_imported_into_a_store_from_a_newer_release_are_refused_in_chinese_and_not_kept(tmp_path, capsys):
    """A caseworker runs the import: the refusal says it in Chinese too, and the store keeps no copy of the file."""
    root = v1_store(tmp_path / "s")
    Store(root).init()
    with duckdb.connect(str(db_path(root))) as con:
        con.execute("UPDATE store_meta SET schema_version = 3")
    objects = sorted(p.name for p in (root / "log" / "objects").rglob("*"))
    returned = tmp_path / "outcomes.csv"
    returned.write_text("warning_id,outcome,resolved_date,action,caseworker_id,note\n", encoding="utf-8")
    assert main(["outcomes", "import", str(returned), "--store", str(root)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "结构版本 3" in err and "Traceback" not in err
    assert sorted(p.name for p in (root / "log" / "objects").rglob("*")) == objects
