"""The care view (docs/CONTRACT.md v2, docs/POLICY.md §7): weekly contact compliance of older people living alone per street,
open care alerts, silent meters, the meter feed's notice and the 免申即享 count — for the night summary, the data
office's quarantine list and the KPI report.

Why two halves: the figures about people (who lives alone, who was visited) exist only in the night's rule relations,
which are gone once the night ends, so the night keeps them in its manifest (`night_figures`, under `care`); the report
reads them back from the recorded run and adds what the store keeps (open warnings), then renders its own HTML block
(`report_section`, `render_html`), hooked into flows/outputs/report.py with one line each.
"""

from __future__ import annotations

import datetime as dt
import json

import polars as pl

import sql
from flows.outputs.templating import environment
from flows.store import runs as stored_runs

CARE_CODES = ("CARE_CONTACT_MISSED", "CARE_CONCERN", "WATER_USAGE_ANOMALY")
FAST_TRACK_CODES = ("ELIGIBLE_NOT_COVERED", "TEKUN_CANDIDATE", "AGE_ALLOWANCE_DUE")
NOTICE_CODE = "METER_FEED_SILENT"
CSV_FILE = "kpi_care.csv"
CSV_COLUMNS = (
    "street_code",
    "street_name",
    "iso_week",
    "living_alone",
    "met",
    "missed",
    "metered",
    "silent",
    "open_care_alerts",
    "open_contact_missed",
    "open_concern",
    "open_water",
)


# ------------------------------------------------------------------------------------------------------------- night


def night_figures(con) -> dict:
    """After the rule pass: the judged week, contact compliance and meters per street (care_week_by_street), and the
    meter feed's notice when it fired (meter_feed_notice). Plain JSON values, for the manifest."""
    ctx = con.execute(
        "SELECT iso_week, strftime(week_start, '%Y-%m-%d'), strftime(week_end, '%Y-%m-%d'), "
        "contacts_evaluated, strftime(reading_day, '%Y-%m-%d'), weekly_visits, weekly_calls "
        "FROM care_context"
    ).fetchall()[0]
    streets = sql.frame(
        con,
        "SELECT street_code, living_alone, met, missed, metered, silent FROM care_week_by_street ORDER BY street_code",
    ).to_dicts()
    notice = sql.frame(
        con,
        "SELECT strftime(reading_day, '%Y-%m-%d') AS reading_day, metered, silent, "
        "silent_share_notice::DOUBLE AS silent_share_notice, reason_en, reason_zh "
        "FROM meter_feed_notice",
    ).to_dicts()
    return {
        "iso_week": ctx[0],
        "week": f"{ctx[1]}..{ctx[2]}",
        "contacts_evaluated": bool(ctx[3]),
        "reading_day": ctx[4],
        "weekly_visits": ctx[5],
        "weekly_calls": ctx[6],
        "by_street": streets,
        "meter_notice": notice[0] if notice else None,
    }


def notice_rows(con, as_of: dt.date) -> pl.DataFrame:
    """The meter feed's notice (meter_feed_notice, built by the rule pass) as rows of the quarantine list: feed-level, so
    no file, line or record. Empty when it did not fire or no rule pass ran on `con`."""
    schema = {
        "feed": pl.String,
        "drop_date": pl.Date,
        "file": pl.String,
        "line": pl.Int64,
        "record_id": pl.String,
        "check_code": pl.String,
        "reason_zh": pl.String,
        "reason_en": pl.String,
    }
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'meter_feed_notice' "
        "AND database_name = current_database()"
    ).fetchall()[0][0]
    if not exists:
        return pl.DataFrame(schema=schema)
    return sql.frame(
        con,
        f"""SELECT 'meter_readings' AS feed, ?::DATE AS drop_date, NULL::VARCHAR AS file,
                              NULL::BIGINT AS line, NULL::VARCHAR AS record_id, '{NOTICE_CODE}' AS check_code,
                              reason_zh, reason_en FROM meter_feed_notice""",
        [as_of],
    ).cast(schema)


def summary_lines(con, doc: dict) -> list[str]:
    """Lines for the night summary: open 免申即享 warnings, and the meter feed's notice."""
    n = con.execute(
        f"""SELECT count(*) FROM warning_snapshots WHERE as_of = ? AND status IN ('open', 'in_progress')
                        AND warning_code IN {FAST_TRACK_CODES}
                        AND coalesce(json_extract(evidence, '$.fast_track.value')::BOOLEAN, false)""",
        [doc["as_of"]],
    ).fetchall()[0][0]
    lines = ["", f"可免申即享 fast track (no application needed): {n} open warnings"]
    notice = (doc.get("care") or {}).get("meter_notice")
    if notice:
        lines += ["", f"NOTICE {NOTICE_CODE}: {notice['reason_zh']}", f"  {notice['reason_en']}"]
    return lines


# ------------------------------------------------------------------------------------------------------------ report


def report_section(con, as_of: dt.date, run_id: str | None, streets: dict[str, str]) -> dict:
    """The report's care figures: the recorded night's `care` (from its manifest in `store.runs`) joined with the open
    care alerts per street and the open 免申即享 warnings in the night's snapshot. `streets`: code -> name."""
    text = stored_runs.manifest_text(con, run_id, "store") if run_id else None
    care = (json.loads(text).get("care") if text else None) or {}
    alerts = dict(
        ((s, c), n)
        for s, c, n in con.execute(
            f"""SELECT street_code, warning_code, count(*) FROM store.warning_snapshots
            WHERE as_of = ? AND status IN ('open', 'in_progress') AND warning_code IN {CARE_CODES} GROUP BY ALL""",
            [as_of],
        ).fetchall()
    )
    fast = con.execute(
        f"""SELECT count(*) FROM store.warning_snapshots
                           WHERE as_of = ? AND status IN ('open', 'in_progress') AND warning_code IN {FAST_TRACK_CODES}
                           AND coalesce(json_extract(evidence, '$.fast_track.value')::BOOLEAN, false)""",
        [as_of],
    ).fetchall()[0][0]
    by_street = {r["street_code"]: r for r in care.get("by_street", [])}
    codes = sorted(set(streets) | set(by_street) | {s for s, _ in alerts})
    rows = []
    for code in codes:
        r = by_street.get(code, {})
        counts = {c: alerts.get((code, c), 0) for c in CARE_CODES}
        rows.append(
            {
                "street_code": code,
                "street_name": streets.get(code, "未知镇街"),
                "iso_week": care.get("iso_week"),
                "living_alone": r.get("living_alone", 0),
                "met": r.get("met", 0 if care.get("contacts_evaluated") else None),
                "missed": r.get("missed", 0 if care.get("contacts_evaluated") else None),
                "metered": r.get("metered", 0),
                "silent": r.get("silent", 0),
                "open_care_alerts": sum(counts.values()),
                "open_contact_missed": counts["CARE_CONTACT_MISSED"],
                "open_concern": counts["CARE_CONCERN"],
                "open_water": counts["WATER_USAGE_ANOMALY"],
            }
        )
    return {
        "iso_week": care.get("iso_week"),
        "week": care.get("week"),
        "contacts_evaluated": care.get("contacts_evaluated"),
        "reading_day": care.get("reading_day"),
        "meter_notice": care.get("meter_notice"),
        "fast_track_open": fast,
        "weekly_visits": care.get("weekly_visits"),
        "weekly_calls": care.get("weekly_calls"),
        "by_street": rows,
    }


def render_html(data: dict) -> str:
    """The care block of the KPI report (templates/care.html.j2): the 免申即享 count, the meter notice if any, and the
    per-street table."""
    rows = data["by_street"]
    total = {
        k: sum(r[k] or 0 for r in rows)
        for k in ("living_alone", "met", "missed", "metered", "silent", "open_care_alerts")
    }
    if not data.get("contacts_evaluated"):
        total["met"] = total["missed"] = None
    dash = lambda v: "—" if v is None else v  # noqa: E731
    head = (
        "镇街代码",
        "镇街",
        "独居老人 living alone",
        f"达标 met {dash(data.get('weekly_visits'))}+{dash(data.get('weekly_calls'))}",
        "未达标 missed",
        "装表户 metered",
        "水表无数据 silent",
        "未办结关爱预警 open care alerts",
    )
    return (
        environment()
        .get_template("care.html.j2")
        .render(
            fast_track_open=data["fast_track_open"],
            iso_week=data.get("iso_week"),
            week=data.get("week"),
            weekly_visits=data.get("weekly_visits"),
            weekly_calls=data.get("weekly_calls"),
            reading_day=data.get("reading_day"),
            contacts_evaluated=data.get("contacts_evaluated"),
            notice=data.get("meter_notice"),
            notice_code=NOTICE_CODE,
            head=head,
            keys=(
                "street_code",
                "street_name",
                "living_alone",
                "met",
                "missed",
                "metered",
                "silent",
                "open_care_alerts",
            ),
            rows=[r for r in rows if r["living_alone"] or r["metered"] or r["open_care_alerts"]],
            total=total,
        )
    )


def csv_rows(data: dict) -> list[dict]:
    return data["by_street"]
