"""A static, self-contained HTML summary of a night's validation (instead of GX Data Docs).

Why not GX Data Docs: with the ephemeral context GX 1.24 builds a docs site into a temporary folder, but (a) the pages
load Bootstrap, jQuery, bootstrap-table, Vega and Font Awesome from CDNs (cdnjs, unpkg, jsdelivr, stackpath), so offline
they render without layout or working tables, (b) validation pages are only produced through a Checkpoint with an
UpdateDataDocsAction (about 1 s more per suite) and the in-memory results store left the `validations/` folder empty in
our trial, and (c) the pages stamp build times and run ids, so they are not reproducible. This page has no external
resource, no timestamp and sorted content: the same night gives the same bytes. It lists every check of a feed: GX's
expectations by their GX type, the plain SQL checks as `safetynet_sql_check` (checks/runner.py `feed_result`).
"""

from __future__ import annotations

import html
from pathlib import Path


def _e(x: object) -> str:
    return html.escape(str(x))


def write_docs(docs_dir: Path, report: dict, results: dict[str, dict]) -> Path:
    docs_dir.mkdir(parents=True, exist_ok=True)
    out = [
        "<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'>",
        f"<title>safetynet checks {_e(report['as_of'])}</title>",
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin-bottom:1.5em}"
        "td,th{border:1px solid #bbb;padding:3px 8px;text-align:left}.bad{background:#fdd}.ok{background:#dfd}"
        "td.n{text-align:right}</style></head><body>",
        f"<h1>数据校验 / Validation — as-of {_e(report['as_of'])}</h1>",
    ]
    halted = report.get("halted") or []
    if halted:
        out.append("<h2 class='bad'>本夜运行已中止 / Night halted</h2><ul>")
        out += [
            f"<li><b>{_e(h['check_code'])}</b> {_e(h['feed'])}: {_e(h['message'])}<br>{_e(h['message_zh'])}</li>"
            for h in halted
        ]
        out.append("</ul>")
    out.append(
        "<h2>Feeds</h2><table><tr><th>feed</th><th>rows_in</th><th>rows_loaded</th><th>rows_quarantined</th>"
        "<th>checks</th></tr>"
    )
    for feed, r in report["feeds"].items():
        ok = report["gx_success"].get(feed)
        out.append(
            f"<tr><td><a href='#{_e(feed)}'>{_e(feed)}</a></td><td class='n'>{r['rows_in']}</td>"
            f"<td class='n'>{r['rows_loaded']}</td><td class='n'>{r['rows_quarantined']}</td>"
            f"<td class='{'ok' if ok else 'bad'}'>{'passed' if ok else 'failed'}"
            f"{' — 0 rows / 0 行' if r['rows_in'] == 0 else ''}</td></tr>"
        )
    out.append("</table>")
    for feed, res in results.items():
        out.append(
            f"<h2 id='{_e(feed)}'>{_e(feed)}</h2><table><tr><th>check code</th><th>expectation</th>"
            "<th>description</th><th>failing rows</th></tr>"
        )
        for r in sorted(res["results"], key=lambda r: r["expectation_config"]["meta"]["check_code"]):
            cfg = r["expectation_config"]
            n = r["result"].get("unexpected_count", r["result"].get("observed_value"))
            if n is None and r["result"].get("element_count") == 0:  # an empty table: GX gives no count, 0 rows failed
                n = 0
            out.append(
                f"<tr class='{'ok' if r['success'] else 'bad'}'><td>{_e(cfg['meta']['check_code'])}</td>"
                f"<td>{_e(cfg['type'])}</td><td>{_e(cfg.get('description') or '')}</td>"
                f"<td class='n'>{_e(n)}</td></tr>"
            )
        out.append("</table>")
    out.append(
        "<p>Failing rows are in the <code>quarantine</code> table with file, line and reasons (EN/中文).</p>"
        "</body></html>\n"
    )
    path = docs_dir / "index.html"
    path.write_text("\n".join(out), encoding="utf-8")
    return path
