"""Time the checks stage on synthetic staging tables at district scale (`uv run python -m flows.devtools.checks_bench [households]`).

Builds stg_<feed> with DuckDB `range()` (valid ID numbers, a few bad rows sprinkled in), then runs `run_checks` and prints
seconds per suite, split into the check pass + quarantine SQL and the GX validation; with `--csv-dir`, also the bare CSV
load of the same tables, the yardstick the checks are held to. The machine is shared: use `--repeat` and read the best
run, with the load average printed beside it. `--cache FILE` keeps the built tables for the next run.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

import duckdb

from checks import id_number_sql as idn
from checks.contract import DUCKDB_TYPES, FEEDS

AS_OF = dt.date(2026, 3, 2)


def _create(con, feed: str, select: str) -> None:
    cols = ", ".join(f"CAST({c.name} AS {DUCKDB_TYPES[c.type]}) AS {c.name}" for c in FEEDS[feed].columns)
    con.execute(
        f"CREATE OR REPLACE TABLE stg_{feed} AS SELECT {cols}, CAST(_drop_date AS DATE) AS _drop_date, "
        f"_file, CAST(_line AS BIGINT) AS _line FROM ({select})"
    )


def build(con, households: int) -> dict[str, int]:
    n = households
    con.execute(
        "CREATE OR REPLACE TABLE quarantine (feed VARCHAR, drop_date DATE, file VARCHAR, line BIGINT, "
        "record_id VARCHAR, check_code VARCHAR, reason_en VARCHAR, reason_zh VARCHAR)"
    )
    full = "DATE '2026-03-02' AS _drop_date"
    _create(
        con,
        "households",
        f"""SELECT 'H' || i AS household_id,
        '500106' || lpad(CAST(1 + i % 21 AS VARCHAR), 3, '0') || lpad(CAST(i % 999 AS VARCHAR), 3, '0') AS region_code,
        CASE WHEN i % 3 = 0 THEN 'rural' ELSE 'urban' END AS hukou_type, 'addr ' || i AS address,
        DATE '2000-01-01' + CAST(i % 9000 AS INTEGER) AS registered_date, {full},
        '2026-03-02/households.csv' AS _file, i + 2 AS _line FROM range({n}) r(i)""",
    )
    # 2.5 persons per household, every person_id distinct (birth day j % 25000, sequence j // 25000); IDs valid except
    # every 100000th (wrong check character)
    first17 = (
        "'500106' || strftime(DATE '1940-01-01' + CAST(j % 25000 AS INTEGER), '%Y%m%d') "
        "|| lpad(CAST(j // 25000 % 1000 AS VARCHAR), 3, '0')"
    )
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _p AS SELECT j, {first17} AS f17,
        DATE '1940-01-01' + CAST(j % 25000 AS INTEGER) AS bd FROM range({n * 5 // 2}) r(j)""")
    _create(
        con,
        "persons",
        f"""SELECT f17 || CASE WHEN j % 100000 = 7 THEN 'Z' ELSE {idn.check_char("f17")} END
        AS person_id, 'H' || (j * 2 // 5) AS household_id, '姓名' AS name,
        CASE WHEN (j // 25000 % 1000) % 2 = 1 THEN 'M' ELSE 'F' END AS sex, bd AS birth_date,
        CASE WHEN j % 5 IN (0, 3) THEN 'head' ELSE 'child' END AS relation, j % 5 AS disability_grade,
        CASE WHEN j % 5 = 0 THEN NULL ELSE 'physical' END AS disability_type, 'full' AS labor_capacity,
        false AS in_school, {full}, '2026-03-02/persons.csv' AS _file, j + 2 AS _line FROM _p""",
    )
    e = n // 10
    _create(
        con,
        "enrollment",
        f"""SELECT 'E' || i AS enrollment_id, 'H' || (i * 10) AS household_id,
        'dibao' AS program, 1 + i % 2 AS covered_persons, 800.5 AS monthly_benefit, 'active' AS status,
        DATE '2024-01-01' AS start_date, NULL AS end_date, {full}, '2026-03-02/enrollment.csv' AS _file,
        i + 2 AS _line FROM range({e}) r(i)""",
    )
    persons = n * 5 // 2
    person_of = "(SELECT person_id FROM stg_persons)"
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _pid AS SELECT row_number() OVER () - 1 AS k, person_id FROM {person_of}"
    )
    months = 12
    m = persons * 2 // 5 * months // 2  # ~ 12 income rows per household-year over 0.4 of persons
    _create(
        con,
        "income",
        f"""SELECT 'R' || i AS record_id, p.person_id, DATE '2025-03-01' + INTERVAL (i % 12) MONTH
        AS month, 'wage' AS source_type, 1000 + i % 500 AS amount, 'tax' AS provider,
        DATE '2025-03-05' + INTERVAL (i % 12) MONTH AS _drop_date,
        strftime(DATE '2025-03-05' + INTERVAL (i % 12) MONTH, '%Y-%m-%d') || '/income.csv' AS _file, i + 2 AS _line
        FROM range({m}) r(i) JOIN _pid p ON p.k = i % {persons}""",
    )
    _create(
        con,
        "expenses",
        f"""SELECT 'X' || i AS record_id, p.person_id, DATE '2026-01-01' AS date,
        'medical_inpatient' AS category, 5000 AS total_amount, 1000 + (i % 7) AS self_paid_amount,
        'medical_insurance' AS provider, DATE '2026-03-01' AS _drop_date, '2026-03-01/expenses.csv' AS _file,
        i + 2 AS _line FROM range({n}) r(i) JOIN _pid p ON p.k = (i * 3) % {persons}""",
    )
    _create(
        con,
        "assets",
        f"""SELECT 'A' || i AS asset_id, p.person_id, 'vehicle' AS asset_type, 'car' AS subtype,
        20000 AS value, DATE '2020-01-01' AS start_date, NULL AS end_date, {full}, '2026-03-02/assets.csv' AS _file,
        i + 2 AS _line FROM range({n * 4 // 5}) r(i) JOIN _pid p ON p.k = (i * 7) % {persons}""",
    )
    _create(
        con,
        "events",
        f"""SELECT 'V' || i AS event_id, p.person_id, 'hospital_admission' AS event_type,
        DATE '2026-02-01' AS event_date, 'health' AS source, DATE '2026-03-01' AS _drop_date,
        '2026-03-01/events.csv' AS _file, i + 2 AS _line FROM range({n * 3 // 10}) r(i)
        JOIN _pid p ON p.k = (i * 11) % {persons}""",
    )
    _create(
        con,
        "payments",
        f"""SELECT 'P' || i AS payment_id, 'H' || ((i % {e}) * 10) AS household_id,
        'dibao' AS program, DATE '2025-03-01' + INTERVAL (i // {e}) MONTH AS period, 800.5 AS amount,
        DATE '2025-03-10' + INTERVAL (i // {e}) MONTH AS paid_date, 'x' AS account_holder_id,
        DATE '2025-03-12' + INTERVAL (i // {e}) MONTH AS _drop_date,
        strftime(DATE '2025-03-12' + INTERVAL (i // {e}) MONTH, '%Y-%m-%d') || '/payments.csv' AS _file,
        i % {e} + 2 AS _line FROM range({e * 12}) r(i)""",
    )
    _create(
        con,
        "applications",
        f"""SELECT 'AP' || i AS application_id, 'H' || (i * 50) AS household_id,
        'dibao' AS program, DATE '2026-02-01' AS submitted_date, NULL AS decided_date, NULL AS decision, {full},
        '2026-03-02/applications.csv' AS _file, i + 2 AS _line FROM range({n // 50}) r(i)""",
    )
    _create(
        con,
        "staff_relatives",
        f"""SELECT p.person_id AS staff_person_id, q.person_id AS relative_person_id,
        'sibling' AS relation, NULL AS filed_date, {full}, '2026-03-02/staff_relatives.csv' AS _file, i + 2 AS _line
        FROM range({max(n // 200, 1)}) r(i) JOIN _pid p ON p.k = i * 13 JOIN _pid q ON q.k = i * 13 + 1""",
    )
    for feed in ("communities", "care_contacts", "meter_readings"):  # optional v2 feeds, not delivered: no rows
        nulls = ", ".join(f"NULL AS {c.name}" for c in FEEDS[feed].columns)
        _create(
            con,
            feed,
            f"SELECT {nulls}, NULL AS _drop_date, CAST(NULL AS VARCHAR) AS _file, NULL AS _line FROM range(0)",
        )
    con.execute(
        """CREATE OR REPLACE TABLE raw_counts AS """
        + " UNION ALL ".join(
            f"SELECT '{f}' AS feed, _file AS file, _drop_date AS drop_date, count(*) AS rows_in FROM stg_{f} GROUP BY ALL"
            for f in FEEDS
        )
    )
    return {f: con.execute(f"SELECT count(*) FROM stg_{f}").fetchone()[0] for f in FEEDS}


def _load_copy(con, cache: str) -> dict[str, int]:
    con.execute(f"ATTACH '{cache}' AS cache (READ_ONLY)")
    for t in [f"stg_{f}" for f in FEEDS] + ["quarantine", "raw_counts"]:
        con.execute(f"CREATE OR REPLACE TABLE {t} AS SELECT * FROM cache.{t}")
    con.execute("DETACH cache")
    return {f: con.execute(f"SELECT count(*) FROM stg_{f}").fetchone()[0] for f in FEEDS}


def _save_copy(con, cache: str) -> None:
    con.execute(f"ATTACH '{cache}' AS cache")
    for t in [f"stg_{f}" for f in FEEDS] + ["quarantine", "raw_counts"]:
        con.execute(f"CREATE TABLE cache.{t} AS SELECT * FROM {t}")
    con.execute("DETACH cache")


def csv_load_seconds(con, folder: Path) -> dict[str, float]:
    """The bare load the checks are compared with: each feed's contract columns written to `<folder>/<feed>.csv` (once),
    then read back by DuckDB's CSV reader into a table typed as the contract says, per feed, on a fresh connection."""
    folder.mkdir(parents=True, exist_ok=True)
    for f, spec in FEEDS.items():
        path = folder / f"{f}.csv"
        if not path.exists():
            con.execute(f"COPY (SELECT {', '.join(spec.column_names)} FROM stg_{f}) TO '{path}' (HEADER)")
    load = duckdb.connect(config={"threads": 2})
    out = {}
    for f in FEEDS:
        t = time.perf_counter()
        spec = "{" + ", ".join(f"'{c.name}': '{DUCKDB_TYPES[c.type]}'" for c in FEEDS[f].columns) + "}"
        load.execute(
            f"CREATE TABLE {f} AS SELECT * FROM read_csv(?, header = true, columns = {spec})",
            [str(folder / f"{f}.csv")],
        )
        out[f] = time.perf_counter() - t
    load.close()
    return out


def main(households: int = 1_000_000, repeat: int = 1, cache: str | None = None, csv_dir: str | None = None) -> None:
    """Build (or copy from the DuckDB file `cache`) the staging tables, run the checks `repeat` times and the bare CSV
    load `repeat` times (when `csv_dir` is given), and print per-feed seconds and the load average."""
    import os

    from checks.halt import NightHalted
    from checks.runner import run_checks
    from models.rules.parameters import ParameterSet

    con = duckdb.connect(config={"threads": 2})
    con.execute("SET autoinstall_known_extensions = false")
    t = time.perf_counter()
    if cache and Path(cache).exists():
        sizes = _load_copy(con, cache)
    else:
        sizes = build(con, households)
        if cache:
            _save_copy(con, cache)
    print(f"built staging in {time.perf_counter() - t:.1f} s: {json.dumps(sizes)}")
    for run in range(repeat):
        load_before = os.getloadavg()
        t = time.perf_counter()
        try:
            report = run_checks(con, AS_OF, ParameterSet.load(), None)
        except NightHalted as exc:
            report = exc.report
            print("halted:", exc)
        total = time.perf_counter() - t
        print(f"-- run {run + 1}: load average {load_before[0]:.2f} before, {os.getloadavg()[0]:.2f} after")
        print(f"{'feed':16} {'rows':>10} {'quarant.':>9} {'checks':>6} {'SQL s':>7} {'GX s':>7} {'total s':>8}")
        for f, r in report["feeds"].items():
            print(
                f"{f:16} {r['rows_in']:>10} {r['rows_quarantined']:>9} {sum(r['checks'].values()):>6} "
                f"{r['quarantine_seconds']:>7.2f} {r['gx_seconds']:>7.2f} {r['seconds']:>8.2f}"
            )
        print(f"run_checks total {total:.1f} s")
    if csv_dir:
        for run in range(repeat):
            load_before = os.getloadavg()
            secs = csv_load_seconds(con, Path(csv_dir))
            print(
                f"-- CSV load {run + 1} (load average {load_before[0]:.2f}): "
                + ", ".join(f"{f} {s:.2f}" for f, s in secs.items())
                + f"; total {sum(secs.values()):.1f} s"
            )


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("households", nargs="?", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--cache", help="DuckDB file to keep the built staging tables in (reused when it exists)")
    ap.add_argument("--csv-dir", help="also time the bare CSV load of the same tables (files written here once)")
    a = ap.parse_args()
    main(a.households, a.repeat, a.cache, a.csv_dir)
