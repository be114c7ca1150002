"""A store as the code before schema versions (bee6278) left it, made from tests/store/fixtures/store_v1.sql."""

from pathlib import Path

import duckdb

from flows.store import db_path

FIXTURE = Path(__file__).parent / "fixtures" / "store_v1.sql"


def v1_store(root: Path, script: str | None = None) -> Path:
    """A store folder whose database is the fixture (or `script`), opened by nothing of today's code yet."""
    root.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(db_path(root))) as con:
        con.execute(script if script is not None else FIXTURE.read_text(encoding="utf-8"))
    return root
