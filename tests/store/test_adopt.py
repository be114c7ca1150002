"""`objects.adopt` puts a file the caller made into the input log by a hard link (the benches' generated
municipalities, too large to copy on one disk) and trusts nothing: the receive still hashes against the manifest, and
a stored object that changed is refused."""

from __future__ import annotations

import hashlib

import pytest

from flows.store import Store
from flows.store.objects import TamperedInput, adopt, ingest, verified


def test_an_adopted_file_is_the_same_bytes_without_a_copy_and_a_later_change_is_detected(tmp_path):
    store = Store(tmp_path / "store")
    store.init()
    data = tmp_path / "income.csv"
    data.write_bytes(b"record_id,person_id\nR1,P1\n")
    sha = hashlib.sha256(data.read_bytes()).hexdigest()

    stored = adopt(store.objects, data, sha)
    assert stored.stat().st_ino == data.stat().st_ino and stored.stat().st_mode & 0o777 == 0o600
    assert ingest(store.objects, data, expected=sha) == (sha, stored)  # only hashed: the object is already there
    assert verified(store.objects, sha) == stored

    data.write_bytes(b"record_id,person_id\nR1,P2\n")  # the link is why adopt is never used on a delivery
    with pytest.raises(TamperedInput):
        verified(store.objects, sha)
