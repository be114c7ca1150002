"""Code health: the store's database file and tables belong to flows/store. No module elsewhere names the file (it
opens the store by its folder), and none writes the store's tables but through flows/store's named functions."""

import re
from pathlib import Path

from flows.store.database import DB_FILE

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".venv", ".git", "node_modules", "__pycache__"}
STORE_TABLES = "runs|warning_snapshots|outcomes|models|input_log|store_meta"
WRITE = re.compile(
    rf"(INSERT\s+(OR\s+\w+\s+)?INTO|DELETE\s+FROM|UPDATE|CREATE\s+(OR\s+REPLACE\s+)?TABLE(\s+IF\s+NOT\s+EXISTS)?)"
    rf"\s+(\{{?\w*\}}?\.)?({STORE_TABLES})\b",
    re.IGNORECASE,
)


def _python_files(under: Path):
    for path in sorted(under.rglob("*.py")):
        parts = set(path.relative_to(ROOT).parts)
        if not parts & SKIP and path.relative_to(ROOT).parts[:2] != ("flows", "store"):
            yield path


def test_no_module_outside_flows_store_names_the_database_file():
    naming = [p.relative_to(ROOT).as_posix() for p in _python_files(ROOT) if DB_FILE in p.read_text(encoding="utf-8")]
    assert naming == [], f"use flows.store (connect, attach, db_path) instead of naming {DB_FILE}: {naming}"


def test_only_flows_store_writes_the_store_tables():
    writing = [
        p.relative_to(ROOT).as_posix()
        for folder in ("flows", "models", "checks", "sql")
        for p in _python_files(ROOT / folder)
        if WRITE.search(p.read_text(encoding="utf-8"))
    ]
    assert writing == [], f"write the store's tables through flows/store's functions: {writing}"


def test_the_check_sees_a_positional_insert_into_runs():
    assert WRITE.search('con.execute("INSERT INTO store.runs SELECT ?, ?, 1")')
    assert WRITE.search("CREATE TABLE IF NOT EXISTS {schema}.outcomes (warning_id VARCHAR)")
    assert not WRITE.search("INSERT INTO runs_of_nights VALUES (1)")
