"""Test-wide set-up: offline runtime before anything imports Prefect, and a shared Prefect test harness."""

import os
import tempfile
from pathlib import Path

from flows import runtime

_HOME = Path(tempfile.mkdtemp(prefix="safetynet-tests-"))
runtime.configure(_HOME)  # telemetry off, PREFECT_HOME in a scratch folder, before any prefect import

import pytest  # noqa: E402

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


def pytest_sessionfinish(session, exitstatus):
    import shutil

    shutil.rmtree(_HOME, ignore_errors=True)
    os.environ.pop("PREFECT_HOME", None)
