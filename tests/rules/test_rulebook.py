"""docs/rulebook.md is generated from sql/warnings/catalogue.yaml (models/rules/rulebook.py): it must be what the
generator writes now, and the catalogue must describe every code in both languages."""

from __future__ import annotations

import pytest

from models.rules import catalogue, rulebook


def test_rulebook_is_fresh():
    assert rulebook.OUTPUT.read_text(encoding="utf-8") == rulebook.render(), (
        "docs/rulebook.md is stale: regenerate it with `uv run python -m models.rules.rulebook`"
    )


def test_every_code_has_its_section_and_its_rule_file():
    text = rulebook.render()
    for code, w in catalogue.CATALOGUE.items():
        assert f"### `{code}` {w.label_zh}\n" in text
        assert w.description_en and w.description_zh, code
        if w.raised_by == "rules":
            assert rulebook._rule_file(code).exists(), code


def test_a_catalogue_entry_without_a_field_is_refused(tmp_path):
    text = catalogue.CATALOGUE_FILE.read_text(encoding="utf-8").replace("    severity: low\n", "", 1)
    (tmp_path / "catalogue.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match="has no severity"):
        catalogue.load(tmp_path / "catalogue.yaml")
