"""Validation of the night's feeds: the contract, the row checks and GX suites, and the quarantine (checks/runner.py is
the entry)."""
