"""The chat widget in headless Chromium against the running assistant: what a practitioner sees."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.web.conftest import SCREENSHOTS, Widget, assert_accessible

pytestmark = pytest.mark.browser

XSS = "<img src=x onerror=alert(1)>"
TIME = re.compile(r"^\d\d:\d\d$")


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


def test_page_shows_the_greeting_notices_and_a_cited_answer(widget: Widget):
    page = widget.page
    expect(page.get_by_role("heading", name="Guidance assistant")).to_be_visible()
    expect(widget.root.get_by_text("Automated assistant", exact=True)).to_be_visible()
    danger = widget.root.locator(".danger")
    expect(danger).to_have_text("If a child or adult is in immediate danger, call 999.")
    expect(danger.get_by_role("link", name="999")).to_have_attribute("href", "tel:999")
    intro = widget.log.locator(".intro")
    expect(intro).to_contain_text("I'm an automated assistant")
    expect(intro).to_contain_text("it does not replace them")
    expect(intro).to_contain_text("do not type names")
    starters = intro.get_by_role("button")
    expect(starters).to_have_text(["Is this conflict or abuse?", "What is MARAC?",
                                   "Are children victims of domestic abuse?", "What is available locally?"])
    assert_accessible(page, "a new conversation")

    widget.ask("what is MARAC?")

    expect(widget.user_messages.last).to_contain_text("what is MARAC?")
    expect(widget.user_messages.last.locator("time")).to_have_text(TIME)
    # The bot's own opening notice comes first in a new conversation.
    expect(widget.bot_messages.first).to_contain_text("do not replace them")
    answer = widget.log.locator(".message.bot", has_text="multi-agency risk assessment conference")
    expect(answer).to_be_visible()
    expect(answer.locator("time")).to_have_text(TIME)
    source = answer.locator(".source")
    expect(source.locator("summary").first).to_have_text(re.compile(r"^Source: Panel Briefing 2 \(2022\)"))
    # The source is shown apart from the answer text, not as part of it.
    expect(answer.locator(".body")).not_to_contain_text("Source:")
    assert source.evaluate("el => getComputedStyle(el).fontStyle") == "italic"
    expect(widget.typing).to_be_hidden()
    assert not page.watch.errors
    assert_accessible(page, "an answer")
    # The README's picture of the widget (`make widget-screenshot` copies it to docs/img/).
    page.set_viewport_size({"width": 900, "height": 1200})
    widget.root.evaluate("host => { host.style.height = '1010px'; host.style.maxWidth = '680px'; }")
    answer.evaluate("el => { el.closest('.log').scrollTop = el.offsetTop - 8; }")
    widget.root.screenshot(path=str(SCREENSHOTS / "widget-answer.png"))


def test_only_the_latest_turns_suggested_replies_can_be_used(widget: Widget):
    widget.ask("what is MARAC?")
    first_answer = widget.log.locator(".message.bot", has_text="multi-agency risk assessment conference")
    before = widget.bot_messages.count()
    widget.log.get_by_role("button", name="After MARAC, what about the children?").click()
    widget.wait_for_answer(before)

    expect(widget.user_messages.last).to_contain_text("After MARAC, what about the children?")
    checklist = widget.bot_messages.nth(before).locator("ol")
    expect(checklist).to_be_visible()
    assert checklist.locator("li").count() >= 5
    expect(checklist.locator("li").first).to_contain_text("each child")
    # The raw payload is never shown to the user.
    expect(widget.log).not_to_contain_text("/choose_entry")
    # The used button and every other button of earlier turns are disabled, and out of the tab order.
    for button in first_answer.locator(".quick-reply").all():
        expect(button).to_be_disabled()
    for button in widget.log.locator(".intro .quick-reply").all():
        expect(button).to_be_disabled()
    widget.ask("what is DASH?")
    widget.ask("what about for teenagers?")
    usable = widget.root.evaluate(
        """host => {
            const items = [...host.shadowRoot.querySelectorAll('.messages > li')];
            const lastUser = items.map(i => i.classList.contains('user')).lastIndexOf(true);
            const live = (list) => list.flatMap(i => [...i.querySelectorAll('.quick-reply')]).filter(b => !b.disabled);
            return {earlier: live(items.slice(0, lastUser)).length, latest: live(items.slice(lastUser)).length};
        }"""
    )
    assert usable["earlier"] == 0 and usable["latest"] > 0, usable


def test_a_stale_reflection_button_is_not_taken_as_the_answer(widget: Widget):
    widget.log.get_by_role("button", name="Is this conflict or abuse?").click()
    widget.wait_for_answer(0)
    before = widget.bot_messages.count()
    widget.log.get_by_role("button", name="Go through the indicators").click()
    widget.wait_for_answer(before)
    question_1 = widget.bot_messages.nth(widget.bot_messages.count() - 1)
    expect(question_1).to_contain_text("Question 1 of 8")
    before = widget.bot_messages.count()
    question_1.get_by_role("button", name="Not sure").click()
    widget.wait_for_answer(before)
    expect(widget.bot_messages.last).to_contain_text("Question 2 of 8")
    old_yes = question_1.get_by_role("button", name="Yes")
    expect(old_yes).to_be_disabled()
    # A page from before this change (or a second tab) could still send it: the server ignores it.
    old_yes.evaluate("button => { button.disabled = false; }")
    before = widget.bot_messages.count()
    old_yes.click()
    widget.wait_for_answer(before)
    reply = widget.bot_messages.last
    expect(reply).to_contain_text("That button was for an earlier question.")
    expect(reply).to_contain_text("Question 2 of 8")


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
    expect(widget.user_messages.last).to_contain_text("After MARAC, what about the children?")
    assert focused(page)["tag"] == "textarea", "after a suggested reply, focus returns to the text box"

    tab_until(page, lambda f: f.get("text") == "Start again", key="Shift+Tab")
    page.keyboard.press("Space")
    expect(page.get_by_role("alertdialog", name="Start again?")).to_be_visible()
    assert focused(page)["text"] == "Cancel", "the safe choice has the focus"
    page.keyboard.press("Shift+Tab")
    assert focused(page)["text"] == "Clear and start again"
    page.keyboard.press("Enter")
    expect(widget.log.locator(".message:not(.intro)")).to_have_count(0)
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
    expect(widget.log.get_by_role("button", name="After MARAC, what about the children?")).to_be_enabled()
    expect(widget.log.locator(".intro").get_by_role("button", name="What is MARAC?")).to_be_disabled()
    assert next(v for k, v in widget.session_storage().items() if k.endswith(":session")) == session_id

    # The same conversation goes on: a follow-up is read against the answer before the reload.
    widget.ask("what's the source?")
    expect(widget.bot_messages.last).to_contain_text("WomenCentre")

    # Another tab starts afresh: nothing is kept outside this tab's sessionStorage.
    other = chromium.new_context()
    try:
        other_widget = Widget(other.new_page(), page_server.url).open()
        expect(other_widget.log.locator(".message:not(.intro)")).to_have_count(0)
    finally:
        other.close()

    page.get_by_role("button", name="Start again").click()
    page.get_by_role("button", name="Clear and start again").click()
    expect(widget.log.locator(".message:not(.intro)")).to_have_count(0)
    page.wait_for_function("() => !Object.keys(sessionStorage).some(k => k.endsWith(':transcript'))")
    page.reload()
    widget.wait_until_connected()
    expect(widget.log.locator(".message:not(.intro)")).to_have_count(0)
    expect(widget.log.locator(".intro").get_by_role("button", name="What is MARAC?")).to_be_enabled()
    assert next(v for k, v in widget.session_storage().items() if k.endswith(":session")) != session_id


def test_html_is_shown_as_text_and_never_run(widget: Widget):
    page = widget.page
    widget.ask(XSS)

    expect(widget.user_messages.last).to_contain_text(XSS)
    assert widget.root.locator("img").count() == 0
    page.reload()
    widget.wait_until_connected()
    expect(widget.user_messages.last).to_contain_text(XSS)
    assert widget.root.locator("img").count() == 0
    page.wait_for_timeout(300)  # give a stray onerror handler time to fire
    assert page.watch.dialogs == []
    assert page.watch.errors == []


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
    assert_accessible(page, "the corner widget, open")

    page.keyboard.press("Escape")
    expect(widget.input).to_be_hidden()
    expect(launcher).to_be_visible()
    assert focused(page)["text"] == "Ask the guidance assistant", "closing returns focus to the button"


def test_local_services_show_as_plain_text_with_tappable_contacts(widget: Widget):
    widget.ask("what services are there in Demoshire?")
    service = widget.log.locator('.message.bot[data-type="directory_service"]').first
    expect(service).to_be_visible()
    # Directory text is the LSCP's data: plain lines, no formatting; only its contacts become links.
    assert service.locator("strong, ul, ol").count() == 0
    expect(service).to_contain_text("How to refer:")
    links = widget.log.locator('.message.bot[data-type="directory_service"] .body a')
    hrefs = [link.get_attribute("href") for link in links.all()]
    assert hrefs and all(re.match(r"^(tel:(999|\+?\d{8,})|mailto:\S+@\S+|https://\S+)$", h) for h in hrefs), hrefs
    assert any(h.startswith("tel:") for h in hrefs) and any(h.startswith("mailto:") for h in hrefs)
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
