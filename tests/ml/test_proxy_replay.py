"""The replay tool's month-by-month capacity and its rates, on a hand-made district of five covered households."""

from __future__ import annotations

import polars as pl

from flows.devtools.synthetic.proxy_replay import flagged, measure


def _month(excess: list[float]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "household_id": ["H1", "H2", "H3", "H4", "H5"],
            "audit_street_code": ["S1", "S1", "S1", "S2", "S2"],
            "income_known": [1, 1, 1, 1, 0],
            "per_capita_to_std": [0.8, 0.6, 0.9, 0.5, None],
            "hukou_urban": [1, 1, 0, 0, 1],
            "estimate": [1.0, 1.0, 1.0, 1.0, 3.0],
            "excess": excess,
        }
    )


def test_capacity_holds_per_street_and_month_and_a_household_is_raised_once():
    months = [_month([0.3, 0.5, 0.04, 0.2, 0.0]), _month([0.3, 0.5, 0.04, 0.2, 0.0])]
    # priorities: H1 1.1, H2 1.1, H3 0.94 (below 1.0), H4 0.7 (below), H5 no record but estimate 3 >= 2.5
    # S1, one place a month: H1 and H2 tie at 1.1 -> H1 (by id) in month 1, H2 in month 2; S2: H5
    assert flagged(months, 1.0, 1.0, 1).to_list() == ["H1", "H5", "H2"]
    # near misses: threshold 0.9 lets H3 in (0.94) once S1 has room; weight 2 lifts H3 to 0.98 and H4 to 0.9, both still below 1.0
    assert sorted(flagged(months, 0.9, 1.0, 3).to_list()) == ["H1", "H2", "H3", "H5"]
    assert sorted(flagged(months, 1.0, 2.0, 3).to_list()) == ["H1", "H2", "H5"]


def test_rates_and_group_ratios_by_hukou():
    months = [_month([0.3, 0.5, 0.04, 0.2, 0.0])]
    truth = pl.DataFrame(
        {
            "household_id": ["H1", "H2", "H3", "H4", "H5"],
            "is_covered": [1] * 5,
            "hidden_lifts": [True, False, True, False, False],
        }
    )
    data = {"truth": truth, "ruled": pl.Series(["H5"]), "months": months}
    got = measure(data, pl.Series(["H1", "H2", "H5"]))
    # pool H1-H4 (H5 ruled); flagged H1, H2; true H1, H3 -> recall 1/2, precision 1/2, base 2/4, lift 1
    assert got["pool"] == {
        "n": 4,
        "target": 2,
        "flagged": 2,
        "true": 1,
        "flag_rate": 0.5,
        "precision": 0.5,
        "fpr": 0.5,
        "recall": 0.5,
    }
    assert got["lift"] == 1.0
    # rural H3, H4: none flagged -> flag-rate ratio 0, recall ratio 0; urban H1, H2: both flagged, one true
    assert got["rural"]["ratios"] == {"flag_rate": 0.0, "precision": None, "fpr": 0.0, "recall": 0.0}
    assert got["urban"]["ratios"] == {"flag_rate": 2.0, "precision": 1.0, "fpr": 2.0, "recall": 2.0}
