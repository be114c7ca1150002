"""Property-based bed: any drop written to docs/CONTRACT.md from scratch (tests/property/contract_drops.py) runs its nights
to the end, every file's rows are accounted for, and the same drops give the same bytes.

Properties, for every night of every drawn district:
- the night ends `ok` or `halted` (the command's exit 0 or 3), never with an exception (exit 1);
- for every feed, the rows the night read are exactly the data rows written into the files it uses (the newest full
  extract, every increment), and rows_in = rows loaded + distinct lines in the exported quarantine list;
- the last night run twice on the same store and drops gives the same output hash and byte-identical exports.
The example budget is the Hypothesis profile's (tests/conftest.py: `ci` by default, derandomised; HYPOTHESIS_PROFILE=long
for a longer local run).
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import tempfile
from pathlib import Path

from hypothesis import event, given

from flows import night as night_flow
from models.rules.parameters import ParameterSet
from tests.property.contract_drops import FULL, districts, write

PARAMS = ParameterSet.load()


def _files(out) -> dict[str, bytes]:
    """Every file a night exported, by its path inside the night's folder (the 公示 roster sits in a subfolder)."""
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def _standard(as_of: dt.date):
    return PARAMS.value("dibao.standard_urban", as_of)


def _used(written: dict, as_of: dt.date, feed: str) -> int:
    """Data rows of `feed` the night of `as_of` reads, from what was written: the newest file on or before D for a full
    extract, every file for an increment (docs/CONTRACT.md §1)."""
    nights = sorted(n for n, f in written if f == feed and n <= as_of)
    if feed in FULL:
        nights = nights[-1:]
    return sum(written[(n, feed)] for n in nights)


def _accounted(doc: dict, store: Path, written: dict) -> None:
    """Every feed's rows: as written into the files the night uses, and each either loaded or quarantined."""
    as_of = dt.date.fromisoformat(doc["as_of"])
    with open(store / "exports" / doc["as_of"] / "quarantine.csv", newline="", encoding="utf-8-sig") as fh:
        # a feed-level notice (the meter feed's) stands in the list with no file and no line: it is no quarantined row
        quarantined = {(r["feed"], r["file"], r["line"]) for r in csv.DictReader(fh) if r["line"]}
    for feed, counts in doc["checks"]["feeds"].items():
        assert counts["rows_in"] == _used(written, as_of, feed), (as_of, feed)
        lines = sum(1 for q in quarantined if q[0] == feed)
        assert counts["rows_in"] == counts["rows_loaded"] + lines, (as_of, feed)


@given(districts(_standard))
def test_every_night_of_any_contract_drop_ends_accounted_and_reproducible(district):
    """Nights run in order into store `a`; before the last night, `a` is copied to `b` and the last night runs in both:
    the same inputs on the same store give the same output hash and the same export bytes."""
    work = Path(tempfile.mkdtemp(prefix="safetynet-property-"))
    try:
        written = write(district, work / "drops")
        *before, last = district["nights"]
        docs = [night_flow.sequence(work / "drops", d, work / "a") for d in before]
        if (work / "a").exists():
            shutil.copytree(work / "a", work / "b")
        docs.append(night_flow.sequence(work / "drops", last, work / "a"))
        twin = night_flow.sequence(work / "drops", last, work / "b")
        for doc in docs:
            assert doc["status"] in ("ok", "halted"), doc
            event(f"night {doc['status']}" + (f" {doc['halt']['check_code']}" if doc["status"] == "halted" else ""))
            if doc["status"] == "ok":
                _accounted(doc, work / "a", written)
        assert twin["output_hash"] == docs[-1]["output_hash"] and twin["status"] == docs[-1]["status"]
        if twin["status"] == "ok":
            out_a, out_b = work / "a" / "exports" / twin["as_of"], work / "b" / "exports" / twin["as_of"]
            assert _files(out_a) == _files(out_b)
    finally:
        shutil.rmtree(work, ignore_errors=True)
