"""How well a night recovers the synthetic district's planted ground truth, per warning code.

The generator writes `truth/planted.csv` (household, code, condition key, expected `fire` / `not_fire`, first night); the
pipeline never reads it. Here, after a night, the warnings seen that night are compared with the cases planted by then:
a planted `fire` case found is a true positive, one missed a false negative; a warning on a condition that was not
planted to fire (a near-miss twin, or a background household) is a false positive. Used by the tests and by `bench`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import polars as pl

import sql
from flows.store import attach


def recovery_table(store_root: Path, truth_dir: Path, as_of: dt.date) -> pl.DataFrame:
    """One row per warning code: tp, fn, fp, precision, recall (codes with no planted case and no warning are absent)."""
    with duckdb.connect() as con:
        attach(con, store_root, read_only=True)
        con.execute(
            "CREATE TABLE truth AS SELECT * FROM read_csv(?, all_varchar = true)", [str(truth_dir / "planted.csv")]
        )
        return sql.frame(
            con,
            """
            WITH seen AS (SELECT household_id, condition_key, warning_code FROM store.warning_snapshots
                          WHERE as_of = $d AND last_seen_date = $d),
                 planted AS (SELECT * FROM truth WHERE first_night::DATE <= $d)
            SELECT coalesce(s.warning_code, p.warning_code) AS warning_code,
                   count(*) FILTER (WHERE p.expected = 'fire' AND s.household_id IS NOT NULL) AS tp,
                   count(*) FILTER (WHERE p.expected = 'fire' AND s.household_id IS NULL) AS fn,
                   count(*) FILTER (WHERE s.household_id IS NOT NULL AND coalesce(p.expected, '') <> 'fire') AS fp,
                   count(*) FILTER (WHERE p.expected = 'not_fire') AS twins
            FROM seen AS s FULL OUTER JOIN planted AS p USING (household_id, condition_key)
            GROUP BY 1 ORDER BY 1""",
            {"d": as_of},
        ).with_columns(
            precision=pl.col("tp") / (pl.col("tp") + pl.col("fp")),
            recall=pl.col("tp") / (pl.col("tp") + pl.col("fn")),
        )
