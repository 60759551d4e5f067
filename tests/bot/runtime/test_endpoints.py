"""The endpoints files as Rasa reads them: the production file takes every value from the
environment (Rasa expands ``${...}`` in unquoted values only) and sends the action token."""

from __future__ import annotations

import pytest

from bot.config import PROJECT_ROOT
from bot.runtime.servers import _endpoints_for

PRODUCTION_ENV = {
    "ACTION_SERVER_URL": "http://127.0.0.1:5055/webhook", "DASG_ACTION_TOKEN": "t" * 40,
    "DB_HOST": "db.internal", "DB_PORT": "5432", "DB_NAME": "dasg", "DB_USER": "dasg", "DB_PASSWORD": "pw",
    "REDIS_HOST": "redis.internal", "REDIS_PORT": "6379", "REDIS_PASSWORD": "rpw",
}


def read(path, section):
    from rasa.utils.endpoints import read_endpoint_config

    return read_endpoint_config(str(path), section)


def test_production_endpoints_take_every_value_from_the_environment(monkeypatch):
    for name, value in PRODUCTION_ENV.items():
        monkeypatch.setenv(name, value)
    action = read(PROJECT_ROOT / "endpoints.production.yml", "action_endpoint")
    assert action.url == "http://127.0.0.1:5055/webhook"
    assert action.headers == {"Authorization": "Bearer " + "t" * 40}
    tracker = read(PROJECT_ROOT / "endpoints.production.yml", "tracker_store")
    assert (tracker.url, tracker.kwargs["db"], tracker.kwargs["password"]) == ("db.internal", "dasg", "pw")
    lock = read(PROJECT_ROOT / "endpoints.production.yml", "lock_store")
    assert (lock.url, lock.kwargs["password"]) == ("redis.internal", "rpw")


def test_production_endpoints_fail_without_the_token(monkeypatch):
    from rasa.shared.exceptions import RasaException

    for name, value in PRODUCTION_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("DASG_ACTION_TOKEN")
    with pytest.raises(RasaException, match="DASG_ACTION_TOKEN"):
        read(PROJECT_ROOT / "endpoints.production.yml", "action_endpoint")


def test_a_local_copy_sends_the_token_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("DASG_ACTION_TOKEN", "s" * 40)
    path = _endpoints_for(tmp_path, 5056, {"DASG_VAR_DIR": str(tmp_path), "DASG_ACTION_TOKEN": "s" * 40})
    action = read(path, "action_endpoint")
    assert (action.url, action.headers) == ("http://127.0.0.1:5056/webhook", {"Authorization": "Bearer " + "s" * 40})
