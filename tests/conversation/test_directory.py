"""Local services through the running assistant: the Demoshire directory loaded by default."""

from __future__ import annotations

import time

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.config import PROJECT_ROOT
from tests.conversation.conftest import kinds, messages, texts

pytestmark = pytest.mark.conversation


def services(replies):
    return [m["text"].splitlines()[0] for m in messages(replies)
            if isinstance(m.get("custom"), dict) and m["custom"].get("type") == "directory_service"]


def test_area_is_asked_then_remembered(chat):
    first = chat.send("what is available locally?")
    asked = [m for m in messages(first) if (m.get("custom") or {}).get("type") == "directory_ask_area"]
    assert asked, texts(first)
    assert [b["title"] for b in asked[0]["buttons"]] == ["Demoshire", "North Demoshire"]
    listed = chat.send(asked[0]["buttons"][1]["payload"])
    assert "Services in North Demoshire" in texts(listed)[0]
    assert len(services(listed)) == 3
    # The area is remembered: a later question without one uses it.
    later = chat.send("any local perpetrator programme I can refer dad to?")
    assert "North Demoshire Caring Dads (Brighter Futures Behaviour Change (fictional))" in services(later)


def test_area_age_and_need_in_the_question(chat):
    replies = chat.send("any support for a 15 year old in Demoshire?")
    header = next(t for t in texts(replies) if t.startswith("Services in"))
    assert header.startswith("Services in Demoshire") and "for age 15" in header
    assert "Young People's Violence Advisers (Demoshire Women's Aid)" in services(replies)


def test_more_pages_through_the_results(chat):
    first = chat.send("what services are there in Demoshire?")
    more = chat.send("more")
    assert "Showing 4 to 6" in texts(more)[0]
    assert not set(services(first)) & set(services(more))


def test_nothing_found_is_said_plainly_with_the_front_door(chat):
    replies = chat.send("is there counselling for a baby in North Demoshire?")
    said = "\n".join(texts(replies))
    assert "I found no services in North Demoshire" in said
    assert "North Demoshire Family Front Door" in said
    assert "directory_none" in kinds(replies)


def test_directory_text_is_not_markup(chat):
    replies = chat.send("what services are there in Demoshire?")
    for text in texts(replies):
        assert "<" not in text and "](" not in text


def test_area_imported_while_running_is_recognised_without_retraining(servers, new_chat):
    chat = new_chat()
    before = chat.send("support for children in Exampleton")
    assert "I don't have a local service directory for Exampleton" in "\n".join(texts(before))
    result = CliRunner().invoke(cli, ["directory", "import", str(PROJECT_ROOT / "directories" / "template_example.csv"),
                                      "--database-url", servers.database_url])
    assert result.exit_code == 0, result.output
    deadline = time.monotonic() + 60
    while True:
        after = chat.send("support for children in Exampleton")
        if texts(after) and texts(after)[0].startswith("Services in Exampleton") or time.monotonic() > deadline:
            break
        time.sleep(2)
    assert texts(after)[0].startswith("Services in Exampleton")
    assert "Starling Children's Group (Exampleton Family Charity)" in services(after)
