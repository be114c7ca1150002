"""A generated municipality: counties in household order, IDs unique across blocks and counties, the same bytes
whatever the chunking, cross-county cases that really link two counties, placeholders marked as such."""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from pathlib import Path

import pytest

from checks.contract import FEEDS
from flows.cli import main
from flows.devtools.synthetic import generate
from flows.devtools.synthetic.counties import PLACEHOLDER_PARAMETER, PLACEHOLDER_ROOT
from flows.devtools.synthetic.municipality import OVERRIDE_FILE
from models.rules.parameters import ParameterSet

START = dt.date(2026, 3, 2)
NIGHT = START + dt.timedelta(days=1)  # the last of two nights
BLOCK = 500  # small blocks, so that every county has two of them


def _generate(out: Path, chunk: int) -> Path:
    generate(
        out,
        households=3000,
        nights=2,
        start=START,
        seed=11,
        progress=False,
        counties=3,
        chunk_households=chunk,
        block=BLOCK,
    )
    return out


@pytest.fixture(scope="module")
def town(tmp_path_factory) -> Path:
    """Three counties of 1000 households, two blocks each, written one block at a time."""
    return _generate(tmp_path_factory.mktemp("municipality"), chunk=BLOCK)


def _rows(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _files(root: Path) -> dict[Path, bytes]:
    return {p.relative_to(root): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_chunking_never_changes_the_bytes(town, tmp_path):
    whole = _generate(tmp_path, chunk=3000)  # each county's two blocks held together before writing
    a, b = _files(town), _files(whole)
    assert a.keys() == b.keys() and Path(OVERRIDE_FILE) in a
    assert [str(k) for k in a if a[k] != b[k]] == []


def test_counties_follow_each_other_in_household_order(town):
    households = _rows(town / "drops" / NIGHT.isoformat() / "households.csv")
    ids = [r["household_id"] for r in households]
    assert ids == [f"H{i:08d}" for i in range(1, 3001)]
    counties = [r["region_code"][:6] for r in households]
    assert counties == ["500106"] * 1000 + ["500160"] * 1000 + ["500161"] * 1000
    assert all(r["address"].startswith("重庆市示例县01") for r in households[1000:2000])


def test_keys_are_unique_in_every_file_across_blocks_and_counties(town):
    for night in sorted((town / "drops").iterdir()):
        for name, feed in FEEDS.items():
            keys = [tuple(r[k] for k in feed.key) for r in _rows(night / f"{name}.csv")]
            assert len(keys) == len(set(keys)), (night.name, name)


def _county_of(town: Path) -> dict[str, str]:
    return {
        r["household_id"]: r["region_code"][:6] for r in _rows(town / "drops" / NIGHT.isoformat() / "households.csv")
    }


def _households_of(town: Path) -> dict[str, set[str]]:
    listed = defaultdict(set)
    for r in _rows(town / "drops" / NIGHT.isoformat() / "persons.csv"):
        listed[r["person_id"]].add(r["household_id"])
    return listed


def test_a_person_is_listed_twice_only_where_a_duplicate_was_planted(town):
    twice = {p for p, hs in _households_of(town).items() if len(hs) > 1}
    truth = _rows(town / "truth" / "planted.csv")
    planted = {r["condition_key"].split(":", 1)[1] for r in truth if r["warning_code"] == "DUPLICATE_COVERAGE"}
    assert twice and twice <= planted


def test_cross_county_cases_link_two_counties(town):
    county, listed = _county_of(town), _households_of(town)
    truth = [r for r in _rows(town / "truth" / "planted.csv") if r["note"].startswith("cross_county_")]
    # three pairs (a ring over three counties), five linked cases each
    duplicates = [r for r in truth if r["warning_code"] == "DUPLICATE_COVERAGE"]
    fired = [r for r in duplicates if r["expected"] == "fire"]
    assert len(fired) == 6 and len(duplicates) == 18
    for r in duplicates:
        person = r["condition_key"].split(":", 1)[1]
        assert len({county[h] for h in listed[person]}) == 2, r
    events = {r["event_id"]: r["person_id"] for r in _rows(town / "drops" / START.isoformat() / "events.csv")}
    left = [r for r in truth if r["warning_code"] == "MEMBER_LEFT"]
    assert sorted(r["expected"] for r in left) == ["fire"] * 3 + ["not_fire"] * 3
    for r in left:
        person = events[r["condition_key"].split(":", 1)[1]]
        assert len({county[h] for h in listed[person]}) == 2, r
    holders = [r for r in truth if r["warning_code"] == "ACCOUNT_HOLDER_OUTSIDE"]
    assert len(holders) == 3
    for r in holders:
        holder = r["condition_key"].split(":", 1)[1]
        (home,) = listed[holder]
        assert county[home] != county[r["household_id"]], r


def test_placeholder_counties_are_marked_and_never_shipped():
    shipped = ParameterSet.load()
    assert dict(shipped.value("district.counties", START)) == {"500106": "沙坪坝区"}
    assert not any(name.startswith("synthetic.") for name in shipped.names())
    placeholder = ParameterSet.load(root=PLACEHOLDER_ROOT).at(PLACEHOLDER_PARAMETER, START)
    assert placeholder.status == "unconfirmed" and "PLACEHOLDER" in placeholder.reference
    for code, county in dict(placeholder.value).items():
        assert county["name"].startswith("示例县") and code not in shipped.value("district.streets", START)
        assert all(name.startswith(county["name"] + "·") for name in county["streets"].values())


def test_the_override_names_every_county_and_street_of_the_drop(town):
    params = ParameterSet.load(override=town / OVERRIDE_FILE)
    counties = params.at("district.counties", START)
    assert counties.status == "unconfirmed" and "PLACEHOLDER" in counties.reference
    assert dict(counties.value) == {"500106": "沙坪坝区", "500160": "示例县01", "500161": "示例县02"}
    streets = dict(params.value("district.streets", START))
    households = _rows(town / "drops" / START.isoformat() / "households.csv")
    assert {r["region_code"][:9] for r in households} <= set(streets)
    assert len([s for s in streets if s.startswith("500106")]) == 26


def test_one_county_writes_no_override(tmp_path):
    generate(tmp_path, households=300, nights=1, start=START, seed=7, progress=False)
    assert not (tmp_path / OVERRIDE_FILE).exists()


def test_too_many_counties_is_refused_in_one_line(tmp_path, capsys):
    code = main(["generate", "--out", str(tmp_path / "m"), "--counties", "41", "--households", "41000", "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "40 counties at most" in err
    assert not (tmp_path / "m").exists()


def test_one_county_writes_the_bundled_samples_byte_for_byte(tmp_path):
    """data_samples/README.md's command: the district the streaming generator writes is the one committed."""
    samples = Path(__file__).resolve().parents[2] / "data_samples"
    generate(tmp_path, households=500, nights=3, start=START, seed=20260302, progress=False)
    written = _files(tmp_path)
    committed = {k: v for k, v in _files(samples).items() if k.parts[0] in ("drops", "truth")}
    assert written.keys() == committed.keys()
    assert [str(k) for k in written if written[k] != committed[k]] == []
