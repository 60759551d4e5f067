"""bot.web.page: the page server that `bot run` starts (no browser needed)."""

from __future__ import annotations

import socket
import time

import pytest
import requests

from bot.web.page import content_security_policy, message_limit, render_page, start_page_server


def test_page_names_the_rasa_server_escaped():
    page = render_page('<script data-server="__DASG_SERVER__"></script>', 'http://127.0.0.1:5005/"><b>')
    assert 'data-server="http://127.0.0.1:5005/&quot;&gt;&lt;b&gt;"' in page


def test_page_shows_the_message_limit_of_the_channels_settings(tmp_path, monkeypatch):
    assert message_limit() == 2000  # config/web.yml
    settings = tmp_path / "web.yml"
    settings.write_text("limits:\n  max_message_chars: 1500\n", encoding="utf-8")
    monkeypatch.setenv("DASG_WEB_CONFIG", str(settings))
    assert message_limit() == 1500
    settings.write_text("limits:\n  max_message_chars: lots\n", encoding="utf-8")
    assert message_limit() == 2000, "a bad value is the Rasa server's to report; the page keeps the default"
    page = render_page('<script data-max-length="__DASG_MAX_CHARS__"></script>', "http://127.0.0.1:5005", 1500)
    assert 'data-max-length="1500"' in page


def test_policy_allows_scripts_from_the_page_and_sockets_to_rasa_only():
    policy = content_security_policy("http://127.0.0.1:5005")
    assert "script-src 'self';" in policy
    assert "connect-src 'self' http://127.0.0.1:5005 ws://127.0.0.1:5005;" in policy
    assert "wss://rasa.example" in content_security_policy("https://rasa.example")


def test_serves_the_page_and_widget_and_nothing_else(widget_dist):
    server = start_page_server("http://127.0.0.1:5999", port=0, dist=widget_dist)
    try:
        page = requests.get(server.url, timeout=5)
        assert page.status_code == 200
        assert 'data-server="http://127.0.0.1:5999"' in page.text
        assert 'data-max-length="2000"' in page.text and "__DASG" not in page.text
        assert "connect-src 'self' http://127.0.0.1:5999" in page.headers["Content-Security-Policy"]
        script = requests.get(server.url + "dasg-widget.js", timeout=5)
        assert script.headers["Content-Type"].startswith("text/javascript")
        assert "socket.io-client" in script.text[:300]
        for path in ("../bot/web.py", "%2e%2e/README.md", ".hidden", "missing.js", "sub/dir.js"):
            assert requests.get(server.url + path, timeout=5).status_code == 404, path
    finally:
        server.stop()


SECURITY_HEADERS = ("X-Content-Type-Options", "Referrer-Policy", "Content-Security-Policy", "Cache-Control")


@pytest.fixture
def page_only(widget_dist):
    server = start_page_server("http://127.0.0.1:5999", port=0, dist=widget_dist, idle_timeout=0.5)
    yield server
    server.stop()


@pytest.mark.parametrize("path", ["x" * 256, "a" * 101 + ".js", "%00", "%ff%fe", "\u00e9.html", "%2e%2e", ".%2findex.html",
                                  "index.html/", "//evil.example/x", "dasg-widget.js%00.html", "~root", "a%2fb"])
def test_long_and_odd_paths_are_404s_with_the_security_headers(page_only, path):
    response = requests.get(page_only.url + path, timeout=5)
    assert response.status_code == 404
    assert response.text == "404 Not found\n", "no path echoed, no traceback"
    for header in SECURITY_HEADERS:
        assert header in response.headers, header
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_errors_http_server_sends_itself_carry_the_headers_too(page_only):
    for method in ("POST", "PUT", "DELETE"):
        response = requests.request(method, page_only.url, data="x", timeout=5)
        assert response.status_code == 501 and response.headers["X-Content-Type-Options"] == "nosniff"
    host, port = page_only.httpd.server_address[:2]
    with socket.create_connection((host, port), timeout=5) as raw:
        raw.sendall(b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n")
        answer = raw.recv(4096).decode("latin-1")
    assert answer.startswith("HTTP/1.0 414") and "nosniff" in answer


def test_idle_connections_are_closed(page_only):
    host, port = page_only.httpd.server_address[:2]
    with socket.create_connection((host, port), timeout=5) as idle:
        started = time.monotonic()
        assert idle.recv(100) == b"", "closed by the server"
        assert time.monotonic() - started < 3
    with socket.create_connection((host, port), timeout=5) as slow:
        slow.sendall(b"GET / HT")  # a request that never finishes
        assert slow.recv(100) == b""
    assert requests.get(page_only.url, timeout=5).status_code == 200, "still serving"
