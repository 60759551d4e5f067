"""bot.web.turns: messages checked before any work, and never a silent turn."""

from __future__ import annotations

import logging

import pytest

from bot.config import load_settings
from bot.web.settings import Limits, Origins, WebSettings
from bot.web.turns import TURN_FAILED, Turns

DANGER_BY_PATTERN = "he has a knife and is attacking her right now"
# A present danger the patterns do not see: only NLU's intent (the full danger check) says so.
DANGER_BY_MEANING = "mum's on the floor and he won't stop kicking her"


@pytest.fixture(scope="module")
def turns() -> Turns:
    web = WebSettings(Origins(), Limits(max_message_chars=50), "local", session_key=b"k" * 40)
    return Turns(web, load_settings())


def test_messages_that_are_not_text_or_too_long_are_refused_with_a_reply(turns):
    for value in (None, 5, ["hi"], {"text": "hi"}, True):
        refused = turns.read(value).refusal
        assert refused["custom"] == {"type": "unreadable_request"} and "call 999" in refused["text"]
    refused = turns.read("x" * 51).refusal
    assert refused["custom"] == {"type": "too_long"}
    assert "50 characters or fewer" in refused["text"]
    assert turns.read("x" * 50).refusal is None


def test_text_is_cleaned_before_rasa_sees_it(turns):
    assert turns.read("  what\x00 is\x1b MARAC?\u0007 ").text == "what  is  MARAC?"
    assert turns.read("bad \ud800 surrogate").text == "bad \ufffd surrogate"
    assert turns.read("line one\nline two\ttab").text == "line one\nline two\ttab"
    assert turns.read("  /restart").text == "restart"


def test_the_fallback_is_999_for_danger_and_an_apology_otherwise(turns):
    danger = turns.fallback(DANGER_BY_PATTERN, intent=None)
    assert [m["custom"]["type"] for m in danger] == ["immediate_danger"]
    assert "call 999 now" in danger[0]["text"]
    assert turns.fallback(DANGER_BY_MEANING, intent="immediate_danger") == danger
    for text, intent in [(DANGER_BY_MEANING, "ask_practice"), ("what is MARAC?", "ask_marac"), ("", None),
                         ('/choose_entry{"entry_id":"marac-what-is"}', "choose_entry")]:
        apology = turns.fallback(text, intent)
        assert [m["custom"]["type"] for m in apology] == ["unavailable"]
        assert apology[0]["text"].startswith("Sorry") and "call 999" in apology[0]["text"]


class Output:
    def __init__(self):
        self.sent: list[dict] = []

    async def send(self, reply: dict) -> None:
        self.sent.append(reply)


async def test_a_silent_turn_gets_the_fallback_with_the_turns_intent(turns):
    output = Output()

    async def silent():
        return None

    async def intent():
        return "immediate_danger"

    await turns.run(silent, DANGER_BY_MEANING, lambda: len(output.sent), output.send, intent)
    assert [m["custom"]["type"] for m in output.sent] == ["immediate_danger"]


async def test_a_turn_that_answered_gets_nothing_more(turns):
    output = Output()

    async def answered():
        await output.send({"text": "an answer"})

    async def intent():
        raise AssertionError("not asked when the turn answered")

    await turns.run(answered, "what is MARAC?", lambda: len(output.sent), output.send, intent)
    assert output.sent == [{"text": "an answer"}]


async def test_a_turn_that_raised_is_logged_without_its_text_and_answered(turns, caplog):
    output = Output()

    async def broken():
        raise RuntimeError("the tracker store is down")

    async def intent():
        raise AssertionError("not reached")

    with caplog.at_level(logging.ERROR, logger="bot.web.turns"):
        await turns.run(broken, DANGER_BY_PATTERN, lambda: len(output.sent), output.send, intent)
    assert [m["custom"]["type"] for m in output.sent] == ["immediate_danger"]
    assert [r.getMessage() for r in caplog.records] == [TURN_FAILED]
    assert "knife" not in caplog.text
