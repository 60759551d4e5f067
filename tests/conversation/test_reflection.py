"""The guided 'conflict or abuse?' reflection through the running assistant."""

import pytest

from tests.conversation.conftest import kinds, messages, texts

pytestmark = pytest.mark.conversation

OPENINGS = [
    "parents keep arguing, is it DA?",
    "both call the police on each other - is it abuse or just conflict?",
    "how can I tell if this is coercive control or just a bad relationship?",
    "they row constantly but nobody's been hit, does that count as domestic abuse?",
    "couple always shouting at each other, conflict or DV?",
    "is it domestic abuse if it's only verbal arguments?",
    "mum and dad fight a lot - how do I work out if it's abuse?",
    "I can't tell whether this family has parental conflict or domestic abuse",
    "volatile relationship or domestic abuse - how do I decide?",
    "heated arguments between the parents, when does that become DA?",
    "the parents say it's just normal arguing, is it?",
    "police keep getting called to shouting matches, is that domestic abuse?",
    "how do you distinguish conflict from abuse in a family",
    "both parents accuse each other, who is the abuser?",
    "is constant bickering between parents domestic abuse",
    "conflict vs coercive control - what's the difference for this family",
    "parents are forever rowing in front of the kids, abuse or conflict?",
    "should I treat this as parental conflict or domestic abuse",
    "is shouting and name calling between parents classed as DA",
    "how would I know if it's abuse rather than a relationship in conflict",
]


def test_opening_phrasings_are_not_training_data():
    from tests.bot.knowledge.test_eval_sets import nlu_examples, normalise

    assert not [text for text in OPENINGS if normalise(text) in nlu_examples()]


@pytest.mark.parametrize("text", OPENINGS)
def test_opening_question_gets_orientation_and_offer(new_chat, text):
    chat = new_chat()
    chat.send("hi")
    joined = messages(chat.send(text))
    types = [(m.get("custom") or {}).get("type") for m in joined]
    assert types[:2] == ["guidance", "reflection_offer"], types
    orientation = joined[0]["text"]
    assert "controlling and coercive behaviour" in orientation
    assert orientation.splitlines()[-1].startswith("Source: Panel Briefing 2 (2022)")
    assert joined[1]["buttons"][0]["payload"] == "/start_reflection"


def start(chat):
    chat.send("hi")
    chat.send("is this conflict or abuse?")
    replies = chat.send("/start_reflection")
    assert texts(replies)[-1].startswith("Question 1 of 8: Is one parent afraid of the other")
    return replies


def test_happy_path(chat):
    start(chat)
    for answer, next_number in zip(["yes", "yeah he checks her phone and controls the money", "no", "no",
                                    "not that I know of", "yes"], range(2, 8), strict=True):
        replies = chat.send(answer)
        assert texts(replies)[-1].startswith(f"Question {next_number} of 8: ")
    chat.send("yes")
    summary = chat.send("no")
    text = texts(summary)[0]
    assert text.startswith("Summary of the reflection:")
    assert "One parent lives in generalised, pervasive fear of the other" in text
    assert "Controlling or coercive behaviours" in text
    assert "The children have not been spoken with directly" in text
    assert "A single incident can be domestic abuse in law" in text
    assert "not a verdict on the family" in text
    assert text.splitlines()[-1].startswith("Source: ")


def test_all_not_sure(chat):
    start(chat)
    for _ in range(7):
        chat.send("not sure")
    text = texts(chat.send("not sure"))[0]
    assert "None of your answers indicated controlling or coercive behaviour" in text
    assert "Answers that leave the picture unclear:" in text
    assert "not a verdict on the family" in text


def test_unrelated_question_is_answered_then_the_reflection_resumes(chat):
    start(chat)
    chat.send("yes")
    replies = chat.send("what is Operation Encompass?")
    assert "police notify a child's school" in texts(replies)[0]
    assert texts(replies)[-1].startswith("Back to the reflection:\nQuestion 2 of 8")
    assert texts(chat.send("no"))[-1].startswith("Question 3 of 8")


def test_stop(chat):
    start(chat)
    chat.send("yes")
    replies = chat.send("stop")
    assert texts(replies)[0].startswith("Stopped the reflection.")
    after = chat.send("what is MARAC?")
    assert "Question" not in " ".join(texts(after))


def test_restart_and_go_back(chat):
    start(chat)
    chat.send("yes")
    chat.send("no")
    assert texts(chat.send("go back"))[-1].startswith("Question 2 of 8")
    assert texts(chat.send("start again"))[-1].startswith("Question 1 of 8")


def test_immediate_danger_mid_reflection(chat):
    start(chat)
    chat.send("yes")
    replies = chat.send("he's just come back and is hitting her right now")
    assert kinds(replies)[0] == "immediate_danger" and "call 999" in texts(replies)[0]
    assert texts(replies)[-1].endswith("Question 2 of 8: " + "Does one parent control the other, for example by "
                                      "isolating them and the children from family and support, restricting money, "
                                      "or making threats?")
    for _ in range(6):
        chat.send("yes")
    summary = chat.send("yes")
    assert "call 999" in texts(summary)[0]
    assert texts(summary)[1].startswith("Summary of the reflection:")
