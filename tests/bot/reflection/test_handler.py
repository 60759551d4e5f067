"""The guided reflection in the conversation: the orientation and offer, a whole reflection,
questions and commands on the way, danger during it, and typing yes to the offer."""

import pytest

from bot.config import PROJECT_ROOT
from bot.dialogue.state import ConversationState, ReflectionState, TailoringState
from bot.dialogue.types import Turn
from bot.reflection.model import load_reflection

FILE = PROJECT_ROOT / "knowledge" / "reflection" / "conflict_or_abuse.yml"
# What the old ``Turn`` assumed unless told otherwise: notice given, agency offer made.
SETTLED = ConversationState(notice_given=True, tailoring=TailoringState(offered=True))


@pytest.fixture(scope="module")
def reflection(knowledge):
    return load_reflection(FILE, tuple(knowledge.sources.items()))


def ask(router, text, intent=None, confidence=0.0, reflection=None):
    return router.respond(Turn(text, intent, confidence, state=SETTLED.with_(reflection=reflection)))


def play(router, texts, state=None):
    """Each text as the next message, carrying only the reflection's state from reply to reply."""
    replies = []
    for text in texts:
        reply = ask(router, text, reflection=state)
        state = reply.state.reflection
        replies.append(reply)
    return replies, state


def start(router):
    return ask(router, "/start_reflection", "start_reflection", 1.0)


def test_conflict_question_gets_orientation_and_offer(router):
    reply = ask(router, "is this conflict or abuse?", "ask_conflict_vs_abuse", 0.9)
    orientation, offer = reply.messages[:2]
    assert "controlling and coercive" in orientation.text and orientation.text.splitlines()[-1].startswith("Source: ")
    assert offer.custom["type"] == "reflection_offer"
    assert offer.buttons[0].payload == "/start_reflection"


def test_a_whole_reflection(router):
    started = start(router)
    assert started.messages[-1].text.startswith("Question 1 of 8: ")
    replies, state = play(router, ["yes", "yeah he controls the money", "no", "not sure", "yes", "no", "yes", "no"],
                          started.state.reflection)
    summary = replies[-1]
    assert state is None and summary.types == ["reflection_summary"]
    text = summary.messages[0].text
    assert "Answers that indicate controlling or coercive behaviour:" in text
    assert summary.messages[0].custom["indicators"] == ["fear", "control", "history", "child_fear"]
    assert summary.messages[0].custom["unclear"] == ["both_recorded", "child_spoken"]
    assert text.splitlines()[-1].startswith("Source: ")
    assert "not a verdict" in text


def test_interruption_back_restart_and_stop(router, reflection):
    started = start(router)
    replies, state = play(router, ["yes", "what is MARAC?"], started.state.reflection)
    aside = replies[-1]
    assert aside.messages[0].custom["entry_id"] == "marac-what-is"
    assert aside.messages[-1].text.endswith("Question 2 of 8: " + reflection.questions[1].text)
    replies, state = play(router, ["go back"], state)
    assert "Question 1 of 8" in replies[-1].messages[-1].text and state.answers == {}
    replies, state = play(router, ["no", "start again"], state)
    assert state.step == 0
    replies, state = play(router, ["stop"], state)
    assert state is None and replies[-1].messages[0].custom["type"] == "reflection_stopped"


def test_danger_mid_reflection_gets_999_first_and_in_the_summary(router):
    started = start(router)
    replies, state = play(router, ["yes", "he's hitting her right now"], started.state.reflection)
    danger = replies[-1]
    assert "call 999" in danger.messages[0].text and "Question 2 of 8" in danger.messages[-1].text
    replies, state = play(router, ["yes"] * 7, state)
    assert "call 999" in replies[-1].messages[0].text
    assert replies[-1].messages[1].custom["type"] == "reflection_summary"


def test_typing_yes_to_the_offer_starts_the_reflection(router):
    offer = ask(router, "is this conflict or abuse?", "ask_conflict_vs_abuse", 0.9)
    assert offer.state.reflection == ReflectionState(id="conflict-or-abuse")
    assert not offer.state.reflection.started
    started = ask(router, "yes please", "affirm", 0.9, reflection=offer.state.reflection)
    assert started.messages[-1].text.startswith("Question 1 of 8")
    moved_on = ask(router, "what is MARAC?", "ask_marac", 0.9, reflection=offer.state.reflection)
    assert moved_on.state.last_entry_id == "marac-what-is" and moved_on.state.reflection is None


def to_question(router, question_id):
    """A reflection started and answered "no" up to ``question_id`` (the answers kept as state)."""
    ids = ["fear", "control", "non_physical", "both_recorded", "history", "separation", "child_fear", "child_spoken"]
    state = start(router).state.reflection
    _, state = play(router, ["no"] * ids.index(question_id), state)
    return state


def test_a_typed_answer_is_confirmed_in_one_line_before_the_next_question(router):
    state = to_question(router, "separation")
    reply = ask(router, "she's not planning to leave him", reflection=state)
    assert reply.types == ["reflection_noted", "reflection_question"]
    noted, question = reply.messages
    assert noted.text == "Noted: no recent or planned separation."
    assert noted.custom == {"type": "reflection_noted", "question_id": "separation", "answer": "no"}
    assert question.text.startswith("Question 7 of 8: ")
    assert reply.state.reflection.answers["separation"] == "no"


@pytest.mark.parametrize("words", ["yes", "No", "not sure "])
def test_a_button_answer_is_not_a_reading_and_is_not_confirmed(router, words):
    # Buttons send these words; typed exactly, they are the same answer and need no confirmation.
    reply = ask(router, words, reflection=start(router).state.reflection)
    assert reply.types == ["reflection_question"] and reply.messages[0].text.startswith("Question 2 of 8: ")


def test_any_other_wording_is_confirmed(router):
    reply = ask(router, "yeah", reflection=start(router).state.reflection)
    assert reply.types == ["reflection_noted", "reflection_question"]
    assert reply.messages[0].text == "Noted: one parent is afraid of the other."


def test_a_negative_description_of_control_is_recorded_as_yes(router):
    state = to_question(router, "control")
    reply = ask(router, "she has to ask him whenever she needs money for the shopping", reflection=state)
    assert reply.state.reflection.answers["control"] == "yes"
    assert reply.messages[0].text == "Noted: controlling behaviour such as isolation, restricting money or threats."


def test_an_unclear_answer_is_asked_again_and_nothing_is_recorded(router, reflection):
    state = to_question(router, "separation")
    reply = ask(router, "yes, she's not planning to leave him", reflection=state)
    assert reply.types == ["reflection_question"] and reply.state.reflection == state
    assert reply.messages[-1].text.startswith(reflection.texts["not_understood"] + "\nQuestion 6 of 8: ")


def test_the_last_answer_goes_straight_to_the_summary(router):
    state = to_question(router, "child_spoken")
    reply = ask(router, "nobody has spoken with the children yet", reflection=state)
    assert reply.types == ["reflection_summary"]
    assert reply.messages[0].custom["unclear"] == ["child_spoken"]


def test_the_summary_states_the_law_not_a_conclusion_about_the_family(router):
    state = to_question(router, "child_spoken")
    text = ask(router, "yes", reflection=state).messages[0].text
    assert ("- Under the Domestic Abuse Act 2021, children are victims of domestic abuse in their own right when it "
            "is perpetrated against their parent or carer. (Panel Briefing 2 (2022), ") in text
    assert "The child is a victim" not in text


@pytest.mark.parametrize("text", [
    "the couple argue constantly and I can't decide if it's more than that - could we work through it together?",
    "dad shouts at mum in front of the baby most nights, can you take me through some questions on it?",
])
def test_asking_to_be_taken_through_it_gets_the_orientation_and_offer(router, text):
    reply = router.respond(Turn(text, "ask_practice", 0.4, state=ConversationState(notice_given=True)))
    assert reply.types == ["guidance", "reflection_offer"]
    assert reply.state.reflection is not None and not reply.state.reflection.started
    started = router.respond(Turn("go on then", "affirm", 0.9, state=reply.state))
    assert started.types[-1] == "reflection_question"


def test_going_through_something_else_is_not_a_request_to_reflect(router):
    reply = router.respond(Turn("can you take me through what the DASH checklist is for?", "ask_dash", 0.9,
                                state=ConversationState(notice_given=True)))
    assert "reflection_offer" not in reply.types


def press(router, state, question, answer, intent=None):
    """An answer button as the channel passes it on: the payload and its two entities."""
    from bot.dialogue.types import Entity, payload

    intent = intent or ("affirm" if answer == "yes" else "deny")
    text = payload(intent, question=question, answer=answer)
    entities = (Entity("question", question), Entity("answer", answer))
    return router.respond(Turn(text, intent, 1.0, entities, state=SETTLED.with_(reflection=state)))


def test_answer_buttons_name_their_question(router):
    question = start(router).messages[-1]
    assert [b.title for b in question.buttons][:3] == ["Yes", "No", "Not sure"]
    assert [b.payload for b in question.buttons[:3]] == [
        '/affirm{"question":"fear","answer":"yes"}', '/deny{"question":"fear","answer":"no"}',
        '/deny{"question":"fear","answer":"not_sure"}']
    assert [b.payload for b in question.buttons[3:]] == ["stop"]


def test_an_answer_button_for_the_current_question_is_recorded(router):
    reply = press(router, start(router).state.reflection, "fear", "not_sure")
    assert reply.types == ["reflection_question"] and reply.messages[0].text.startswith("Question 2 of 8: ")
    assert reply.state.reflection.answers == {"fear": "not_sure"}


def test_a_stale_answer_button_is_ignored_and_the_current_question_asked_again(router, reflection):
    state = to_question(router, "both_recorded")
    reply = press(router, state, "fear", "not_sure")
    assert reply.state.reflection == state, "nothing recorded, the place kept"
    assert reply.types == ["reflection_question"]
    assert reply.messages[0].text == ("That button was for an earlier question.\nQuestion 4 of 8: "
                                      + reflection.questions[3].text)
    assert reply.messages[0].custom["question_id"] == "both_recorded"


def test_the_last_answer_button_gives_the_summary_and_a_later_one_is_not_recorded(router):
    reply = press(router, to_question(router, "child_spoken"), "child_spoken", "yes")
    assert reply.types == ["reflection_summary"] and reply.state.reflection is None
    late = press(router, None, "child_fear", "no")
    assert late.types == ["reflection_stale_button"] and late.state.reflection is None
    assert "finished or stopped" in late.messages[0].text
