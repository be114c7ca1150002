"""Every deterministic warning code recovers the samples' planted truth exactly: all planted cases fire, no twin does."""

import pytest

from flows.drops import drop_dates
from flows.recovery import recovery_table
from models.rules.catalogue import CATALOGUE
from tests.conftest import SAMPLES


@pytest.fixture(scope="module")
def sample_store(sample_drops, tmp_path_factory):
    from flows import night

    store = tmp_path_factory.mktemp("truth")
    for as_of in drop_dates(sample_drops):
        assert night.run(store, sample_drops, as_of)["status"] == "ok"
    return store, drop_dates(sample_drops)


def test_each_rule_code_finds_every_planted_case_and_no_twin(sample_store):
    store, nights = sample_store
    for night in nights:
        table = recovery_table(store, SAMPLES / "truth", night)
        rule_codes = [c for c in CATALOGUE if c not in ("RANDOM_REVIEW", "PROXY_SIGNAL")]
        by_code = {r["warning_code"]: r for r in table.iter_rows(named=True)}
        for code in rule_codes:
            row = by_code.get(code)
            assert row is not None and row["tp"] > 0, f"{night} {code}: no planted case found"
            assert (row["fn"], row["fp"]) == (0, 0), f"{night} {code}: {row}"
            assert row["twins"] > 0, f"{night} {code}: the samples must plant a near-miss twin"
