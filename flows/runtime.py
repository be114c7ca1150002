"""How safetynet runs Prefect: offline, its home in the store, and the API server a command needs, gone when it ends.

Everything here goes through Prefect's documented settings (environment variables) and its documented command
`prefect server start`; no private Prefect name is used. What each setting is for, and why the server is ours rather
than the one Prefect's ephemeral mode would start (docs/adr/0011-runtime-on-public-prefect.md):

- `configure` sets the offline environment before `prefect` or `great_expectations` is imported (both read their
  settings at import); a value the operator set (e.g. PREFECT_API_URL for a real server) is kept.
- `start_api` starts `prefect server start` on loopback for a command that runs nights, as soon as the command knows
  its store: it boots on the other core while this process imports and prepares the night. Prefect's ephemeral server
  would start only at the first flow run, on the night's path, and would outlive a night killed with SIGKILL; ours
  is started through `TIED_TO_PARENT`, which asks Linux to stop it when this process dies, however it dies.
- A new store's Prefect database is a copy of a migrated one kept in the environment per Prefect version
  (`_template_path`): migrating a new database takes ~10 s. The first store of a Prefect version migrates its own
  (the server does, at start) and that copy becomes the template.

`tests/flows/test_runtime_upstream.py` fails when a Prefect upgrade renames or drops a setting used here, or changes
what it relies on (the database's default place, the command's options).
"""

from __future__ import annotations

import atexit
import contextlib
import http.client
import logging
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

OFFLINE_ENV = {
    # Prefect's only outside call is a telemetry lookup (docs/adr/0002-prefect-ephemeral-and-offline.md).
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
    # Great Expectations usage statistics.
    "GX_ANALYTICS_ENABLED": "False",
}

# What a night's server does not need, each of which it would otherwise start with: the UI, block-type registration
# (the nights use no blocks; on a new database ~2 s of inserts), and every background service but the task-run
# recorder (which records the task runs the UI shows): schedules, late and crashed runs, automations, the event
# persister (the UI's event feed; the night's own record is its manifest and the store's `runs` table).
NIGHT_SERVER_ENV = {
    "PREFECT_SERVER_UI_ENABLED": "false",
    "PREFECT_SERVER_REGISTER_BLOCKS_ON_START": "false",
    **{
        f"PREFECT_SERVER_SERVICES_{service}_ENABLED": "false"
        for service in (
            "CANCELLATION_CLEANUP",
            "CLEANUP_RECONCILER",
            "EVENT_PERSISTER",
            "FOREMAN",
            "LATE_RUNS",
            "PAUSE_EXPIRATIONS",
            "REPOSSESSOR",
            "SCHEDULER",
            "TRIGGERS",
        )
    },
}
# Requested as soon as the server answers its health check: the first request to a new server pays for its lazy set-up
# (0.5-0.9 s). It is the client's own first request too (its API version check); made early, that set-up is off the
# night's path whenever the server is up before the night needs it.
WARM_UP = "/api/admin/version"
HOST = "127.0.0.1"


def configure(store: Path) -> None:
    """Point Prefect's home into the store and switch off telemetry, unless the operator set them."""
    for key, value in OFFLINE_ENV.items():
        os.environ.setdefault(key, value)
    os.environ.setdefault("PREFECT_HOME", str((Path(store) / "prefect").resolve()))
    Path(os.environ["PREFECT_HOME"]).mkdir(parents=True, exist_ok=True)  # its SQLite file cannot create the folder
    logging.getLogger("great_expectations").setLevel(logging.WARNING)  # its INFO lines are noise in a night's output


class ApiServer:
    """`prefect server start` on loopback, a child of this process: stopped at exit (after Prefect's own exit handlers,
    which flush events and logs to it, because it registers its handler before Prefect is imported), and by Linux if
    this process dies without exit handlers (`TIED_TO_PARENT`). A thread waits for it to answer and warms it up.

    `port`: a fixed port (the scheduler's server), else one reserved here. `env`: settings of the server only
    (`NIGHT_SERVER_ENV` for a night's); `log`: where its output goes (default: its errors to stderr, nothing else);
    `ui`: serve the UI too."""

    def __init__(
        self,
        home: Path,
        port: int | None = None,
        env: dict[str, str] | None = None,
        log: Path | None = None,
        ui: bool = False,
    ) -> None:
        # A bound, never-listening SO_REUSEADDR socket reserves the port: the kernel hands it to no one else, and only
        # the server (uvicorn binds with SO_REUSEADDR too) can listen on it. No race between choosing and binding.
        self._reservation = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._reservation.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._reservation.bind((HOST, port or 0))
        self.port = self._reservation.getsockname()[1]
        self.api_url = f"http://{HOST}:{self.port}/api"
        home.mkdir(parents=True, exist_ok=True)
        self._seed = _seed_database(home)
        prefect = Path(sys.executable).with_name("prefect")
        command = [str(prefect)] if prefect.exists() else [sys.executable, "-m", "prefect"]
        command += ["server", "start", "--host", HOST, "--port", str(self.port), "--ui" if ui else "--no-ui"]
        server_env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"} | (env or {})
        output = log.open("ab") if log else subprocess.DEVNULL
        self.process = subprocess.Popen(
            [sys.executable, "-c", TIED_TO_PARENT, str(os.getpid()), *command],
            env=server_env | {"PREFECT_HOME": str(home)},
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=output if log else None,
        )
        if log:
            output.close()
        self._up = threading.Event()
        self._stopping = threading.Event()
        threading.Thread(target=self._await_and_warm_up, name="prefect-api-warm-up", daemon=True).start()
        atexit.register(self.stop)
        _exit_on_sigterm()

    @property
    def ready(self) -> bool:
        return self._up.is_set()

    def _await_and_warm_up(self) -> None:
        while not self._stopping.is_set() and self.process.poll() is None:
            if _get(self.port, "/api/health") == 200:
                _get(self.port, WARM_UP)
                self._up.set()
                if self._seed is not None:
                    _keep_template(*self._seed)
                return
            time.sleep(0.05)

    def wait(self, meanwhile: Callable[[], None] | None = None, timeout: float | None = None) -> None:
        """Block until the server answers (and is warmed up); its start-up messages, if it dies, are on stderr. If it
        is not up yet, run `meanwhile` first (work the caller would do later anyway)."""
        if meanwhile is not None and not self.ready:
            meanwhile()
        timeout = timeout or float(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90"))
        deadline = time.monotonic() + timeout
        while not self._up.wait(0.05):
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"the Prefect API server exited with code {self.process.returncode} while starting "
                    f"(its home: {os.environ.get('PREFECT_HOME')})"
                )
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"the Prefect API server did not answer on {self.api_url} within {timeout:.0f} s "
                    "(PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS)"
                )

    def stop(self) -> None:
        self._stopping.set()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._reservation.close()


# The server's process, before it becomes its command (argv[2:], an absolute executable first): asks Linux to SIGTERM it when this process dies,
# however it dies (kill -9 included; the setting survives exec, and the server runs in that same process: one uvicorn
# worker), and gives up at once if this process is already gone.
TIED_TO_PARENT = """import ctypes, os, signal, sys
parent = int(sys.argv[1])
if sys.platform == "linux":
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
if os.getppid() != parent:
    sys.exit(0)
os.execv(sys.argv[2], sys.argv[2:])
"""


def _exit_on_sigterm() -> None:
    """SIGTERM (kill, systemd, a scheduler's timeout) ends this process as an exception would: `finally` blocks and
    exit handlers run, so the night closes its database and the API server is stopped, not left behind. Only where
    nothing else handles the signal, from the main thread."""
    if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _raise_exit)


def _raise_exit(signum, frame) -> None:
    raise SystemExit(128 + signum)


def _template_path() -> Path:
    """A freshly migrated Prefect database of the installed Prefect version, kept in the environment it belongs to."""
    from importlib.metadata import version

    return Path(sys.prefix) / "share" / "safetynet" / f"prefect-{version('prefect')}.db"


def _seed_database(home: Path) -> tuple[Path, Path] | None:
    """A new store's Prefect database (its documented default place, PREFECT_HOME/prefect.db) starts as a copy of the
    template: the server then finds it migrated. Without a template yet, returns (database, template), for
    `_keep_template` once this server has migrated the new database. Nothing to do for an existing database (the server
    migrates it if an upgrade needs), or when the operator chose another (PREFECT_SERVER_DATABASE_CONNECTION_URL)."""
    if os.environ.get("PREFECT_SERVER_DATABASE_CONNECTION_URL") or os.environ.get(
        "PREFECT_API_DATABASE_CONNECTION_URL"
    ):
        return None
    database = home / "prefect.db"
    if database.exists():
        return None
    template = _template_path()
    if not template.exists():
        return database, template
    shutil.copyfile(template, database)
    return None


def _keep_template(database: Path, template: Path) -> None:
    """Copy the just-migrated database (SQLite's online backup: consistent while the server runs) as the template."""
    partial = template.with_name(f"{template.name}.{os.getpid()}.partial")
    try:
        template.parent.mkdir(parents=True, exist_ok=True)
        with (
            contextlib.closing(sqlite3.connect(database)) as source,
            contextlib.closing(sqlite3.connect(partial)) as copy,
        ):
            source.backup(copy)
        os.replace(partial, template)
    except (OSError, sqlite3.Error):  # only a speed-up for the next new store
        partial.unlink(missing_ok=True)


_server: ApiServer | None = None


MIN_FREE_BYTES = 64 << 20  # a night's Prefect database, store file and input log copies start well below this


def low_disk(store: Path) -> str | None:
    """Why the disk holding `store` is too full to start a night on (one line, English and Chinese), or None. Checked
    before anything starts: a disk that fills during Prefect's start-up kills its server with hundreds of lines."""
    folder = next((p for p in (Path(store).resolve(), *Path(store).resolve().parents) if p.exists()), None)
    if folder is None or not folder.is_dir():
        return None
    free = shutil.disk_usage(folder).free
    if free >= MIN_FREE_BYTES:
        return None
    return (
        f"the disk is full: {free >> 20} MB free in {folder}, a night needs at least {MIN_FREE_BYTES >> 20} MB; "
        f"free space there or give a --store on another disk / 磁盘已满：{folder} 所在磁盘仅剩 {free >> 20} MB，"
        f"至少需要 {MIN_FREE_BYTES >> 20} MB"
    )


def start_api(store: Path) -> ApiServer | None:
    """Configure the runtime for `store` and start a night's API server now, unless Prefect would not use it: the
    operator named a server (PREFECT_API_URL), or Prefect is already imported (its settings are read; e.g. a test
    harness's server). Returns the server (the same one on later calls), or None."""
    global _server
    configure(store)
    if _server is None and not os.environ.get("PREFECT_API_URL") and "prefect" not in sys.modules:
        _server = ApiServer(Path(os.environ["PREFECT_HOME"]), env=NIGHT_SERVER_ENV)
        os.environ["PREFECT_API_URL"] = _server.api_url  # read by Prefect when it is imported, after this
    return _server


def wait_for_api(meanwhile: Callable[[], None] | None = None) -> None:
    """Before the first flow run: wait for the server `start_api` started, if any (see `ApiServer.wait`)."""
    if _server is not None:
        _server.wait(meanwhile)


@contextlib.contextmanager
def night_settings():
    """Prefect settings for a flow run on the server `start_api` started: no flow-run heartbeats. They let a lasting
    server mark crashed runs; this one ends with the process, and joining the heartbeat thread (it wakes once a second)
    costs up to a second at the end of every flow run."""
    if _server is None:
        yield
        return
    from prefect.settings import temporary_settings

    with temporary_settings(updates={"flows.heartbeat_frequency": None}):
        yield


def healthy(port: int) -> bool:
    """Whether a Prefect API answers its health check on `port` of loopback."""
    return _get(port, "/api/health") == 200


def _get(port: int, path: str) -> int | None:
    """The status of a GET to the server on `port`, or None when it does not answer."""
    conn = http.client.HTTPConnection(HOST, port, timeout=5)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status
    except OSError:
        return None
    finally:
        conn.close()
