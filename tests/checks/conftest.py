from __future__ import annotations

import pytest

from models.rules.parameters import ParameterSet


@pytest.fixture(scope="session")
def params() -> ParameterSet:
    return ParameterSet.load()


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
