"""What flows/runtime.py relies on in the installed Prefect, checked against it: an upgrade that renames or drops a
setting (an unknown environment variable is silently ignored: a night's server would start every service again), moves
the default database, or changes `prefect server start`'s options fails here, by name, not in a slow night."""

import os
import subprocess
import sys
from pathlib import Path

from flows import runtime


def _settings(env: dict[str, str]):
    """Prefect's settings as a process with `env` would read them (its public settings model)."""
    from prefect.settings import Settings

    saved = dict(os.environ)
    try:
        os.environ.update(env)
        return Settings()
    finally:
        os.environ.clear()
        os.environ.update(saved)


def test_every_prefect_setting_the_runtime_sets_is_one_prefect_knows():
    from prefect.settings import Settings

    known = set(Settings().to_environment_variables(exclude_unset=False))
    ours = {k for k in (runtime.OFFLINE_ENV | runtime.NIGHT_SERVER_ENV) if k.startswith("PREFECT_")}
    used = {
        "PREFECT_HOME",
        "PREFECT_SERVER_DATABASE_CONNECTION_URL",
        "PREFECT_FLOWS_HEARTBEAT_FREQUENCY",
    }
    assert not (ours | used) - known, f"not Prefect settings any more: {sorted((ours | used) - known)}"
    assert _settings({"PREFECT_API_URL": "http://127.0.0.1:1/api"}).api.url == "http://127.0.0.1:1/api"


def test_the_night_servers_settings_switch_off_what_they_say():
    settings = _settings(runtime.NIGHT_SERVER_ENV)
    services = settings.server.services
    off = [name for name in ("scheduler", "late_runs", "foreman", "triggers", "event_persister", "repossessor")]
    assert all(getattr(services, name).enabled is False for name in off)
    assert services.task_run_recorder.enabled is True, "the task runs the UI shows are still recorded"
    assert settings.server.ui.enabled is False and settings.server.register_blocks_on_start is False


def test_the_default_database_is_prefect_db_in_prefect_home(tmp_path):
    """`_seed_database` copies the template to PREFECT_HOME/prefect.db: Prefect's documented default place."""
    settings = _settings({"PREFECT_HOME": str(tmp_path)})
    assert settings.server.database.connection_url.get_secret_value().endswith(f"{tmp_path}/prefect.db")


def test_prefect_server_start_takes_the_options_the_runtime_gives_it():
    prefect = Path(sys.executable).with_name("prefect")
    shown = subprocess.run(
        [str(prefect), "server", "start", "--help"], capture_output=True, text=True, timeout=120, env=os.environ
    )
    assert shown.returncode == 0, shown.stderr[-2000:]
    for option in ("--host", "--port", "--ui", "--no-ui"):
        assert option in shown.stdout, f"`prefect server start` has no {option} any more"
