"""The local-services action: it keeps the area and the search (for "more") in slots."""

import json

import pytest
from rasa_sdk.events import SlotSet

from actions import knowledge
from actions.directory import ActionLocalServices
from tests.actions.test_knowledge_actions import run, tracker


@pytest.fixture(autouse=True)
def use_test_store(monkeypatch, assistant):
    monkeypatch.setattr(knowledge, "get_assistant", lambda: assistant)


def test_local_services_action_remembers_the_area_and_the_search():
    messages, events = run(ActionLocalServices(), tracker("what's available in Demoshire for mum?", "ask_local_services",
                                                          notice_given=True))
    assert messages[0]["text"].startswith("Services in Demoshire")
    assert SlotSet("area", "Demoshire") in events
    search = json.loads(next(e["value"] for e in events if e["name"] == "directory"))
    assert search["area"] == "Demoshire" and search["offset"] == 3


def test_more_uses_the_stored_search():
    _, events = run(ActionLocalServices(), tracker("what's available in Demoshire?", "ask_local_services",
                                                   notice_given=True))
    stored = next(e["value"] for e in events if e["name"] == "directory")
    messages, events = run(knowledge.ActionFollowUp(), tracker("more", "ask_more", notice_given=True,
                                                               directory=stored, area="Demoshire"))
    assert "Showing 4 to 6" in messages[0]["text"]
    assert json.loads(next(e["value"] for e in events if e["name"] == "directory"))["offset"] == 6
