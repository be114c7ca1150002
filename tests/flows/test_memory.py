"""A process started by a large one reports its own peak memory, not its parent's (flows/memory.py): the per-worker
peak RSS of a partitioned night's manifest and the benches' peak columns depend on it."""

from __future__ import annotations

import json
import subprocess
import sys

CHILD = (
    "import json, resource; from flows.memory import peak_rss_mb; "
    "print(json.dumps([peak_rss_mb(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024]))"
)


def test_a_child_of_a_large_process_reports_its_own_peak():
    ballast = bytearray(400 * 2**20)
    ballast[::4096] = b"\x01" * len(ballast[::4096])  # touch every page: the parent's peak is now >= 400 MB
    own, inherited = json.loads(subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True,
                                               check=True).stdout)  # fmt: skip
    del ballast
    assert own < 300, own  # the child's own peak: an interpreter and one import
    assert inherited >= 400, inherited  # the pitfall it avoids: ru_maxrss carried across execve (Linux)
