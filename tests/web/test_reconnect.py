"""The widget tells the user when the Rasa server goes away and recovers when it is back.

Uses a Rasa server of its own (sharing the session's action server) so restarting it does not
disturb the other tests.
"""

from __future__ import annotations

import signal

import pytest
from playwright.sync_api import expect

from bot.runtime.servers import start_rasa_server
from bot.web.page import start_page_server
from tests.conftest import free_port
from tests.web.conftest import Widget

pytestmark = pytest.mark.browser

RESTART_TIMEOUT_MS = 120_000


def session_id(storage: dict) -> str:
    return next(v for k, v in storage.items() if k.endswith(":session"))


@pytest.fixture
def own_rasa(trained_model, servers, tmp_path):
    """Start/stop a dedicated Rasa server; its conversations persist in a SQLite file across restarts."""
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(
        f'action_endpoint:\n  url: "http://127.0.0.1:{servers.action_port}/webhook"\n'
        f'tracker_store:\n  type: bot.runtime.tracker_store.RedactingSQLTrackerStore\n'
        f'  dialect: "sqlite"\n  db: "{tmp_path / "tracker.db"}"\n',
        encoding="utf-8",
    )
    port = free_port()

    class OwnRasa:
        url = f"http://127.0.0.1:{port}"
        process = None

        def start(self):
            self.process = start_rasa_server(trained_model, port, endpoints, log_file=tmp_path / "rasa.log")

        def stop(self):
            if self.process and self.process.poll() is None:
                self.process.send_signal(signal.SIGINT)
                try:
                    self.process.wait(timeout=20)
                except Exception:
                    self.process.kill()
                    self.process.wait()

    rasa = OwnRasa()
    rasa.start()
    yield rasa
    rasa.stop()


def test_offline_notice_and_recovery_after_the_server_restarts(page, widget_dist, own_rasa):
    page_server = start_page_server(own_rasa.url, port=0, dist=widget_dist)
    try:
        widget = Widget(page, page_server.url).open()
        widget.ask("what is MARAC?")
        session = widget.session_storage()

        own_rasa.stop()
        expect(widget.status).to_be_visible(timeout=15_000)
        expect(widget.status).to_contain_text("offline")
        expect(widget.status).to_have_attribute("role", "status")
        # A question asked while offline is kept and sent once the server is back.
        before = widget.bot_messages.count()
        widget.input.fill("what's the source?")
        widget.input.press("Enter")
        expect(widget.user_messages.last).to_contain_text("what's the source?")
        expect(widget.typing).to_be_visible()  # waiting for the answer

        own_rasa.start()
        expect(widget.status).not_to_contain_text("offline", timeout=RESTART_TIMEOUT_MS)
        widget.wait_for_answer(before)
        # Same conversation: the follow-up was read against the answer given before the restart.
        expect(widget.bot_messages.last).to_contain_text("WomenCentre")
        expect(widget.status).to_be_hidden(timeout=10_000)
        assert session_id(widget.session_storage()) == session_id(session)
    finally:
        page_server.stop()
