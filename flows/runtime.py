"""Process environment for running offline and leaving nothing in the user's home directory.

Must run before `prefect` or `great_expectations` is imported: both read their settings from the environment at import.
Values already set by the operator (e.g. PREFECT_API_URL for a real server) are kept.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

OFFLINE_ENV = {
    # Prefect's only outside call is a telemetry lookup (STACK.md).
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
    # Great Expectations usage statistics.
    "GX_ANALYTICS_ENABLED": "False",
}


def configure(store: Path) -> None:
    """Point Prefect's home into the store and switch off telemetry, unless the operator set them."""
    for key, value in OFFLINE_ENV.items():
        os.environ.setdefault(key, value)
    os.environ.setdefault("PREFECT_HOME", str((store / "prefect").resolve()))
    Path(os.environ["PREFECT_HOME"]).mkdir(parents=True, exist_ok=True)  # its SQLite file cannot create the folder
    logging.getLogger("great_expectations").setLevel(logging.WARNING)  # its INFO lines are noise in a night's output
