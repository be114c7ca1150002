"""Every parameter's `description` and `reference` loads whole: an unquoted ` #` in YAML starts a comment, so a plain text
holding one is cut there ("local setting ... (issue") and the cut text is what evidence cells and manifests print.

Each text must fit on its line; the test reads that line's raw text (unquoted when quoted) and compares it with what the
loader gives, so a text that YAML cuts, or one that runs on to a second line, fails here."""

from __future__ import annotations

import re

import pytest
import yaml

from models.rules.parameters import ROOT, ParameterSet

FILES = sorted(ROOT.rglob("*.yaml"))
TEXT_LINE = re.compile(r"^(?P<indent>\s*)(?P<key>description|reference):[ \t]*(?P<raw>.*)$")


def raw_text(raw: str) -> str:
    """The text a line says, as written: a quoted scalar decoded by YAML (a `#` inside quotes is text), a plain one as
    it stands on the line (everything after the colon, a ` #` included)."""
    raw = raw.rstrip()
    if raw[:1] in ("'", '"'):
        return str(yaml.safe_load(raw)).strip()
    return raw.strip()


def texts(path) -> list[tuple[str, str]]:
    """(key, text) of every description and reference line, in file order. A block scalar (`>-`, `|`: a `#` in it is
    text) is read from its indented lines and compared word by word."""
    lines = path.read_text(encoding="utf-8").splitlines()
    out = []
    for i, line in enumerate(lines):
        m = TEXT_LINE.match(line)
        if not m:
            continue
        if m["raw"].strip()[:1] in (">", "|"):
            block = []
            for nxt in lines[i + 1 :]:
                if nxt.strip() and len(nxt) - len(nxt.lstrip()) <= len(m["indent"]):
                    break
                block.append(nxt.strip())
            out.append((m["key"], " ".join(" ".join(block).split())))
        else:
            out.append((m["key"], raw_text(m["raw"])))
    return out


def words(text: str, written: str) -> str:
    """`text` with its whitespace as the line's form has it (a block scalar's line breaks are folded to spaces)."""
    return " ".join(text.split()) if written != text and " ".join(text.split()) == written else text


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_description_and_references_load_as_written(path):
    params = ParameterSet.load()
    name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    parameter = params.get(name)
    lines = texts(path)
    descriptions = [t for k, t in lines if k == "description"]
    assert [words(parameter.description, d) for d in descriptions] == descriptions, (
        f"{path}: description loads as {parameter.description!r}"
    )
    dates = list(yaml.safe_load(path.read_text(encoding="utf-8"))["values"])  # in the file's order, as the lines
    references = [t for k, t in lines if k == "reference"]
    loaded = {v.effective_from: v.reference for v in parameter.values}
    assert len(references) == len(dates), f"{path}: one reference line per dated value"
    for date, written in zip(dates, references, strict=True):
        assert words(loaded[date], written) == written, (
            f"{path} {date}: loads as {loaded[date]!r}, the line says {written!r}"
        )


def test_a_plain_text_with_a_hash_is_caught(tmp_path):
    """The check itself can fail: the line of an unquoted ` #` text says more than the loader gives."""
    folder = tmp_path / "p" / "x"
    folder.mkdir(parents=True)
    (folder / "y.yaml").write_text(
        "description: a value\nunit: days\nvalues:\n  2020-01-01:\n    value: 1\n"
        "    reference: local setting (issue #5)\n    status: unconfirmed\n",
        encoding="utf-8",
    )
    loaded = ParameterSet.load(root=tmp_path / "p").get("x.y").values[0].reference
    [(_, written)] = [t for t in texts(folder / "y.yaml") if t[0] == "reference"]
    assert (loaded, written) == ("local setting (issue", "local setting (issue #5)")
