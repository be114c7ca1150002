"""Write small hand-made drops in the contract layout for tests."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

from checks.contract import FEEDS, MANIFEST_FILE


def write_drop(
    root: Path, date: str, rows: dict[str, list[dict]], manifest: bool = False, skip: tuple[str, ...] = ()
) -> Path:
    """A drop folder with every required feed (header only unless rows are given) plus any optional feed given."""
    folder = root / date
    folder.mkdir(parents=True, exist_ok=True)
    for name, feed in FEEDS.items():
        if name in skip or (not feed.required and name not in rows):
            continue
        with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=feed.column_names, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows.get(name, []))
    if manifest:
        lines = ["file,rows,sha256"]
        for path in sorted(folder.glob("*.csv")):
            if path.name == MANIFEST_FILE:
                continue
            data = path.read_bytes()
            rows = data.count(b"\n") - 1
            lines.append(f"{path.name},{rows},{hashlib.sha256(data).hexdigest()}")
        (folder / MANIFEST_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder
