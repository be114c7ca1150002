"""The checks stage gives the same quarantine, report and GX results when `stg_<feed>` is a view over Parquet (a staging
that caches Parquet files) as when it is a table."""

from __future__ import annotations

from checks.contract import FEEDS
from checks.runner import run_checks, without_timings
from tests.checks.known_bad import TYPING_REJECTS, corrupted_night
from tests.checks.staging import AS_OF, build

QUARANTINE = "SELECT * FROM quarantine ORDER BY ALL"


def test_views_over_parquet_check_like_tables(lenient_params, tmp_path):
    rows, _ = corrupted_night()
    tables = build(rows, TYPING_REJECTS)
    views = build(rows, TYPING_REJECTS, parquet_dir=tmp_path)
    assert views.execute("SELECT count(*) FROM duckdb_views() WHERE view_name LIKE 'stg_%'").fetchone()[0] == len(FEEDS)
    assert views.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE 'stg_%'").fetchone()[0] == 0
    expected = run_checks(tables, AS_OF, lenient_params, None, results_dir=tmp_path / "tables")
    got = run_checks(views, AS_OF, lenient_params, None, results_dir=tmp_path / "views")
    assert without_timings(got) == without_timings(expected)
    assert views.execute(QUARANTINE).fetchall() == tables.execute(QUARANTINE).fetchall()
    assert views.execute("SELECT count(*) FROM quarantine").fetchone()[0] > len(TYPING_REJECTS)
    for path in (tmp_path / "tables").glob("*.json"):
        assert (tmp_path / "views" / path.name).read_bytes() == path.read_bytes(), path.name
