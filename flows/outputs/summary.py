"""The short text summary a night prints: warnings by code and by street, overdue count, unconfirmed parameters."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from flows.outputs import care_view
from flows.store import connect
from models.rules.catalogue import CATALOGUE


def pad(text: str, width: int) -> str:
    """`text` padded to `width` terminal columns: a Chinese character takes two (East Asian wide), so str.ljust would
    leave the counts after Chinese labels out of line."""
    used = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(width - used, 0)


def night_summary(store: Path, doc: dict) -> str:
    as_of = doc["as_of"]
    with connect(store, read_only=True) as con:
        active = "as_of = ? AND status IN ('open', 'in_progress')"
        by_code = con.execute(
            f"SELECT warning_code, count(*) FROM warning_snapshots WHERE {active} GROUP BY 1 ORDER BY 1", [as_of]
        ).fetchall()
        by_street = con.execute(
            f"""SELECT street_code, street_name, count(*), count(*) FILTER (WHERE deadline < as_of)
                                    FROM warning_snapshots WHERE {active} GROUP BY 1, 2 ORDER BY 1""",
            [as_of],
        ).fetchall()
        overdue = con.execute(
            f"SELECT count(*) FROM warning_snapshots WHERE {active} AND deadline < as_of", [as_of]
        ).fetchone()[0]
        care_lines = care_view.summary_lines(con, doc)
    checks = doc.get("checks", {}).get("feeds", {})
    lines = [
        f"safetynet night {as_of}  run {doc['run_id']}",
        "rows: "
        + ", ".join(f"{f} {v.get('rows_loaded', '?')}/{v.get('rows_in', '?')}" for f, v in sorted(checks.items())),
        f"quarantined rows: {sum(v.get('rows_quarantined', 0) for v in checks.values())}",
        "",
        "open warnings by code (预警类型):",
    ]
    lines += [
        f"  {code:<26} {pad(CATALOGUE[code].label_zh if code in CATALOGUE else '', 20)} {n:>6}" for code, n in by_code
    ]
    lines += ["", pad("open warnings by street (镇街)", 33) + "open  overdue"]
    lines += [f"  {code} {pad(name, 20)} {n:>4} {o:>8}" for code, name, n, o in by_street]
    lines += ["", f"overdue warnings: {overdue}"]
    if doc.get("rules_not_evaluated"):
        lines += [
            "",
            f"rules not evaluated (未评估的预警规则), optional feeds not delivered: {', '.join(doc['feeds_absent'])}",
        ]
        lines += [f"  {r['warning_code']:<26} {r['reason_zh']} / {r['reason_en']}" for r in doc["rules_not_evaluated"]]
    lines += care_lines
    unconfirmed = doc["parameters"]["needing_confirmation"]
    if unconfirmed:
        local = [u["name"] for u in unconfirmed if u["why"] == "unconfirmed"]
        old = [u["name"] for u in unconfirmed if u["why"] != "unconfirmed"]
        lines += ["", f"parameters needing confirmation by the bureau ({len(unconfirmed)}; details in the manifest):"]
        if local:
            lines += [f"  local settings, unconfirmed ({len(local)}): " + ", ".join(local)]
        if old:
            lines += [f"  last verified more than 12 months before this night ({len(old)}): " + ", ".join(old)]
    if doc.get("ml", {}).get("proxy_note"):
        lines += ["", f"NOTE: {doc['ml']['proxy_note']}"]
    if doc.get("calendar_fallback_years"):
        lines += [
            "",
            f"WARNING: no holiday notice for {doc['calendar_fallback_years']}: deadlines there count Monday–Friday",
        ]
    if doc.get("stale"):
        lines += ["", f"WARNING: stale feeds: scored on the drop of {doc['latest_drop']} (--allow-stale)"]
    out = Path(store) / "exports" / as_of
    lines += ["", f"exports: {out}  (per-street .xlsx for caseworkers, .csv for machines, quarantine.csv)"]
    if (out / "report.html").exists():
        lines += [f"report:  {out / 'report.html'}"]
    lines += [f"manifest: {Path(store) / 'runs' / (doc['run_id'] + '.json')}"]
    return "\n".join(lines)
