"""The systemd units in deploy/: restart on failure, loopback, the secrets from the environment
file only, hardening, and command lines the programs accept."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess

import pytest

from bot.config import PROJECT_ROOT

DEPLOY = PROJECT_ROOT / "deploy"
UNITS = ("dasg-actions.service", "dasg-rasa.service")


def unit(name: str) -> dict[str, list[str]]:
    """Each key of a unit file with all its values (continuation lines joined, comments left out)."""
    text = re.sub(r"\\\n\s*", " ", (DEPLOY / name).read_text(encoding="utf-8"))
    found: dict[str, list[str]] = {}
    for line in text.splitlines():
        if "=" in line and not line.lstrip().startswith(("#", ";", "[")):
            key, value = line.split("=", 1)
            found.setdefault(key.strip(), []).append(value.strip())
    return found


def environment(settings: dict[str, list[str]]) -> dict[str, str]:
    return dict(pair.split("=", 1) for value in settings.get("Environment", []) for pair in shlex.split(value))


@pytest.mark.parametrize("name", UNITS)
def test_each_unit_restarts_on_failure_as_a_hardened_unprivileged_user(name):
    settings = unit(name)
    for key, value in {"Restart": "on-failure", "User": "dasg", "Group": "dasg", "EnvironmentFile": "/etc/dasg/dasg.env",
                       "NoNewPrivileges": "yes", "ProtectSystem": "strict", "ProtectHome": "yes", "PrivateTmp": "yes",
                       "CapabilityBoundingSet": "", "StateDirectory": "dasg", "KillSignal": "SIGINT"}.items():
        assert settings.get(key) == [value], f"{name}: {key}={settings.get(key)}"
    assert 0 < float(settings["RestartSec"][0]) <= 10
    assert int(settings["StartLimitBurst"][0]) >= 3


@pytest.mark.parametrize("name", UNITS)
def test_no_secret_is_written_in_a_unit(name):
    text = (DEPLOY / name).read_text(encoding="utf-8")
    for secret in ("TOKEN", "PASSWORD", "SESSION_KEY"):
        assert not re.search(rf"{secret}\w*=\S", text), f"{name} sets {secret}: it belongs in /etc/dasg/dasg.env"


def test_the_action_server_unit_listens_on_loopback_with_options_the_launcher_accepts():
    from action_server import argument_parser

    settings = unit("dasg-actions.service")
    assert environment(settings)["DASG_ACTION_HOST"] == "127.0.0.1"
    command = shlex.split(settings["ExecStart"][0])
    assert command[:3] == ["/opt/dasg/.venv/bin/python", "-m", "action_server"]
    args = argument_parser(environment(settings)["DASG_ACTION_HOST"]).parse_args(command[3:])
    assert (args.host, args.port, args.actions) == ("127.0.0.1", 5055, "actions")


def test_the_rasa_unit_listens_on_loopback_with_the_production_endpoints():
    command = shlex.split(unit("dasg-rasa.service")["ExecStart"][0])
    assert command[:2] == ["/opt/dasg/.venv/bin/rasa", "run"]
    options = dict(zip(command[2::2], command[3::2], strict=True))
    assert options["--interface"] == "127.0.0.1"
    assert options["--endpoints"] == "endpoints.production.yml"
    assert "--enable-api" not in command


def test_the_environment_example_names_every_variable_the_units_and_endpoints_use():
    example = (DEPLOY / "dasg.env.example").read_text(encoding="utf-8")
    named = set(re.findall(r"^#?\s*([A-Z_]+)=", example, flags=re.M))
    used = set(re.findall(r"\$\{([A-Z_]+)\}", (PROJECT_ROOT / "endpoints.production.yml").read_text(encoding="utf-8")))
    used |= set(re.findall(r"\$\{([A-Z_]+)\}", "".join((DEPLOY / n).read_text(encoding="utf-8") for n in UNITS)))
    assert used - named == set()
    assert {"DASG_PRODUCTION", "DASG_ACTION_TOKEN", "DASG_SESSION_KEY"} <= named


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_accepts_the_units(tmp_path):
    for name in UNITS:  # the programs must exist: point the copies at this checkout
        (tmp_path / name).write_text((DEPLOY / name).read_text(encoding="utf-8").replace("/opt/dasg", str(PROJECT_ROOT)))
    result = subprocess.run(["systemd-analyze", "verify", "--man=no", *(str(tmp_path / n) for n in UNITS)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stderr.strip() == "", result.stderr


def test_old_conversations_are_purged_daily_by_a_timer(tmp_path):
    service, timer = unit("dasg-purge.service"), unit("dasg-purge.timer")
    assert service["ExecStart"] == ["/opt/dasg/.venv/bin/bot conversations purge"]
    assert service["Type"] == ["oneshot"] and service["User"] == ["dasg"]
    assert service["EnvironmentFile"] == ["/etc/dasg/dasg.env"]
    assert environment(service)["DASG_ENDPOINTS"] == "endpoints.production.yml"
    assert timer["OnCalendar"] == ["daily"] and timer["Persistent"] == ["true"]
    if shutil.which("systemd-analyze") is None:
        return
    names = ("dasg-purge.service", "dasg-purge.timer")
    for name in names:
        (tmp_path / name).write_text((DEPLOY / name).read_text(encoding="utf-8").replace("/opt/dasg", str(PROJECT_ROOT)))
    result = subprocess.run(["systemd-analyze", "verify", "--man=no", *(str(tmp_path / n) for n in names)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stderr.strip() == "", result.stderr


@pytest.mark.parametrize("name", ["dasg-rasa.service", "dasg-rasa@.service", "dasg-actions.service", "dasg-actions@.service"])
def test_servers_run_tensorflow_with_one_thread_per_operation_as_bot_run_does(name, monkeypatch):
    from bot.runtime.servers import SERVER_THREADS, _server_env

    assert {k: environment(unit(name)).get(k) for k in SERVER_THREADS} == SERVER_THREADS
    for key in SERVER_THREADS:
        monkeypatch.delenv(key, raising=False)
    assert {k: _server_env({}).get(k) for k in SERVER_THREADS} == SERVER_THREADS
    monkeypatch.setenv("TF_NUM_INTRAOP_THREADS", "4")  # an operator's own choice wins
    assert _server_env({})["TF_NUM_INTRAOP_THREADS"] == "4"
