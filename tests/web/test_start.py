"""A good start and the expected details: starter questions, the view at the start of each new
answer, an LSCP's preset area, the confirmation before "Start again" and the visible limit."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.web.conftest import SCREENSHOTS, Widget, assert_accessible

pytestmark = pytest.mark.browser


def test_a_starter_question_asks_it(widget: Widget):
    widget.log.get_by_role("button", name="What is MARAC?").click()
    widget.wait_for_answer(0)
    expect(widget.user_messages.last).to_contain_text("What is MARAC?")
    expect(widget.log).to_contain_text("multi-agency risk assessment conference")
    for button in widget.log.locator(".intro .quick-reply").all():
        expect(button).to_be_disabled()


def test_the_view_goes_to_the_start_of_each_new_answer(widget: Widget):
    widget.ask("what is MARAC?")
    before = widget.bot_messages.count()
    widget.ask("what do I do after MARAC for the child?")
    first_new = widget.bot_messages.nth(before)
    assert first_new.evaluate("el => el.offsetHeight") > 0
    log = widget.log.bounding_box()
    top = first_new.bounding_box()["y"]
    assert log["y"] - 1 <= top <= log["y"] + 40, "the new answer starts at the top of the conversation"
    assert widget.log.evaluate("el => el.scrollTop + el.clientHeight < el.scrollHeight - 20"), \
        "a long answer is read from its start, not its end"


def test_an_lscp_area_needs_no_area_question(page, page_server):
    """embed-example.html has data-area="Demoshire"."""
    widget = Widget(page, page_server.url + "embed-example.html").open()
    page.get_by_role("button", name="Ask the guidance assistant").click()
    widget.ask("what is available locally?")
    page.wait_for_function(
        "() => document.querySelector('.dasg-widget-host').shadowRoot.querySelector('[data-type=directory_results]')")
    expect(widget.log.locator('[data-type="directory_results"]')).to_contain_text("Services in Demoshire")
    expect(widget.log.locator('[data-type="directory_ask_area"]')).to_have_count(0)
    expect(widget.log).not_to_contain_text("Which area are you asking about?")
    # A place the user names is not overruled by the preset area.
    widget.ask("any refuges in Leeds?")
    expect(widget.log.locator('[data-type="directory_ask_area"]')).to_contain_text("Leeds")


def test_the_starter_for_local_services_uses_the_preset_area(page, page_server):
    widget = Widget(page, page_server.url + "embed-example.html").open()
    page.get_by_role("button", name="Ask the guidance assistant").click()
    widget.log.get_by_role("button", name="What is available locally?").click()
    page.wait_for_function(
        "() => document.querySelector('.dasg-widget-host').shadowRoot.querySelector('[data-type=directory_results]')")
    expect(widget.user_messages.last).to_contain_text("What is available locally?")
    expect(widget.log.locator('[data-type="directory_results"]')).to_contain_text("Services in Demoshire")
    expect(widget.log).not_to_contain_text("/ask_local_services")


def test_start_again_asks_first(widget: Widget):
    page = widget.page
    widget.ask("what is MARAC?")
    shown = widget.log.locator(".message").count()
    page.get_by_role("button", name="Start again").click()
    dialog = page.get_by_role("alertdialog", name="Start again?")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("This clears the conversation from this browser tab.")
    assert_accessible(page, "the confirmation before starting again")
    page.screenshot(path=str(SCREENSHOTS / "widget-start-again.png"))
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(widget.log.locator(".message")).to_have_count(shown)
    page.get_by_role("button", name="Start again").click()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(widget.log.locator(".message")).to_have_count(shown)
    page.get_by_role("button", name="Start again").click()
    dialog.get_by_role("button", name="Clear and start again").click()
    expect(widget.log.locator(".message:not(.intro)")).to_have_count(0)


def test_the_character_limit_is_visible(widget: Widget):
    count = widget.root.locator(".count")
    expect(count).to_have_text("0 of 2,000 characters")
    expect(widget.input).to_have_attribute("maxlength", "2000")
    assert widget.input.get_attribute("aria-describedby") == "dasg-count"
    widget.input.fill("a" * 1950)
    expect(count).to_have_text("1,950 of 2,000 characters (50 characters left)")
    widget.input.fill("a" * 2100)  # a paste that is too long stops at the limit
    expect(count).to_have_text("2,000 of 2,000 characters (0 characters left)")
    assert len(widget.input.input_value()) == 2000
