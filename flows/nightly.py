"""The nightly Prefect flow: one night, drop -> DuckDB -> checks -> rules -> queue -> exports -> manifest.

The flow is `flows.night.sequence` run as a flow: each stage a task run, with its inputs and result. Import this module
after `flows.runtime.configure(store)` so that Prefect starts offline with its home in the store.
"""

from __future__ import annotations

import datetime as dt

from prefect import flow, get_run_logger
from prefect.states import Failed

from flows import night as stages

REFUSED = "night refused: "


@flow(name="safetynet-nightly", log_prints=False)
def nightly(
    drops: str, as_of: dt.date, store: str = "var", allow_stale: bool = False, params_file: str | None = None
) -> dict:
    """Run night `as_of` on the drops under `drops` into the store; returns the run manifest (status `ok` or `halted`),
    or a failed state when the night is refused (`run_night` turns it back into NightRefused)."""
    try:
        return stages.sequence(drops, as_of, store, params_file, allow_stale)
    except stages.NightRefused as refused:  # raised, Prefect would log a traceback for a one-line usage error
        get_run_logger().error("night %s not run: %s", as_of, refused)
        return Failed(message=f"{REFUSED}{refused}")


def run_night(**kwargs) -> dict:
    """`nightly(**kwargs)`: its manifest, or NightRefused when the night was refused after its preflight passed (another
    process took the store in between), one line instead of the flow's traceback."""
    state = nightly(**kwargs, return_state=True)
    if state.is_failed() and (state.message or "").startswith(REFUSED):
        raise stages.NightRefused(state.message[len(REFUSED) :])
    return state.result()
