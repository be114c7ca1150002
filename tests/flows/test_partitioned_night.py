"""A municipality's night partitioned by county on Dask equals the single-process night (issue 21 §3).

One 3-county municipality (tests/flows/municipality.py) is run once in one process (flows/night.py `run`) and once as
`safetynet nightly --partition county --workers 2` (a LocalCluster of 2 worker processes): every street's CSV and
workbook are byte-identical, the queue snapshots are the same rows, the cross-county DUPLICATE_COVERAGE is raised in
both counties, and `safetynet rerun` of the partitioned night matches.
"""

from __future__ import annotations

import json

import pytest

from tests.flows import municipality as m


@pytest.fixture(scope="module")
def nights(tmp_path_factory):
    from flows.night import sequence

    root = tmp_path_factory.mktemp("municipality")
    drops, params, across = m.make(root / "generated")
    single = root / "single"
    doc = sequence(drops, m.AS_OF, single, params_file=params)
    assert doc["status"] == "ok"
    partitioned = root / "partitioned"
    done = m.safetynet(
        "nightly", "--drops", str(drops), "--as-of", m.AS_OF.isoformat(), "--store", str(partitioned),
        "--params", str(params), "--partition", "county", "--workers", "2",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return single, partitioned, across, done.stdout


def test_street_exports_are_byte_identical(nights):
    single, partitioned, _, _ = nights
    files = m.street_files(single, partitioned)
    assert len(files) >= 2 * 3  # a csv and a workbook for each street of three counties
    assert {name for name, (a, b) in files.items() if a != b} == set()


def test_queue_is_the_same_rows(nights):
    single, partitioned, _, _ = nights
    assert m.partitioned_queue(partitioned) == m.queue(single)


def test_escalation_and_quarantine_rows_are_the_single_nights(nights):
    """The district-wide lists are per county in a partitioned night: together they hold the single night's rows, the
    quarantine's whole rows included (each names the delivered file and line, not the county's partition)."""
    single, partitioned, _, _ = nights
    day = m.AS_OF.isoformat()
    counties = sorted((partitioned / "counties").iterdir())
    escalation = sorted(r for c in counties for r in m.csv_rows(c / "exports" / day / "district_escalation.csv"))
    assert escalation == sorted(m.csv_rows(single / "exports" / day / "district_escalation.csv"))
    quarantine = sorted(r for c in counties for r in m.csv_rows(c / "exports" / day / "quarantine.csv"))
    assert quarantine and quarantine == sorted(m.csv_rows(single / "exports" / day / "quarantine.csv"))


def test_duplicate_coverage_across_counties_reaches_both_counties(nights):
    single, partitioned, (person, a, b), _ = nights
    key = f"DUPLICATE_COVERAGE:{person}"
    raised = {(r[1], r[3]) for r in m.partitioned_queue(partitioned) if r[3] == key}
    assert raised == {(a, key), (b, key)}
    doc = json.loads(next((partitioned / "runs").glob("*.json")).read_text(encoding="utf-8"))
    # the hand-added person and the generator's planted ones: every person whose DUPLICATE_COVERAGE is raised in the
    # queues of two counties (keyed by the ID number, region code 5…; not the one-household dibao+tekun key), counted
    # from the county stores themselves
    counties = sorted((partitioned / "counties").iterdir())
    in_county = [{r[3] for r in m.queue(c) if r[3].startswith("DUPLICATE_COVERAGE:5")} for c in counties]
    across = {k for i, keys in enumerate(in_county) for k in keys if any(k in other for other in in_county[i + 1 :])}
    assert key in across
    assert doc["cross_county"]["persons_across"] == len(across)


def test_one_manifest_names_every_countys_inputs_outputs_and_worker(nights):
    _, partitioned, _, stdout = nights
    doc = json.loads(next((partitioned / "runs").glob("*.json")).read_text(encoding="utf-8"))
    assert doc["status"] == "ok" and doc["counties_ran"] == list(m.COUNTIES)
    for county in m.COUNTIES:
        entry = doc["counties"][county]
        assert entry["inputs"] and entry["outputs"] and entry["worker"]["finish"].startswith("tcp://127.0.0.1:")
        assert all(name[:6] == county for name in entry["outputs"] if name[:9].isdigit())
    assert "counties published: 500106, 500160, 500161" in stdout
    assert not (partitioned / "nights").exists() or not any((partitioned / "nights").iterdir())


def test_rerun_of_a_partitioned_night_matches(nights):
    _, partitioned, _, _ = nights
    done = m.safetynet("rerun", "--store", str(partitioned), "--as-of", m.AS_OF.isoformat())
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    assert done.stdout.startswith("MATCH: partitioned night 2026-03-02")
