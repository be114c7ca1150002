"""The random review slice (issue #6 §1): each month a seeded random sample of covered households per street gets a
`RANDOM_REVIEW` warning. Their outcomes are labels no rule and no model selected, so they give the district an unbiased
estimate of its inclusion-error rate (错保率) with a confidence interval, and honest labels for the scorer.

The draw for month M is a pure function of (seed, M, the households covered on M's first day): households are ranked by
md5(seed|M|household_id) within their street and the first k are drawn (k = `ml.random_review_per_street_month`, by
street or `default`). The sample of a month stays a candidate for `ml.random_review_open_months` months, so its warning
stays open in the queue until a caseworker closes it (same evidence every night: same warning, same deadline). A
household holds at most one review at a time: a later month that draws it again is skipped for it (the earlier draw keeps
its warning). Which households are skipped depends only on earlier random draws, never on what a household is like, so
the slice stays a random sample of the covered households.
"""

from __future__ import annotations

import datetime as dt
import json
import math

from models.rules.months import month_index, month_start
from models.rules.parameters import ParameterSet

CODE = "RANDOM_REVIEW"
PARAM_SIZE = "ml.random_review_per_street_month"
PARAM_OPEN = "ml.random_review_open_months"
PARAM_SEED = "ml.random_review_seed"


def _month_first(d: dt.date, back: int) -> dt.date:
    mi = month_index(d) - back
    return month_start(mi)


def _in_force(params: ParameterSet, name: str, on: dt.date):
    p = params.get(name)
    return p.at(on) if p.values[0].effective_from <= on else None


def draw_sql(month: dt.date, seed: int, sizes: dict) -> tuple[str, list]:
    """SQL selecting (household_id, street_code, rank) of month M's sample from `households` and `enrollment`."""
    default = int(sizes.get("default", 0))
    per_street = {str(k): int(v) for k, v in sizes.items() if k != "default"}
    size_case = " ".join(f"WHEN '{k}' THEN {v}" for k, v in sorted(per_street.items()))
    size_expr = f"CASE street_code {size_case} ELSE {default} END" if size_case else str(default)
    query = f"""
        WITH covered AS (
            SELECT DISTINCT e.household_id FROM enrollment e
            WHERE is_covering(e.program, e.status, e.start_date, e.end_date, ?::DATE)
        ),
        ranked AS (
            SELECT h.household_id, left(h.region_code, 9) AS street_code,
                   row_number() OVER (PARTITION BY left(h.region_code, 9)
                                      ORDER BY md5(? || '|' || ? || '|' || h.household_id), h.household_id) AS rank
            FROM households h JOIN covered c USING (household_id)
        )
        SELECT household_id, street_code, rank FROM ranked WHERE rank <= {size_expr}
        ORDER BY street_code, rank"""
    m = month.isoformat()
    return query, [m, str(seed), month.strftime("%Y-%m")]


def review_rows(con, params: ParameterSet, as_of: dt.date) -> list[tuple]:
    """Candidate rows (household_id, warning_code, condition_key, reasons, evidence) of the open review months."""
    if PARAM_SIZE not in params:
        return []
    open_v = _in_force(params, PARAM_OPEN, as_of)
    months = int(open_v.value) if open_v else 1
    streets = {str(k): v for k, v in params.value("district.streets", as_of).items()}
    rows, drawn = [], set()
    for back in reversed(range(months)):  # oldest open month first: its draw keeps a household drawn again later
        month = _month_first(as_of, back)
        size_v, seed_v = _in_force(params, PARAM_SIZE, month), _in_force(params, PARAM_SEED, month)
        if size_v is None or seed_v is None:
            continue
        query, args = draw_sql(month, int(seed_v.value), dict(size_v.value))
        label = month.strftime("%Y-%m")
        for hid, street, rank in con.execute(query, args).fetchall():
            if hid in drawn:
                continue
            drawn.add(hid)
            k = int(dict(size_v.value).get(street, dict(size_v.value).get("default", 0)))
            evidence = {
                "method": "md5(seed|month|household_id) rank within street",
                "month": label,
                "parameters": [v.evidence() for v in (size_v, seed_v)],
                "rank_in_street": int(rank),
                "sample_size": k,
                "seed": int(seed_v.value),
                "street_code": street,
            }
            reasons = (
                f"随机抽查：本户为{label}月{streets.get(street, street)}在保家庭随机抽样（每月 {k} 户）之一。"
                "抽中不表示本户存在问题；核查结果用于估计全区错保率，请按常规入户核实收入、财产和家庭成员情况。"
            )
            rows.append(
                (hid, CODE, f"{CODE}:{label}", reasons, json.dumps(evidence, ensure_ascii=False, sort_keys=True))
            )
    return sorted(rows, key=lambda r: (r[0], r[2]))


def wilson(k: int, n: int, z: float = 1.96) -> dict:
    """k of n with its 95 % Wilson score interval (n = 0: no estimate)."""
    if n == 0:
        return {"n": 0, "k": 0, "rate": None, "ci_low": None, "ci_high": None}
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return {
        "n": n,
        "k": k,
        "rate": round(p, 4),
        "ci_low": round(max(0.0, centre - half), 4),
        "ci_high": round(min(1.0, centre + half), 4),
    }


def inclusion_error_estimate(confirmed: int, reviewed: int, z: float = 1.96) -> dict:
    """Share of reviewed covered households found not to qualify, with a Wilson score interval."""
    w = wilson(confirmed, reviewed, z)
    return {"reviewed": w["n"], "confirmed": w["k"], "rate": w["rate"], "ci_low": w["ci_low"], "ci_high": w["ci_high"]}
