"""The fairness table of a model card (issue #6 §4): by street, age band, disability, household size and hukou type.

Computed on held-out warnings, with `flagged` = the warning was among the k per street and week that the model sends to
verification first, and `label` = what verification found (1 confirmed, 0 dismissed):
- flag_rate            flagged / warnings of the group
- confirmation_rate    confirmed / flagged (precision in the group)
- false_positive_rate  flagged among the group's dismissed warnings
each with its ratio to the overall figure (1.0 = same as everyone; the usual four-fifths screen flags < 0.8 or > 1.25).
Groups are read from `audit_*` attributes, which no model ever sees.
"""

from __future__ import annotations

import polars as pl

GROUPS = {
    "street": "audit_street_code",
    "age_band": "audit_age_band",
    "disability": "audit_disability",
    "household_size": "audit_household_size",
    "hukou_type": "audit_hukou_type",
}


def _rates(g: pl.DataFrame) -> dict:
    n = g.height
    flagged = g.filter(pl.col("flagged"))
    neg = g.filter(pl.col("label") == 0)
    conf = flagged.filter(pl.col("label").is_not_null())
    return {
        "warnings": n,
        "flag_rate": flagged.height / n if n else None,
        "confirmation_rate": float(conf["label"].mean()) if conf.height else None,
        "false_positive_rate": neg.filter(pl.col("flagged")).height / neg.height if neg.height else None,
    }


def _ratio(a, b):
    return round(a / b, 3) if a is not None and b else None


def fairness_table(frame: pl.DataFrame, groups: dict[str, str] = GROUPS) -> list[dict]:
    """Rows: {dimension, group, warnings, flag_rate, flag_rate_ratio, confirmation_rate, ..., false_positive_rate_ratio}."""
    overall = _rates(frame)
    rows = [
        {
            "dimension": "overall",
            "group": "all",
            **{k: (round(v, 4) if isinstance(v, float) else v) for k, v in overall.items()},
            "flag_rate_ratio": 1.0,
            "confirmation_rate_ratio": 1.0,
            "false_positive_rate_ratio": 1.0,
        }
    ]
    for dim, col in groups.items():
        for value in sorted(frame[col].cast(pl.String).fill_null("unknown").unique().to_list()):
            g = frame.filter(pl.col(col).cast(pl.String).fill_null("unknown") == value)
            r = _rates(g)
            rows.append(
                {
                    "dimension": dim,
                    "group": value,
                    "warnings": r["warnings"],
                    **{
                        m: (round(r[m], 4) if r[m] is not None else None)
                        for m in ("flag_rate", "confirmation_rate", "false_positive_rate")
                    },
                    **{
                        f"{m}_ratio": _ratio(r[m], overall[m])
                        for m in ("flag_rate", "confirmation_rate", "false_positive_rate")
                    },
                }
            )
    return rows


def outside_four_fifths(rows: list[dict], min_warnings: int = 30) -> list[dict]:
    """Groups (with enough warnings to mean something) whose ratio on any measure is below 0.8 or above 1.25."""
    out = []
    for r in rows:
        if r["dimension"] == "overall" or r["warnings"] < min_warnings:
            continue
        for m in ("flag_rate", "confirmation_rate", "false_positive_rate"):
            v = r.get(f"{m}_ratio")
            if v is not None and (v < 0.8 or v > 1.25):
                out.append(
                    {
                        "dimension": r["dimension"],
                        "group": r["group"],
                        "measure": m,
                        "ratio": v,
                        "warnings": r["warnings"],
                    }
                )
    return out
