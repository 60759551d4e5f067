"""Taking the conversation away, safely: an answer copied with its sources, "Save conversation"
printed to PDF with every message in it and nothing sent anywhere, each source's panel with the
document's details, and "Was this useful?"."""

from __future__ import annotations

import re
import unicodedata

import pytest
from playwright.sync_api import expect

from bot.feedback.handler import FEEDBACK_KIND
from bot.insight.counters import counts
from bot.knowledge.store import make_engine
from tests.web.conftest import SCREENSHOTS, Widget, assert_accessible
from tests.web.pdf_text import pdf_text

pytestmark = pytest.mark.browser

MARAC = "multi-agency risk assessment conference"


def squeezed(text: str) -> str:
    """Text without its spaces and line breaks (a PDF places words, not spaces), ligatures undone."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def answer_of(widget: Widget, words: str):
    return widget.log.locator(".message.bot", has_text=words)


@pytest.mark.parametrize("context_options", [{"viewport": {"width": 1024, "height": 800},
                                              "permissions": ["clipboard-read", "clipboard-write"]}])
def test_copy_puts_the_answer_and_its_sources_on_the_clipboard(widget: Widget):
    widget.ask("what is MARAC?")
    answer = answer_of(widget, MARAC)
    answer.get_by_role("button", name="Copy this answer with its sources").click()
    expect(widget.status).to_have_text("The answer and its sources have been copied.")
    expect(answer.get_by_role("button", name="Copy this answer with its sources")).to_have_text("Copied")
    copied = widget.page.evaluate("() => navigator.clipboard.readText()")
    assert copied.startswith("A MARAC (multi-agency risk assessment conference) is a meeting")
    assert ("Source: Panel Briefing 2 (2022), 'No 'whole system' response'. Multi-agency safeguarding and domestic "
            "abuse, Panel Briefing 2. Child Safeguarding Practice Review Panel. September 2022. Crown copyright 2022, "
            "Open Government Licence v3.0.") in copied
    assert "Source: WomenCentre pilot summary (2013), 'Risk'" in copied
    assert re.search(r"From Guidance assistant \(automated assistant\), \d+ \w+ \d{4} at \d\d:\d\d\.$", copied)


def test_each_source_opens_a_panel_with_the_documents_details(widget: Widget):
    widget.ask("what is MARAC?")
    answer = answer_of(widget, MARAC)
    source = answer.locator("details").first
    panel = source.locator("dl")
    expect(panel).to_be_hidden()
    source.locator("summary").click()
    expect(panel).to_be_visible()
    details = dict(zip(panel.locator("dt").all_text_contents(), panel.locator("dd").all_text_contents()))
    assert details == {
        "Document": "Multi-agency safeguarding and domestic abuse, Panel Briefing 2",
        "Publisher": "Child Safeguarding Practice Review Panel",
        "Date": "September 2022",
        "Licence": "Crown copyright 2022, Open Government Licence v3.0",
        "Section": "No 'whole system' response",
    }
    assert not panel.locator("a").count(), "no web addresses are known, so none are shown"
    assert_accessible(widget.page, "a source panel open")
    widget.page.screenshot(path=str(SCREENSHOTS / "widget-source-panel.png"))


def test_save_conversation_prints_every_message_and_sends_nothing(widget: Widget):
    page = widget.page
    widget.ask("what is MARAC?")
    widget.ask("what about the children after MARAC?")
    widget.ask("what services are there in Demoshire?")
    messages = widget.log.locator(".message:not(.intro)")
    expected = [m.locator(".body").inner_text() if "bot" in (m.get_attribute("class") or "")
                else m.locator("p").first.inner_text() for m in messages.all()]
    sources = widget.log.locator(".source summary").all_text_contents()
    assert len(expected) >= 8 and sources
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    # The browser's print dialog is the user's to answer; here it is stubbed so the page can be printed to PDF.
    page.evaluate("() => { window.__printed = 0; window.print = () => { window.__printed += 1; }; }")
    page.get_by_role("button", name="Save conversation").click()
    assert page.evaluate("() => window.__printed") == 1
    pdf = page.pdf(format="A4")
    (SCREENSHOTS / "widget-transcript.pdf").write_bytes(pdf)
    text = squeezed(pdf_text(pdf))
    assert squeezed("Guidance assistant: conversation") in text
    assert re.search(r"Savedon\d+\w+\d{4}at\d\d:\d\d", text)
    assert squeezed("If a child or adult is in immediate danger, call 999.") in text
    for message in expected:
        for line in filter(str.strip, message.splitlines()):  # list markers are printed, not in innerText
            assert squeezed(line) in text, f"missing from the printout: {line[:80]}"
    for source in sources:
        assert squeezed(source) in text
    assert squeezed("Child Safeguarding Practice Review Panel. September 2022.") in text, "sources in full"
    assert squeezed("Ask about MARAC, coercive control") not in text, "the page around the widget is not printed"
    assert requests == [], "nothing is sent anywhere"
    # After printing the page is as it was.
    page.evaluate("() => window.dispatchEvent(new Event('afterprint'))")
    expect(page.locator("dasg-print")).to_have_count(0)


def test_was_this_useful_counts_the_vote_and_thanks_in_place(widget: Widget, servers):
    engine = make_engine(servers.database_url)

    def votes() -> int:
        return sum(c.count for c in counts(engine, FEEDBACK_KIND) if c.key == "marac-what-is|yes")

    widget.ask("what is MARAC?")
    before_votes, shown = votes(), widget.log.locator(".message").count()
    answer = answer_of(widget, MARAC)
    group = answer.get_by_role("group", name="Was this useful?")
    expect(group.get_by_role("button")).to_have_text(["Yes", "No"])
    group.get_by_role("button", name="Yes").click()
    expect(answer.locator(".voted")).to_have_text("Thank you for your feedback.")
    expect(answer.get_by_role("group", name="Was this useful?")).to_have_count(0)
    assert widget.log.locator(".message").count() == shown, "the thanks is not a message of the conversation"
    for _ in range(50):
        if votes() == before_votes + 1:
            break
        widget.page.wait_for_timeout(100)
    assert votes() == before_votes + 1
    assert {c.key.split("|")[1] for c in counts(engine, FEEDBACK_KIND)} <= {"yes", "no"}
    # Suggested replies of the answer are still usable: a vote is not a turn of the conversation.
    expect(widget.log.get_by_role("button", name="After MARAC, what about the children?")).to_be_enabled()
    widget.page.reload()
    widget.wait_until_connected()
    expect(answer_of(widget, MARAC).locator(".voted")).to_have_text("Thank you for your feedback.")
