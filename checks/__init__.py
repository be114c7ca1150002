"""Validation of the night's feeds: the contract, the GX suites and the quarantine (checks/runner.py is the entry).

Every module here that imports Great Expectations is imported after this package, so the two modules GX imports but no
suite uses are deferred first (checks/deferred_imports.py).
"""

from checks.deferred_imports import defer

defer()
