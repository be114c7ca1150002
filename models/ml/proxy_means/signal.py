"""PROXY_SIGNAL (收入代理指标异常, monitoring, low): a covered household whose recorded income sits far below the proxy
estimate, or whose income data is missing while the estimate is far above the standard. For verification only: the
estimate is never counted as income and never decides eligibility (docs/POLICY.md §2, no "virtual income").

Which covered households are candidates, and in what order (`priority`, highest first). For a household with recorded
income, two sums in multiples of the standard, per capita and month:

    means sum = recorded income / standard
                + non-rigid self-paid spending of the last 12 months / 12 / standard          (other_spend_to_std / 12)
                + deposits and securities / ml.proxy_savings_spread_months / standard
    proxy sum = recorded income / standard + excess,  excess = log(1 + estimate) − log(1 + peer estimate)

It is a candidate when the means sum reaches `ml.proxy_min_priority` (the standard), or when its excess is positive and
the proxy sum reaches it; its priority is the larger sum. The means sum is a means test composition cannot explain: what
the feeds show a household had at its disposal beyond its recorded income — spending on receipts outside rigid needs,
and savings as if built over the spread — is income no feed shows, whatever the household's size or age. The proxy sum
keeps the model's view of wealth a means sum does not read (vehicles, property, business registrations): the peer
estimate is the model's estimate for the same household with every asset and spending proxy (allow-list policy `assets`
or `spending`) at the median of its composition peers: the night's covered households of the same size (5 and more
together), with or without a member aged 60 or more, with or without a member without labour capacity or with a grade
1-2 disability (`peer_cells`; a cell with fewer than MIN_PEERS households takes the median of all covered households).
Composition alone (which sets most of an estimate fitted on mostly uncovered households) says nothing about income a
covered household hides. Both sums start from recorded income because a verification finds a household ineligible when
its whole income exceeds the standard: a household just under the line with some unexplained means is likelier to be
above it than one far below with the same. A covered household with no income record in the window is a candidate when
the estimate is at least `ml.proxy_missing_min_estimate` × standard. Measured on generated districts in
docs/adr/0016-proxy-signal-against-composition-peers.md. Neither sum is an income and neither is shown as one; they only
order verification.

Caseworker capacity (`ml.proxy_signal_per_street_month`, k by street): a street receives at most k new PROXY_SIGNAL
warnings in a calendar month. A household whose PROXY_SIGNAL warning is still open keeps its candidate while it still
qualifies (same warning, same deadline); new ones fill the street's remaining room for the month in the order of
`priority`, then by household id.
What was raised earlier in the month is read from the store's latest earlier queue snapshot with the outcomes imported
on or before the night applied (as the queue applies them), so the cap holds across the nights of a month and a rerun of
a night (which seeds that snapshot) raises the same signals. A warning a caseworker closed tonight is no longer open: if
the household qualifies again it is a new warning and takes the street's room. A household whose PROXY_SIGNAL warning a
caseworker closed (confirmed or dismissed) within `ml.proxy_signal_recheck_months` is not raised again: its evidence
changes every month, so it would otherwise come back each month as new, already verified.
"""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import polars as pl

from flows.store import outcomes
from models.ml.proxy_means import features
from models.rules.months import first_of_month, months_before
from models.rules.parameters import ParameterSet

CODE = "PROXY_SIGNAL"
PARAMS = ("ml.proxy_min_priority", "ml.proxy_missing_min_estimate", "ml.proxy_savings_spread_months")
MONTHS_OF_SPENDING = 12  # other_spend_to_std sums 12 months (models/ml/household.py, expenses.lookback_days)
MIN_PEERS = 20
PARAM_CAPACITY = "ml.proxy_signal_per_street_month"
PARAM_RECHECK = "ml.proxy_signal_recheck_months"
CLOSED_BY_CASEWORKER = ("confirmed", "dismissed")
NOT_INCOME = "估算值和上述合计都不是收入，不计入家庭收入，也不决定任何事项（不得计算“虚拟收入”），仅提示入户核实。"


def _in_force(params: ParameterSet, name: str, as_of: dt.date):
    return params.at(name, as_of) if name in params and params.get(name).values[0].effective_from <= as_of else None


def _fmt(x: float) -> str:
    return f"{x:.0f}" if abs(x) >= 10 or float(x).is_integer() else f"{x:.1f}"


def proxy_text(allow, drivers: list[tuple[int, float]], row: np.ndarray) -> tuple[str, list[dict]]:
    """The proxies that drove the estimate up, in Chinese (label and the household's value), and as evidence."""
    items = [
        {
            "feature": allow.names[j],
            "label_zh": allow.label_zh(allow.names[j]),
            "value": round(float(row[j]), 2),
            "raises_estimate_by_standard": round(eff, 2),
        }
        for j, eff in drivers
    ]
    text = "、".join(f"{i['label_zh']}（{_fmt(i['value'])}）" for i in items)
    return text, items


def peer_cells(frame: pl.DataFrame) -> np.ndarray:
    """Composition cell of each household: size (5 and more together), any member aged 60+, any member without labour
    capacity or with a grade 1-2 disability."""
    size = frame["n_present"].clip(upper_bound=5).to_numpy()
    older = frame["n_elderly"].to_numpy() > 0
    care = (frame["n_no_labor"] + frame["n_severe_disability"]).to_numpy() > 0
    return size * 4 + older * 2 + care


def peer_typical(X: np.ndarray, cells: np.ndarray, columns: list[int]) -> np.ndarray:
    """X with `columns` at the median of the household's cell (of all rows when the cell has fewer than MIN_PEERS)."""
    out = X.copy()
    sub = np.where(np.isfinite(X[:, columns]), X[:, columns], np.nan)
    everyone = np.nanmedian(sub, axis=0)
    for cell in np.unique(cells):
        rows = cells == cell
        out[np.ix_(rows, columns)] = np.nanmedian(sub[rows], axis=0) if rows.sum() >= MIN_PEERS else everyone
    return out


def candidates(descriptors: pl.DataFrame, estimator, params: ParameterSet, as_of: dt.date) -> pl.DataFrame:
    """Every covered household that meets the signal's thresholds, with its estimate (no capacity applied)."""
    used = [_in_force(params, p, as_of) for p in PARAMS]
    if any(v is None for v in used):
        return pl.DataFrame()
    min_priority, min_missing, spread = (float(v.value) for v in used)
    covered = descriptors.filter((pl.col("is_covered") == 1) & (pl.col("n_present") > 0)).sort("household_id")
    if covered.height == 0:
        return pl.DataFrame()
    allow = features.load_allow_list()
    X = features.matrix(covered, allow)
    est = estimator.predict(X)
    known = covered["income_known"].to_numpy() == 1
    declared = covered["per_capita_to_std"].cast(pl.Float64).fill_null(np.nan).to_numpy()
    wealth = [i for i, f in enumerate(allow.features) if f.policy in ("assets", "spending")]
    excess = np.log1p(est) - np.log1p(estimator.predict(peer_typical(X, peer_cells(covered), wealth)))
    recorded = np.where(known, np.nan_to_num(declared), 0.0)
    spending = covered["other_spend_to_std"].cast(pl.Float64).fill_null(0.0).to_numpy() / MONTHS_OF_SPENDING
    savings = covered["financial_to_std"].cast(pl.Float64).fill_null(0.0).to_numpy() / spread
    means = recorded + spending + savings
    proxy = np.where(excess > 0, recorded + excess, -np.inf)
    priority = np.maximum(means, recorded + excess)
    below = known & ((means >= min_priority) | (proxy >= min_priority))
    missing = ~known & (est >= min_missing)
    return covered.with_columns(
        pl.Series("estimate", est),
        pl.Series("below", below),
        pl.Series("excess", excess),
        pl.Series("means", means),
        pl.Series("spending_to_std", spending),
        pl.Series("savings_to_std", savings),
        pl.Series("priority", priority),
    ).filter(pl.Series(below | missing))


def previous_signals(con, as_of: dt.date) -> pl.DataFrame:
    """(household_id, street_code, raised_date, status, resolved_date) of the PROXY_SIGNAL warnings in the store's
    latest queue snapshot before D, with the caseworkers' latest outcome imported on or before D applied as the queue
    applies it (confirmed and dismissed close a warning); empty when the night has no store attached or no earlier
    night."""
    empty = pl.DataFrame(
        schema={
            "household_id": pl.String,
            "street_code": pl.String,
            "raised_date": pl.Date,
            "status": pl.String,
            "resolved_date": pl.Date,
        }
    )
    if con is None:
        return empty
    attached = {r[0] for r in con.execute("SELECT database_name FROM duckdb_databases()").fetchall()}
    if (
        "store" not in attached
        or not con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'store' AND table_name = 'warning_snapshots'"
        ).fetchone()[0]
    ):
        return empty
    rows = con.execute(
        f"""WITH outcome AS ({outcomes.IN_FORCE})
           SELECT w.household_id, w.street_code, w.raised_date,
                  CASE WHEN o.outcome IN {CLOSED_BY_CASEWORKER} THEN o.outcome ELSE w.status END,
                  CASE WHEN o.outcome IN {CLOSED_BY_CASEWORKER} THEN o.resolved_date ELSE w.resolved_date END
           FROM store.warning_snapshots AS w LEFT JOIN outcome AS o USING (warning_id)
           WHERE w.warning_code = ? AND w.as_of = (SELECT max(as_of) FROM store.warning_snapshots WHERE as_of < ?)""",
        [as_of, CODE, as_of],
    ).fetchall()
    return pl.DataFrame(rows, schema=empty.schema, orient="row") if rows else empty


def recently_verified(prev: pl.DataFrame, months: int, as_of: dt.date) -> list[str]:
    """Households whose PROXY_SIGNAL warning a caseworker closed within the last `months` months."""
    since = months_before(as_of, months)
    closed = prev.filter(pl.col("status").is_in(CLOSED_BY_CASEWORKER) & (pl.col("resolved_date") > since))
    return closed["household_id"].unique().sort().to_list()


def within_capacity(cands: pl.DataFrame, prev: pl.DataFrame, sizes: dict, as_of: dt.date) -> pl.DataFrame:
    """The candidates a night raises: those with an open PROXY_SIGNAL warning, then per street the highest priorities up to the
    room the month has left (k − warnings raised in the month on earlier nights, whatever became of them), highest
    priority first."""
    if cands.height == 0:
        return cands
    month_start = first_of_month(as_of)
    street = pl.col("audit_street_code")
    open_ids = prev.filter(pl.col("status").is_in(["open", "in_progress"]))["household_id"].to_list()
    used = (
        prev.filter(pl.col("raised_date") >= month_start)
        .group_by("street_code")
        .agg(pl.len().alias("used"))
        .rename({"street_code": "audit_street_code"})
    )
    default = int(sizes.get("default", 0))
    per_street = {str(k): int(v) for k, v in sizes.items() if k != "default"}
    kept = cands.filter(pl.col("household_id").is_in(open_ids))
    fresh = (
        cands.filter(~pl.col("household_id").is_in(open_ids))
        .join(used, on="audit_street_code", how="left")
        .with_columns(
            street.replace_strict(per_street, default=default, return_dtype=pl.Int64).alias("k"),
            pl.col("used").fill_null(0).cast(pl.Int64),
        )
        .with_columns(pl.struct(-pl.col("priority"), "household_id").rank("ordinal").over(street).alias("rank"))
        .filter(pl.col("rank") <= pl.col("k") - pl.col("used"))
        .drop("used", "k", "rank")
    )
    return pl.concat([kept, fresh]).sort("household_id")


def signal_rows(
    descriptors: pl.DataFrame, estimator, model_id: str, params: ParameterSet, as_of: dt.date, con=None
) -> list[tuple]:
    cands = candidates(descriptors, estimator, params, as_of)
    prev = previous_signals(con, as_of) if cands.height else None
    recheck = _in_force(params, PARAM_RECHECK, as_of)
    if cands.height and recheck is not None:
        cands = cands.filter(~pl.col("household_id").is_in(recently_verified(prev, int(recheck.value), as_of)))
    cap = _in_force(params, PARAM_CAPACITY, as_of)
    if cands.height and cap is not None:
        cands = within_capacity(cands, prev, dict(cap.value), as_of)
    if cands.height == 0:
        return []
    used = [_in_force(params, p, as_of) for p in PARAMS] + [p for p in (cap, recheck) if p is not None]
    param_ev = [v.evidence() for v in used]
    allow = features.load_allow_list()
    X = features.matrix(cands, allow)
    drivers = estimator.explain(X, top=3) if hasattr(estimator, "explain") else [[] for _ in range(len(X))]
    est, std, excess = cands["estimate"].to_numpy(), cands["standard"].to_numpy(), cands["excess"].to_numpy()
    means, spending, savings = (cands[c].to_numpy() for c in ("means", "spending_to_std", "savings_to_std"))
    spread = int(_in_force(params, "ml.proxy_savings_spread_months", as_of).value)
    declared = cands["per_capita_to_std"].cast(pl.Float64).fill_null(np.nan).to_numpy()
    below = cands["below"].to_numpy()
    rows = []
    # the flags are vectorised; only the flagged households' evidence and reasons are formatted one by one (text)
    for i, hid in enumerate(cands["household_id"].to_list()):
        est_yuan = round(float(est[i] * std[i]) / 10) * 10  # rounded: a warning's evidence should not wobble nightly
        why, items = proxy_text(allow, drivers[i], X[i])
        ev = {
            "estimate_per_capita_yuan": est_yuan,
            "estimate_to_standard": round(float(est[i]), 1),
            "assets_and_spending_beyond_peers_log_ratio": round(float(excess[i]), 2),
            "model_id": model_id,
            "note": "proxy estimate for verification only; not income, not a decision",
            "parameters": param_ev,
            "proxies": items,
            "standard": float(std[i]),
        }
        if below[i]:
            dec_yuan = round(float(declared[i] * std[i]), 2)
            spend_yuan = round(float(spending[i] * std[i]) / 10) * 10
            save_yuan = round(float(savings[i] * std[i]) / 10) * 10
            ev |= {
                "case": "recorded_far_below_estimate",
                "recorded_per_capita_yuan": dec_yuan,
                "means_sum_to_standard": round(float(means[i]), 2),
                "other_spending_per_capita_month_yuan": spend_yuan,
                "savings_per_capita_spread_month_yuan": save_yuan,
            }
            text = (
                f"登记人均月收入 {dec_yuan:.2f} 元；近12个月非刚性自付支出折合人均每月约 {spend_yuan} 元，"
                f"人均存款证券按 {spread} 个月摊算每月约 {save_yuan} 元，三项合计为低保标准的 {means[i]:.1f} 倍；"
                f"按财产、支出和家庭构成估算人均月收入约为 {est_yuan} 元（低保标准的 {est[i]:.1f} 倍）"
            )
        else:
            ev |= {"case": "income_missing_estimate_high", "recorded_per_capita_yuan": None}
            text = f"近期无收入记录，而按财产、支出和家庭构成估算人均月收入约为 {est_yuan} 元（低保标准的 {est[i]:.1f} 倍）"
        basis = f"估算主要依据：{why}。" if why else ""
        reasons = f"收入代理指标异常：{text}。{basis}{NOT_INCOME}"
        rows.append((hid, CODE, CODE, reasons, json.dumps(ev, ensure_ascii=False, sort_keys=True)))
    return rows
