"""The input log receives each delivered file in one read: an exact copy under its sha256, nothing logged for a file that
fails its manifest, no second copy of an object the log already holds."""

import datetime as dt
import hashlib

import duckdb
import pytest

from checks.halt import NightHalted
from flows import night
from flows.ingest import drops
from flows.store import DigestMismatch, Store, TamperedInput, db_path
from tests.flows.drop_writer import write_drop

D = dt.date(2026, 3, 2)
HH = {
    "household_id": "H1",
    "region_code": "500106001001",
    "hukou_type": "urban",
    "address": "a",
    "registered_date": "2020-01-01",
}


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "store")
    s.init()
    return s


def _objects(store):
    return sorted(p.name for p in store.objects.iterdir())


def test_ingest_logs_an_exact_copy_under_its_sha256_and_leaves_no_temporary_file(store, tmp_path):
    src = tmp_path / "income.csv"
    src.write_bytes(b"record_id,amount\n" + b"R1,1.00\n" * 300_000)  # several read blocks
    sha = hashlib.sha256(src.read_bytes()).hexdigest()
    assert store.ingest(src) == (sha, store.objects / sha)
    assert (store.objects / sha).read_bytes() == src.read_bytes()
    assert _objects(store) == [sha]


def test_a_partial_copy_left_by_a_killed_night_is_removed_when_the_store_opens(store, tmp_path):
    src = tmp_path / "income.csv"
    src.write_bytes(b"record_id,amount\nR1,1.00\n")
    sha = store.ingest(src)[0]
    (store.objects / ".incoming-abc123").write_bytes(b"record_id,amo")  # a copy cut short by a kill
    store.init()
    assert _objects(store) == [sha]


def test_an_object_already_logged_is_verified_not_copied_again(store, tmp_path):
    src = tmp_path / "households.csv"
    src.write_bytes(b"household_id\nH1\n")
    sha, stored = store.ingest(src)
    before = stored.stat()
    assert store.ingest(src, sha) == (sha, stored) and store.ingest(src) == (sha, stored)
    after = stored.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert _objects(store) == [sha]


def test_a_file_that_is_not_what_was_declared_is_not_logged(store, tmp_path):
    src = tmp_path / "persons.csv"
    src.write_bytes(b"person_id\nP1\n")
    declared = hashlib.sha256(b"person_id\nP1\nP2\n").hexdigest()
    with pytest.raises(DigestMismatch) as err:
        store.ingest(src, declared)
    assert err.value.found == hashlib.sha256(src.read_bytes()).hexdigest() and err.value.expected == declared
    assert _objects(store) == []
    with pytest.raises(TamperedInput, match="changed while it was being copied"):
        store.put(src, declared)
    assert _objects(store) == []


def test_a_manifest_mismatch_halts_and_logs_nothing_of_that_file(store, tmp_path):
    folder = write_drop(
        tmp_path / "drops", "2026-03-02", {"households": [HH, HH | {"household_id": "H2"}]}, manifest=True
    )
    data = (folder / "households.csv").read_bytes()
    (folder / "households.csv").write_bytes(data[: data.rindex(b"H2")])  # truncated in transfer
    with pytest.raises(NightHalted) as err:
        drops.select(tmp_path / "drops", D, log=store)
    assert err.value.check_code == "MANIFEST_MISMATCH" and "households.csv" in err.value.message
    assert hashlib.sha256(data[: data.rindex(b"H2")]).hexdigest() not in _objects(store)
    assert not [n for n in _objects(store) if n.startswith(".")], "no temporary file is left behind"


def test_receive_points_every_stage_at_the_logged_copies_and_indexes_them(tmp_path):
    write_drop(tmp_path / "drops", "2026-03-02", {"households": [HH]}, manifest=True)
    key = night.open_night(tmp_path / "store", D)
    n = night.context(key)
    try:
        received = night.receive.fn(key, tmp_path / "drops")
        files = n.selection.all_files() + n.selection.manifests
        assert received["files"] == len(files) and not received["stale"], "what the task returns: the files it logged"
        for f in files:
            assert f.path == n.store.objects / f.sha256
            assert f.path.read_bytes() == (tmp_path / "drops" / f.rel).read_bytes()
    finally:
        night.close(key)
    with duckdb.connect(str(db_path(tmp_path / "store")), read_only=True) as con:
        logged = con.execute("SELECT kind, drop_date, name, sha256, bytes FROM input_log ORDER BY name").fetchall()
    assert logged == sorted((("drop", D, f.name, f.sha256, f.path.stat().st_size) for f in files), key=lambda r: r[2])
