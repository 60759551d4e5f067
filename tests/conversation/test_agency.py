"""After MARAC for the child, answers that fit the practitioner's agency, assurance questions."""

import re

import pytest

from tests.conversation.conftest import guidance, kinds, messages, texts

pytestmark = pytest.mark.conversation

AFTER_MARAC = "what do I do after MARAC for the child?"


def tailored(replies):
    return [m for m in messages(replies) if (m.get("custom") or {}).get("type") == "tailored"]


def test_after_marac_without_an_agency_answers_then_offers_once(chat):
    chat.send("hi")
    replies = chat.send(AFTER_MARAC)
    assert kinds(replies)[:2] == ["guidance", "agency_offer"], "the answer is never held back to ask first"
    steps = [line for line in texts(replies)[0].splitlines() if re.match(r"\d+\. ", line)]
    assert len(steps) >= 8 and all(line.endswith(")") for line in steps)
    offer = next(m for m in messages(replies) if (m.get("custom") or {}).get("type") == "agency_offer")
    titles = [b["title"] for b in offer["buttons"]]
    assert {"Police", "Children's social care", "Health visitor", "School", "Probation", "Cafcass",
            "LSCP or strategic lead", "Other"} <= set(titles)
    again = chat.send("is MARAC enough to safeguard the children?")
    assert "agency_offer" not in kinds(again)


@pytest.mark.parametrize("agency, label", [("police", "Police"), ("school", "School"), ("probation", "Probation")])
def test_after_marac_from_three_agencies(new_chat, agency, label):
    chat = new_chat()
    chat.send("hi")
    chat.send(f'/inform_agency{{"agency":"{agency}"}}')
    replies = chat.send("MARAC was yesterday, what now for the kids?")
    assert guidance(replies)[0]["entry_id"] == "marac-and-the-child"
    (extra,) = tailored(replies)
    assert extra["text"].startswith(f"For {label}: ")
    assert "Source: JTAI summary (2017)" in extra["text"]


def test_agency_specific_parts_differ(new_chat):
    parts = set()
    for agency in ("police", "school", "probation"):
        chat = new_chat()
        chat.send("hi")
        chat.send(f'/inform_agency{{"agency":"{agency}"}}')
        parts.add(tailored(chat.send(AFTER_MARAC))[0]["text"])
    assert len(parts) == 3


def test_agency_from_free_text_is_remembered_and_can_change(chat):
    chat.send("hi")
    first = chat.send("I'm a health visitor - what is MARAC?")
    assert tailored(first)[0]["text"].startswith("For Health visitor: ")
    later = chat.send("does hearing abuse count as harm to a child?")
    assert tailored(later)[0]["text"].startswith("For Health visitor: ")
    changed = chat.send('/inform_agency{"agency":"probation"}')
    assert "Probation" in texts(changed)[0]
    after = chat.send(AFTER_MARAC)
    assert tailored(after)[0]["text"].startswith("For Probation: ")


@pytest.mark.parametrize(
    "question, entry_id",
    [
        ("what assurance questions should we ask health?", "jtai-assurance-questions-health"),
        ("key assurance questions for police please", "jtai-assurance-questions-police"),
        ("what are the assurance questions for all agencies?", ("jtai-assurance-questions",
                                                                "jtai-assurance-questions-multi-agency")),
    ],
)
def test_assurance_questions(new_chat, question, entry_id):
    chat = new_chat()
    chat.send("hi")
    replies = chat.send(question)
    assert guidance(replies)[0]["entry_id"] in (entry_id if isinstance(entry_id, tuple) else (entry_id,))
    assert "Key Assurance Questions" in texts(replies)[0]


def test_assurance_questions_for_cafcass_offer_its_findings(chat):
    chat.send("hi")
    replies = chat.send("what assurance questions should we ask Cafcass?")
    assert texts(replies)[0].startswith("The joint inspection summary (2017) sets no Key Assurance Questions for Cafcass")
    assert "Cafcass" in texts(replies)[1]
