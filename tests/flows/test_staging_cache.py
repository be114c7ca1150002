"""The staging cache (flows/ingest/staging.py): a later night reads the increments it typed before instead of parsing them again,
and gets exactly the staging a fresh store gets, quarantine included."""

import datetime as dt

import duckdb

from flows.ingest import drops, staging
from tests.flows.drop_writer import write_drop

HH = {
    "household_id": "H1",
    "region_code": "500106001001",
    "hukou_type": "urban",
    "address": "a",
    "registered_date": "2020-01-01",
}


def income(record_id, amount, month="2026-01"):
    return {
        "record_id": record_id,
        "person_id": "P1",
        "month": month,
        "source_type": "wage",
        "amount": amount,
        "provider": "tax",
    }


def staged(root, as_of, cache_root):
    con = duckdb.connect()
    writer = staging.load(con, drops.select(root, as_of), cache_root=cache_root)
    if writer is not None:
        writer.wait()
    return (
        con.execute("SELECT * FROM stg_income ORDER BY _drop_date, _line").fetchall(),
        con.execute("SELECT * FROM quarantine ORDER BY file, line, check_code").fetchall(),
        con.execute("SELECT * FROM raw_counts ORDER BY feed, file").fetchall(),
    )


def drops_with_a_bad_amount(root):
    # 1.234 has three decimals: quarantined as TYPE_amount, never rounded
    write_drop(
        root,
        "2026-03-02",
        {"households": [HH], "income": [income("R1", "100.00"), income("R2", "1.234"), income("R3", "7.00")]},
    )
    write_drop(root, "2026-03-03", {"households": [HH], "income": [income("R1", "120.00")]})


def test_later_night_reads_cached_increments_and_matches_a_fresh_store(tmp_path):
    drops_with_a_bad_amount(tmp_path / "drops")
    cache = tmp_path / "store" / "cache" / "staged"
    staged(tmp_path / "drops", dt.date(2026, 3, 2), cache)
    # Only the increments delivered (income, expenses, events) are cached; households is a full extract.
    entries = sorted(p.name.split("-")[0] for p in (cache / staging.CACHE_VERSION).glob("*.json"))
    assert entries == ["events", "expenses", "income"]
    cached = staged(tmp_path / "drops", dt.date(2026, 3, 3), cache)
    fresh = staged(tmp_path / "drops", dt.date(2026, 3, 3), None)
    assert cached == fresh
    stg, quarantine, counts = cached
    assert [(r[0], str(r[4]), r[-1]) for r in stg] == [("R1", "100.00", 2), ("R3", "7.00", 4), ("R1", "120.00", 2)]
    assert [(q[2], q[3], q[5]) for q in quarantine if q[0] == "income"] == [("2026-03-02/income.csv", 3, "TYPE_amount")]
    assert ("income", "2026-03-02/income.csv", dt.date(2026, 3, 2), 3, None) in counts


def test_cached_entry_is_read_instead_of_the_file(tmp_path):
    drops_with_a_bad_amount(tmp_path / "drops")
    cache = tmp_path / "cache"
    staged(tmp_path / "drops", dt.date(2026, 3, 2), cache)
    rows = next((cache / staging.CACHE_VERSION).glob("income-*.rows.parquet"))
    con = duckdb.connect()  # mark the cached rows, so that reading them (not the CSV) shows
    con.execute(
        f"COPY (SELECT * REPLACE (amount + 1 AS amount) FROM read_parquet('{rows}')) TO '{rows}.new' (FORMAT parquet)"
    )
    (rows.parent / f"{rows.name}.new").replace(rows)
    stg = staged(tmp_path / "drops", dt.date(2026, 3, 3), cache)[0]
    assert [(r[0], str(r[4])) for r in stg] == [("R1", "101.00"), ("R3", "8.00"), ("R1", "120.00")]


def test_a_failed_cache_write_raises_at_wait_and_leaves_no_entry(tmp_path):
    drops_with_a_bad_amount(tmp_path / "drops")
    files = drops.select(tmp_path / "drops", dt.date(2026, 3, 2)).files["income"]
    cache = staging.StagingCache(tmp_path / "cache")
    writer = staging.CacheWriter(duckdb.connect(), cache, [(files[0], "stg_income_9", 3)])  # no such table
    try:
        writer.wait()
    except duckdb.CatalogException:
        pass
    else:
        raise AssertionError("the write's error is raised by wait()")
    assert list(cache.dir.iterdir()) == []


def test_entries_of_another_code_version_are_removed(tmp_path):
    old = tmp_path / "cache" / "0123456789abcdef"
    old.mkdir(parents=True)
    (old / "income-x.json").write_text("{}")
    staging.StagingCache(tmp_path / "cache")
    assert not old.exists() and (tmp_path / "cache" / staging.CACHE_VERSION).is_dir()
