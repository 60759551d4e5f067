"""Honest connection states: a site whose origin is not allowed is told so (not "offline"); when
the assistant cannot be reached the 999 line stands out, a question typed meanwhile says it is
waiting to send, and it goes, in the same conversation, when the server is back.

These tests use a Rasa server of their own (sharing the session's action server) whose
config/web.yml allows http://127.0.0.1 only, so a page on http://localhost is refused, and so
stopping it does not disturb the other tests.
"""

from __future__ import annotations

import signal

import pytest
from playwright.sync_api import expect

from bot.runtime.servers import start_rasa_server
from bot.web.page import start_page_server
from tests.conftest import free_port
from tests.web.conftest import SCREENSHOTS, Widget, assert_accessible

pytestmark = pytest.mark.browser

RESTART_TIMEOUT_MS = 120_000


def session_id(storage: dict) -> str:
    return next(v for k, v in storage.items() if k.endswith(":session"))


class OwnRasa:
    """A Rasa server to stop and start; its conversations persist in a SQLite file across restarts."""

    def __init__(self, model, endpoints, env, log_file):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.model, self.endpoints, self.env, self.log_file = model, endpoints, env, log_file
        self.process = None

    def start(self):
        self.process = start_rasa_server(self.model, self.port, self.endpoints, env=self.env, log_file=self.log_file)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except Exception:
                self.process.kill()
                self.process.wait()


@pytest.fixture(scope="module")
def own_rasa(trained_model, servers, tmp_path_factory):
    folder = tmp_path_factory.mktemp("own-rasa")
    endpoints = folder / "endpoints.yml"
    endpoints.write_text(
        f'action_endpoint:\n  url: "http://127.0.0.1:{servers.action_port}/webhook"\n'
        f'tracker_store:\n  type: bot.runtime.tracker_store.RedactingSQLTrackerStore\n'
        f'  dialect: "sqlite"\n  db: "{folder / "tracker.db"}"\n',
        encoding="utf-8",
    )
    web_config = folder / "web.yml"
    web_config.write_text(f"allowed_origins:\n  - http://127.0.0.1:*\nsession:\n  key_file: {folder / 'session.key'}\n",
                          encoding="utf-8")
    env = {"DASG_WEB_CONFIG": str(web_config), "DASG_DATABASE_URL": servers.database_url}
    rasa = OwnRasa(trained_model, endpoints, env, folder / "rasa.log")
    rasa.start()
    yield rasa
    rasa.stop()


@pytest.fixture
def own_page(own_rasa, widget_dist):
    running = start_page_server(own_rasa.url, port=0, dist=widget_dist)
    yield running
    running.stop()


def test_a_site_that_is_not_allowed_is_told_so(page, own_page):
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    origin = own_page.url.replace("127.0.0.1", "localhost").rstrip("/")
    widget = Widget(page, origin + "/")
    page.goto(widget.url)
    expect(widget.status).to_contain_text(f"This assistant is not allowed on this site ({origin})", timeout=20_000)
    expect(widget.status).to_contain_text(f"Ask your administrator to add {origin}")
    assert any("refused this page's origin" in line and "allowed_origins" in line for line in console), console
    expect(widget.root.locator(".danger.emphasis")).to_have_text("If a child or adult is in immediate danger, call 999.")
    widget.input.fill("what is MARAC?")
    widget.input.press("Enter")
    expect(widget.user_messages.last).to_contain_text("Waiting to send")
    assert_accessible(page, "origin refused")
    page.screenshot(path=str(SCREENSHOTS / "widget-origin-refused.png"))

    # The same page on an allowed origin works.
    allowed = Widget(page, own_page.url).open()
    allowed.ask("what is MARAC?")
    expect(allowed.log).to_contain_text("multi-agency risk assessment conference")
    expect(allowed.status).to_be_hidden()


def test_offline_the_999_line_stands_out_and_a_question_waits_to_send(page, own_page, own_rasa):
    widget = Widget(page, own_page.url).open()
    widget.ask("what is MARAC?")
    session = widget.session_storage()
    danger = widget.root.locator(".danger")
    normal_size = danger.evaluate("el => parseFloat(getComputedStyle(el).fontSize)")

    own_rasa.stop()
    try:
        expect(widget.status).to_contain_text("offline", timeout=15_000)
        expect(widget.status).to_have_attribute("role", "status")
        expect(danger).to_have_class("danger emphasis")
        expect(danger).to_have_text("If a child or adult is in immediate danger, call 999.")
        assert danger.evaluate("el => parseFloat(getComputedStyle(el).fontSize)") > normal_size
        # A question asked while offline is kept, marked as waiting, and sent once the server is back.
        before = widget.bot_messages.count()
        widget.input.fill("what's the source?")
        widget.input.press("Enter")
        waiting = widget.user_messages.last
        expect(waiting).to_contain_text("what's the source?")
        expect(waiting).to_contain_text("Waiting to send")
        expect(widget.typing).to_be_visible()  # waiting for the answer
        assert_accessible(page, "offline")
        page.screenshot(path=str(SCREENSHOTS / "widget-offline.png"))
    finally:
        own_rasa.start()
    expect(widget.status).not_to_contain_text("offline", timeout=RESTART_TIMEOUT_MS)
    widget.wait_for_answer(before)
    expect(waiting).not_to_contain_text("Waiting to send")
    # Same conversation: the follow-up was read against the answer given before the restart.
    expect(widget.bot_messages.last).to_contain_text("WomenCentre")
    expect(widget.status).to_be_hidden(timeout=10_000)
    expect(danger).to_have_class("danger")
    assert session_id(widget.session_storage()) == session_id(session)
