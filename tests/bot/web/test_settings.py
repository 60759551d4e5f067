"""bot.web.settings: config/web.yml read and checked, the session key found or made."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.web.settings import DEFAULT_FILE, WebConfigError, load_web_settings

KEY = "k" * 40


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "web.yml"
    path.write_text(text, encoding="utf-8")
    return path


def env(tmp_path: Path, **values: str) -> dict[str, str]:
    return {"DASG_VAR_DIR": str(tmp_path / "var"), **values}


def test_the_shipped_file_allows_loopback_pages_only_and_keeps_rest_local(tmp_path):
    web = load_web_settings(DEFAULT_FILE, env(tmp_path))
    assert web.rest_mode == "local"
    assert web.limits.max_message_chars == 2000
    for origin in ("http://127.0.0.1:8080", "http://localhost:51234", "HTTP://LOCALHOST:8080"):
        assert web.origins.allows(origin), origin
    for origin in ("null", "https://127.0.0.1:8080", "http://127.0.0.1.evil.example", "http://evil.example",
                   "http://localhost:8080/path", "http://localhost:8080@evil.example", ""):
        assert not web.origins.allows(origin), origin
    assert web.origins.allows(None), "programs that send no Origin are not browsers"


def test_exact_origins_and_an_empty_list(tmp_path):
    web = load_web_settings(write(tmp_path, "allowed_origins: [https://lscp.example, 'http://[::1]:8080']\n"),
                            env(tmp_path))
    assert web.origins.allows("https://lscp.example")
    assert web.origins.allows("http://[::1]:8080")
    assert not web.origins.allows("https://lscp.example:8443")
    nobody = load_web_settings(write(tmp_path, "allowed_origins: []\n"), env(tmp_path))
    assert not nobody.origins.allows("http://127.0.0.1:8080")


def test_every_problem_is_reported_with_its_field(tmp_path):
    text = ("allowed_origins: ['*', 'null', 'https://lscp.example/chat', 'lscp.example']\n"
            "limits: {max_message_chars: 0, socket_burst: many, per_hour: 3}\nrest: open\n"
            "session: {max_age_hours: -1}\n")
    with pytest.raises(WebConfigError) as raised:
        load_web_settings(write(tmp_path, text), env(tmp_path))
    fields = [p.field for p in raised.value.problems]
    assert fields.count("allowed_origins") == 4
    assert {"limits.max_message_chars", "limits.socket_burst", "limits.per_hour", "rest",
            "session.max_age_hours"} <= set(fields)


def test_production_refuses_local_rest_and_needs_a_key(tmp_path):
    production = env(tmp_path, DASG_PRODUCTION="on")
    with pytest.raises(WebConfigError, match="'local' is not allowed"):
        load_web_settings(write(tmp_path, "rest: local\n"), {**production, "DASG_SESSION_KEY": KEY})
    with pytest.raises(WebConfigError, match="no session key"):
        load_web_settings(write(tmp_path, "allowed_origins: []\n"), production)
    web = load_web_settings(write(tmp_path, "allowed_origins: []\n"), {**production, "DASG_SESSION_KEY": KEY})
    assert web.rest_mode == "off" and web.session_key == KEY.encode()


def test_token_mode_needs_a_long_token(tmp_path):
    path = write(tmp_path, "rest: token\n")
    with pytest.raises(WebConfigError, match="DASG_REST_TOKEN"):
        load_web_settings(path, env(tmp_path, DASG_REST_TOKEN="short"))
    assert load_web_settings(path, env(tmp_path, DASG_REST_TOKEN=KEY)).rest_token == KEY


def test_a_development_key_is_made_once_and_kept_private(tmp_path):
    path = write(tmp_path, "allowed_origins: []\n")
    first = load_web_settings(path, env(tmp_path))
    key_file = tmp_path / "var" / "session.key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert len(first.session_key) == 64
    assert load_web_settings(path, env(tmp_path)).session_key == first.session_key
    assert load_web_settings(path, env(tmp_path, DASG_SESSION_KEY=KEY)).session_key == KEY.encode()
    with pytest.raises(WebConfigError, match="at least 32"):
        load_web_settings(path, env(tmp_path, DASG_SESSION_KEY="short"))
