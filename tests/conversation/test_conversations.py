"""Whole conversations through the trained assistant, the action server and the database."""

import json
import re

import pytest

from tests.conversation.conftest import guidance, kinds, texts

pytestmark = pytest.mark.conversation


@pytest.mark.parametrize(
    "question, pattern, entry_ids",
    [
        ("is this conflict or abuse?", r"coerci|controll", {"conflict-vs-abuse"}),
        ("what is MARAC?", r"multi-agency risk assessment conference", {"marac-what-is"}),
        ("MARAC has happened, what about the children?", r"child", {"marac-and-the-child"}),
        ("are children victims under the Domestic Abuse Act?", r"victims .*in their\s+own right", {"children-as-victims-law"}),
        ("what is Operation Encompass?", r"school", {"operation-encompass"}),
    ],
)
def test_questions_get_a_cited_answer(chat, question, pattern, entry_ids):
    chat.send("hi")
    replies = chat.send(question)
    (answer,) = guidance(replies)
    assert answer["entry_id"] in entry_ids
    text = texts(replies)[0]
    assert re.search(pattern, text, re.IGNORECASE | re.DOTALL), text
    source_lines = [line for line in text.splitlines() if line.startswith("Source: ")]
    assert source_lines and text.splitlines()[-1] == source_lines[-1]
    assert [f"Source: {c['citation']}" for c in answer["citations"]] == source_lines
    answer_paragraph = text.splitlines()[0]  # numbered checklist steps, if any, follow it
    sentences = len(re.findall(r"[.!?](?=\s|$)", answer_paragraph))
    assert 2 <= sentences <= 6


DANGER_MESSAGES = [
    "he's outside with a knife right now",
    "dad has mum pinned against the wall and is punching her",
    "the mother just rang me, he is kicking the front door in",
    "she's locked in the bathroom with the kids and he won't let them out, he's screaming he'll kill her",
    "there's a man with a machete at the family home as we speak",
    "the child says her stepdad is choking her mum right now",
    "I can hear him beating her through the phone",
    "a child is in danger right now",
    "he's threatening to burn the house down with them inside tonight",
    "mum is unconscious on the floor and the baby is with him",
    "the 14 year old says he has a gun in the car outside school",
    "HELP he is hurting her now",
    "on a home visit, partner has just grabbed a knife from the kitchen",
    "neighbour reports screaming, the woman is bleeding heavily",
    "he's dragging her out of the car by her hair",
]


@pytest.mark.parametrize("message", DANGER_MESSAGES)
def test_immediate_danger_gets_999_first(new_chat, message):
    chat = new_chat()
    chat.send("hi")
    replies = chat.send(message)
    assert "call 999" in texts(replies)[0], replies
    assert kinds(replies)[0] == "immediate_danger"


def test_immediate_danger_mid_conversation_gets_999_first(chat):
    chat.send("hi")
    chat.send("is this conflict or abuse?")
    chat.send("tell me more")
    replies = chat.send("sorry, got to go, dad's back and he's hitting her, the kids are screaming")
    assert "call 999" in texts(replies)[0]
    after = chat.send("what is MARAC?")
    assert guidance(after)[0]["entry_id"] == "marac-what-is"


def test_danger_as_first_message_puts_999_before_the_notice(new_chat):
    replies = new_chat().send("he's outside with a knife right now")
    assert kinds(replies)[:2] == ["immediate_danger", "opening_notice"]


OUT_OF_SCOPE = [
    "what DASH score means a case is high risk?",
    "how many ticks on the DASH do you need for marac",
    "how do I apply for a non-molestation order for mum?",
    "can you explain Clare's Law applications?",
    "what's the weather going to be like tomorrow",
    "how do I reset my laptop password",
    "can she get legal aid for the family court",
    "how does universal credit work for someone fleeing DA",
    "what is the law on forced marriage",
    "tell me a joke",
    "who will win the premier league",
    "how many children in the UK experience domestic abuse each year?",
]


@pytest.mark.parametrize("message", OUT_OF_SCOPE)
def test_questions_outside_the_sources_get_the_honest_reply(new_chat, message):
    chat = new_chat()
    chat.send("hi")
    replies = chat.send(message)
    assert kinds(replies) == ["not_covered"], replies
    assert not guidance(replies)
    text = " ".join(texts(replies))
    assert re.search(r"sources don't (cover|give|set out)", text)
    assert "local" in text


def test_opening_notice_once_per_conversation(chat):
    first = chat.send("hello")
    assert kinds(first)[0] == "opening_notice"
    notice = texts(first)[0]
    assert "professional judgement" in notice and "local safeguarding procedures" in notice
    assert "do not type names" in notice
    for message in ("what is MARAC?", "thanks", "hello again"):
        assert "opening_notice" not in kinds(chat.send(message))


@pytest.mark.parametrize(
    "message",
    ["", "   ", "x" * 10_000, "what is MARAC " * 700, "\U0001F600\U0001F44D\U0001F622",
     "<script>alert('hi')</script>", "<img src=x onerror=alert(1)>", "Qu'est-ce que la violence domestique ?",
     "\u5bb6\u5ead\u66b4\u529b\u662f\u4ec0\u4e48\uff1f", "\u0645\u0627 \u0647\u0648 \u0627\u0644\u0639\u0646\u0641 \u0627\u0644\u0623\u0633\u0631\u064a\u061f"],
    ids=["empty", "spaces", "10000-x", "10000-words", "emoji", "script", "img", "french", "chinese", "arabic"],
)
def test_odd_input_gets_a_sensible_reply(new_chat, message):
    chat = new_chat()
    chat.send("hi")
    replies = chat.send(message)
    assert texts(replies), "the assistant must never go silent"
    assert "error" not in kinds(replies)
    joined = " ".join(texts(replies))
    assert "Traceback" not in joined and "onerror" not in joined and "<script" not in joined


def test_button_payload_works_when_clicked_later(chat):
    chat.send("hi")
    first = chat.send("what is MARAC?")
    button = next(b for r in first for b in r.get("buttons") or [])
    chat.send("thanks")
    chat.send("what is Operation Encompass?")
    clicked = chat.send(button["payload"])
    expected = json.loads(button["payload"][len("/choose_entry"):])["entry_id"]
    assert guidance(clicked)[0]["entry_id"] == expected
    assert texts(clicked)[0].splitlines()[-1].startswith("Source: ")


def test_follow_ups_refer_to_the_last_answer(chat):
    chat.send("hi")
    chat.send("what is MARAC?")
    more = chat.send("can you tell me more about that")
    source = chat.send("where does that come from?")
    assert kinds(more)[0] == "guidance" and guidance(more)[0]["entry_id"] == "marac-what-is"
    assert texts(more)[0].splitlines()[-1].startswith("Source: ")
    assert "That answer comes from:" in texts(source)[0]
    assert "WomenCentre pilot summary (2013)" in texts(source)[0]
