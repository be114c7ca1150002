"""Process environment for running offline and leaving nothing in the user's home directory, and the night's API server.

`configure` must run before `prefect` or `great_expectations` is imported: both read their settings from the environment
at import. Values already set by the operator (e.g. PREFECT_API_URL for a real server) are kept.

`start_api` starts Prefect's temporary API server (the one its ephemeral mode would start at the first flow run) at the
very start of a command instead: it then boots in its own process on the other core while this one imports Great
Expectations, DuckDB, Polars and scikit-learn, and this process never imports the server's own modules (FastAPI,
Alembic, the server models: seconds of imports). It is the same server, run the same way (uvicorn on loopback, UI off,
ephemeral services), with its SQLite database in STORE/prefect/.
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

# How Prefect's SubprocessASGIServer runs the temporary server, plus what this server does not need, each of which
# it would otherwise start with (together ~2 s of its start-up and ~0.4 s of its first requests on two cores):
# - block-type registration (the nights use no blocks; on a fresh database ~2 s of inserts);
# - automations (triggers and actions: none are defined) and the event persister, which writes every event to the
#   database for the UI's event feed (and with it the events vacuum). Flow and task runs and their states are still
#   recorded; the night's own record is the run manifest and the store's `runs` table.
SERVER_ENV = {
    "PREFECT_UI_ENABLED": "0",
    "PREFECT__SERVER_EPHEMERAL": "1",
    "PREFECT__SERVER_FINAL": "1",
    "PREFECT_API_BLOCKS_REGISTER_ON_START": "false",
    "PREFECT_SERVER_SERVICES_TRIGGERS_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_EVENT_PERSISTER_ENABLED": "false",
}
# Requested as soon as the server answers its health check: the first request to a new server pays for its lazy set-up
# (0.5-0.9 s here). It is the client's own first request too (its API version check); made early, that set-up is off
# the night's path whenever the server is up before the night needs it.
WARM_UP = "/api/admin/version"
HOST = "127.0.0.1"


def configure(store: Path) -> None:
    """Point Prefect's home into the store and switch off telemetry, unless the operator set them."""
    for key, value in OFFLINE_ENV.items():
        os.environ.setdefault(key, value)
    os.environ.setdefault("PREFECT_HOME", str((store / "prefect").resolve()))
    Path(os.environ["PREFECT_HOME"]).mkdir(parents=True, exist_ok=True)  # its SQLite file cannot create the folder
    logging.getLogger("great_expectations").setLevel(logging.WARNING)  # its INFO lines are noise in a night's output


class ApiServer:
    """The temporary API server of this process: started once, stopped at exit (after Prefect's own exit handlers,
    which flush events and logs to it, because it registers its handler before Prefect is imported). A thread waits
    for it to answer and warms it up (`WARM_UP`) while this process imports and prepares the night."""

    def __init__(self) -> None:
        # A bound, never-listening SO_REUSEADDR socket reserves the port: the kernel hands it to no one else, and only
        # the server (which binds with SO_REUSEADDR too) can listen on it. No race between choosing and binding.
        self._reservation = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._reservation.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._reservation.bind((HOST, 0))
        self.port = self._reservation.getsockname()[1]
        self.api_url = f"http://{HOST}:{self.port}/api"
        self._seed = _seed_database()
        migrate = {} if _migrations_needed() else {"PREFECT_API_DATABASE_MIGRATE_ON_START": "false"}
        uvicorn = [
            "-m",
            "uvicorn",
            "--factory",
            "prefect.server.api.server:create_app",
            "--host",
            HOST,
            "--port",
            str(self.port),
            "--log-level",
            "error",
            "--lifespan",
            "on",
        ]
        self.process = subprocess.Popen(
            [sys.executable, "-c", TIED_TO_PARENT, str(os.getpid()), *uvicorn],
            env=os.environ | SERVER_ENV | migrate,
            stdin=subprocess.DEVNULL,
        )
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

    def wait(self, meanwhile: Callable[[], None] | None = None) -> None:
        """Block until the server answers (and is warmed up); its start-up messages, if it dies, are on stderr. If it
        is not up yet, run `meanwhile` first (work the caller would do later anyway)."""
        if meanwhile is not None and not self.ready:
            meanwhile()
        timeout = float(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90"))
        deadline = time.monotonic() + timeout
        while not self._up.wait(0.05):
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"Prefect's temporary API server exited with code {self.process.returncode} "
                    f"while starting (its database: {os.environ.get('PREFECT_HOME')}/prefect.db)"
                )
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"Prefect's temporary API server did not answer on {self.api_url} within "
                    f"{timeout:.0f} s (PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS)"
                )

    def stop(self) -> None:
        self._stopping.set()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._reservation.close()


# The server's process, before it becomes uvicorn: asks Linux to SIGTERM it when this process dies, however it dies
# (kill -9 included; the setting survives exec), and gives up at once if this process is already gone.
TIED_TO_PARENT = """import ctypes, os, signal, sys
parent = int(sys.argv[1])
if sys.platform == "linux":
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
if os.getppid() != parent:
    sys.exit(0)
os.execv(sys.executable, [sys.executable, *sys.argv[2:]])
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


def _default_database() -> Path | None:
    """The SQLite file Prefect's server uses in PREFECT_HOME, or None when the operator chose another database
    (PREFECT_API_DATABASE_CONNECTION_URL): that one is left to Prefect."""
    if os.environ.get("PREFECT_API_DATABASE_CONNECTION_URL"):
        return None
    return Path(os.environ["PREFECT_HOME"]) / "prefect.db"


def _seed_database() -> tuple[Path, Path] | None:
    """A new store's Prefect database starts as a copy of the template: the server then has no migrations to run (a new
    database takes ~10 s of them, 116 Alembic steps). Without a template yet, returns (database, template), for
    `_keep_template` once this server has migrated the new database. Nothing to do for an existing database, or for
    the operator's own (`_default_database`)."""
    database = _default_database()
    if database is None or database.exists():
        return None
    template = _template_path()
    if not template.exists():
        return database, template
    shutil.copyfile(template, database)
    return None


def _migrations_needed() -> bool:
    """Whether the server must run Alembic on start: not when its database is at the template's revision (the head of
    the installed Prefect), which spares Alembic reading its 116 migration scripts to find nothing to do (~0.3 s)."""
    database = _default_database()
    revision = _revision(database) if database is not None else None
    return revision is None or revision != _revision(_template_path())


def _revision(database: Path) -> str | None:
    """The Alembic revision a Prefect SQLite database is at, or None (no such file, no revision table)."""
    if not database.exists():
        return None
    try:
        with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as con:
            row = con.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error:
        return None
    return row[0] if row else None


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
    """Configure the runtime for `store` and start the temporary API server now, unless Prefect would not use it: the
    operator named a server (PREFECT_API_URL), or Prefect is already imported (its settings are read; e.g. a test
    harness's server). Returns the server (the same one on later calls), or None."""
    global _server
    configure(store)
    if _server is None and not os.environ.get("PREFECT_API_URL") and "prefect" not in sys.modules:
        _server = ApiServer()
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
