"""The 999 message in the conversation: first, whatever the intent; and a question asked with it
is still answered after it."""

import pytest

from bot.dialogue.state import ConversationState, TailoringState
from bot.dialogue.types import Turn

DANGER_TEXT = "he's outside with a knife right now"
# What the old ``Turn`` assumed unless told otherwise: notice given, agency offer made.
SETTLED = ConversationState(notice_given=True, tailoring=TailoringState(offered=True))


def ask(router, text, intent=None, confidence=0.0, state=SETTLED):
    return router.respond(Turn(text, intent, confidence, state=state))


@pytest.mark.parametrize("intent", ["greet", "out_of_scope", "ask_more", "ask_marac"])
def test_danger_gets_999_first_whatever_the_intent(router, intent):
    reply = ask(router, DANGER_TEXT, intent, 0.99)
    assert reply.danger
    assert "call 999" in reply.messages[0].text
    assert reply.messages[0].custom == {"type": "immediate_danger"}


def test_danger_intent_alone_is_enough(router):
    reply = ask(router, "please help quickly", "immediate_danger", 0.8)
    assert "call 999" in reply.messages[0].text


def test_danger_plus_a_question_answers_after_the_999_message(router):
    text = "he is hitting her right now, is this coercive control or conflict?"
    reply = ask(router, text, "ask_conflict_vs_abuse", 0.8)
    assert "call 999" in reply.messages[0].text
    assert reply.state.last_entry_id in {"conflict-vs-abuse", "conflict-interventions"}
    assert reply.messages[1].text.splitlines()[-1].startswith("Source: ")
