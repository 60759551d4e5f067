"""The 999 message in the conversation, in tiers: present danger gets only the 999 message,
whatever the intent; a message that may describe danger gets its usual reply and a one-line
reminder; past and general talk gets guidance only, whatever NLU guessed."""

import pytest

from bot.dialogue.state import ConversationState, TailoringState
from bot.dialogue.types import Turn

DANGER_TEXT = "he's outside with a knife right now"
REMINDER_TEXT = "she's scared he'll turn up tonight after the court hearing, what should the safety plan include?"
PAST_TEXT = "he held a knife to her throat two years ago, what does MARAC do?"
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


def test_the_takeover_is_only_the_999_message_even_with_a_question(router):
    text = "he is hitting her right now, is this coercive control or conflict?"
    reply = ask(router, text, "ask_conflict_vs_abuse", 0.8)
    assert reply.types == ["immediate_danger"] and reply.danger
    assert "call 999" in reply.messages[0].text
    assert reply.state == SETTLED


def test_possible_danger_gets_the_answer_then_a_one_line_reminder(router):
    reply = ask(router, REMINDER_TEXT, "ask_separation_risk", 0.6)
    assert reply.types[-1] == "danger_reminder" and "immediate_danger" not in reply.types
    assert reply.messages[-1].text == "If anyone is in danger right now, call 999."
    assert reply.messages[0].text.splitlines()[-1].startswith("Source: ")
    assert not reply.danger


def test_the_reminder_comes_after_the_opening_notice_and_the_answer(router):
    reply = ask(router, REMINDER_TEXT, state=SETTLED.with_(notice_given=False))
    assert reply.types[0] == "opening_notice" and reply.types[-1] == "danger_reminder"


def test_past_danger_gets_guidance_only(router):
    reply = ask(router, PAST_TEXT, "ask_marac", 0.7)
    assert not {"immediate_danger", "danger_reminder"} & set(reply.types)
    assert "999" not in reply.text


def test_the_danger_intent_alone_gives_at_most_the_reminder(router):
    reply = ask(router, PAST_TEXT, "immediate_danger", 0.95)
    assert "immediate_danger" not in reply.types and reply.types[-1] == "danger_reminder"
    assert not reply.danger


def test_a_reminder_during_the_reflection_keeps_its_place_and_is_not_repeated_in_the_summary(router):
    started = ask(router, "/start_reflection", "start_reflection", 1.0)
    reply = ask(router, "he's threatened her this morning and she's worried about tonight",
                state=SETTLED.with_(reflection=started.state.reflection))
    assert reply.types[-1] == "danger_reminder" and "immediate_danger" not in reply.types
    assert reply.state.reflection is not None and not reply.state.reflection.danger
