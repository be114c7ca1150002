"""A hand-made store with known numbers for the KPI report (no pipeline run: rows written straight into the tables).

Four nights, 2026-03-02 (Mon), 03-03, 03-09 (Mon), 03-10, all successful, and a halted night 03-11 (no snapshot).
March 2026 has no holiday, so working days are Monday to Friday. Streets S1 = 500106001 小龙坎街道, S2 = 500106002 沙坪坝街道.

warning  street code                 raised  deadline  state on 03-10 (resolved)       handling working days
W1       S1     MEMBER_DECEASED      03-02   03-09     open            -> overdue       -
W2       S1     INCOME_OVER_LIMIT    03-02   03-23     in_progress                      -
W3       S2     APPLICATION_OVERDUE  03-03   03-06     open            -> overdue       -
W4       S2     APPLICATION_OVERDUE  03-09   03-12     open                             -
W5       S1     MEMBER_DECEASED      03-02   03-09     confirmed 03-05 (on time)        3  (3,4,5 Mar)
W6       S2     INCOME_OVER_LIMIT    03-02   03-04     dismissed 03-06 (late)           4  (3,4,5,6)
W7       S2     EDGE_FAMILY          03-03   03-31     resolved_by_data 03-09 (on time) 4  (4,5,6,9)
W8       S1     PAYMENT_LATE         03-03   03-10     confirmed 03-10 (on time)        5  (4,5,6,9,10)
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from flows.store import Store
from flows.store.snapshots import QUEUE_COLUMNS

S1, S2 = ("500106001", "小龙坎街道"), ("500106002", "沙坪坝街道")
D = dt.date.fromisoformat

# id: (street, code, raised, deadline, [(first night in this state, status, resolved_date), ...])
WARNINGS = {
    "W1": (S1, "MEMBER_DECEASED", "2026-03-02", "2026-03-09", [("2026-03-02", "open", None)]),
    "W2": (
        S1,
        "INCOME_OVER_LIMIT",
        "2026-03-02",
        "2026-03-23",
        [("2026-03-02", "open", None), ("2026-03-09", "in_progress", None)],
    ),
    "W3": (S2, "APPLICATION_OVERDUE", "2026-03-03", "2026-03-06", [("2026-03-03", "open", None)]),
    "W4": (S2, "APPLICATION_OVERDUE", "2026-03-09", "2026-03-12", [("2026-03-09", "open", None)]),
    "W5": (
        S1,
        "MEMBER_DECEASED",
        "2026-03-02",
        "2026-03-09",
        [("2026-03-02", "open", None), ("2026-03-09", "confirmed", "2026-03-05")],
    ),
    "W6": (
        S2,
        "INCOME_OVER_LIMIT",
        "2026-03-02",
        "2026-03-04",
        [("2026-03-02", "open", None), ("2026-03-09", "dismissed", "2026-03-06")],
    ),
    "W7": (
        S2,
        "EDGE_FAMILY",
        "2026-03-03",
        "2026-03-31",
        [("2026-03-03", "open", None), ("2026-03-09", "resolved_by_data", "2026-03-09")],
    ),
    "W8": (
        S1,
        "PAYMENT_LATE",
        "2026-03-03",
        "2026-03-10",
        [("2026-03-03", "open", None), ("2026-03-10", "confirmed", "2026-03-10")],
    ),
}
NIGHTS = ("2026-03-02", "2026-03-03", "2026-03-09", "2026-03-10")
HALTED_NIGHT = "2026-03-11"


def _row(night: str, wid: str) -> dict | None:
    (street, street_name), code, raised, deadline, states = WARNINGS[wid]
    if D(raised) > D(night):
        return None
    in_force = [s for s in states if D(s[0]) <= D(night)]
    _, status, resolved = in_force[-1]
    return {
        "as_of": D(night),
        "warning_id": wid,
        "household_id": f"H{wid}",
        "condition_key": code,
        "warning_code": code,
        "category": "",
        "label_zh": "",
        "severity": "high",
        "region_code": street + "001",
        "street_code": street,
        "street_name": street_name,
        "reasons": "测试",
        "evidence": "{}",
        "evidence_hash": "x",
        "score": None,
        "raised_date": D(raised),
        "deadline": D(deadline),
        "last_seen_date": D(night),
        "status": status,
        "resolved_date": D(resolved) if resolved else None,
    }


def build_store(root: Path) -> Path:
    store = Store(root)
    store.init()
    cols = ("as_of", *QUEUE_COLUMNS)
    with duckdb.connect(str(store.db_path)) as con:
        for night in NIGHTS:
            for wid in sorted(WARNINGS):
                row = _row(night, wid)
                if row:
                    con.execute(
                        f"INSERT INTO warning_snapshots ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                        [row[c] for c in cols],
                    )
            con.execute(
                "INSERT INTO runs (run_id, as_of, status) VALUES (?, ?, 'ok')",
                [f"{night.replace('-', '')}-test", D(night)],
            )
        con.execute(
            "INSERT INTO runs (run_id, as_of, status, halted_feed) VALUES (?, ?, 'halted', 'income')",
            [f"{HALTED_NIGHT.replace('-', '')}-halt", D(HALTED_NIGHT)],
        )
    # the night's exports are already there, as flows/outputs/exports.py leaves them
    for night in NIGHTS:
        folder = store.exports_dir(D(night))
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "500106001.csv").write_text("warning_id\n", encoding="utf-8")
    return root
