"""What the random review measures (issue #20): expectations worked by hand from the definitions in
models/ml/review_measures.py."""

import datetime as dt

import polars as pl

from models.ml import card as cards
from models.ml.review_measures import MIN_GROUP, html_block, monthly_rows, signal_fairness, wilson

D = dt.date


def _frame(rows):
    return pl.DataFrame(
        rows,
        schema={
            "warning_id": pl.String,
            "household_id": pl.String,
            "warning_code": pl.String,
            "condition_key": pl.String,
            "raised_date": pl.Date,
            "label": pl.Int32,
            "month": pl.String,
        },
        orient="row",
    )


def test_wilson_interval_of_three_in_ten():
    # p = 0.3, z = 1.96: centre (0.3 + 1.9208/10) / 1.38416 = 0.3555, half 1.96 sqrt(0.021 + 0.0009604) / 1.38416 = 0.2477
    assert wilson(3, 10) == {"n": 10, "k": 3, "rate": 0.3, "ci_low": 0.1078, "ci_high": 0.6032}
    assert wilson(0, 0)["rate"] is None


def test_monthly_inclusion_error_precision_and_recall():
    f = _frame(
        [
            ("W1", "H1", "RANDOM_REVIEW", "RANDOM_REVIEW:2026-03", D(2026, 3, 2), 1, "2026-03"),
            ("W2", "H2", "RANDOM_REVIEW", "RANDOM_REVIEW:2026-03", D(2026, 3, 2), 1, "2026-03"),
            ("W3", "H3", "RANDOM_REVIEW", "RANDOM_REVIEW:2026-03", D(2026, 3, 2), 0, "2026-03"),
            ("W4", "H4", "RANDOM_REVIEW", "RANDOM_REVIEW:2026-03", D(2026, 3, 2), 0, "2026-03"),
            ("W5", "H5", "RANDOM_REVIEW", "RANDOM_REVIEW:2026-03", D(2026, 3, 2), None, "2026-03"),  # not verified yet
            ("W6", "H1", "PROXY_SIGNAL", "PROXY_SIGNAL", D(2026, 3, 10), 1, "2026-03"),
            ("W7", "H6", "PROXY_SIGNAL", "PROXY_SIGNAL", D(2026, 4, 2), 0, "2026-04"),
            ("W8", "H7", "PROXY_SIGNAL", "PROXY_SIGNAL", D(2026, 4, 3), None, "2026-04"),
        ]
    )
    rows = {r["month"]: r for r in monthly_rows(f)}
    assert list(rows) == ["2026-03", "2026-04", "all"]
    march, april, pooled = rows["2026-03"], rows["2026-04"], rows["all"]
    assert (march["inclusion_error"]["k"], march["inclusion_error"]["n"]) == (2, 4)  # W5 has no outcome
    assert (march["proxy_precision"]["k"], march["proxy_precision"]["n"]) == (1, 1)
    # review errors H1, H2; only H1 had a PROXY_SIGNAL
    assert (march["proxy_recall_on_review_errors"]["k"], march["proxy_recall_on_review_errors"]["n"]) == (1, 2)
    assert april["inclusion_error"]["n"] == 0 and (april["proxy_precision"]["k"], april["proxy_precision"]["n"]) == (
        0,
        1,
    )
    assert (pooled["proxy_precision"]["k"], pooled["proxy_precision"]["n"]) == (1, 2)


def test_signal_fairness_judges_only_groups_with_enough_reviews():
    # street A: 40 reviewed, 8 flagged (4 confirmed); street B: 10 reviewed, 2 flagged -> B too small to judge
    rows = []
    for i in range(50):
        rows.append(
            (
                f"R{i}",
                f"H{i:02d}",
                "RANDOM_REVIEW",
                "RANDOM_REVIEW:2026-03",
                D(2026, 3, 2),
                1 if i % 10 < 2 else 0,
                "2026-03",
            )
        )
    flagged = [f"H{i:02d}" for i in list(range(0, 40, 5)) + [40, 41]]
    rows += [(f"P{h}", h, "PROXY_SIGNAL", "PROXY_SIGNAL", D(2026, 3, 5), None, "2026-03") for h in flagged]
    hh = pl.DataFrame(
        {
            "household_id": [f"H{i:02d}" for i in range(50)],
            "audit_street_code": ["A" if i < 40 else "B" for i in range(50)],
            "audit_hukou_type": ["urban"] * 50,
            "audit_age_band": ["45-59"] * 50,
            "audit_disability": ["no"] * 50,
            "audit_household_size": ["2"] * 50,
        }
    )
    table = {(r["dimension"], r["group"]): r for r in signal_fairness(_frame(rows), hh)}
    a, b = table[("street", "A")], table[("street", "B")]
    assert a["warnings"] == 40 >= MIN_GROUP > b["warnings"] == 10
    # overall flag rate 10/50 = 0.2; A 8/40 = 0.2 (ratio 1.0); B 2/10 = 0.2
    assert a["flag_rate"] == 0.2 and a["flag_rate_ratio"] == 1.0 and a["judgement"] == "within [0.8, 1.25]"
    assert b["judgement"] == "n too small to judge"
    # precision: A's flagged H00, H05, ..., H35: i % 10 < 2 -> H00, H10, H20, H30 confirmed = 4/8; B: H40, H41 both 1
    assert a["confirmation_rate"] == 0.5 and b["confirmation_rate"] == 1.0
    overall = table[("overall", "all")]
    assert overall["confirmation_rate"] == 0.6  # 6 of 10 flagged
    # A's precision ratio 0.5 / 0.6 = 0.833 is inside the band; B's 1.0 / 0.6 = 1.667 is outside but not judged
    md = "\n".join(cards._table([a, b]))
    assert "color:red" not in md.split("\n")[2] and "1.667" in md and "color:red" not in md
    assert "table-proxy-fairness" in html_block(
        {"monthly": monthly_rows(_frame(rows)), "fairness": list(table.values())}
    )


def test_a_judged_ratio_outside_the_band_is_red_with_its_n():
    row = {"dimension": "street", "group": "C", "warnings": 45, "flag_rate_ratio": 1.4, "too_small": False}
    near = dict(row, flag_rate_ratio=1.25)
    assert cards._table([row])[2] == '| street | C | 45 | <span style="color:red">1.4 (n=45)</span> | False |'
    assert "color:red" not in cards._table([near])[2]
