"""The KPI report of one night (docs/DESIGN.md step 6): what a district manager (民政局/镇街负责人) looks at each morning.

Everything comes from the store: the queue snapshot of night D (`warning_snapshots`, which carries every warning ever
raised, open or closed) and the snapshots of the earlier nights for the weekly trend. Definitions, as the report states
them to its readers:

- *open* (未办结): status `open` or `in_progress`; *overdue* (超期): open with deadline < D;
- *closed* (核查办结): closed by a caseworker's verification, `confirmed` or `dismissed`; *on time* (按期): closed with
  resolved_date ≤ deadline; on-time rate = on time / closed. `resolved_by_data` (the condition left the data, nobody
  verified it) is counted apart (数据已消除) and in neither the rate nor the handling time: a warning that went away on
  its own says nothing of how fast the street works;
- handling time: working days from the night a warning was raised to its caseworker's resolved_date, on the official
  calendar;
- confirmation rate (核实属实率): confirmed / (confirmed + dismissed);
- applications overdue (超期申请): open APPLICATION_OVERDUE warnings;
- estimated assessment deduction (预计考核扣分): parameter `assessment.deduction_per_overdue_item` ×
  (overdue warnings + overdue applications) (docs/POLICY.md §4). An estimate for the manager; the assessment is the bureau's.

Files, written into `<store>/exports/<D>/` after the exports (each through a temporary file and a rename, so the folder
that flows/outputs/exports.py swapped in is never left with half a file): `report.html` (self-contained, offline, inline SVG
charts from flows/outputs/charts.py; the page is the Jinja2 template `flows/outputs/templates/report.html.j2`, its blocks the
`SECTION_BUILDERS` below, so another part of safetynet adds a section without touching the others),
`kpi_summary.csv`, `kpi_by_street.csv`, `kpi_by_code.csv`, `kpi_weekly.csv`. Same
store, same bytes.

`publish_artifacts` puts the same figures into Prefect (a markdown summary and a table) and is the only part that needs
Prefect; it is imported lazily so that the CLI can configure the runtime first (flows/runtime.py).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import io
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl
from markupsafe import Markup

from flows import arguments
from flows import store as stored
from flows.outputs import care_view, charts
from flows.outputs.templating import environment
from flows.store import runs as stored_runs
from models.ml import review_measures
from models.rules.catalogue import CATALOGUE
from models.rules.parameters import STANDARDS, ParameterError, ParameterSet
from models.rules.working_days import WorkingCalendar

ACTIVE = ("open", "in_progress")
DEDUCTION_PARAM = "assessment.deduction_per_overdue_item"
APPLICATION_CODE = "APPLICATION_OVERDUE"
REPORT_FILE = "report.html"
CSV_FILES = ("kpi_summary.csv", "kpi_by_street.csv", "kpi_by_code.csv", "kpi_weekly.csv", care_view.CSV_FILE)

# The figures computed for every group (one street, one warning code, or the whole district).
METRICS = (
    "open",
    "in_progress",
    "overdue",
    "applications_overdue",
    "closed",
    "closed_on_time",
    "on_time_rate",
    "resolved_by_data",
    "median_working_days",
    "confirmed",
    "dismissed",
    "confirmation_rate",
    "deduction_estimate",
)
WEEKLY = (
    "week",
    "week_start",
    "week_end",
    "raised",
    "resolved",
    "open_at_week_end",
    "overdue_at_week_end",
    "snapshot_night",
)
LABELS_ZH = {
    "open": "未办结",
    "in_progress": "核查中",
    "overdue": "超期",
    "applications_overdue": "超期申请",
    "closed": "核查办结",
    "closed_on_time": "按期办结",
    "on_time_rate": "按期办结率",
    "resolved_by_data": "数据已消除",
    "median_working_days": "办结用时中位数(工作日)",
    "confirmed": "核查属实",
    "dismissed": "核查不属实",
    "confirmation_rate": "核查属实率",
    "deduction_estimate": "预计扣分",
    "overdue_items": "超期事项合计",
    "deduction_per_item": "每件扣分",
    "raised_on_night": "当晚新增预警",
    "as_of": "数据日期",
    "run_id": "运行编号",
    "street_code": "镇街代码",
    "street_name": "镇街",
    "warning_code": "预警代码",
    "label_zh": "预警类型",
    "category": "类别",
    "week": "周次",
    "week_start": "周一",
    "week_end": "周日",
    "raised": "新增",
    "resolved": "办结",
    "open_at_week_end": "周末未办结",
    "overdue_at_week_end": "周末超期",
    "snapshot_night": "取数日",
}
RATES = ("on_time_rate", "confirmation_rate")


class ReportError(Exception):
    """The store cannot give a report for the night asked (no successful night, or none on that date)."""


# ----------------------------------------------------------------------------------------------------------- figures


def _connect(store_root: Path):
    if not stored.database.exists(store_root):
        raise ReportError(
            f"{stored.db_path(store_root)}: no store database here; run `safetynet nightly` into this store first"
        )
    con = duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
    try:
        stored.attach(con, store_root, read_only=True)
    except BaseException:
        con.close()
        raise
    return con


def _night(con, as_of: dt.date | None) -> tuple[dt.date, str | None]:
    """The night to report on (default: the latest successful one) and its run id."""
    nights = stored_runs.ok_nights(con)
    if not nights:
        raise ReportError("the store has no successful night yet (runs with status 'ok'); run a night first")
    if as_of is None:
        as_of = nights[-1]
    elif as_of not in nights:
        earlier = [n for n in nights if n < as_of]
        hint = f"; the latest successful night before it is {earlier[-1]}" if earlier else ""
        raise ReportError(f"no successful night on {as_of} in the store{hint}")
    run_ids = stored_runs.ok_run_ids(con, as_of)
    return as_of, run_ids[-1] if run_ids else None


def _calendar_frame(params: ParameterSet, as_of: dt.date, first: dt.date) -> pl.DataFrame:
    """date -> running working-day index, so working days in (a, b] = index(b) - index(a)."""
    calendar = WorkingCalendar(params, as_of)
    last = dt.date(as_of.year + 1, 12, 31)
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    index, running = [], 0
    for d in days:
        running += calendar.is_working(d)
        index.append(running)
    return pl.DataFrame({"date": days, "wd_index": index}, schema={"date": pl.Date, "wd_index": pl.Int64})


GROUP_SQL = """
WITH snap AS (
    SELECT s.*, s.status IN ('open', 'in_progress') AS is_active,
           s.status IN ('confirmed', 'dismissed') AS is_closed,   -- closed by a caseworker's verification
           r.wd_index - a.wd_index AS handling_wd
    FROM store.warning_snapshots AS s
    LEFT JOIN report_calendar AS a ON a.date = s.raised_date
    LEFT JOIN report_calendar AS r ON r.date = s.resolved_date
    WHERE s.as_of = $as_of
)
SELECT {key}
       count(*) FILTER (WHERE is_active) AS open,
       count(*) FILTER (WHERE status = 'in_progress') AS in_progress,
       count(*) FILTER (WHERE is_active AND deadline < $as_of) AS overdue,
       count(*) FILTER (WHERE is_active AND warning_code = 'APPLICATION_OVERDUE') AS applications_overdue,
       count(*) FILTER (WHERE is_closed) AS closed,
       count(*) FILTER (WHERE is_closed AND resolved_date <= deadline) AS closed_on_time,
       count(*) FILTER (WHERE status = 'resolved_by_data') AS resolved_by_data,
       median(handling_wd) FILTER (WHERE is_closed) AS median_working_days,
       count(*) FILTER (WHERE status = 'confirmed') AS confirmed,
       count(*) FILTER (WHERE status = 'dismissed') AS dismissed
FROM snap
{group}
"""


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def _finish(row: dict, per_item: float | None) -> dict:
    """Rates and the deduction estimate from the counts."""
    row["on_time_rate"] = _ratio(row["closed_on_time"], row["closed"])
    row["confirmation_rate"] = _ratio(row["confirmed"], row["confirmed"] + row["dismissed"])
    if row["median_working_days"] is not None:
        row["median_working_days"] = round(float(row["median_working_days"]), 1)
    row["deduction_estimate"] = (
        None if per_item is None else round(per_item * (row["overdue"] + row["applications_overdue"]), 4)
    )
    return row


def _zero() -> dict:
    return {m: 0 for m in METRICS if m not in RATES} | {"median_working_days": None}


def _groups(con, as_of: dt.date, keys: list[str], per_item: float | None) -> dict[tuple, dict]:
    key_sql = "".join(f"{k}, " for k in keys)
    sql = GROUP_SQL.format(key=key_sql, group=f"GROUP BY {', '.join(keys)}" if keys else "")
    cur = con.execute(sql, {"as_of": as_of})
    names = [d[0] for d in cur.description]
    out = {}
    for values in cur.fetchall():
        row = dict(zip(names, values))
        out[tuple(row.pop(k) for k in keys)] = row
    return out


def _weekly(con, as_of: dt.date) -> list[dict]:
    nights = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT as_of FROM store.warning_snapshots WHERE as_of <= ? ORDER BY as_of", [as_of]
        ).fetchall()
    ]
    if not nights:
        return []
    week_night: dict[tuple[int, int], dt.date] = {}
    for n in nights:
        week_night[tuple(n.isocalendar())[:2]] = n  # nights are sorted: the last of each week wins
    at_night = {
        n: (o, d)
        for n, o, d in con.execute(
            """
        SELECT as_of, count(*) FILTER (WHERE status IN ('open', 'in_progress')),
               count(*) FILTER (WHERE status IN ('open', 'in_progress') AND deadline < as_of)
        FROM store.warning_snapshots WHERE as_of IN (SELECT unnest(?::DATE[])) GROUP BY as_of""",
            [sorted(set(week_night.values()))],
        ).fetchall()
    }
    raised = dict(
        con.execute(
            """SELECT date_trunc('week', raised_date)::DATE, count(*) FROM store.warning_snapshots
                                 WHERE as_of = ? AND raised_date <= ? GROUP BY 1""",
            [as_of, as_of],
        ).fetchall()
    )
    resolved = dict(
        con.execute(
            """SELECT date_trunc('week', resolved_date)::DATE, count(*) FROM store.warning_snapshots
                                   WHERE as_of = ? AND status NOT IN ('open', 'in_progress') AND resolved_date <= ?
                                   GROUP BY 1""",
            [as_of, as_of],
        ).fetchall()
    )
    first = nights[0] - dt.timedelta(days=nights[0].weekday())
    rows, monday = [], first
    while monday <= as_of:
        year, week, _ = monday.isocalendar()
        night = week_night.get((year, week))
        open_n, overdue_n = at_night.get(night, (None, None)) if night else (None, None)
        rows.append(
            {
                "week": f"{year}-W{week:02d}",
                "week_start": monday,
                "week_end": monday + dt.timedelta(days=6),
                "raised": raised.get(monday, 0),
                "resolved": resolved.get(monday, 0),
                "open_at_week_end": open_n,
                "overdue_at_week_end": overdue_n,
                "snapshot_night": night,
            }
        )
        monday += dt.timedelta(days=7)
    return rows


def compute_kpis(
    store_root: Path, as_of: dt.date | None = None, *, con=None, params: ParameterSet | None = None
) -> dict:
    """Every figure of the report for night `as_of` (default: the latest successful night), without writing anything.

    `con` may be a connection that already has the store attached as schema `store` (the nightly flow's own connection:
    DuckDB refuses a second handle on a file the process already has open).
    """
    own = con is None
    con = _connect(store_root) if own else con
    try:
        as_of, run_id = _night(con, as_of)
        params = params or ParameterSet.load()
        try:
            per_item = float(params.value(DEDUCTION_PARAM, as_of))
            deduction_ref = params.at(DEDUCTION_PARAM, as_of).reference
        except ParameterError:
            per_item, deduction_ref = None, None
        first = (
            con.execute("SELECT min(raised_date) FROM store.warning_snapshots WHERE as_of = ?", [as_of]).fetchall()[0][
                0
            ]
            or as_of
        )
        con.register("report_calendar", _calendar_frame(params, as_of, dt.date(first.year - 1, 1, 1)))
        try:
            total = _groups(con, as_of, [], per_item).get((), None) or _zero()
            streets = _groups(con, as_of, ["street_code", "street_name"], per_item)
            codes = _groups(con, as_of, ["warning_code"], per_item)
            weekly = _weekly(con, as_of)
            raised_on_night = con.execute(
                "SELECT count(*) FROM store.warning_snapshots WHERE as_of = ? AND raised_date = ?", [as_of, as_of]
            ).fetchall()[0][0]
            care = care_view.report_section(
                con, as_of, run_id, {str(k): str(v) for k, v in params.value("district.streets", as_of).items()}
            )
            random_review = review_measures.store_measures(store_root, as_of, con=con)
        finally:
            con.unregister("report_calendar")
    finally:
        if own:
            con.close()

    known_streets = {str(k): v for k, v in params.value("district.streets", as_of).items()}
    by_street = []
    for code, name in sorted(known_streets.items()):
        row = streets.pop((code, name), None) or _zero()
        by_street.append({"street_code": code, "street_name": name} | _finish(row, per_item))
    for (code, name), row in sorted(streets.items(), key=lambda kv: (kv[0][0] or "", kv[0][1] or "")):
        by_street.append({"street_code": code or "", "street_name": name or "未知镇街"} | _finish(row, per_item))
    by_code = []
    for code, w in CATALOGUE.items():
        row = codes.pop((code,), None) or _zero()
        by_code.append({"warning_code": code, "label_zh": w.label_zh, "category": w.category} | _finish(row, per_item))
    for (code,), row in sorted(codes.items()):
        by_code.append({"warning_code": code, "label_zh": "", "category": ""} | _finish(row, per_item))

    summary = {"as_of": as_of, "run_id": run_id} | _finish(dict(total), per_item)
    summary |= {
        "overdue_items": summary["overdue"] + summary["applications_overdue"],
        "deduction_per_item": per_item,
        "raised_on_night": raised_on_night,
    }
    stale_standards = [
        u for u in params.needing_confirmation(as_of) if u["name"] in STANDARDS and u["why"] != "unconfirmed"
    ]
    return {
        "as_of": as_of,
        "run_id": run_id,
        "summary": summary,
        "by_street": by_street,
        "by_code": by_code,
        "weekly": weekly,
        "deduction_reference": deduction_ref,
        "care": care,
        "random_review": random_review,
        "stale_standards": stale_standards,
    }


# ------------------------------------------------------------------------------------------------------------ files


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _csv_bytes(columns: tuple[str, ...] | list[str], rows: list[dict]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
    return buf.getvalue().encode("utf-8")


SUMMARY_ORDER = (
    "as_of",
    "run_id",
    "open",
    "overdue",
    "applications_overdue",
    "overdue_items",
    "deduction_per_item",
    "deduction_estimate",
    "on_time_rate",
    "closed",
    "closed_on_time",
    "resolved_by_data",
    "median_working_days",
    "confirmation_rate",
    "confirmed",
    "dismissed",
    "in_progress",
    "raised_on_night",
)


def csv_files(kpis: dict) -> dict[str, bytes]:
    summary = [{"metric": k, "label_zh": LABELS_ZH[k], "value": kpis["summary"][k]} for k in SUMMARY_ORDER]
    return {
        "kpi_summary.csv": _csv_bytes(("metric", "label_zh", "value"), summary),
        "kpi_by_street.csv": _csv_bytes(("street_code", "street_name", *METRICS), kpis["by_street"]),
        "kpi_by_code.csv": _csv_bytes(("warning_code", "label_zh", "category", *METRICS), kpis["by_code"]),
        "kpi_weekly.csv": _csv_bytes(WEEKLY, kpis["weekly"]),
        care_view.CSV_FILE: _csv_bytes(care_view.CSV_COLUMNS, care_view.csv_rows(kpis["care"])),
    }


def _write_atomic(path: Path, data: bytes) -> str:
    tmp = path.with_name(f".{path.name}.partial")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return hashlib.sha256(data).hexdigest()


def build_report(store_root: Path, as_of: dt.date | None = None, *, con=None) -> dict:
    """Compute the KPIs of night `as_of` (default: the latest successful night) and write the report and CSV files
    into `<store>/exports/<as_of>/`. Returns the KPIs with `files` ({name: sha256}) and `folder`."""
    store_root = Path(store_root)
    kpis = compute_kpis(store_root, as_of, con=con)
    folder = store_root / "exports" / kpis["as_of"].isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    files = csv_files(kpis) | {REPORT_FILE: render_html(kpis).encode("utf-8")}
    kpis["files"] = {name: _write_atomic(folder / name, data) for name, data in sorted(files.items())}
    kpis["folder"] = str(folder)
    return kpis


# ----------------------------------------------------------------------------------------------------------- charts

COLORS = {"open": "#5B8FF9", "overdue": "#E8684A", "raised": "#A0B4D0", "resolved": "#5AD8A6"}


def _bars(labels: list[str], open_n: list[int], overdue_n: list[int], title: str) -> str:
    """Open and overdue warnings per street or per warning type; the overdue count in its colour, as it is the one a
    manager acts on."""
    return charts.hbars(
        title,
        labels,
        [
            charts.Series("未办结 open", COLORS["open"], open_n),
            charts.Series("超期 overdue", COLORS["overdue"], overdue_n, value_color=COLORS["overdue"]),
        ],
    )


def _trend(weekly: list[dict]) -> str:
    """Raised and resolved per week as bars, open and overdue at each week's end as lines (no point for a week
    without a snapshot night)."""
    return charts.trend(
        "每周趋势 weekly trend",
        [w["week"] for w in weekly],
        bars=[
            charts.Series("新增 raised", COLORS["raised"], [w["raised"] for w in weekly]),
            charts.Series("办结 resolved", COLORS["resolved"], [w["resolved"] for w in weekly]),
        ],
        lines=[
            charts.Series("周末未办结 open at week end", COLORS["open"], [w["open_at_week_end"] for w in weekly]),
            charts.Series(
                "周末超期 overdue at week end",
                COLORS["overdue"],
                [w["overdue_at_week_end"] for w in weekly],
                marker="square",
            ),
        ],
    )


# ------------------------------------------------------------------------------------------------------------- html

CSS = """
body{font-family:"Microsoft YaHei","PingFang SC","Noto Sans CJK SC","Source Han Sans SC",sans-serif;margin:24px auto;
max-width:1080px;color:#222;line-height:1.5;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;border-bottom:2px solid #5B8FF9;padding-bottom:3px;margin-top:32px}
.meta{color:#666;font-size:13px}.en{color:#888;font-size:12px;font-weight:normal}.notice{color:#D03A1B;font-size:13px;margin:2px 0}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin:16px 0}
.card{flex:1 1 200px;border:1px solid #ddd;border-radius:6px;padding:12px 16px;background:#fafbfd}
.card .v{font-size:32px;font-weight:bold}.card .l{font-size:14px}.card .d{font-size:12px;color:#666}
.card.bad .v{color:#D03A1B}.stale{color:#D03A1B;font-weight:bold}.card.good .v{color:#1E8E3E}
.card table.parts{width:auto;margin:4px 0;font-size:14px}.card table.parts td{border:0;padding:1px 8px 1px 0}
.facts{font-size:14px}.facts b{font-size:15px}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;font-size:12px;margin:8px 0 16px;width:100%}
th,td{border:1px solid #ddd;padding:3px 5px;text-align:right}td{white-space:nowrap}
th{background:#EEF3FB;text-align:center;white-space:normal;font-weight:600}th .en{display:block;font-size:10px}
td.t{text-align:left;white-space:normal;min-width:5em}tr.hot td{background:#FFF1EE}
figure{margin:8px 0}figure svg{max-width:100%;height:auto}.notes{font-size:12px;color:#444}
@page{size:A4;margin:12mm}
@media print{body{margin:0;max-width:none;padding:0}.scroll{overflow:visible}table{font-size:9px}th .en{display:none}
th,td{padding:2px 3px}h2,h3{break-after:avoid}figure{break-inside:avoid}}
"""
TEMPLATE = "report.html.j2"
BLOCKS = "report_blocks.html.j2"
TREND_MIN_WEEKS = 3  # the trend chart once this many weeks have a snapshot night; fewer points show no trend


@dataclass(frozen=True)
class Section:
    """One block of the report below the headline cards: its anchor (`section-<id>`), its heading in Chinese and
    English, and its HTML body (Markup: charts and tables built here, every value escaped)."""

    id: str
    title_zh: str
    title_en: str
    body: Markup


def _num(value, kind: str = "int") -> str:
    if value is None:
        return "—"
    if kind == "rate":
        return f"{value * 100:.1f}%"
    if kind == "points":
        return f"{value:g}"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _table(table_id: str, columns: list[str], rows: list[dict], text_cols: set[str], hot=lambda r: False) -> Markup:
    """A table that fits its box: headers wrap, and a table still wider than the page scrolls inside its own box
    (and prints at a smaller size) instead of pushing the page wider."""
    kinds = {c: ("rate" if c in RATES else "points" if c == "deduction_estimate" else "int") for c in columns}
    return _blocks().table(
        table_id,
        [{"zh": LABELS_ZH.get(c, c), "en": c} for c in columns],
        [
            {
                "hot": hot(r),
                "cells": [
                    {"text": True, "value": _cell(r.get(c)) or "—"}
                    if c in text_cols
                    else {"text": False, "value": _num(r.get(c), kinds[c])}
                    for c in columns
                ],
            }
            for r in rows
        ],
    )


def _figure(figure_id: str, svg: str) -> Markup:
    return _blocks().figure(figure_id, Markup(svg))


def _street_section(kpis: dict) -> Section:
    streets = kpis["by_street"]
    svg = _bars(
        [r["street_name"] for r in streets],
        [r["open"] for r in streets],
        [r["overdue"] for r in streets],
        "各镇街未办结与超期预警 open and overdue by street",
    )
    return Section("street", "各镇街", "by street (镇街)", _figure("chart-street", svg))


def _code_section(kpis: dict) -> Section:
    codes = kpis["by_code"]
    svg = _bars(
        [f"{r['label_zh']} {r['warning_code']}" for r in codes],
        [r["open"] for r in codes],
        [r["overdue"] for r in codes],
        "各类型未办结与超期预警 open and overdue by warning type",
    )
    return Section("code", "各预警类型", "by warning type", _figure("chart-code", svg))


def _trend_section(kpis: dict) -> Section:
    weeks = [w for w in kpis["weekly"] if w["snapshot_night"] is not None]
    if len(weeks) >= TREND_MIN_WEEKS:
        body = _figure("chart-trend", _trend(kpis["weekly"]))
    else:
        body = _blocks().trend_pending(len(weeks), TREND_MIN_WEEKS)
    return Section("trend", "趋势", "weekly trend", body)


def _tables_section(kpis: dict) -> Section:
    group_cols = [
        "open",
        "overdue",
        "applications_overdue",
        "deduction_estimate",
        "closed",
        "closed_on_time",
        "on_time_rate",
        "resolved_by_data",
        "median_working_days",
        "confirmed",
        "dismissed",
        "confirmation_rate",
    ]
    hot = lambda r: bool(r["overdue"] or r["applications_overdue"])  # noqa: E731
    body = (
        _blocks().heading("各镇街", "by street")
        + _table(
            "table-street",
            ["street_code", "street_name", *group_cols],
            kpis["by_street"],
            {"street_code", "street_name"},
            hot,
        )
        + _blocks().heading("各预警类型", "by warning type")
        + _table(
            "table-code", ["warning_code", "label_zh", *group_cols], kpis["by_code"], {"warning_code", "label_zh"}, hot
        )
        + _blocks().heading("每周", "weekly")
        + _table("table-weekly", list(WEEKLY), kpis["weekly"], {"week", "week_start", "week_end", "snapshot_night"})
    )
    return Section("tables", "明细表", "tables", body)


def _care_section(kpis: dict) -> Section:
    return Section(
        "care", "独居老人关爱", "care for older people living alone", Markup(care_view.render_html(kpis["care"]))
    )


def _review_section(kpis: dict) -> Section:
    return Section(
        "review",
        "随机抽查",
        "random review (unbiased sample of covered households)",
        Markup(review_measures.html_block(kpis.get("random_review") or {})),
    )


def _notes_section(kpis: dict) -> Section:
    return Section("definitions", "口径说明", "definitions", _blocks().notes())


# The report's blocks below the headline, in page order. Another part of safetynet adds its block by adding a builder
# (kpis -> Section, or None to leave it out on a night with nothing to show) at its place in this tuple.
SECTION_BUILDERS: tuple[Callable[[dict], Section | None], ...] = (
    _street_section,
    _code_section,
    _trend_section,
    _care_section,
    _review_section,
    _tables_section,
    _notes_section,
)


def _stale_standards(kpis: dict) -> Markup:
    """The header's red line when the standards in force were last verified more than a year before the night: the
    warnings compare incomes with them, and the city raises them about once a year."""
    stale = kpis.get("stale_standards") or []
    if not stale:
        return Markup("")
    items = "；".join(f"{u['name']} = {u['value']}（{u['effective_from']} 起，{u['why']}）" for u in stale)
    return _blocks().stale_standards(items)


def _cards(kpis: dict) -> list[dict]:
    s = kpis["summary"]
    as_of = kpis["as_of"].isoformat()
    per_item = s["deduction_per_item"]
    if per_item is None:
        deduction, parts = "—", []
        deduction_detail = Markup("{} 无在用扣分参数 (no deduction parameter in force)").format(as_of)
    else:
        deduction = f"{s['deduction_estimate']:g} 分"
        parts = [
            {"key": key, "label": label, "count": f"{n} 件", "raw": n, "value": f"{round(per_item * n, 4):g} 分"}
            for key, label, n in (
                ("overdue", "超期预警", s["overdue"]),
                ("applications", "超期申请", s["applications_overdue"]),
            )
        ]
        deduction_detail = Markup("每件 {} 分；依据：{}").format(f"{per_item:g}", kpis["deduction_reference"])
    return [
        {
            "key": "open",
            "label_zh": "未办结预警",
            "label_en": "open warnings",
            "value": str(s["open"]),
            "raw": s["open"],
            "tone": "",
            "parts": [],
            "detail": f"其中核查中 {s['in_progress']}；当晚新增 {s['raised_on_night']}",
        },
        {
            "key": "overdue",
            "label_zh": "超期预警",
            "label_en": "overdue warnings",
            "value": str(s["overdue"]),
            "raw": s["overdue"],
            "tone": "bad" if s["overdue"] else "good",
            "parts": [],
            "detail": f"另有超期申请 (APPLICATION_OVERDUE) {s['applications_overdue']} 件，见扣分",
        },
        {
            "key": "deduction",
            "label_zh": "预计考核扣分",
            "label_en": "est. assessment deduction",
            "value": deduction,
            "raw": "" if s["deduction_estimate"] is None else s["deduction_estimate"],
            "tone": "bad" if s["deduction_estimate"] else "good",
            "parts": parts,
            "detail": deduction_detail,
        },
        {
            "key": "on-time",
            "label_zh": "按期办结率",
            "label_en": "on-time resolution",
            "value": _num(s["on_time_rate"], "rate"),
            "raw": "" if s["on_time_rate"] is None else s["on_time_rate"],
            "tone": "",
            "parts": [],
            "detail": f"按期 {s['closed_on_time']} / 核查办结 {s['closed']}；数据已消除 {s['resolved_by_data']} 件另计",
        },
    ]


def _blocks():
    """The macros of templates/report_blocks.html.j2 (each returns escaped Markup)."""
    return environment().get_template(BLOCKS).module


def render_html(kpis: dict) -> str:
    s = kpis["summary"]
    facts = _blocks().facts(
        _num(s["median_working_days"]),
        _num(s["confirmation_rate"], "rate"),
        s["confirmed"],
        s["confirmed"] + s["dismissed"],
        s["resolved_by_data"],
    )
    sections = [x for x in (build(kpis) for build in SECTION_BUILDERS) if x is not None]
    return (
        environment()
        .get_template(TEMPLATE)
        .render(
            title=f"社会救助动态监测预警 工作指标 {kpis['as_of'].isoformat()}",
            css=Markup(CSS),
            as_of=kpis["as_of"].isoformat(),
            run_id=kpis["run_id"],
            notices=kpis.get("notices", []),
            stale_standards=_stale_standards(kpis),
            cards=_cards(kpis),
            facts=facts,
            sections=sections,
        )
    )


# -------------------------------------------------------------------------------------------------------- artifacts


def summary_markdown(kpis: dict) -> str:
    s = kpis["summary"]
    ded = "—" if s["deduction_estimate"] is None else f"{s['deduction_estimate']:g}"
    lines = [
        f"# safetynet KPI {kpis['as_of'].isoformat()}",
        "",
        "| 指标 metric | 值 value |",
        "|---|---|",
        f"| 未办结预警 open warnings | {s['open']} |",
        f"| 超期预警 overdue warnings | {s['overdue']} |",
        f"| 超期申请 overdue applications | {s['applications_overdue']} |",
        f"| 预计考核扣分 est. deduction | {ded} |",
        f"| 按期办结率 on-time rate | {_num(s['on_time_rate'], 'rate')} ({s['closed_on_time']}/{s['closed']}) |",
        f"| 办结用时中位数 median working days | {_num(s['median_working_days'])} |",
        f"| 核实属实率 confirmation rate | {_num(s['confirmation_rate'], 'rate')} |",
        "",
        "| 预警代码 code | 类型 | 未办结 open | 超期 overdue |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {r['warning_code']} | {r['label_zh']} | {r['open']} | {r['overdue']} |"
        for r in kpis["by_code"]
        if r["open"] or r["overdue"]
    ]
    if kpis.get("folder"):
        lines += ["", f"Report: `{Path(kpis['folder']) / REPORT_FILE}`"]
    return "\n".join(lines) + "\n"


def street_table(kpis: dict) -> list[dict]:
    cols = (
        "street_code",
        "street_name",
        "open",
        "overdue",
        "applications_overdue",
        "deduction_estimate",
        "on_time_rate",
        "median_working_days",
    )
    return [{c: _cell(r[c]) for c in cols} for r in kpis["by_street"]]


def publish_artifacts(kpis: dict) -> None:
    """The night's KPIs as Prefect artifacts (call inside a flow or task run): a markdown summary and a by-street
    table, under stable keys so the UI shows one history per key."""
    from prefect.artifacts import create_markdown_artifact, create_table_artifact

    day = kpis["as_of"].isoformat()
    create_markdown_artifact(
        markdown=summary_markdown(kpis), key="safetynet-kpi-summary", description=f"safetynet KPI summary, night {day}"
    )
    create_table_artifact(
        table=street_table(kpis),
        key="safetynet-kpi-by-street",
        description=f"open and overdue warnings by street (镇街), night {day}",
    )


# -------------------------------------------------------------------------------------------------------------- CLI


def cmd_report(args) -> int:
    try:
        kpis = build_report(args.store, args.as_of)
    except ReportError as exc:
        print(f"report: {exc}", file=sys.stderr)
        return 2
    s = kpis["summary"]
    ded = "—" if s["deduction_estimate"] is None else f"{s['deduction_estimate']:g}"
    print(f"safetynet KPI report, night {kpis['as_of']}")
    print(f"  open warnings (未办结)          {s['open']}")
    print(f"  overdue warnings (超期)         {s['overdue']}")
    print(f"  overdue applications (超期申请) {s['applications_overdue']}")
    print(f"  estimated deduction (预计扣分)  {ded}")
    print(f"  on-time resolution (按期办结率) {_num(s['on_time_rate'], 'rate')}")
    print(f"report: {Path(kpis['folder']) / REPORT_FILE}")
    print("csv:    " + ", ".join(CSV_FILES))
    return 0


def register(subparsers) -> argparse.ArgumentParser:
    """Add `safetynet report` to the CLI's sub-parsers."""
    from flows.arguments import store_dir

    p = subparsers.add_parser(
        "report",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        help="write the KPI report (HTML and CSV) of a night",
        description="Write the KPI report of one night from the store, for the bureau's and the streets' managers:\n"
        "open and overdue warnings by street (镇街) and by warning type, the on-time resolution rate,\n"
        "the median handling time in working days, the confirmation rate of verified warnings,\n"
        "overdue applications, the estimated assessment deduction (0.1 point per overdue warning or\n"
        "application, parameter assessment.deduction_per_overdue_item), and a weekly trend.\n\n"
        "Files, in STORE/exports/AS_OF/ beside that night's exports:\n"
        "  report.html        one self-contained page in Chinese (charts inline, opens offline)\n"
        "  kpi_summary.csv    the headline figures, one per line\n"
        "  kpi_by_street.csv  one line per street;  kpi_by_code.csv  one line per warning code\n"
        "  kpi_weekly.csv     one line per ISO week\n\n"
        "The nightly flow writes the same report after each successful night; this command rebuilds it,\n"
        "e.g. for an earlier night. The same store gives the same bytes. Nothing in the store changes\n"
        "except these five files.",
        epilog="Exit codes: 0 written, 2 no successful night in the store (or none on --as-of).\n"
        "example: safetynet report --store var --as-of 2026-03-04",
    )
    p.add_argument("--store", type=store_dir, required=True, help="the store folder the nights ran into")
    p.add_argument(
        "--as-of",
        type=arguments.date,
        default=None,
        help="the night to report on, YYYY-MM-DD (default: the latest successful night)",
    )
    p.set_defaults(func=cmd_report)
    return p
