"""The warning before a draft with personal details is sent (issue 19): one case per detector, Edit
and Escape keep the draft and send nothing, Send anyway sends it once and the answer comes, a
clean question goes straight through; at 320 px with 200% text the warning and its buttons fit."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.web.conftest import SCREENSHOTS, Widget, assert_accessible, inside_viewport, set_text_size

pytestmark = pytest.mark.browser

ADVICE = "Please remove details that could identify a child or family."
DRAFTS = {
    "phone": ("can the school ring mum on 07700 900417?", "a phone number"),
    "email": ("mum emailed from jodie.h1987@example.com, can I reply?", "an email address"),
    "postcode": ("the family have moved to LS6 2AB", "a postcode"),
    "nhs_number": ("baby's NHS number is 943 476 5919", "an NHS number"),
    "ni_number": ("her NI number is JT 48 22 19 B", "a National Insurance number"),
    "date_of_birth": ("the eldest, DOB 14/02/2012, has stopped eating", "a date of birth"),
    "name": ("what is MARAC? Sarah Jones asked me", "a person's name"),
}


def warning(widget: Widget):
    return widget.root.locator(".privacy")


def active(widget: Widget) -> dict:
    return widget.root.evaluate(
        "host => { const a = host.shadowRoot.activeElement; return a ? {tag: a.tagName.toLowerCase(), text: a.textContent} : {}; }"
    )


def stored_user_messages(widget: Widget) -> list[str]:
    return widget.page.evaluate(
        """() => Object.entries(sessionStorage).filter(([k]) => k.endsWith(':transcript'))
                  .flatMap(([, v]) => JSON.parse(v)).filter(m => m.from === 'user').map(m => m.text)"""
    )


def draft(widget: Widget, text: str) -> None:
    widget.input.fill(text)
    widget.input.press("Enter")


@pytest.mark.parametrize("kind", list(DRAFTS))
def test_each_detector_warns_and_names_the_kind(widget: Widget, kind: str):
    text, named = DRAFTS[kind]
    draft(widget, text)
    box = warning(widget)
    expect(box).to_be_visible()
    expect(box.locator(".privacy-text")).to_have_text(f"This looks like {named}. {ADVICE}")
    expect(box.get_by_role("button", name="Edit")).to_be_focused()
    expect(box.get_by_role("button", name="Send anyway")).to_be_visible()
    expect(widget.input).to_have_value(text)
    expect(widget.user_messages).to_have_count(0)
    assert stored_user_messages(widget) == []


def test_edit_and_escape_keep_the_draft_and_send_nothing(widget: Widget):
    text = DRAFTS["phone"][0]
    draft(widget, text)
    assert_accessible(widget.page, "the personal-details warning")
    warning(widget).get_by_role("button", name="Edit").click()
    expect(warning(widget)).to_be_hidden()
    expect(widget.input).to_be_focused()
    expect(widget.input).to_have_value(text)

    widget.input.press("Enter")  # the same draft warns again; Escape is Edit
    expect(warning(widget)).to_be_visible()
    widget.page.keyboard.press("Escape")
    expect(warning(widget)).to_be_hidden()
    expect(widget.input).to_be_focused()
    expect(widget.input).to_have_value(text)
    expect(widget.root.locator(".panel")).to_be_visible()  # Escape did not close the widget either
    widget.page.wait_for_timeout(1500)  # nothing is on its way
    expect(widget.user_messages).to_have_count(0)
    expect(widget.bot_messages).to_have_count(0)
    assert stored_user_messages(widget) == []

    widget.input.fill("what is MARAC? mum's mobile is [removed]")  # edited: the warning does not come back
    expect(warning(widget)).to_be_hidden()


def test_send_anyway_sends_the_draft_once_and_the_answer_arrives(widget: Widget):
    text = DRAFTS["name"][0]
    draft(widget, text)
    send_anyway = warning(widget).get_by_role("button", name="Send anyway")
    send_anyway.focus()
    widget.page.keyboard.press("Enter")
    widget.page.keyboard.press("Enter")  # a second press lands on the text box, which is empty now
    widget.wait_for_answer(0)
    expect(warning(widget)).to_be_hidden()
    expect(widget.user_messages).to_have_count(1)
    expect(widget.user_messages.first).to_contain_text(text)
    expect(widget.log.locator(".message.bot", has_text="multi-agency risk assessment conference")).to_be_visible()
    expect(widget.input).to_have_value("")
    expect(widget.input).to_be_focused()
    assert stored_user_messages(widget) == [text]


def test_a_clean_question_is_sent_without_a_warning(widget: Widget):
    widget.ask("DSL here - Operation Encompass call this morning about a Year 4 pupil, section 47 on 12/03/2026?")
    expect(warning(widget)).to_be_hidden()
    expect(widget.user_messages).to_have_count(1)
    assert widget.bot_messages.count() >= 1


@pytest.mark.parametrize("context_options", [{"viewport": {"width": 320, "height": 640}, "has_touch": True}], ids=["320px"])
def test_the_warning_fits_at_320_px_with_200_percent_text(page, page_server):
    set_text_size(page, 32)
    widget = Widget(page, page_server.url).open()
    widget.root.evaluate("host => host.scrollIntoView()")
    draft(widget, DRAFTS["postcode"][0])
    box = warning(widget)
    expect(box).to_be_visible()
    for control in [box.get_by_role("button", name="Edit"), box.get_by_role("button", name="Send anyway"), widget.input]:
        control.scroll_into_view_if_needed()
        assert inside_viewport(page, control), f"{control} is outside the window"
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 320, "no sideways scrolling"
    page.screenshot(path=str(SCREENSHOTS / "widget-privacy-warning-320px-200-percent.png"))
    assert_accessible(page, "the warning at 320 px and 200% text")
