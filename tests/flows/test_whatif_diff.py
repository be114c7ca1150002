"""The what-if diff says what kind of change each warning saw (flows/rerun.py `warning_diff`), worked out on two
hand-made queue snapshots of one night: the recorded one and the one rebuilt under other parameters."""

import datetime as dt
import json

from flows.rerun import summarise_changes, warning_diff
from tests.caseworker.helpers import make_store

NIGHT = dt.date(2026, 3, 3)
EVIDENCE = {"income": {"per_capita": 600.0}, "parameters": [{"name": "dibao.standard_urban", "value": 772}]}


def snap(n: int, code: str = "ELIGIBLE_NOT_COVERED", **over) -> dict:
    return {
        "as_of": NIGHT,
        "warning_id": f"W20260302-{n:010d}",
        "raised_date": dt.date(2026, 3, 2),
        "condition_key": f"c{n}",
        "warning_code": code,
        "severity": "high",
        "evidence": json.dumps(EVIDENCE),
        "reasons": "原因",
    } | over


def test_each_warning_is_classified_by_what_changed(tmp_path):
    other_param = json.dumps(EVIDENCE | {"parameters": [{"name": "dibao.standard_urban", "value": 900}]})
    other_fact = json.dumps(EVIDENCE | {"income": {"per_capita": 650.0}})
    recorded = make_store(
        tmp_path / "a", [snap(1), snap(2), snap(3), snap(4), snap(5), snap(6, status="dismissed"), snap(7)]
    )
    rebuilt = make_store(
        tmp_path / "b",
        [
            snap(2, status="resolved_by_data"),  # the condition gone under the new parameters
            snap(3, evidence=other_param),  # the same facts, another parameter cited
            snap(4, severity="medium"),  # severity changed
            snap(5, evidence=other_fact),  # the facts changed
            snap(6),  # a closed warning open again
            snap(7),  # unchanged: not listed
            snap(8, code="EDGE_FAMILY"),
        ],
    )  # raised only under the new parameters
    diff = warning_diff(recorded.root, rebuilt.root, NIGHT)
    got = dict(zip(diff["condition_key"], diff["change"]))
    assert got == {
        "c1": "would_close",
        "c2": "would_close",
        "c3": "parameter_only",
        "c4": "severity_or_deadline",
        "c5": "evidence",
        "c6": "newly_raised",
        "c8": "newly_raised",
    }
    assert dict(zip(diff["condition_key"], diff["changed_fields"]))["c3"] == "evidence"
    assert summarise_changes(diff) == (
        "2 newly raised (EDGE_FAMILY 1, ELIGIBLE_NOT_COVERED 1); 2 would close (ELIGIBLE_NOT_COVERED 2); "
        "1 severity/deadline changed (ELIGIBLE_NOT_COVERED 1); 1 evidence changed only in a parameter "
        "(ELIGIBLE_NOT_COVERED 1); 1 evidence changed (ELIGIBLE_NOT_COVERED 1)"
    )
