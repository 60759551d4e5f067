"""The chat widget in headless Chromium against the running assistant: what a practitioner sees."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.web.conftest import SCREENSHOTS, Widget, run_axe

pytestmark = pytest.mark.browser

XSS = "<img src=x onerror=alert(1)>"


def focused(page) -> dict:
    """The element with keyboard focus inside the widget (its shadow root), as tag / text / label."""
    return page.evaluate(
        """() => {
            const active = document.querySelector('.dasg-widget-host').shadowRoot.activeElement;
            return active ? {tag: active.tagName.toLowerCase(), text: active.textContent.trim(),
                             label: active.getAttribute('aria-label') || active.id || ''} : {};
        }"""
    )


def tab_until(page, predicate, key: str = "Tab", limit: int = 40) -> dict:
    for _ in range(limit):
        page.keyboard.press(key)
        current = focused(page)
        if predicate(current):
            return current
    raise AssertionError(f"{key} never reached the element; last focus: {focused(page)}")


def test_page_shows_the_notices_and_a_cited_answer(widget: Widget):
    page = widget.page
    expect(page.get_by_role("heading", name="Guidance assistant")).to_be_visible()
    expect(page.get_by_text("If a child or adult is in immediate danger, call 999.")).to_be_visible()
    expect(page.get_by_text("it does not replace them")).to_be_visible()
    expect(page.get_by_text("do not type names")).to_be_visible()

    widget.ask("what is MARAC?")

    expect(widget.user_messages.last).to_have_text(re.compile("what is MARAC?"))
    # The bot's own opening notice comes first in a new conversation.
    expect(widget.bot_messages.first).to_contain_text("do not replace them")
    answer = widget.log.locator(".message.bot", has_text="multi-agency risk assessment conference")
    expect(answer).to_be_visible()
    source = answer.locator(".source")
    expect(source).to_be_visible()
    expect(source.locator("p").first).to_have_text(re.compile(r"^Source: Panel Briefing 2 \(2022\)"))
    # The source is shown apart from the answer text, not as part of it.
    expect(answer.locator(".body")).not_to_contain_text("Source:")
    assert source.evaluate("el => getComputedStyle(el).fontStyle") == "italic"
    expect(widget.typing).to_be_hidden()
    assert not page.watch.errors
    # The README's picture of the widget (`make widget-screenshot` copies it to docs/img/).
    page.set_viewport_size({"width": 900, "height": 1200})
    widget.root.evaluate("host => { host.style.height = '1010px'; host.style.maxWidth = '680px'; }")
    answer.evaluate("el => { el.closest('.log').scrollTop = el.offsetTop - 8; }")
    widget.root.screenshot(path=str(SCREENSHOTS / "widget-answer.png"))


def test_quick_reply_button_sends_its_choice(widget: Widget):
    widget.ask("what is MARAC?")
    before = widget.bot_messages.count()
    widget.log.get_by_role("button", name="After MARAC, what about the children?").click()
    widget.wait_for_answer(before)

    expect(widget.user_messages.last).to_have_text(re.compile("After MARAC, what about the children?"))
    checklist = widget.bot_messages.nth(before).locator("ol")
    expect(checklist).to_be_visible()
    assert checklist.locator("li").count() >= 5
    expect(checklist.locator("li").first).to_contain_text("each child")
    # The raw payload is never shown to the user.
    expect(widget.log).not_to_contain_text("/choose_entry")


def test_conversation_with_the_keyboard_only(widget: Widget):
    page = widget.page
    tab_until(page, lambda f: f.get("tag") == "textarea")
    page.keyboard.type("what is MARAC?")
    before = widget.bot_messages.count()
    page.keyboard.press("Enter")
    widget.wait_for_answer(before)
    expect(widget.log.locator(".source").first).to_be_visible()
    assert focused(page)["tag"] == "textarea", "focus stays in the text box while the answer arrives"

    tab_until(page, lambda f: f.get("text") == "After MARAC, what about the children?", key="Shift+Tab")
    before = widget.bot_messages.count()
    page.keyboard.press("Enter")
    widget.wait_for_answer(before)
    expect(widget.user_messages.last).to_have_text(re.compile("After MARAC, what about the children?"))
    assert focused(page)["tag"] == "textarea", "after a suggested reply, focus returns to the text box"

    tab_until(page, lambda f: f.get("text") == "Start again", key="Shift+Tab")
    page.keyboard.press("Space")
    expect(widget.log.locator(".message")).to_have_count(0)
    assert focused(page)["tag"] == "textarea"
    expect(widget.status).to_have_text("The conversation has been cleared.")


def test_reload_keeps_the_conversation_and_start_again_clears_it(widget: Widget, chromium, page_server):
    page = widget.page
    widget.ask("what is MARAC?")
    session_id = next(v for k, v in widget.session_storage().items() if k.endswith(":session"))
    shown = widget.log.locator(".message").count()

    page.reload()
    widget.wait_until_connected()
    expect(widget.log.locator(".message")).to_have_count(shown)
    expect(widget.log.locator(".source").first).to_be_visible()
    expect(widget.log.get_by_role("button", name="After MARAC, what about the children?")).to_be_visible()
    assert next(v for k, v in widget.session_storage().items() if k.endswith(":session")) == session_id

    # The same conversation goes on: a follow-up is read against the answer before the reload.
    widget.ask("what's the source?")
    expect(widget.bot_messages.last).to_contain_text("WomenCentre")

    # Another tab starts empty: nothing is kept outside this tab's sessionStorage.
    other = chromium.new_context()
    try:
        other_widget = Widget(other.new_page(), page_server.url).open()
        expect(other_widget.log.locator(".message")).to_have_count(0)
    finally:
        other.close()

    widget.page.get_by_role("button", name="Start again").click()
    expect(widget.log.locator(".message")).to_have_count(0)
    page.wait_for_function("() => !Object.keys(sessionStorage).some(k => k.endsWith(':transcript'))")
    page.reload()
    widget.wait_until_connected()
    expect(widget.log.locator(".message")).to_have_count(0)
    assert next(v for k, v in widget.session_storage().items() if k.endswith(":session")) != session_id


def test_html_is_shown_as_text_and_never_run(widget: Widget):
    page = widget.page
    widget.ask(XSS)

    expect(widget.user_messages.last).to_have_text(re.compile(re.escape(XSS)))
    assert widget.root.locator("img").count() == 0
    page.reload()
    widget.wait_until_connected()
    expect(widget.user_messages.last).to_have_text(re.compile(re.escape(XSS)))
    assert widget.root.locator("img").count() == 0
    page.wait_for_timeout(300)  # give a stray onerror handler time to fire
    assert page.watch.dialogs == []
    assert page.watch.errors == []


@pytest.mark.parametrize("context_options", [{"viewport": {"width": 320, "height": 640}}])
def test_works_320_pixels_wide(widget: Widget):
    page = widget.page
    widget.ask("what is MARAC?")
    widget.log.locator(".source").first.scroll_into_view_if_needed()
    expect(widget.log.locator(".source").first).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 320, "no sideways scrolling"
    for control in (widget.input, page.get_by_role("button", name="Send"), page.get_by_role("button", name="Start again")):
        expect(control).to_be_visible()
        box = control.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 320
    button = widget.log.get_by_role("button", name="After MARAC, what about the children?")
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    assert box["x"] + box["width"] <= 320 and box["height"] >= 24, "buttons fit and are big enough to tap"


@pytest.mark.parametrize("context_options", [{"viewport": {"width": 1024, "height": 800}, "bypass_csp": True}])
def test_no_serious_accessibility_violations(widget: Widget):
    widget.ask("what is MARAC?")
    widget.page.get_by_role("button", name="Start again").focus()
    violations = run_axe(widget.page)
    serious = [v for v in violations if v["impact"] in {"serious", "critical"}]
    assert serious == [], serious
    # New messages are announced: the conversation is a polite live region.
    assert widget.log.get_attribute("aria-live") == "polite"


def test_floating_launcher_opens_and_closes_with_the_keyboard(page, page_server):
    widget = Widget(page, page_server.url + "embed-example.html").open()
    launcher = page.get_by_role("button", name="Ask the guidance assistant")
    expect(launcher).to_have_attribute("aria-expanded", "false")
    expect(widget.input).to_be_hidden()

    launcher.focus()
    page.keyboard.press("Enter")
    expect(widget.input).to_be_visible()
    assert focused(page)["tag"] == "textarea", "opening the chat puts focus in the text box"
    expect(page.get_by_text("If a child or adult is in immediate danger, call 999.")).to_be_visible()
    # The LSCP's colour is used, with text that stays readable on it.
    header = widget.root.locator("header")
    assert header.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(0, 112, 60)"
    assert header.evaluate("el => getComputedStyle(el).color") == "rgb(255, 255, 255)"

    page.keyboard.press("Escape")
    expect(widget.input).to_be_hidden()
    expect(launcher).to_be_visible()
    assert focused(page)["text"] == "Ask the guidance assistant", "closing returns focus to the button"


def test_local_services_show_as_plain_text_with_a_more_button(widget: Widget):
    widget.ask("what services are there in Demoshire?")
    service = widget.log.locator('.message.bot[data-type="directory_service"]').first
    expect(service).to_be_visible()
    # Directory text is the LSCP's data: plain lines, never links or other formatting.
    assert service.locator("a, strong, ul, ol").count() == 0
    expect(service).to_contain_text("How to refer:")
    before = widget.bot_messages.count()
    widget.log.get_by_role("button", name="More services").click()
    widget.wait_for_answer(before)
    expect(widget.bot_messages.nth(before)).to_contain_text("Showing 4 to 6")
    widget.page.screenshot(path=str(SCREENSHOTS / "widget-local-services.png"))


def test_training_scenario_plays_in_the_widget(widget: Widget):
    widget.ask("start a training scenario")
    before = widget.bot_messages.count()
    widget.log.get_by_role("button", name=re.compile("Lockdown as a reason")).click()
    widget.wait_for_answer(before)
    step = widget.log.locator('.message.bot[data-type="scenario_step"]').last
    expect(step).to_contain_text("This is a training exercise. If a child or adult is in immediate danger now, call 999.")
    widget.ask("He is using lockdown as an excuse to isolate them; I would visit the home and see the children face to face")
    feedback = widget.log.locator('.message.bot[data-type="scenario_feedback"]').last
    expect(feedback).to_contain_text("You covered:")
    assert not widget.log.locator('.message.bot[data-type="immediate_danger"]').count()
    widget.page.screenshot(path=str(SCREENSHOTS / "widget-scenario.png"))
