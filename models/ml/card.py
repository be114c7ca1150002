"""Model cards (docs/STYLE.md 7; issue #6 §4-5): one JSON document for machines and the same content as Markdown for people.

Sections, in this order — every card has all of them (`SECTIONS`); a section with nothing to say says why:
intended use · limits · data · features · parameters · metrics · calibration · drift · fairness · hashes · timings.
"""

from __future__ import annotations

import json

SECTIONS = (
    "intended_use",
    "limits",
    "data",
    "features",
    "parameters",
    "metrics",
    "calibration",
    "drift",
    "fairness",
    "hashes",
    "timings",
)
TITLES = {
    "intended_use": "Intended use",
    "limits": "Limits",
    "data": "Training data",
    "features": "Features (allow-list)",
    "parameters": "Parameters",
    "metrics": "Metrics",
    "calibration": "Calibration",
    "drift": "Drift",
    "fairness": "Fairness",
    "hashes": "Hashes",
    "timings": "Timings",
}


TIMINGS_NOTE = (
    "measured seconds are in timings.json beside this card: they vary from run to run, so they are kept out "
    "of the card, which is the same for the same training data, parameters and code"
)


def split_timings(card: dict) -> tuple[dict, dict]:
    """(the card without measured seconds, those seconds): the `timings` section and every `*_seconds` entry, wherever it
    is (the estimator comparison's fit times), go to the second, keyed by their path in the card."""
    timings: dict = {}

    def strip(node, path: str):
        if isinstance(node, dict):
            kept = {}
            for key, value in node.items():
                where = f"{path}.{key}" if path else key
                if key.endswith("_seconds") or (not path and key == "timings"):
                    timings[where] = value
                else:
                    kept[key] = strip(value, where)
            return kept
        if isinstance(node, list):
            return [strip(v, f"{path}[{i}]") for i, v in enumerate(node)]
        return node

    stable = strip(card, "")
    if "timings" in card:
        stable["timings"] = TIMINGS_NOTE
    return stable, timings


def dumps(card: dict) -> str:
    return json.dumps(card, ensure_ascii=False, sort_keys=True, indent=2, default=str) + "\n"


def _table(rows: list[dict]) -> list[str]:
    if not rows:
        return ["(none)"]
    cols = list(rows[0])
    out = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for r in rows:
        out.append("| " + " | ".join(_cell(r, c) for c in cols) + " |")
    return out


def _cell(row: dict, col: str) -> str:
    """A fairness ratio outside the four-fifths band [0.8, 1.25] is printed in red with its group's n, unless the group
    is marked too small to judge."""
    value = row.get(col)
    if value is None:
        return ""
    if (
        col.endswith("_ratio")
        and isinstance(value, (int, float))
        and not row.get("too_small")
        and not 0.8 <= value <= 1.25
        and row.get("dimension") != "overall"
    ):
        n = row.get("warnings")
        return f'<span style="color:red">{value} (n={n})</span>'
    return str(value)


def _render(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return _table(value)
    if isinstance(value, list):
        return [f"- {v}" for v in value] or ["(none)"]
    if isinstance(value, dict):
        out = []
        for k, v in value.items():
            if isinstance(v, (dict, list)) and v and not (isinstance(v, list) and not isinstance(v[0], dict)):
                out += [f"**{k}**", ""] + _render(v) + [""]
            else:
                out.append(f"- **{k}**: {v}")
        return out
    return [str(value)]


def to_markdown(card: dict) -> str:
    missing = [s for s in SECTIONS if s not in card]
    if missing:
        raise ValueError(f"model card {card.get('model_id')}: sections {missing} are missing")
    out = [f"# Model card — {card['model_id']} ({card['kind']})", ""]
    for s in SECTIONS:
        out += [f"## {TITLES[s]}", ""] + _render(card[s]) + [""]
    return "\n".join(out)
