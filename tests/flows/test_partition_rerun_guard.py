"""A county half run again after it finished does nothing (flows/partition/rerun_guard.py, for PrefectHQ/prefect#15442:
Dask recomputes a finished task whose worker died). Run here in process, the two halves as the flow calls them."""

from __future__ import annotations

import duckdb

from flows.ingest import drops
from flows.partition import county_night, cross_county, split
from flows.store import Store, db_path
from tests.flows import municipality as m


def test_a_finished_county_half_run_again_publishes_nothing_new(tmp_path):
    drop_root, params = m.tiny(tmp_path / "tiny")
    root = tmp_path / "store"
    Store(root).init()
    selection = drops.select(drop_root, m.AS_OF)
    with duckdb.connect() as con:
        report = split.split(con, selection, ["500106", "500160"], tmp_path / "split")
    assert report["counties"] == ["500106", "500160"]
    county = "500160"
    work, store = tmp_path / "work" / county, root / "counties" / county
    work.mkdir(parents=True)
    first = county_night.prepare(
        county, split.county_dir(tmp_path / "split", county), m.AS_OF, store, params, work, None
    )
    assert first["status"] == "prepared"
    cross_county.raise_across({county: work / "keys"}, tmp_path / "cross")
    rows = tmp_path / "cross" / f"{county}.parquet"
    done = county_night.finish(county, store, m.AS_OF, params, work, rows, None)
    assert done["status"] == "ok" and "rerun" not in done

    again = county_night.finish(county, store, m.AS_OF, params, work, rows, None)  # what Dask's recompute does
    assert again["rerun"] is True and again["manifest"]["run_id"] == done["manifest"]["run_id"]
    assert county_night.prepare(county, tmp_path / "gone", m.AS_OF, store, params, work, None)["rerun"] is True
    with duckdb.connect(str(db_path(store)), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM runs").fetchone()[0] == 1
        assert con.execute("SELECT count(DISTINCT as_of) FROM warning_snapshots").fetchone()[0] == 1


def test_the_guard_is_looked_at_again_on_an_upgrade():
    """The guard works around PrefectHQ/prefect#15442 as of these versions; an upgrade of either fails this test, to
    check whether the issue is fixed (then rerun_guard.py and this test go) before moving the pins."""
    from importlib.metadata import version

    assert (version("prefect"), version("prefect-dask"), version("distributed")) == ("3.9.1", "0.3.7", "2026.8.0")
