"""A plain-text progress line on stderr (no wall clock enters any output file)."""

from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, enabled: bool, total: int):
        self.enabled, self.total, self.i, self.t0 = enabled, total, 0, time.monotonic()

    def step(self, what: str) -> None:
        self.i += 1
        if self.enabled:
            print(
                f"[generate {self.i:2d}/{self.total}] {time.monotonic() - self.t0:7.1f}s  {what}",
                file=sys.stderr,
                flush=True,
            )
