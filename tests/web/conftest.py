"""Browser fixtures: the built widget, its page served against the shared Rasa server, and one
headless Chromium (Debian's /usr/bin/chromium, driven by Playwright) for the whole session.

Every test gets a fresh browser context (its own sessionStorage, like a new tab) and leaves a
screenshot in var/artifacts/screenshots/<test name>.png, pass or fail. Helpers: the widget as a
user meets it (``Widget``), axe-core's check (``run_axe``, ``assert_accessible``), the user's
text size (``set_text_size``) and whether an element is inside the window (``inside_viewport``).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.config import load_settings
from bot.web.page import WEB_DIR, ensure_widget_built, start_page_server
from tests.conversation.sockets import warm_up

CHROMIUM = os.environ.get("DASG_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]
SCREENSHOTS = load_settings().var_dir / "artifacts" / "screenshots"
AXE_SCRIPT = WEB_DIR / "node_modules" / "axe-core" / "axe.min.js"
ANSWER_TIMEOUT_MS = 30_000



@pytest.fixture(scope="session")
def servers(servers):
    """The shared servers, with their first (slow) turn taken: a browser test waits 30 s at most."""
    warm_up(servers.rest_url)
    return servers


@pytest.fixture(scope="session")
def widget_dist() -> Path:
    return ensure_widget_built()


@pytest.fixture(scope="session")
def page_server(widget_dist, servers):
    """The widget's page on a free loopback port, pointed at the shared Rasa server."""
    running = start_page_server(servers.base_url, port=0, dist=widget_dist)
    yield running
    running.stop()


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `bash scripts/setup-browser.sh` (as root) or `make test`")
    from playwright.sync_api import sync_playwright

    # launch() gives the browser a fresh temporary profile (user data dir) of its own.
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Watch:
    """What the page did that a user would notice but a locator would not: dialogs, script errors."""

    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@pytest.fixture
def context_options():
    """Overridden by tests that need another viewport."""
    return {"viewport": {"width": 1024, "height": 800}}


@pytest.fixture
def browser_context(chromium, context_options):
    context = chromium.new_context(locale="en-GB", **context_options)
    context.set_default_timeout(ANSWER_TIMEOUT_MS)
    yield context
    context.close()


@pytest.fixture
def page(browser_context, request):
    page = browser_context.new_page()
    page.watch = Watch()

    def on_dialog(dialog):
        page.watch.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda error: page.watch.errors.append(str(error)))
    yield page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name).strip("-")
    try:
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    except Exception:  # a closed page has nothing to show
        pass


class Widget:
    """The chat widget as a user meets it, with the few steps every test takes."""

    def __init__(self, page, url: str):
        self.page = page
        self.url = url
        self.root = page.locator(".dasg-widget-host")
        self.input = page.get_by_role("textbox", name="Your question")
        self.log = page.get_by_role("log", name="Conversation")
        self.status = page.locator(".dasg-widget-host .status")
        self.typing = page.locator(".dasg-widget-host .typing")

    def open(self) -> "Widget":
        self.page.goto(self.url)
        self.wait_until_connected()
        return self

    def wait_until_connected(self) -> None:
        self.page.wait_for_function(
            "() => sessionStorage.length > 0 && Object.keys(sessionStorage).some(k => k.endsWith(':session'))",
            timeout=ANSWER_TIMEOUT_MS,
        )

    @property
    def bot_messages(self):
        """The assistant's messages (not the widget's own greeting)."""
        return self.log.locator(".message.bot:not(.intro)")

    @property
    def user_messages(self):
        return self.log.locator(".message.user")

    def ask(self, text: str) -> None:
        """Type a question and press Enter; wait until the assistant has finished answering."""
        before = self.bot_messages.count()
        self.input.fill(text)
        self.input.press("Enter")
        self.wait_for_answer(before)

    def wait_for_answer(self, before: int) -> None:
        self.page.wait_for_function(
            """(before) => {
                const root = document.querySelector('.dasg-widget-host').shadowRoot;
                return root.querySelectorAll('.message.bot:not(.intro)').length > before
                    && root.querySelector('.typing').hidden;
            }""",
            arg=before,
            timeout=ANSWER_TIMEOUT_MS,
        )

    def session_storage(self) -> dict:
        return self.page.evaluate("() => Object.fromEntries(Object.entries(sessionStorage))")


@pytest.fixture
def widget(page, page_server) -> Widget:
    return Widget(page, page_server.url).open()


def run_axe(page) -> list[dict]:
    """axe-core's violations for the page (WCAG 2.0/2.1 A and AA rules and best practices). The
    script is evaluated through the DevTools protocol, so the page's Content-Security-Policy stays on."""
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8") + "\n;undefined")
    return page.evaluate(
        """async () => (await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']},
        })).violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                   nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))"""
    )


def assert_accessible(page, state: str) -> None:
    """No axe-core violation at all in this state of the widget."""
    violations = run_axe(page)
    assert violations == [], f"axe-core, {state}: {violations}"


def set_text_size(page, pixels: int) -> None:
    """The user's default text size, as the browser's own setting sets it (16 px is 100%)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Page.enable")
    cdp.send("Page.setFontSizes", {"fontSizes": {"standard": pixels, "fixed": pixels}})


def inside_viewport(page, locator) -> bool:
    """Whether the element is visible and wholly inside the window (no scrolling needed)."""
    box = locator.bounding_box()
    size = page.viewport_size
    return bool(box) and box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= size["width"] + 0.5 \
        and box["y"] + box["height"] <= size["height"] + 0.5
