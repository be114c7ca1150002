"""What the random review measures (issue #20 §3-4): the district's inclusion-error rate, and how PROXY_SIGNAL does on
the one unbiased sample of covered households.

The RANDOM_REVIEW slice (models/ml/random_review.py) is drawn at random among covered households, whatever any rule or
model says, so its outcomes estimate without selection bias:
- the inclusion-error rate (错保率): confirmed / reviewed among random-review warnings with an outcome;
- PROXY_SIGNAL's recall: of the random-review households verification confirmed as not qualifying, the share that a
  PROXY_SIGNAL warning had flagged (raised on or before the measuring date);
and, from PROXY_SIGNAL's own outcomes, its precision: confirmed / verified among PROXY_SIGNAL warnings.
Each is a proportion with n and a 95 % Wilson score interval, by calendar month (random-review month; PROXY_SIGNAL
raise month) and pooled over all months.

Fairness of the signal on the random-review slice (`signal_fairness`): flag rate, precision and false-positive rate by
street, hukou type, age band of the head, disability in the household and household size (models/ml/fairness.py), each
with its ratio to the whole slice. A group with fewer than MIN_GROUP reviewed households is marked "n too small to
judge" and its ratios are not screened; otherwise a ratio outside [0.8, 1.25] is flagged (red in the card).
"""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

import polars as pl

import sql
from flows import store as stored
from models.ml import fairness
from models.ml.labels import households_from_store
from models.ml.random_review import wilson

MIN_GROUP = 30
BAND = (0.8, 1.25)

WARNINGS_SQL = """
WITH w AS (
    SELECT warning_id, household_id, warning_code, condition_key, raised_date FROM {s}warning_snapshots
    WHERE as_of <= ? AND warning_code IN ('RANDOM_REVIEW', 'PROXY_SIGNAL')
    QUALIFY row_number() OVER (PARTITION BY warning_id ORDER BY as_of) = 1
),
o AS (
    SELECT warning_id, outcome FROM {s}outcomes
    WHERE imported_as_of <= ? AND outcome IN ('confirmed', 'dismissed')
    QUALIFY row_number() OVER (PARTITION BY warning_id ORDER BY imported_as_of, source_file, source_row) = 1
)
SELECT w.*, (o.outcome = 'confirmed')::INTEGER AS label FROM w LEFT JOIN o USING (warning_id)
ORDER BY w.warning_id
"""


def warnings_frame(con, as_of: dt.date, schema: str = "store") -> pl.DataFrame:
    """RANDOM_REVIEW and PROXY_SIGNAL warnings raised by D, with label (1/0/null) from outcomes imported by D and
    month (the review month, or the month the signal was raised)."""
    s = f"{schema}." if schema else ""
    rows = sql.frame(con, WARNINGS_SQL.format(s=s), [as_of, as_of])
    return rows.with_columns(
        pl.when(pl.col("warning_code") == "RANDOM_REVIEW")
        .then(pl.col("condition_key").str.split(":").list.get(1))
        .otherwise(pl.col("raised_date").dt.strftime("%Y-%m"))
        .alias("month")
    )


def monthly_rows(frame: pl.DataFrame) -> list[dict]:
    """One row per month and one pooled ('all'): the three estimates with n and interval."""
    rr = frame.filter((pl.col("warning_code") == "RANDOM_REVIEW") & pl.col("label").is_not_null())
    ps = frame.filter(pl.col("warning_code") == "PROXY_SIGNAL")
    signalled = ps["household_id"].unique().implode()
    rr = rr.with_columns(pl.col("household_id").is_in(signalled).alias("signalled"))
    ps_lab = ps.filter(pl.col("label").is_not_null())
    months = sorted(set(rr["month"].to_list()) | set(ps_lab["month"].to_list()))
    out = []
    for month in [*months, "all"]:
        r = rr if month == "all" else rr.filter(pl.col("month") == month)
        p = ps_lab if month == "all" else ps_lab.filter(pl.col("month") == month)
        errors = r.filter(pl.col("label") == 1)
        out.append(
            {
                "month": month,
                "inclusion_error": wilson(int(r["label"].sum() or 0), r.height),
                "proxy_precision": wilson(int(p["label"].sum() or 0), p.height),
                "proxy_recall_on_review_errors": wilson(int(errors["signalled"].sum()), errors.height),
            }
        )
    return out


def flat_rows(rows: list[dict]) -> list[dict]:
    """The monthly rows as flat records (CSV, card tables)."""
    out = []
    for r in rows:
        flat = {"month": r["month"]}
        for key in ("inclusion_error", "proxy_precision", "proxy_recall_on_review_errors"):
            e = r[key]
            flat |= {
                f"{key}_n": e["n"],
                f"{key}": e["rate"],
                f"{key}_ci": None if e["rate"] is None else f"{e['ci_low']:.3f}-{e['ci_high']:.3f}",
            }
        out.append(flat)
    return out


def signal_fairness(frame: pl.DataFrame, households: pl.DataFrame | None) -> list[dict]:
    """The fairness table of PROXY_SIGNAL on the random-review slice; audit groups from the household description."""
    rr = frame.filter((pl.col("warning_code") == "RANDOM_REVIEW") & pl.col("label").is_not_null())
    if rr.height == 0 or households is None:
        return []
    signalled = frame.filter(pl.col("warning_code") == "PROXY_SIGNAL")["household_id"].unique().implode()
    audit = households.select("household_id", *fairness.GROUPS.values())
    f = (
        rr.unique("household_id", keep="last", maintain_order=True)
        .join(audit, on="household_id", how="left")
        .with_columns(pl.col("household_id").is_in(signalled).alias("flagged"))
    )
    rows = fairness.fairness_table(f)
    for r in rows:
        r["too_small"] = r["dimension"] != "overall" and r["warnings"] < MIN_GROUP
        ratios = [r.get(f"{m}_ratio") for m in ("flag_rate", "confirmation_rate", "false_positive_rate")]
        r["judgement"] = (
            "n too small to judge"
            if r["too_small"]
            else "outside [0.8, 1.25]"
            if any(v is not None and not BAND[0] <= v <= BAND[1] for v in ratios)
            else "within [0.8, 1.25]"
        )
    return rows


def store_measures(store_root: Path, as_of: dt.date, con=None) -> dict:
    """Monthly estimates and the signal's fairness table from a store (its own connection when `con` is None)."""
    own = con is None
    if own:
        con = stored.connect(store_root, read_only=True)
    try:
        schema = "store" if not own else ""
        tables = {
            r[0]
            for r in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE database_name = ?",
                [schema or con.execute("SELECT current_database()").fetchone()[0]],
            ).fetchall()
        }
        if not {"warning_snapshots", "outcomes"} <= tables:
            return {"monthly": [], "fairness": []}
        frame = warnings_frame(con, as_of, schema)
    finally:
        if own:
            con.close()
    return {
        "monthly": monthly_rows(frame),
        "fairness": signal_fairness(frame, households_from_store(store_root, as_of)),
    }


def _fmt(e: dict, pct: bool = True) -> str:
    if e["rate"] is None:
        return "— (n = 0)"
    return f"{100 * e['rate']:.1f}% [{100 * e['ci_low']:.1f}–{100 * e['ci_high']:.1f}] (n = {e['n']})"


def html_block(measures: dict) -> str:
    """The KPI report's random-review block (its heading is the report's): the monthly estimates and the signal's
    fairness table."""
    rows = measures.get("monthly") or []
    if not rows:
        return "<p>暂无随机抽查核实结果 (no random-review outcomes yet)</p>"
    body = "".join(
        f"<tr><td>{html.escape(r['month'])}</td><td>{_fmt(r['inclusion_error'])}</td>"
        f"<td>{_fmt(r['proxy_precision'])}</td><td>{_fmt(r['proxy_recall_on_review_errors'])}</td></tr>"
        for r in rows
    )
    table = (
        "<div class='scroll'><table id='table-random-review'><thead><tr><th>月份 month</th><th>错保率 inclusion-error rate</th>"
        "<th>收入代理指标异常 准确率 PROXY_SIGNAL precision</th>"
        "<th>抽查错保中被提示比例 PROXY_SIGNAL recall on review errors</th></tr></thead>"
        f"<tbody>{body}</tbody></table></div>"
    )
    fair = measures.get("fairness") or []
    frows = []
    for r in fair:
        cells = []
        for m in ("flag_rate", "confirmation_rate", "false_positive_rate"):
            v, ratio = r.get(m), r.get(f"{m}_ratio")
            bad = not r["too_small"] and ratio is not None and not BAND[0] <= ratio <= BAND[1]
            text = "—" if v is None else f"{100 * v:.1f}% (×{ratio if ratio is not None else '—'})"
            style = ' style="color:#c00"' if bad else ""
            cells.append(f"<td{style}>{text}</td>")
        frows.append(
            f"<tr><td>{html.escape(r['dimension'])}</td><td>{html.escape(str(r['group']))}</td>"
            f"<td>{r['warnings']}</td>{''.join(cells)}<td>{html.escape(r['judgement'])}</td></tr>"
        )
    ftable = (
        (
            "<div class='scroll'><table id='table-proxy-fairness'><thead><tr><th>维度 dimension</th><th>分组 group</th><th>n</th>"
            "<th>提示率 flag rate</th><th>准确率 precision</th><th>误报率 false-positive rate</th>"
            "<th>判断 judgement</th></tr></thead>"
            f"<tbody>{''.join(frows)}</tbody></table></div>"
        )
        if fair
        else ""
    )
    return (
        f"{table}<p>95% Wilson 置信区间；估算值不是收入，不决定任何事项。</p>"
        "<h3>收入代理指标异常的公平性 <span class='en'>PROXY_SIGNAL fairness on the random-review slice</span></h3>"
        f"{ftable}"
    )
