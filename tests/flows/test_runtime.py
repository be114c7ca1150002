"""The night's Prefect API server: started at the start of a command, in the store, never the server modules in-process,
gone when the command ends; left alone when the operator named a server or Prefect is already set up (a test harness)."""

import contextlib
import os
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from flows import runtime

PROJECT = Path(__file__).resolve().parents[2]

EARLY = textwrap.dedent("""
    import os, sys
    from pathlib import Path
    from flows import runtime
    server = runtime.start_api(Path(sys.argv[1]))
    assert os.environ["PREFECT_API_URL"] == server.api_url, os.environ.get("PREFECT_API_URL")
    assert runtime.start_api(Path(sys.argv[1])) is server, "one server per process"
    seen = []
    runtime.wait_for_api(meanwhile=lambda: seen.append(1))
    from prefect.client.orchestration import get_client
    with get_client(sync_client=True) as client:
        assert client.api_healthcheck() is None
        assert str(client.api_url).rstrip("/") == server.api_url
    assert "prefect.server.api.server" not in sys.modules, "the server's modules stay in the server's process"
    print(server.process.pid, len(seen))
""")

LEFT_ALONE = textwrap.dedent("""
    import os, sys
    from pathlib import Path
    from flows import runtime
    if sys.argv[2] == "prefect imported":
        import prefect
    assert runtime.start_api(Path(sys.argv[1])) is None
    runtime.wait_for_api(meanwhile=lambda: sys.exit("nothing to wait for"))
    print(os.environ.get("PREFECT_API_URL"))
""")


def _env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("PREFECT_API_URL", "PREFECT_HOME")}
    return env | extra


def test_the_server_starts_early_in_the_store_and_stops_with_the_command(tmp_path):
    store = tmp_path / "store"
    proc = subprocess.run(
        [sys.executable, "-c", EARLY, str(store)], cwd=PROJECT, env=_env(), capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    pid, waited = (int(x) for x in proc.stdout.split())
    assert (store / "prefect" / "prefect.db").is_file(), "Prefect's database lives in the store"
    for _ in range(50):  # the child was terminated and reaped at exit
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        raise AssertionError(f"the API server (pid {pid}) outlived the command")
    assert waited in (0, 1)


def test_an_operators_server_or_an_already_configured_prefect_is_left_alone(tmp_path):
    named = subprocess.run(
        [sys.executable, "-c", LEFT_ALONE, str(tmp_path), "-"],
        cwd=PROJECT,
        capture_output=True,
        env=_env(PREFECT_API_URL="http://prefect.internal:4200/api"),
        text=True,
        timeout=120,
    )
    assert named.returncode == 0 and named.stdout.strip() == "http://prefect.internal:4200/api", named.stderr[-2000:]
    harness = subprocess.run(
        [sys.executable, "-c", LEFT_ALONE, str(tmp_path), "prefect imported"],
        cwd=PROJECT,
        capture_output=True,
        env=_env(),
        text=True,
        timeout=120,
    )
    assert harness.returncode == 0 and harness.stdout.strip() == "None", harness.stderr[-2000:]


def _sqlite_with(path: Path, marker: str) -> None:
    with contextlib.closing(sqlite3.connect(path)) as con:
        con.execute("CREATE TABLE marker (value TEXT)")
        con.execute("INSERT INTO marker VALUES (?)", [marker])
        con.commit()


def _marker(path: Path) -> str:
    with contextlib.closing(sqlite3.connect(path)) as con:
        return con.execute("SELECT value FROM marker").fetchone()[0]


def test_a_new_stores_prefect_database_starts_from_the_migrated_template(tmp_path, monkeypatch):
    template = tmp_path / "env" / "prefect-x.db"
    monkeypatch.setattr(runtime, "_template_path", lambda: template)
    monkeypatch.delenv("PREFECT_API_DATABASE_CONNECTION_URL", raising=False)
    monkeypatch.delenv("PREFECT_SERVER_DATABASE_CONNECTION_URL", raising=False)
    first = tmp_path / "store1" / "prefect"
    first.mkdir(parents=True)
    # no template yet: this server migrates its new database, which then becomes the template
    assert runtime._seed_database(first) == (first / "prefect.db", template)
    _sqlite_with(first / "prefect.db", "migrated")
    runtime._keep_template(first / "prefect.db", template)
    assert _marker(template) == "migrated" and not list(template.parent.glob("*.partial"))
    # the next new store starts as a copy of it; an existing database is never touched
    second = tmp_path / "store2" / "prefect"
    second.mkdir(parents=True)
    assert runtime._seed_database(second) is None and _marker(second / "prefect.db") == "migrated"
    assert runtime._seed_database(first) is None
    # an operator's own database: left to Prefect
    third = tmp_path / "store3" / "prefect"
    third.mkdir(parents=True)
    monkeypatch.setenv("PREFECT_SERVER_DATABASE_CONNECTION_URL", "postgresql+asyncpg://db/prefect")
    assert runtime._seed_database(third) is None and not (third / "prefect.db").exists()


def test_the_api_server_process_dies_with_the_night_even_on_kill_9(tmp_path):
    """The server is started through `TIED_TO_PARENT`: when the process that started it is killed outright (no exit
    handler runs), Linux sends the server SIGTERM, so no server is left running with the store's database open."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from flows.runtime import TIED_TO_PARENT

    pidfile = tmp_path / "child.pid"
    (tmp_path / "child.py").write_text(
        f"import os, time\nopen({str(pidfile)!r}, 'w').write(str(os.getpid()))\ntime.sleep(60)\n"
    )
    (tmp_path / "parent.py").write_text(
        "import os, subprocess, sys, time\n"
        f"subprocess.Popen([sys.executable, '-c', {TIED_TO_PARENT!r}, str(os.getpid()), sys.executable, {str(tmp_path / 'child.py')!r}])\n"
        "time.sleep(60)\n"
    )
    parent = subprocess.Popen([sys.executable, str(tmp_path / "parent.py")])
    deadline = time.monotonic() + 20
    while not (pidfile.exists() and pidfile.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)
    child = int(pidfile.read_text())
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            return
        with open(f"/proc/{child}/stat") as fh:  # a zombie (exited, not yet reaped by init) counts as gone
            if fh.read().split(")")[-1].split()[0] == "Z":
                return
        time.sleep(0.05)
    os.kill(child, signal.SIGKILL)
    raise AssertionError("the child outlived its killed parent")
