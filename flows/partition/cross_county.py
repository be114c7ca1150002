"""The cross-county stage of a partitioned night: the warnings that need more than one county's households.

Each county's night leaves a small table of keys (flows/partition/county_night.py `KEYS`: the members of its covered
households and those households' coverage figures). Over the keys of every county that ran, this stage builds the very
rule file a single night builds, sql/warnings/warn_duplicate_coverage.sql, so a person listed in covered households of
two counties raises DUPLICATE_COVERAGE in both, with the evidence one process would give; each county then gets the
rows of its own households, which replace the ones its night raised alone.

MEMBER_LEFT and ACCOUNT_HOLDER_OUTSIDE need no stage here: they read only the household's own member list and the events
and payments of those members, and the split sends every one of those rows to the household's county (a member listed
in two counties' households takes his events to both), so each county's night raises exactly what one process would
(docs/adr/0015-partitioned-night-on-dask.md).
"""

from __future__ import annotations

import time
from pathlib import Path

import duckdb

import sql
from flows.partition.county_night import KEYS

RULE = "warn_duplicate_coverage"


def _files(paths: list[Path]) -> str:
    return "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths) + "]"


def raise_across(keys: dict[str, Path], out: Path) -> dict:
    """`keys`: county -> the keys folder its night wrote. Writes `<out>/<county>.parquet` (the county's
    DUPLICATE_COVERAGE candidates) for every county; returns {"seconds", "persons_across", "rows": {county: n}}."""
    t = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(config={"threads": 2})
    try:
        for name in KEYS:
            files = [keys[c] / f"{name}.parquet" for c in sorted(keys)]
            con.execute(f"CREATE TABLE {name} AS SELECT * FROM read_parquet({_files(files)})")
        sql.build(con, "warnings", only=[RULE])
        rows = {}
        for county in sorted(keys):
            target = out / f"{county}.parquet"
            con.execute(
                f"""COPY (SELECT r.household_id, r.warning_code, r.condition_key, r.reasons::VARCHAR AS reasons,
                                 r.evidence::VARCHAR AS evidence
                          FROM {RULE} r JOIN household_features h USING (household_id)
                          WHERE h.county = ? ORDER BY ALL)
                    TO '{str(target).replace("'", "''")}' (FORMAT parquet)""",
                [county],
            )
            rows[county] = con.execute(f"SELECT count(*) FROM read_parquet('{target}')").fetchone()[0]
        across = con.execute(
            "SELECT count(*) FROM (SELECT m.person_id FROM member_presence m JOIN household_features h "
            "USING (household_id) GROUP BY m.person_id HAVING count(DISTINCT h.county) > 1)"
        ).fetchone()[0]
    finally:
        con.close()
    return {"seconds": round(time.perf_counter() - t, 3), "persons_across": across, "rows": rows}
