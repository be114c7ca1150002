"""The store holds personal data: everything a night writes into it is its owner's only (folders 0700, files 0600),
whatever the umask the process was started with."""

import datetime as dt
import os
import stat

from flows import night as night_flow
from flows.store import Store
from flows.store.database import DB_FILE
from tests.flows.drop_writer import write_drop
from tests.flows.test_optional_feeds import _rows


def _modes(root) -> dict[str, int]:
    return {
        p.relative_to(root).as_posix() or ".": stat.S_IMODE(p.lstat().st_mode)
        for p in (root, *root.rglob("*"))
        if not p.is_symlink()
    }


def test_everything_a_night_writes_is_owner_only(tmp_path):
    write_drop(tmp_path / "drops", "2026-03-02", _rows(), manifest=True)
    old = os.umask(0o022)  # a world-readable default, as most accounts have
    try:
        doc = night_flow.sequence(tmp_path / "drops", dt.date(2026, 3, 2), tmp_path / "store")
    finally:
        os.umask(old)
    assert doc["status"] == "ok"
    modes = _modes(tmp_path / "store")
    written = {p.split("/")[0] for p in modes}
    assert {DB_FILE, "log", "exports", "runs", "checks", "cache"} <= written
    assert any(p.startswith("exports/2026-03-02/") and p.endswith(".xlsx") for p in modes)
    loose = {p: oct(m) for p, m in modes.items() if m != (0o700 if (tmp_path / "store" / p).is_dir() else 0o600)}
    assert loose == {}


def test_a_store_made_with_loose_modes_is_tightened_when_opened(tmp_path):
    """The near miss: a store copied or made before (0755/0644) is brought to 0700/0600 by the next night's init."""
    old = os.umask(0o022)
    try:
        (tmp_path / "s" / "exports").mkdir(parents=True)
        (tmp_path / "s" / "exports" / "old.csv").write_text("x")
        assert stat.S_IMODE((tmp_path / "s" / "exports" / "old.csv").stat().st_mode) == 0o644
        Store(tmp_path / "s").init()
    finally:
        os.umask(old)
    assert set(_modes(tmp_path / "s").values()) == {0o700, 0o600}
