"""bot.web.page: the page server that `bot run` starts (no browser needed)."""

from __future__ import annotations

import requests

from bot.web.page import content_security_policy, render_page, start_page_server


def test_page_names_the_rasa_server_escaped():
    page = render_page('<script data-server="__DASG_SERVER__"></script>', 'http://127.0.0.1:5005/"><b>')
    assert 'data-server="http://127.0.0.1:5005/&quot;&gt;&lt;b&gt;"' in page


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
        assert "connect-src 'self' http://127.0.0.1:5999" in page.headers["Content-Security-Policy"]
        script = requests.get(server.url + "dasg-widget.js", timeout=5)
        assert script.headers["Content-Type"].startswith("text/javascript")
        assert "socket.io-client" in script.text[:300]
        for path in ("../bot/web.py", "%2e%2e/README.md", ".hidden", "missing.js", "sub/dir.js"):
            assert requests.get(server.url + path, timeout=5).status_code == 404, path
    finally:
        server.stop()
