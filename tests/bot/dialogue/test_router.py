"""The router: the opening notice once and first (after the 999 message), the one catch-all
(an apology, never silence, and the 999 message kept), "more" forgotten after another reply,
and the button payload format."""

import pytest

from bot.dialogue.state import ConversationState, DirectorySearch, DirectoryState, TailoringState
from bot.dialogue.types import Turn, payload
from bot.knowledge.handlers import AnswerHandler
from bot.safety.handler import SafetyHandler

DANGER_TEXT = "he's outside with a knife right now"
# What the old ``Turn`` assumed unless told otherwise: notice given, agency offer made.
SETTLED = ConversationState(notice_given=True, tailoring=TailoringState(offered=True))


def ask(router, text, intent=None, confidence=0.0, state=SETTLED):
    return router.respond(Turn(text, intent, confidence, state=state))


def test_opening_notice_comes_once_and_first(router):
    reply = ask(router, "hello", "greet", 0.99, state=SETTLED.with_(notice_given=False))
    assert reply.messages[0].custom["type"] == "opening_notice"
    assert "professional judgement" in reply.messages[0].text
    assert "do not type names" in reply.messages[0].text
    assert reply.state.notice_given
    second = ask(router, "hello", "greet", 0.99, state=reply.state)
    assert "opening_notice" not in second.types and second.messages


def test_opening_notice_follows_the_999_message(router):
    reply = ask(router, DANGER_TEXT, state=SETTLED.with_(notice_given=False))
    assert reply.types[:2] == ["immediate_danger", "opening_notice"]


@pytest.fixture
def failing_search(router, monkeypatch):
    """The knowledge search raises, as a bug inside a handler would."""
    (handler,) = [h for h in router.handlers if isinstance(h, AnswerHandler)]
    monkeypatch.setattr(handler.talk.answering, "rank", lambda *a, **k: 1 / 0)


@pytest.mark.catch_all_expected
def test_a_failure_inside_a_handler_gives_an_apology_not_silence(router, failing_search, no_catch_all):
    reply = ask(router, "what is MARAC", "ask_marac", 0.9)
    assert reply.types == ["error"]
    assert "something went wrong" in reply.text and "999" in reply.text
    assert reply.state == SETTLED
    assert no_catch_all.fired, "the failure went through the router's one catch-all"


@pytest.mark.catch_all_expected
def test_a_failure_still_gives_the_999_message_first_for_a_danger_message(router, monkeypatch):
    (safety,) = [h for h in router.handlers if isinstance(h, SafetyHandler)]
    monkeypatch.setattr(safety, "handle", lambda *a, **k: 1 / 0)
    reply = ask(router, DANGER_TEXT, "ask_marac", 0.9, state=SETTLED.with_(notice_given=False))
    assert reply.types == ["immediate_danger", "opening_notice", "error"]
    assert "call 999" in reply.messages[0].text and reply.danger


def test_the_directory_search_is_forgotten_after_another_reply(router):
    search = DirectorySearch(area="Demoshire", needs=("refuge",), offset=5)
    state = SETTLED.with_(directory=DirectoryState(area="Demoshire", search=search))
    reply = ask(router, "what is MARAC?", "ask_marac", 0.9, state=state)
    assert reply.state.last_entry_id == "marac-what-is"
    assert reply.state.directory == DirectoryState(area="Demoshire")  # "more" now means the new answer


def test_button_payload_format():
    assert payload("choose_entry", entry_id="x") == '/choose_entry{"entry_id":"x"}'
    assert payload("none_of_these") == "/none_of_these"
