"""Never a silent turn when the action server fails: the Rasa server itself sends the 999
message for immediate danger and a short apology (with the 999 line) for anything else.

A Rasa server of its own calls the shared action server through a small proxy in this process,
which can pass calls on, answer them with HTTP 500 (rasa-sdk's error answer quotes the request,
the user's words included) or stop listening (the action server down).
"""

from __future__ import annotations

import json
import signal
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from bot.runtime.servers import start_rasa_server
from tests.conftest import free_port
from tests.conversation.sockets import SocketChat, types, warm_up

pytestmark = pytest.mark.conversation

MARKER = "wombatquillfeather"
DANGER = f"he's outside with a knife right now {MARKER}"
DANGER_BY_MEANING = "mum's on the floor and he won't stop kicking her"  # no pattern: NLU's intent says so


class ActionProxy:
    """Stands between the Rasa server and the action server: ``mode`` is pass, error or down."""

    def __init__(self, target: str):
        self.target = target
        self.port = free_port()
        self.mode = "pass"
        self.httpd: ThreadingHTTPServer | None = None
        self.listen()

    def listen(self) -> None:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if proxy.mode == "error":
                    status, answer = 500, json.dumps({"error": "boom", "request_body": json.loads(body)}).encode()
                else:
                    forwarded = requests.post(proxy.target, data=body, headers={"Content-Type": "application/json"},
                                              timeout=120)
                    status, answer = forwarded.status_code, forwarded.content
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def set(self, mode: str) -> None:
        if mode == "down" and self.httpd:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None
        elif mode != "down" and self.httpd is None:
            self.listen()
        self.mode = mode


@pytest.fixture(scope="module")
def failing(servers, trained_model, tmp_path_factory):
    """A Rasa server (own tracker store) whose action calls go through an ``ActionProxy``."""
    var = tmp_path_factory.mktemp("failing")
    proxy = ActionProxy(f"http://127.0.0.1:{servers.action_port}/webhook")
    endpoints = var / "endpoints.yml"
    endpoints.write_text(
        f'action_endpoint:\n  url: "http://127.0.0.1:{proxy.port}/webhook"\n'
        f'tracker_store:\n  type: bot.runtime.tracker_store.RedactingSQLTrackerStore\n'
        f'  dialect: "sqlite"\n  db: "{var / "tracker.db"}"\n',
        encoding="utf-8",
    )
    port = free_port()
    env = {"DASG_DATABASE_URL": servers.database_url, "DASG_VAR_DIR": str(var)}
    process = start_rasa_server(trained_model, port, endpoints, env=env, log_file=var / "rasa.log")

    class Failing:
        base_url = f"http://127.0.0.1:{port}"
        rest_url = f"{base_url}/webhooks/rest/webhook"
        log = var / "rasa.log"

    Failing.proxy = proxy
    warm_up(Failing.rest_url)
    yield Failing
    proxy.set("down")
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:  # a test server: its tracker store is thrown away anyway
        process.kill()
        process.wait()


def rest(failing, sender: str, text: str) -> list[str]:
    response = requests.post(failing.rest_url, json={"sender": sender, "message": text}, timeout=120)
    assert response.status_code == 200, response.text
    replies = response.json()
    assert replies, f"a silent turn: {text!r}"
    return [r["custom"]["type"] for r in replies if isinstance(r.get("custom"), dict)], [r.get("text") for r in replies]


@pytest.mark.parametrize("mode", ["error", "down"])
def test_danger_still_gets_999_and_other_turns_an_apology(failing, mode):
    failing.proxy.set("pass")
    assert "guidance" in rest(failing, f"test-{mode}", "what is MARAC?")[0], "answered while the action server works"
    socket = SocketChat(failing.base_url)
    try:
        assert "guidance" in types(socket.send("what is MARAC?"))
        failing.proxy.set(mode)
        kinds, said = rest(failing, f"test-{mode}", DANGER)
        assert kinds == ["immediate_danger"] and "call 999 now" in said[0]
        assert rest(failing, f"test-{mode}", DANGER_BY_MEANING)[0] == ["immediate_danger"]
        kinds, said = rest(failing, f"test-{mode}", f"tell me more {MARKER}")
        assert kinds == ["unavailable"] and said[0].startswith("Sorry") and "call 999" in said[0]
        assert rest(failing, f"test-{mode}", '/choose_entry{"entry_id":"marac-what-is"}')[0] == ["unavailable"]
        # The widget's channel too, each turn ending with the end-of-turn event (send waits for it).
        assert types(socket.send(DANGER)) == ["immediate_danger"]
        assert types(socket.send("what is DASH?")) == ["unavailable"]
    finally:
        failing.proxy.set("pass")
        socket.close()
    # Back again: answers resume in the same conversation.
    assert "guidance" in rest(failing, f"test-{mode}", "what is Operation Encompass?")[0]


def test_the_failures_are_logged_without_the_users_words(failing):
    failing.proxy.set("error")
    try:
        rest(failing, "test-log", f"what about {MARKER}?")
    finally:
        failing.proxy.set("pass")
    log = failing.log.read_text(encoding="utf-8", errors="replace")
    assert "Encountered an exception while running action 'action_respond'" in log, "the failure is logged"
    assert MARKER not in log
