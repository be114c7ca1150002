"""Every document the project cites is in the repository: a clone must be able to read the contract its feeds meet,
the policy its warnings cite and the rulebook. Scans the tracked text files for references to a Markdown document and
fails on one that resolves neither from the repository root nor from the citing file's folder."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEXT = (".py", ".sql", ".md", ".yaml", ".yml", ".toml", ".txt", ".html", ".json")
REFERENCE = re.compile(r"(?<![\w/.-])((?:\.\./|[\w.-]+/)*[\w-]+\.md)(?![\w])")
# Names of Markdown files the code writes at run time (into the store), not documents of the repository.
WRITTEN_AT_RUN_TIME = {"card.md"}


def tracked_text_files() -> list[Path]:
    names = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    this = Path(__file__).resolve()  # holds the bad references its near-miss test needs
    return [ROOT / n for n in names if n.endswith(TEXT) and (ROOT / n).is_file() and (ROOT / n).resolve() != this]


def missing_references(paths: list[Path], root: Path = ROOT) -> list[str]:
    out = []
    for path in paths:
        text = path.read_text(encoding="utf-8", errors="replace")
        for n, line in enumerate(text.splitlines(), 1):
            for ref in REFERENCE.findall(line):
                if Path(ref).name in WRITTEN_AT_RUN_TIME:
                    continue
                if not ((root / ref).is_file() or (path.parent / ref).is_file()):
                    out.append(f"{path.relative_to(root)}:{n}: {ref}")
    return out


def test_every_cited_document_exists_in_the_repository():
    missing = missing_references(tracked_text_files())
    assert not missing, "references to documents that are not in the repository:\n" + "\n".join(missing)


def test_a_reference_outside_the_repository_is_caught(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "CONTRACT.md").write_text("# contract\n", encoding="utf-8")
    (tmp_path / "docs" / "POLICY.md").write_text("# policy\n", encoding="utf-8")
    cited = tmp_path / "flows.py"
    cited.write_text(
        '"""See ../shared/CONTRACT.md §3, docs/CONTRACT.md §3, docs/POLICY.md §2 and model.md5."""\n', encoding="utf-8"
    )
    assert missing_references([cited], root=tmp_path) == ["flows.py:1: ../shared/CONTRACT.md"]
