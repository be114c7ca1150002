"""The partitioned night: a municipality's delivery split by county and run on Dask through Prefect
(docs/adr/0015-partitioned-night-on-dask.md). split.py, county_night.py, cross_county.py, municipality.py (the flow),
night_manifest.py, rerun_guard.py (PrefectHQ/prefect#15442).

Imported first on a Dask worker (it unpickles this package's tasks), so the offline settings of flows/runtime.py are
set here, before Great Expectations and Prefect are imported: a worker started by hand (`dask worker`) has not had
them, and would try telemetry calls that an offline machine only lets time out.
"""

import os

from flows.runtime import OFFLINE_ENV

for _key, _value in OFFLINE_ENV.items():
    os.environ.setdefault(_key, _value)
