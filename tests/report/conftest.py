from __future__ import annotations

import os
import tempfile

# Prefect reads its settings at import: keep its home out of ~ and its telemetry off (flows/runtime.py)
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="safetynet-prefect-"))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
