"""Plant each of four small bugs, one at a time, in a copy of the project and check that the tests aimed at it fail.

These are the bugs an earlier review planted that no test caught (issue 15): the quarantined-row count without DISTINCT,
the queue's anti-join matching on the evidence hash too, the SQL calendar ignoring make-up working days, a wrong GB 11643
weight. Each test named here was written with its expectation worked out by hand; this script keeps them from drifting
back into testing the code against itself. It is not part of the default suite (each mutant runs its tests in a fresh
process, ~1 min in all):

    uv run --locked python tests/mutation/check_mutations.py

Exit 0 when every mutant is killed and the unmutated copy passes the same tests; 1 otherwise.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]

# (name, file, original text, mutated text, tests that must fail)
MUTATIONS = [
    (
        "quarantined rows counted without DISTINCT",
        "checks/runner.py",
        "WITH q AS (SELECT DISTINCT file, line FROM quarantine",
        "WITH q AS (SELECT file, line FROM quarantine",
        ["tests/checks/test_row_failing_two_checks.py"],
    ),
    (
        "queue anti-join also on the evidence hash",
        "sql/queue/queue_next.sql",
        "ANTI JOIN active AS a USING (household_id, condition_key)",
        "ANTI JOIN active AS a USING (household_id, condition_key, evidence_hash)",
        [
            "tests/caseworker/test_queue_by_hand.py::test_changed_evidence_updates_the_open_warning_instead_of_raising_another"
        ],
    ),
    (
        "SQL calendar without make-up working days",
        "models/rules/working_days.py",
        "flags = [self.is_working(d) for d in days]",
        "flags = [d.weekday() < 5 and d not in self._off for d in days]",
        ["tests/caseworker/test_queue_by_hand.py::test_the_sql_deadline_across_spring_festival"],
    ),
    (
        "a wrong GB 11643 weight",
        "checks/id_number.py",
        "WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)",
        "WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 3)",
        ["tests/checks/test_id_numbers_by_hand.py"],
    ),
]


def _copy() -> Path:
    files = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"], cwd=PROJECT, check=True, capture_output=True, text=True
    ).stdout.split("\n")
    root = Path(tempfile.mkdtemp(prefix="safetynet-mutants-"))
    for rel in filter(None, files):
        src = PROJECT / rel
        if src.is_file() and not rel.startswith("data_samples/"):
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, root / rel)
    return root


def _tests_pass(root: Path, tests: list[str]) -> bool:
    env = os.environ | {"PYTHONPATH": str(root)}  # the copy before the editable install of the project
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "0", "-q", "-x", "-p", "no:cacheprovider", *tests],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
    )
    return run.returncode == 0


def main() -> int:
    root = _copy()
    ok = True
    try:
        every_test = sorted({t for m in MUTATIONS for t in m[4]})
        if not _tests_pass(root, every_test):
            print("FAIL the unmutated copy does not pass the targeted tests")
            return 1
        for name, rel, original, mutated, tests in MUTATIONS:
            path = root / rel
            text = path.read_text(encoding="utf-8")
            if text.count(original) != 1:
                print(f"FAIL {name}: '{original}' is not exactly once in {rel}; update this script")
                ok = False
                continue
            path.write_text(text.replace(original, mutated), encoding="utf-8")
            killed = not _tests_pass(root, tests)
            path.write_text(text, encoding="utf-8")
            print(f"{'killed ' if killed else 'SURVIVED'} {name} ({rel}) by {', '.join(tests)}")
            ok &= killed
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
