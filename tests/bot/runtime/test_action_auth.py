"""The action token: when it is required, which requests carry it, and how the Rasa server is told to send it."""

from __future__ import annotations

import pytest

from bot.config import load_settings
from bot.runtime.action_auth import exposure_problem, is_authorised, token_problem
from bot.runtime.servers import _endpoints_for

TOKEN = "k" * 40


def test_local_default_is_loopback_without_a_token():
    settings = load_settings({})
    assert (settings.action_host, settings.action_token, settings.production) == ("127.0.0.1", None, False)
    assert token_problem(settings) is None


def test_the_token_never_shows_in_the_settings_repr():
    assert TOKEN not in repr(load_settings({"DASG_ACTION_TOKEN": TOKEN}))


def test_production_without_a_token_is_refused():
    problem = token_problem(load_settings({"DASG_PRODUCTION": "on"}))
    assert problem == "DASG_ACTION_TOKEN is required when DASG_PRODUCTION is on (the Rasa server must prove who it is)"
    assert token_problem(load_settings({"DASG_PRODUCTION": "on", "DASG_ACTION_TOKEN": TOKEN})) is None


def test_a_short_token_is_refused_with_how_to_make_one():
    problem = token_problem(load_settings({"DASG_ACTION_TOKEN": "secret"}))
    assert problem.startswith("DASG_ACTION_TOKEN must be at least 32 characters")
    assert "secrets.token_urlsafe(32)" in problem


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "localhost"])
def test_loopback_needs_no_token(host):
    assert exposure_problem(host, None) is None


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.2", "actions.internal"])
def test_any_other_interface_needs_the_token(host):
    assert exposure_problem(host, None) == (
        f"the action server would listen on {host} without a token: set DASG_ACTION_TOKEN, or listen on 127.0.0.1")
    assert exposure_problem(host, TOKEN) is None


@pytest.mark.parametrize("path, header, allowed", [
    ("/webhook", f"Bearer {TOKEN}", True),
    ("/webhook", f"bearer {TOKEN}", True),
    ("/webhook", None, False),
    ("/webhook", "", False),
    ("/webhook", TOKEN, False),
    ("/webhook", f"Bearer {TOKEN[:-1]}", False),
    ("/webhook", f"Basic {TOKEN}", False),
    ("/actions", None, False),
    ("/health", None, True),
])
def test_only_the_bearer_token_opens_anything_but_health(path, header, allowed):
    assert is_authorised(path, header, TOKEN) is allowed


def test_without_a_configured_token_everything_is_served():
    assert is_authorised("/webhook", None, None)


def test_the_generated_endpoints_name_the_variable_not_the_secret(tmp_path):
    env = {"DASG_VAR_DIR": str(tmp_path), "DASG_ACTION_TOKEN": TOKEN}
    text = _endpoints_for(tmp_path, 5055, env).read_text()
    assert "Authorization: Bearer ${DASG_ACTION_TOKEN}" in text
    assert TOKEN not in text


def test_without_a_token_the_default_endpoints_file_is_used(tmp_path):
    assert _endpoints_for(tmp_path, 5055, {}).name == "endpoints.yml"
    assert "headers" not in _endpoints_for(tmp_path, 5056, {"DASG_VAR_DIR": str(tmp_path)}).read_text()
