"""Writes docs/rulebook.md, what each warning code means exactly, from the one place each warning is described:
`sql/warnings/catalogue.yaml` (labels, severity, the specification in English and Chinese), the handling deadline
parameter it names, and the parameter names its SQL reads, around the shared terms of `rulebook_template.md`.

Why generated: a warning used to live in four places (its SQL, the catalogue, the deadline YAML, a hand-kept
rulebook) that drifted apart; tests/rules/test_rulebook.py fails when docs/rulebook.md is not what this writes.

    uv run python -m models.rules.rulebook          # rewrite docs/rulebook.md
"""

from __future__ import annotations

import sys
from pathlib import Path

import sql
from models.rules.candidates import PARAMETER_NAME
from models.rules.catalogue import _DATA, CATALOGUE
from models.rules.parameters import ParameterSet

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "docs/rulebook.md"
TEMPLATE = Path(__file__).parent / "rulebook_template.md"


def _rule_file(code: str) -> Path:
    return sql.ROOT / "warnings" / f"warn_{code.lower()}.sql"


def _entry(code: str, params: ParameterSet) -> str:
    w = CATALOGUE[code]
    deadline = params.get(w.deadline).values[-1].value[code]
    facts = [
        f"{w.category} ({_DATA['categories'][w.category]['label_zh']})",
        f"severity {w.severity}",
        f"deadline {deadline} working days (`{w.deadline}`)",
    ]
    if w.raised_by == "rules":
        path = _rule_file(code)
        names = sorted(set(PARAMETER_NAME.findall(path.read_text(encoding="utf-8"))))
        facts.append(
            f"rule `{path.relative_to(ROOT)}`" + (", reads " + ", ".join(f"`{n}`" for n in names) if names else "")
        )
    else:
        facts.append("raised by `models/ml/nightly.py`")
    if w.counters:
        facts.append("counters " + ", ".join(f"`{c}`" for c in w.counters))
    spec = w.description_en[:1].upper() + w.description_en[1:]
    return f"### `{code}` {w.label_zh}\n*{' · '.join(facts)}*\n\n{spec}\n\n{w.description_zh}\n"


def render(params: ParameterSet | None = None) -> str:
    params = params or ParameterSet.load()
    rules = []
    for category, c in _DATA["categories"].items():
        codes = [code for code, w in CATALOGUE.items() if w.category == category and w.raised_by == "rules"]
        if codes:
            scope = f" — {c['scope']}" if c.get("scope") else ""
            rules.append(
                f"## {c['title']} ({c['label_zh']}){scope}\n\n" + "\n".join(_entry(code, params) for code in codes)
            )
    ml = [_entry(code, params) for code, w in CATALOGUE.items() if w.raised_by == "ml"]
    text = TEMPLATE.read_text(encoding="utf-8")
    return text.replace("{rule_codes}", "\n".join(rules)).replace("{ml_codes}", "\n" + "\n".join(ml))


def main() -> int:
    OUTPUT.parent.mkdir(exist_ok=True)
    OUTPUT.write_text(render(), encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
