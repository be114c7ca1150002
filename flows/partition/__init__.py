"""The partitioned night: a municipality's delivery split by county and run on Dask through Prefect
(docs/adr/0015-partitioned-night-on-dask.md). split.py, county_night.py, cross_county.py, municipality.py (the flow),
night_manifest.py, rerun_guard.py (PrefectHQ/prefect#15442)."""
