"""The nightly schedule: a Prefect deployment that, every night at 01:30 Asia/Shanghai, runs the drops not yet run.

`scheduled_night(drops, store)` is the flow the schedule fires. It takes every drop date under `drops` after the latest
night the store ran successfully, and runs the nightly flow for each in date order, as subflows: each night builds on
the queue of the night before it (its deadlines, its closed warnings), so a night missed (the server was down, a drop
came late, a night halted and was fixed) is run before the next, never skipped. A night the checks halt fails the
scheduled run, so the operator sees it in Prefect, and the nights after it wait for the next run; the halt itself is
recorded by the nightly flow as always. When there is nothing after the latest successful night, the run records that
("no new drop": a `runs` row with status `no_new_drop`, the newest drop date as `as_of` and a message) and stops.

Scheduled runs need a real Prefect server (an ephemeral one never fires schedules, docs/adr/0004-schedules-need-a-real-server.md): `serve_forever` serves
against the server named by PREFECT_API_URL, or starts `prefect server start` on 127.0.0.1 with its home in the store,
serves against it, and stops it on exit (flows/runtime.py `ApiServer`, the night's server with every service on). One-off `safetynet nightly` runs need none of this.

Prefect is imported only when the flow or a deployment is first needed (module `__getattr__` below), never at import:
the CLI imports this module to build its parser before `flows.runtime.configure(store)` has set Prefect's home and
switched its telemetry off.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import sys
import zoneinfo
from pathlib import Path

from flows import runtime
from flows.ingest.drops import drop_dates
from flows.store import Store, StoreBusy, connect, runs

FLOW_NAME = "safetynet-scheduled-night"
DEPLOYMENT_NAME = "nightly"
DEFAULT_TIME = "01:30"
DEFAULT_TIMEZONE = "Asia/Shanghai"
NO_NEW_DROP = "no_new_drop"
SERVER_HOST = "127.0.0.1"
DEFAULT_PORT = 4200
SERVER_STARTUP_SECONDS = 180
TIME_PATTERN = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


class ServeError(Exception):
    pass


# --------------------------------------------------------------------------------------------- plain functions


def cron_for(time_of_day: str) -> str:
    """'01:30' -> '30 1 * * *' (every day at that wall-clock time)."""
    m = TIME_PATTERN.match(time_of_day)
    if not m:
        raise ValueError(f"time '{time_of_day}': expected HH:MM on a 24-hour clock, e.g. 01:30")
    return f"{int(m.group(2))} {int(m.group(1))} * * *"


def check_timezone(name: str) -> str:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"timezone '{name}': not an IANA time zone name, e.g. Asia/Shanghai") from None
    return name


def plan(drops: Path, store: Path) -> tuple[str, list[dt.date], str | None]:
    """What tonight's scheduled run does: ('run', the drop dates after the latest successful night, in order, None) or
    ('no_new_drop', [the newest drop date], the latest successful run id)."""
    if not Path(drops).is_dir():
        raise ServeError(f"drops folder {drops} does not exist")
    dates = drop_dates(drops)
    if not dates:
        raise ServeError(f"{drops}: no drop folder (YYYY-MM-DD) yet; nothing to run")
    try:
        latest = Store(store).latest_ok_night()
    except StoreBusy as exc:
        raise ServeError(f"{exc}; the next scheduled run will try again") from exc
    pending = [d for d in dates if latest is None or d > latest[0]]
    return ("run", pending, None) if pending else (NO_NEW_DROP, [dates[-1]], latest[1])


def record_no_new_drop(store: Path, newest: dt.date, ok_run_id: str, checked_at: dt.datetime) -> dict:
    """A `runs` row saying that the scheduled run found nothing new: status `no_new_drop`, `as_of` the newest drop,
    a manifest with the message. One row per check (the run id carries the check time), nothing else is touched."""
    checked_at = checked_at.astimezone(dt.UTC).replace(microsecond=0)
    doc = {
        "run_id": f"nodrop-{newest:%Y%m%d}-{checked_at:%Y%m%dT%H%M%SZ}",
        "status": NO_NEW_DROP,
        "as_of": newest.isoformat(),
        "latest_drop": newest.isoformat(),
        "ok_run_id": ok_run_id,
        "checked_at": checked_at.isoformat(),
        "message": f"no new drop: the newest drop {newest} already ran successfully (run {ok_run_id}); nothing raised",
        "message_zh": f"无新数据：最新一期数据 {newest} 已成功运行（{ok_run_id}），本次未产生预警",
    }
    Store(store).init()
    with connect(store) as con:
        runs.record(
            con,
            doc["run_id"],
            newest,
            NO_NEW_DROP,
            json.dumps(doc, ensure_ascii=False, sort_keys=True, indent=2) + "\n",
            db="main",
        )
    return doc


# ------------------------------------------------------------------------------------------------------- the flow


def _scheduled_start() -> dt.datetime:
    """When this run was scheduled to start (its expected start time), or now outside a flow run."""
    from prefect.context import FlowRunContext

    ctx = FlowRunContext.get()
    when = ctx.flow_run.expected_start_time if ctx and ctx.flow_run else None
    return when if isinstance(when, dt.datetime) else dt.datetime.now(dt.UTC)


def run_scheduled_night(drops: str, store: str) -> dict:
    """Body of the `scheduled_night` flow: every drop after the latest successful night, in order; the last night's
    manifest, or a failed state naming the night that halted (or why nothing could run)."""
    from prefect.logging import get_logger, get_run_logger
    from prefect.states import Failed

    from flows.night import NightRefused, preflight

    try:
        logger = get_run_logger()
    except Exception:  # called outside a flow run (tests, a direct call)
        logger = get_logger(FLOW_NAME)
    try:
        action, nights, ok_run = plan(Path(drops), Path(store))
    except ServeError as exc:
        return Failed(message=str(exc))
    if action == NO_NEW_DROP:
        doc = record_no_new_drop(Path(store), nights[-1], ok_run, _scheduled_start())
        logger.warning(doc["message"])
        return doc
    from flows.nightly import run_night  # imports Great Expectations: only when there is a night to run

    if len(nights) > 1:
        logger.warning("%d nights to run, in order: %s", len(nights), ", ".join(map(str, nights)))
    doc = None
    for i, night in enumerate(nights):
        try:
            preflight(Path(store), night)
        except NightRefused as refused:
            return Failed(message=f"night {night} not run: {refused}")
        logger.warning("running night %s from %s into %s", night, drops, store)
        try:
            doc = run_night(drops=drops, as_of=night, store=store)
        except NightRefused as refused:  # the store was taken after the preflight
            return Failed(message=f"night {night} not run: {refused}")
        if doc["status"] == "halted":
            h, waiting = doc["halt"], nights[i + 1 :]
            later = f"; the later nights ({', '.join(map(str, waiting))}) wait until it runs" if waiting else ""
            return Failed(
                message=f"night {night} halted: feed '{h['feed']}' failed {h['check_code']}: {h['message']}{later}",
                data=doc,
            )
    return doc


def __getattr__(name: str):
    """`scheduled_night`, the Prefect flow, built on first use (after the runtime is configured)."""
    if name == "scheduled_night":
        from prefect import flow

        built = flow(name=FLOW_NAME, log_prints=False, persist_result=False)(run_scheduled_night)
        globals()["scheduled_night"] = built
        return built
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def deployment(drops, store, time: str = DEFAULT_TIME, timezone: str = DEFAULT_TIMEZONE):
    """The `nightly` deployment of `scheduled_night`: a cron schedule at `time` every day in `timezone` (a bare cron
    string would mean UTC), with absolute drops and store paths as its parameters."""
    from prefect.schedules import Cron

    schedule = Cron(cron_for(time), timezone=check_timezone(timezone))
    flow_obj = sys.modules[__name__].scheduled_night
    return flow_obj.to_deployment(
        name=DEPLOYMENT_NAME,
        schedule=schedule,
        parameters={"drops": str(Path(drops).resolve()), "store": str(Path(store).resolve())},
        description=f"safetynet: run every new drop, in date order, every day at {time} {timezone}",
        tags=["safetynet"],
    )


# ----------------------------------------------------------------------------------------------- serving


def serve_forever(drops, store, time: str = DEFAULT_TIME, timezone: str = DEFAULT_TIMEZONE) -> None:
    """Serve the nightly deployment until interrupted (Ctrl-C or SIGTERM). With PREFECT_API_URL set, against that
    server; otherwise against a local server started here on loopback and stopped on exit."""
    store = Path(store)
    cron_for(time), check_timezone(timezone)  # fail before starting anything
    runtime.configure(store)
    server = None
    if os.environ.get("PREFECT_API_URL"):
        print(f"serving against the Prefect server at {os.environ['PREFECT_API_URL']} (PREFECT_API_URL)", flush=True)
    else:
        port = int(os.environ.get("PREFECT_SERVER_API_PORT", DEFAULT_PORT))
        home = Path(os.environ["PREFECT_HOME"])
        print(
            f"no PREFECT_API_URL: starting a local Prefect server on {SERVER_HOST}:{port} "
            f"(home {home}, log {home / 'server.log'}) ...",
            flush=True,
        )
        if runtime.healthy(port):
            raise ServeError(
                f"something already answers on {SERVER_HOST}:{port}: set PREFECT_API_URL=http://{SERVER_HOST}:{port}/api "
                "to serve against it, or free the port (PREFECT_SERVER_API_PORT chooses another)"
            )
        server = runtime.ApiServer(home, port, log=home / "server.log", ui=True)
        try:
            server.wait(timeout=SERVER_STARTUP_SECONDS)
        except RuntimeError as exc:
            server.stop()
            raise ServeError(f"{exc}; see {home / 'server.log'}") from None
        os.environ["PREFECT_API_URL"] = server.api_url
        print(
            f"local Prefect server is up: PREFECT_API_URL={server.api_url}  UI: http://{SERVER_HOST}:{port}", flush=True
        )
    try:
        from prefect import serve  # only now: Prefect reads PREFECT_API_URL at import

        dep = deployment(drops, store, time, timezone)
        print(
            f"deployment '{FLOW_NAME}/{DEPLOYMENT_NAME}': every day at {time} {timezone}; "
            f"drops {Path(drops).resolve()}, store {store.resolve()}. Ctrl-C stops.",
            flush=True,
        )
        serve(dep, print_starting_message=False)
    finally:
        if server is not None:
            print("stopping the local Prefect server", flush=True)
            server.stop()


# ------------------------------------------------------------------------------------------------------------ CLI


def _time(text: str) -> str:
    try:
        cron_for(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def _timezone(text: str) -> str:
    try:
        return check_timezone(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def cmd_serve(args) -> int:
    try:
        serve_forever(args.drops, args.store, args.time, args.timezone)
    except ServeError as exc:
        print(f"serve: {exc}", file=sys.stderr)
        return 1
    return 0


def register(subparsers) -> argparse.ArgumentParser:
    """Add `safetynet serve` to the CLI's sub-parsers."""
    p = subparsers.add_parser(
        "serve",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        help="run every new drop each night on a schedule (a long-running process)",
        description="Serve the nightly schedule and keep running until stopped (Ctrl-C or SIGTERM).\n\n"
        "Every day at --time in --timezone (default 01:30 Asia/Shanghai) Prefect starts a run that takes\n"
        "every drop folder under --drops dated after the latest night the store ran successfully, and\n"
        "runs each night in date order exactly as 'safetynet nightly' would, report included: a night\n"
        "missed (server down, a late drop, a halt since fixed) is run before the next, never skipped,\n"
        "because each night builds on the queue of the night before it. A night the checks halt shows as\n"
        "a failed run in Prefect, with the feed and the reason; the nights after it wait for the next run.\n"
        "With nothing new, the run records 'no new drop' (a runs row with status no_new_drop) and ends.\n\n"
        "Schedules need a Prefect server:\n"
        "  - with PREFECT_API_URL set (e.g. http://prefect.internal:4200/api), the deployment is served\n"
        "    against that server;\n"
        "  - without it, a local server is started on 127.0.0.1:4200 (PREFECT_SERVER_API_PORT changes the\n"
        "    port) with its database in STORE/prefect/, and stopped when serve stops. Its UI is at\n"
        "    http://127.0.0.1:4200 on this machine only.\n"
        "Running one night by hand ('safetynet nightly') needs no server at all.",
        epilog="Exit codes: 0 stopped, 1 the local server did not start, 2 usage error.\n"
        "example: safetynet serve --drops /data/drops --store /data/safetynet --time 01:30",
    )
    from flows.arguments import drops_root, store_dir  # the checks `safetynet nightly` uses

    p.add_argument("--drops", type=drops_root, required=True, help="folder that receives one sub-folder per drop date")
    p.add_argument("--store", type=store_dir, required=True, help="the store folder")
    p.add_argument("--time", type=_time, default=DEFAULT_TIME, help="time of day to run, HH:MM (default 01:30)")
    p.add_argument(
        "--timezone", type=_timezone, default=DEFAULT_TIMEZONE, help="IANA time zone of --time (default Asia/Shanghai)"
    )
    p.set_defaults(func=cmd_serve)
    return p
