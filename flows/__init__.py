"""The night's flow and stages, the store, the exports and the `safetynet` commands.

Bytecode: processes that import this package (the commands, the tests, and Prefect's API server they start) keep the
modules they compile in the project's environment, as CPython does by default, also where PYTHONDONTWRITEBYTECODE is
set (this sandbox and its CI set it). Without compiled modules every start compiles Great Expectations, Prefect and the
rest from source again, which costs more than the night itself on the samples (docs/adr/0007). uv's `compile-bytecode`
setting would compile them at install, but uv then recompiles the whole environment on every `uv run`
(astral-sh/uv#12202).
"""

import os
import sys

sys.dont_write_bytecode = False
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # for the child processes too (the API server)
