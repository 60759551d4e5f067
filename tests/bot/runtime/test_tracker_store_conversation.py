"""A long conversation through the running assistant: Rasa reads only the last turns of it
(bot.runtime.tracker_store), yet a paused scenario, the practitioner's agency and a directory
listing set long before those turns still work, and the database keeps every turn."""

from __future__ import annotations

import sqlite3

import pytest

from bot.runtime.tracker_store import DEFAULT_TAIL_TURNS
from tests.conversation.conftest import Chat, kinds, messages, texts

pytestmark = pytest.mark.conversation

QUESTIONS = [
    "what is MARAC?",
    "what is the DASH risk checklist?",
    "when can I share information without consent?",
    "are children victims under the Domestic Abuse Act?",
    "what is operation encompass?",
    "how does domestic abuse affect babies?",
]


def ask_questions(chat: Chat, count: int) -> None:
    for n in range(count):
        assert "guidance" in kinds(chat.send(QUESTIONS[n % len(QUESTIONS)]))


def stored_user_events(servers, sender: str) -> int:
    with sqlite3.connect(servers.tracker_db) as db:
        return db.execute("select count(*) from events where sender_id = ? and type_name = 'user'", (sender,)).fetchone()[0]


def test_a_paused_scenario_and_the_agency_outlive_the_turns_rasa_reads(servers):
    chat = Chat(servers.rest_url)
    chat.send("hi")
    chat.send('/inform_agency{"agency":"police"}')
    first = "\n".join(texts(chat.send('/start_scenario{"scenario_id":"covid-kept-out"}')))
    assert "scenario_paused" in kinds(chat.send("pause"))
    ask_questions(chat, DEFAULT_TAIL_TURNS + 3)  # the scenario and the agency were set before the tail

    resumed = chat.send("continue")
    assert "scenario_resumed" in kinds(resumed)
    assert "COVID-19" in "\n".join(texts(resumed)) and "COVID-19" in first
    assert "scenario_quit" in kinds(chat.send("quit"))
    after_marac = chat.send("what do I do after MARAC for the child?")
    tailored = [m for m in messages(after_marac) if (m.get("custom") or {}).get("type") == "tailored"]
    assert tailored and tailored[0]["text"].startswith("For Police: ")
    assert stored_user_events(servers, chat.sender) == 4 + DEFAULT_TAIL_TURNS + 3 + 3


def test_more_services_after_a_long_conversation(servers):
    chat = Chat(servers.rest_url)
    chat.send("hi")
    ask_questions(chat, DEFAULT_TAIL_TURNS + 2)
    listing = chat.send("what support is there in Demoshire for children?")
    assert "Showing 1 to 3" in texts(listing)[0]
    more = chat.send("more")
    assert "Showing 4 to 6" in texts(more)[0]
