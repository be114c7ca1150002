"""Ingest: which delivered files a night reads, and their typed load into DuckDB staging (docs/CONTRACT.md §1-2)."""
