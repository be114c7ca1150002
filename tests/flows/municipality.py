"""A small 3-county municipality for the partitioned-night tests, and the comparisons they make.

The generator's 3-county drop (600 households) plus one hand-made case across counties: a member of a covered household
of 沙坪坝区 (500106) is also listed in a covered household of the first placeholder county, so one process raises
DUPLICATE_COVERAGE for both households, and a partitioned night must raise it through its cross-county stage; and a few
records the checks quarantine (`add_bad_records`), whose quarantine rows a partitioned night must name as one process.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl

from flows.store import db_path

AS_OF = dt.date(2026, 3, 2)
COUNTIES = ("500106", "500160", "500161")
QUEUE_COLUMNS = "warning_id, household_id, warning_code, condition_key, status, deadline, reasons, evidence, score"


def _covered(drop: Path, county: str) -> str:
    households = pl.read_csv(drop / "households.csv", infer_schema=False)
    enrollment = pl.read_csv(drop / "enrollment.csv", infer_schema=False)
    in_county = households.filter(pl.col("region_code").str.starts_with(county))["household_id"]
    covered = enrollment.filter(
        pl.col("household_id").is_in(in_county.implode())
        & pl.col("program").is_in(["dibao", "tekun"])
        & (pl.col("status") == "active")
        & (pl.col("start_date") <= AS_OF.isoformat())
        & pl.col("end_date").is_null()
    )
    return sorted(covered["household_id"].to_list())[0]


def add_person_across_counties(drop: Path) -> tuple[str, str, str]:
    """List a member of a covered 500106 household in a covered 500160 household too; returns (person, hh A, hh B)."""
    a, b = _covered(drop, COUNTIES[0]), _covered(drop, COUNTIES[1])
    persons = pl.read_csv(drop / "persons.csv", infer_schema=False)
    member = persons.filter(pl.col("household_id") == a).head(1)
    persons = pl.concat([persons, member.with_columns(pl.lit(b).alias("household_id"))])
    persons.write_csv(drop / "persons.csv")
    _relist(drop, "persons.csv", persons.height)
    return member["person_id"][0], a, b


def _relist(drop: Path, name: str, rows: int) -> None:
    """The drop's manifest entry of file `name`, rewritten after a change to the file."""
    manifest = pl.read_csv(drop / "_MANIFEST.csv", infer_schema=False)
    sha = hashlib.sha256((drop / name).read_bytes()).hexdigest()
    mine = pl.col("file") == name
    manifest = manifest.with_columns(
        pl.when(mine).then(pl.lit(str(rows))).otherwise(pl.col("rows")).alias("rows"),
        pl.when(mine).then(pl.lit(sha)).otherwise(pl.col("sha256")).alias("sha256"),
    )
    manifest.write_csv(drop / "_MANIFEST.csv")


def add_bad_records(drop: Path) -> None:
    """Records the checks quarantine, in the middle of their files: a household's registration date that is no date,
    after another household's address holding a quoted line break (a record of two lines: one process numbers records),
    and an income amount that is no amount."""
    for name, changes in (
        ("households.csv", {1 / 3: ("address", "重庆市\n沙坪坝区"), 1 / 2: ("registered_date", "2020-13-45")}),
        ("income.csv", {1 / 2: ("amount", "abc")}),
    ):
        frame = pl.read_csv(drop / name, infer_schema=False).with_row_index("_i")
        for share, (column, value) in changes.items():
            at = int(frame.height * share)
            frame = frame.with_columns(
                pl.when(pl.col("_i") == at).then(pl.lit(value)).otherwise(pl.col(column)).alias(column)
            )
        frame.drop("_i").write_csv(drop / name)
        _relist(drop, name, frame.height)


def make(out: Path) -> tuple[Path, Path, tuple[str, str, str]]:
    """(drops folder, params file, the person listed across counties and the two households)."""
    from flows.devtools.synthetic import generate

    generate(out, households=600, nights=1, start=AS_OF, seed=20260302, progress=False, counties=3)
    across = add_person_across_counties(out / "drops" / AS_OF.isoformat())
    add_bad_records(out / "drops" / AS_OF.isoformat())
    return out / "drops", out / "municipality.yaml", across


def safetynet(*args: str, env: dict | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    """The command as a user runs it, in its own process (its own Prefect API server and Dask cluster)."""
    return subprocess.run(
        [sys.executable, "-c", "import sys; from flows.cli import main; sys.exit(main())", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=os.environ | {"PREFECT_HOME": str(Path(args[args.index("--store") + 1]) / "prefect")} | (env or {}),
    )


def queue(store: Path) -> list[tuple]:
    with duckdb.connect(str(db_path(store)), read_only=True) as con:
        return con.execute(
            f"SELECT {QUEUE_COLUMNS} FROM warning_snapshots WHERE as_of = ? ORDER BY warning_id", [AS_OF]
        ).fetchall()


def partitioned_queue(root: Path) -> list[tuple]:
    rows = [r for county in sorted((root / "counties").iterdir()) for r in queue(county)]
    return sorted(rows, key=lambda r: r[0])


def street_files(single: Path, root: Path) -> dict[str, tuple[bytes, bytes | None]]:
    """Every street file of the single night's exports with its county's counterpart (None when missing)."""
    out = {}
    for f in sorted((single / "exports" / AS_OF.isoformat()).iterdir()):
        if f.name[:9].isdigit():
            twin = root / "counties" / f.name[:6] / "exports" / AS_OF.isoformat() / f.name
            out[f.name] = (f.read_bytes(), twin.read_bytes() if twin.exists() else None)
    return out


def csv_rows(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8-sig").splitlines()[1:]


def tiny(out: Path) -> tuple[Path, Path]:
    """Two counties of one covered household each (500106 and 500160), every other required feed header-only, and the
    parameter override naming both counties and their streets: a night of seconds, for the cluster tests."""
    import yaml

    from checks.id_number import check_char
    from tests.flows.drop_writer import write_drop

    rows: dict[str, list[dict]] = {"households": [], "persons": [], "enrollment": []}
    for i, region in enumerate(("500106001001", "500160001001"), start=1):
        rows["households"].append(
            {"household_id": f"H{i}", "region_code": region, "hukou_type": "urban", "address": "a",
             "registered_date": "2020-01-01"}
        )  # fmt: skip
        first17 = f"{region[:6]}19500101{i:02d}1"  # odd 17th digit: a man
        rows["persons"].append(
            {"person_id": first17 + check_char(first17), "household_id": f"H{i}", "name": f"张{i}", "sex": "M",
             "birth_date": "1950-01-01", "relation": "head", "disability_grade": "0", "disability_type": "",
             "labor_capacity": "none", "in_school": "false"}
        )  # fmt: skip
        rows["enrollment"].append(
            {"enrollment_id": f"E{i}", "household_id": f"H{i}", "program": "dibao", "covered_persons": "1",
             "monthly_benefit": "600.00", "status": "active", "start_date": "2024-01-01", "end_date": ""}
        )  # fmt: skip
    write_drop(out / "drops", AS_OF.isoformat(), rows, manifest=True)
    streets = yaml.safe_load(
        (Path(__file__).resolve().parents[2] / "models/rules/parameters/district/streets.yaml").read_text("utf-8")
    )
    listed = dict(next(iter(streets["values"].values()))["value"]) | {"500160001": "示例街道01"}
    dated = {"reference": "tests/flows/municipality.py", "status": "unconfirmed"}
    params = {
        "district.counties": {
            "values": {"2023-01-01": dated | {"value": {"500106": "沙坪坝区", "500160": "示例县01"}}}
        },
        "district.streets": {"values": {"2023-01-01": dated | {"value": listed}}},
    }
    (out / "municipality.yaml").write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
    return out / "drops", out / "municipality.yaml"
