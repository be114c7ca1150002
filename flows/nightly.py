"""The nightly Prefect flow: one night, drop -> DuckDB -> checks -> rules -> queue -> exports -> manifest.

The flow only sequences the stages of `flows/night.py` as tasks; retries only on the I/O step that reads the drops.
Import this module after `flows.runtime.configure(store)` so that Prefect starts offline with its home in the store.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NONE
from prefect.states import Failed

from checks.halt import NightHalted
from flows import night as stages

TASK = {"cache_policy": NONE, "persist_result": False}
REFUSED = "night refused: "


def _retry_io_only(task, task_run, state) -> bool:
    """Retry a failure to read or copy the drops (an OSError: a mount that hiccups), never any other error (retrying
    would only repeat it). A bad delivery is no failure: it is returned (`_halt_returned`)."""
    return isinstance(state.data, OSError)


def _halt_returned(stage, *args) -> NightHalted | None:
    """Run `stage(*args)`; return its NightHalted instead of raising it. A halt is the answer of the receive and
    load-and-check tasks, not their failure: raised, Prefect logs it with a traceback, which reads like a crash (and is
    no use: the message names the file and the reason). One error line says it instead."""
    try:
        stage(*args)
    except NightHalted as halted:
        get_run_logger().error("night halted: %s", halted)
        return halted
    return None


@task(name="receive drops", retries=2, retry_delay_seconds=10, retry_condition_fn=_retry_io_only, **TASK)
def receive(night: stages.Night, drops_dir: Path, allow_stale: bool) -> NightHalted | None:
    return _halt_returned(stages.receive, night, drops_dir, allow_stale)


@task(name="load and check", **TASK)
def load_and_check(night: stages.Night) -> NightHalted | None:
    return _halt_returned(stages.load_and_check, night)


@task(name="as-of state", **TASK)
def build_state(night: stages.Night) -> None:
    stages.build_state(night)


@task(name="rules", **TASK)
def score(night: stages.Night) -> None:
    stages.score(night)


@task(name="ml scores", **TASK)
def score_ml(night: stages.Night) -> None:
    stages.score_ml(night)


@task(name="queue", **TASK)
def merge_queue(night: stages.Night) -> None:
    stages.merge_queue(night)


@task(name="exports", **TASK)
def export(night: stages.Night) -> dict[str, str]:
    return stages.export(night)


@task(name="publish", **TASK)
def publish(night: stages.Night, outputs: dict[str, str]) -> dict:
    return stages.publish(night, outputs)


@task(name="report", **TASK)
def report(night: stages.Night) -> None:
    from flows.outputs.report import build_report, publish_artifacts

    publish_artifacts(build_report(night.store.root, night.as_of, con=night.con))


@flow(name="safetynet-nightly", log_prints=False)
def nightly(
    drops: str, as_of: dt.date, store: str = "var", allow_stale: bool = False, params_file: str | None = None
) -> dict:
    """Run night `as_of` on the drops under `drops` into the store; returns the run manifest (status `ok` or `halted`),
    or a failed state when the night is refused (`run_night` turns it back into NightRefused)."""
    try:
        night = stages.open_night(Path(store), as_of, Path(params_file) if params_file else None)
    except stages.NightRefused as refused:  # raised, Prefect would log a traceback for a one-line usage error
        get_run_logger().error("night %s not run: %s", as_of, refused)
        return Failed(message=f"{REFUSED}{refused}")
    try:
        halted = receive(night, Path(drops), allow_stale)
        if halted is None:
            halted = load_and_check(night)
        if halted is not None:
            return stages.record_halt(night, halted)
        build_state(night)
        score(night)
        score_ml(night)
        merge_queue(night)
        outputs = export(night)
        doc = publish(night, outputs)
        report(night)
        return doc
    finally:
        stages.close(night)


def run_night(**kwargs) -> dict:
    """`nightly(**kwargs)`: its manifest, or NightRefused when the night was refused after its preflight passed (another
    process took the store in between), one line instead of the flow's traceback."""
    state = nightly(**kwargs, return_state=True)
    if state.is_failed() and (state.message or "").startswith(REFUSED):
        raise stages.NightRefused(state.message[len(REFUSED) :])
    return state.result()
