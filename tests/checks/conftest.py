from __future__ import annotations

import pytest

from models.rules.parameters import ParameterSet


@pytest.fixture(scope="session")
def params() -> ParameterSet:
    return ParameterSet.load()
