"""A process's own peak memory, for the manifests and the benches.

Why not `resource.getrusage(RUSAGE_SELF).ru_maxrss`: Linux carries a process's peak across execve, so a process started
by a large one (a Dask worker started by the command that just split a municipality, a bench child started by the
bench that just generated a district) reports its parent's peak as its own. VmHWM is the peak of the process's own
address space (docs/adr/0015)."""

from __future__ import annotations

import resource


def peak_rss_mb() -> float:
    """The peak resident set size of this process's address space, in MB (ru_maxrss where /proc is absent)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
