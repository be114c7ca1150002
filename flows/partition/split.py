"""The split stage of a partitioned night: the municipality's delivery, read once, written again as one drop folder per
county (docs/adr/0015-partitioned-night-on-dask.md).

Input: the night's `Selection` (flows/ingest/drops.py `select`: every file's header and manifest sha256 already checked,
each file logged in the municipality store's input log). Output: `<out>/county=<code>/<drop date>/<feed>.parquet`,
with a `_MANIFEST.csv` per folder, in the drop layout a single night reads (docs/CONTRACT.md §1), so that each county's
night is an ordinary night over its own drops: every delivered file has its county's part, header-only when the county
has no row of it, every value as the text delivered (the county's night types it, and quarantines what it cannot).

Routing (set-based, one DuckDB read of each file into a table, then one ordered write per county):
- a household goes to the county named by digits 1-6 of its region code when that county is configured; every row of a
  household id goes to one county (the smallest, when its rows disagree), so its duplicate-key check stays whole;
- persons, enrollment, applications, payments and meter readings follow their household; a person listed in households
  of two counties goes to both, and so do the person's income, expenses, events, assets and care contacts;
- staff relatives follow the relative; communities the county of their street code;
- a row that names no household or person of the night, or a household whose region code names no configured county,
  goes to the first configured county (the municipality's default), whose checks quarantine it as a single night would.
Rows keep their order in the delivered file. A CSV record the reader cannot split into columns is not routed (it has no
county): it is counted in the split's report, which the night's manifest carries.
Each partition file names the delivered file in its Parquet metadata (flows/ingest/drops.py `ORIGIN_KEY`) and carries
each row's line in it as `_line`, numbered as one process numbers it (flows/ingest/staging.py: the header is line 1,
then one line per record, the reader's rejects keeping theirs), so the county's quarantine names the delivered file and
line. The line is computed in the same COPY that writes the row: no second pass over the file. The partition files are
Parquet version 2, whose delta encoding stores a run of line numbers in next to no bytes (version 1 stores each).
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from checks.contract import FEEDS, MANIFEST_FILE
from flows.ingest import staging
from flows.ingest.drops import ORIGIN_KEY, DropFile, Selection
from flows.store import sha256_file

# How each feed finds its county: the column it routes by and the key map it looks it up in.
HOUSEHOLD_FEEDS = ("persons", "enrollment", "applications", "payments", "meter_readings")
PERSON_FEEDS = {
    "income": "person_id",
    "expenses": "person_id",
    "events": "person_id",
    "assets": "person_id",
    "care_contacts": "person_id",
    "staff_relatives": "relative_person_id",
}


def county_dir(out: Path, county: str) -> Path:
    return out / f"county={county}"


def _text_source(f: DropFile) -> str:
    """The file's contract columns as text, in file order, read as staging reads it (a CSV's reader rejects go to
    `reject_errors`), with `_row`, the record's place in the file. `_row` is a real column, not the table's rowid:
    a range filter on it is checked against each row group's min/max, so a county whose rows sit together in the file
    (a delivery sorted by region) reads only its own row groups when it is written (`_county_rows`)."""
    if f.fmt == "parquet":
        text = ", ".join(f'CAST("{c}" AS VARCHAR) AS "{c}"' for c in FEEDS[f.feed].column_names)
        path = str(f.path).replace("'", "''")
        return (
            f"SELECT {text}, file_row_number AS _row FROM read_parquet('{path}', file_row_number = true) "
            "ORDER BY file_row_number"
        )
    names = ", ".join(f'"{c}"' for c in FEEDS[f.feed].column_names)
    return f"SELECT {names}, row_number() OVER () AS _row FROM {staging._csv(f, True)}"


def _county_expr(column: str, counties: list[str]) -> str:
    listed = ", ".join(f"'{c}'" for c in counties)
    return (
        f"CASE WHEN regexp_full_match({column}, '[0-9]{{12}}|[0-9]{{9}}') AND substr({column}, 1, 6) IN ({listed}) "
        f"THEN substr({column}, 1, 6) ELSE '{counties[0]}' END"
    )


def _routing(feed: str, counties: list[str]) -> str:
    """SQL giving (`_row`, county) for each row of table `src` of `feed`; a row may get several counties."""
    default = f"'{counties[0]}'"
    if feed == "households":
        return f"""SELECT s._row, coalesce(h.county, {default}) AS county
                   FROM src s LEFT JOIN household_county h USING (household_id)"""
    if feed == "communities":
        return f"SELECT _row, {_county_expr('street_code', counties)} AS county FROM src"
    if feed in HOUSEHOLD_FEEDS:
        return f"""SELECT s._row, coalesce(h.county, {default}) AS county
                   FROM src s LEFT JOIN household_county h USING (household_id)"""
    column = PERSON_FEEDS[feed]
    return f"""SELECT s._row, coalesce(p.county, {default}) AS county
               FROM src s LEFT JOIN person_county p ON p.person_id = s.{column}"""


def _line(con, f: DropFile) -> str:
    """SQL for the line in the delivered file of row `s` of `src`, as one process numbers it (flows/ingest/staging.py):
    a Parquet row's number + 2, a CSV record's number + 1 (the header is line 1); when the reader rejected records of a
    CSV (their lines in `src_rejects`), the good records take the lines the rejects left, in order, so `src` gets
    them as a column `_line` (only then: a rejected record is rare)."""
    if f.fmt == "parquet":
        return "s._row + 2"
    rejects = con.execute("SELECT count(DISTINCT line) FROM src_rejects").fetchone()[0]
    if not rejects:
        return "s._row + 1"
    con.execute(
        """CREATE OR REPLACE TEMP TABLE src AS
        WITH free AS (SELECT l, row_number() OVER (ORDER BY l) AS k FROM range(2, (SELECT count(*) FROM src) + ? + 2) t(l)
                      WHERE l NOT IN (SELECT line FROM src_rejects))
        SELECT src.*, free.l AS _line FROM src JOIN free ON free.k = src._row ORDER BY src._row""",
        [rejects],
    )
    return "s._line"


def _runs(con) -> dict[str, tuple[int, int, int, int]]:
    """Per county of `routed`: (rows, distinct rows, first `_row`, last `_row`), in one pass over the routing."""
    return {
        county: tuple(rest)
        for county, *rest in con.execute(
            "SELECT county, count(*), count(DISTINCT _row), min(_row), max(_row) FROM routed GROUP BY county"
        ).fetchall()
    }


def _county_rows(names: str, county: str, run: tuple[int, int, int, int] | None) -> tuple[int, str]:
    """How many rows of `src` go to `county` (its entry of `_runs`), and the query selecting them in file order. When
    they are one run of the file (a delivery sorted by region, as the bureau's exports are) the query is a range of
    `_row`, which reads only the run's row groups and keeps their order without a join or a sort; otherwise a join on
    the routing within the run's bounds, sorted back into file order. Either way each county reads its own part, not
    the whole file, so the split grows with the rows, not with rows x counties."""
    if run is None:
        return 0, f"SELECT {names} FROM src s WHERE false"
    rows, distinct, first, last = run
    if distinct == last - first + 1:
        return rows, f"SELECT {names} FROM src s WHERE s._row BETWEEN {first} AND {last}"
    return rows, (
        f"SELECT {names} FROM src s JOIN routed r ON r._row = s._row "
        f"WHERE r.county = '{county}' AND s._row BETWEEN {first} AND {last} ORDER BY s._row"
    )


def _keep_rejects(con, f: DropFile, table: str) -> None:
    """The lines of the CSV records the reader rejected in its last read (none for Parquet), into temp `table`."""
    source = "SELECT DISTINCT line FROM reject_errors" if f.fmt == "csv" else "SELECT NULL::BIGINT AS line WHERE false"
    con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS {source}")


def _key_maps(con, selection: Selection, counties: list[str]) -> None:
    """`household_county` from the night's households file, `person_county` from its persons file (full extracts: the
    newest delivery of each; an absent one maps nothing and every row goes to the default county)."""
    households = selection.files.get("households", [])
    con.execute("DROP TABLE IF EXISTS reject_errors; DROP TABLE IF EXISTS reject_scans")
    if households:
        con.execute(f"CREATE OR REPLACE TEMP TABLE hh_src AS {_text_source(households[-1])}")
        _keep_rejects(con, households[-1], "hh_rejects")  # the persons' read below adds its own to `reject_errors`
    else:
        con.execute("CREATE OR REPLACE TEMP TABLE hh_src (household_id VARCHAR, region_code VARCHAR)")
    con.execute(f"""CREATE OR REPLACE TEMP TABLE household_county AS
        SELECT household_id, min({_county_expr("region_code", counties)}) AS county
        FROM hh_src WHERE household_id IS NOT NULL GROUP BY household_id""")
    persons = selection.files.get("persons", [])
    source = _text_source(persons[-1]) if persons else "SELECT NULL::VARCHAR AS person_id, NULL AS household_id"
    con.execute(f"""CREATE OR REPLACE TEMP TABLE person_county AS
        SELECT DISTINCT p.person_id, coalesce(h.county, '{counties[0]}') AS county
        FROM ({source}) p LEFT JOIN household_county h USING (household_id) WHERE p.person_id IS NOT NULL""")


def split(con, selection: Selection, counties: list[str], out: Path) -> dict:
    """Write each county's drops under `out`; return {"counties": [...], "files": {county: {rel: rows}},
    "unsplit_records": {rel: n}} (CSV records the reader could not split, not routed)."""
    _key_maps(con, selection, counties)
    households = selection.files.get("households", [])
    present = [
        c
        for (c,) in con.execute(
            "SELECT DISTINCT county FROM household_county UNION SELECT ? ORDER BY 1", [counties[0]]
        ).fetchall()
    ]
    report = {"counties": present, "files": {c: {} for c in present}, "unsplit_records": {}}
    manifests: dict[tuple[str, dt.date], dict[str, tuple[int, str]]] = {}
    for f in selection.all_files():
        if households and f == households[-1]:  # read once already, for the key maps (its rejects kept)
            con.execute("DROP TABLE IF EXISTS src; ALTER TABLE hh_src RENAME TO src")
            con.execute("DROP TABLE IF EXISTS src_rejects; ALTER TABLE hh_rejects RENAME TO src_rejects")
        else:
            con.execute("DROP TABLE IF EXISTS reject_errors; DROP TABLE IF EXISTS reject_scans")
            con.execute(f"CREATE OR REPLACE TEMP TABLE src AS {_text_source(f)}")
            _keep_rejects(con, f, "src_rejects")
        con.execute(f"CREATE OR REPLACE TEMP TABLE routed AS {_routing(f.feed, counties)}")
        lost = con.execute("SELECT count(*) FROM src_rejects").fetchone()[0]
        if lost:
            report["unsplit_records"][f.rel] = lost
        names = ", ".join(f's."{c}"' for c in FEEDS[f.feed].column_names) + f", {_line(con, f)} AS _line"
        origin = f.rel.replace("'", "''")
        runs = _runs(con)
        for county in present:
            folder = county_dir(out, county) / f.drop_date.isoformat()
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / f"{f.feed}.parquet"
            rows, query = _county_rows(names, county, runs.get(county))
            con.execute(
                f"COPY ({query}) TO '{staging._quote(target)}' (FORMAT parquet, PARQUET_VERSION V2, KV_METADATA {{{ORIGIN_KEY}: '{origin}'}})"
            )
            manifests.setdefault((county, f.drop_date), {})[target.name] = (rows, sha256_file(target))
            report["files"][county][f"{f.drop_date.isoformat()}/{target.name}"] = rows
    for (county, day), files in manifests.items():
        with (county_dir(out, county) / day.isoformat() / MANIFEST_FILE).open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(["file", "rows", "sha256"])
            writer.writerows([name, rows, sha] for name, (rows, sha) in sorted(files.items()))
    con.execute(
        "DROP TABLE IF EXISTS src; DROP TABLE IF EXISTS routed; DROP TABLE IF EXISTS hh_src; "
        "DROP TABLE IF EXISTS src_rejects; DROP TABLE IF EXISTS hh_rejects"
    )
    return report
