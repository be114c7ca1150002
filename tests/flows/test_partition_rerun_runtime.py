"""`safetynet rerun` of a partitioned night reaches its own rebuild before Prefect is imported, so the night's API
server is started (flows/runtime.py `start_api` starts none once Prefect is imported). Without it each Dask worker
started its own ephemeral Prefect server on the store's one SQLite file: the rerun failed with "Timed out while
attempting to connect to ephemeral Prefect API server" and "duplicate column name" from the racing migrations.

Run in a fresh interpreter (this one has imported Prefect already), the partitioned branch replaced by a probe."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PROBE = """
import sys
from flows.partition import rerun as partitioned
partitioned.recorded = lambda store, as_of: {"partition": "county"}
def probe(args, doc):
    print("prefect imported" if "prefect" in sys.modules else "prefect not imported")
    return 0
partitioned.cmd = probe
from flows import cli
sys.exit(cli.main(["rerun", "--as-of", "2026-03-02", "--store", sys.argv[1]]))
"""


def test_partitioned_rerun_starts_before_prefect_is_imported(tmp_path):
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path / "store")], cwd=root, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "prefect not imported"
