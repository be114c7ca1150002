"""Test-wide set-up: offline runtime before anything imports Prefect, and a shared Prefect test harness."""

import os
import tempfile
from pathlib import Path

from flows import runtime

_HOME = Path(tempfile.mkdtemp(prefix="safetynet-tests-"))
runtime.configure(_HOME)  # telemetry off, PREFECT_HOME in a scratch folder, before any prefect import

import pytest  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

from models.rules.parameters import ParameterSet  # noqa: E402

# The property-based bed (tests/property/): a night costs seconds, so CI runs a small fixed, derandomised budget (the
# same examples every run: a failure reproduces); HYPOTHESIS_PROFILE=long explores more, locally.
_SLOW_IS_FINE = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example]
settings.register_profile(
    "ci",
    max_examples=4,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=_SLOW_IS_FINE,
    print_blob=True,
)
settings.register_profile("long", max_examples=60, deadline=None, suppress_health_check=_SLOW_IS_FINE, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

SAMPLES = Path(__file__).resolve().parent.parent / "data_samples"


@pytest.fixture(scope="session")
def prefect_harness():
    """One temporary Prefect API for the whole session (~10 s once); flows run against it."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="session")
def sample_drops() -> Path:
    drops = SAMPLES / "drops"
    if not drops.is_dir():
        pytest.fail(f"{drops} is missing: regenerate it as data_samples/README.md says")
    return drops


@pytest.fixture(scope="session")
def recorded(sample_drops, prefect_harness, tmp_path_factory):
    """Every sample night recorded by the Prefect flow into one store, with a caseworker outcome file imported after the
    first night: it dismisses one random-review warning and marks another in progress (random-review warnings carry no
    planted truth, so the rule recovery measured on this store is unaffected). Shared by the flow, recovery and rerun
    tests, because a whole night costs seconds."""
    import duckdb

    from flows.caseworker.outcomes import import_outcomes
    from flows.ingest.drops import drop_dates
    from flows.nightly import nightly
    from flows.store import db_path

    store = tmp_path_factory.mktemp("recorded")
    nights = drop_dates(sample_drops)
    docs = {nights[0]: nightly(drops=str(sample_drops), as_of=nights[0], store=str(store))}
    with duckdb.connect(str(db_path(store)), read_only=True) as con:
        picked = con.execute(
            "SELECT warning_id FROM warning_snapshots WHERE as_of = ? AND status = 'open' "
            "AND warning_code = 'RANDOM_REVIEW' ORDER BY warning_id LIMIT 2",
            [nights[0]],
        ).fetchall()
    assert len(picked) == 2, "the samples' first night raises the monthly random-review slice"
    outcome = store.parent / "outcomes.csv"
    outcome.write_text(
        "warning_id,outcome,resolved_date,action,caseworker_id,note\n"
        f"{picked[0][0]},dismissed,{nights[0]},none,CW001,核实无误\n"
        f"{picked[1][0]},in_progress,,,CW001,已入户\n",
        encoding="utf-8",
    )
    import_outcomes(store, outcome, nights[1])
    for night in nights[1:]:
        docs[night] = nightly(drops=str(sample_drops), as_of=night, store=str(store))
    assert all(d["status"] == "ok" for d in docs.values())
    return store, nights, docs, [p[0] for p in picked]


def pytest_sessionfinish(session, exitstatus):
    import shutil

    shutil.rmtree(_HOME, ignore_errors=True)
    os.environ.pop("PREFECT_HOME", None)


@pytest.fixture(scope="session")
def lenient_params(tmp_path_factory) -> ParameterSet:
    """Shipped parameters but a quarantine-rate limit of 100 %: lets a tiny corrupted night run to the end."""
    path = tmp_path_factory.mktemp("params") / "lenient.yaml"
    path.write_text(
        "checks.max_quarantine_rate:\n  values:\n    2023-01-01:\n      value: 1.0\n"
        "      reference: test override\n      status: unconfirmed\n",
        encoding="utf-8",
    )
    return ParameterSet.load(override=path)
