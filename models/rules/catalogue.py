"""The warning catalogue (docs/CONTRACT.md §3): stable codes with category, Chinese label and severity, read from
`sql/warnings/catalogue.yaml`, the one file that describes each warning beside its SQL (and from which
docs/rulebook.md is generated: models/rules/rulebook.py).

Handling deadlines are not here: they are local policy settings, dated parameters in
`parameters/catalogue/deadline_working_days.yaml` (each entry names that parameter).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import yaml

import sql

CATALOGUE_FILE = sql.ROOT / "warnings" / "catalogue.yaml"
FIELDS = ("category", "label_zh", "severity", "deadline", "counters", "raised_by", "description_en", "description_zh")


@dataclass(frozen=True)
class WarningType:
    """`counters`: top-level evidence entries that count from the records to D (days elapsed, a look-back period ending on
    D). They change every night on their own, so they are left out of the evidence hash (`evidence_patch`): a warning a
    caseworker closed is raised again when its records change, not because another night has passed."""

    code: str
    category: str
    label_zh: str
    severity: str
    counters: tuple[str, ...] = ()
    deadline: str = "catalogue.deadline_working_days"
    raised_by: str = "rules"
    description_en: str = ""
    description_zh: str = ""

    def evidence_patch(self) -> str | None:
        """A JSON merge patch (RFC 7396) that removes the counters from the evidence before it is hashed."""
        return json.dumps({k: None for k in self.counters}, sort_keys=True) if self.counters else None


def load(path: Path = CATALOGUE_FILE) -> dict:
    """The catalogue file, checked: every code has every field, a known category, severity and origin."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    ranks, categories = data["severity_rank"], data["categories"]
    for code, entry in data["codes"].items():
        missing = [f for f in FIELDS if f not in entry]
        if missing:
            raise ValueError(f"{path}: {code} has no {', '.join(missing)}")
        if (
            entry["category"] not in categories
            or entry["severity"] not in ranks
            or entry["raised_by"] not in ("rules", "ml")
        ):
            raise ValueError(f"{path}: {code} has an unknown category, severity or raised_by")
    return data


_DATA = load()
SEVERITY_RANK: dict[str, int] = dict(_DATA["severity_rank"])
CATEGORY_ZH: dict[str, str] = {name: c["label_zh"] for name, c in _DATA["categories"].items()}
CATALOGUE: dict[str, WarningType] = {
    code: WarningType(
        code,
        e["category"],
        e["label_zh"],
        e["severity"],
        tuple(e["counters"] or ()),
        e["deadline"],
        e["raised_by"],
        " ".join(e["description_en"].split()),
        e["description_zh"].strip(),
    )
    for code, e in _DATA["codes"].items()
}
# Codes raised outside the rule SQL: the monthly random review slice and the proxy-means signal (models/ml/).
RAISED_BY_ML = frozenset(code for code, w in CATALOGUE.items() if w.raised_by == "ml")
