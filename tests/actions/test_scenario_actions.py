"""The training-scenario action: it keeps the scenario's state in the `scenario` slot."""

import json

import pytest
from rasa_sdk.events import SlotSet

from actions import knowledge
from actions.scenarios import ActionScenario
from tests.actions.test_knowledge_actions import run, tracker


@pytest.fixture(autouse=True)
def use_test_store(monkeypatch, assistant):
    monkeypatch.setattr(knowledge, "get_assistant", lambda: assistant)


def scenario_slot(events):
    return next(json.loads(e["value"]) if e["value"] else None for e in events if e["name"] == "scenario")


def test_menu_button_starts_the_scenario_and_stores_its_state():
    messages, events = run(ActionScenario(), tracker(
        '/start_scenario{"scenario_id":"seemed-well"}', "start_scenario",
        entities=[{"entity": "scenario_id", "value": "seemed-well"}], notice_given=True))
    assert [m["custom"]["type"] for m in messages][-1] == "scenario_step"
    assert "call 999" in messages[-1]["text"]
    state = scenario_slot(events)
    assert state["scenario"] == "seemed-well" and state["covered"] == {}


def test_an_answer_is_marked_and_the_typed_text_is_not_kept():
    _, events = run(ActionScenario(), tracker(
        '/start_scenario{"scenario_id":"seemed-well"}', "start_scenario",
        entities=[{"entity": "scenario_id", "value": "seemed-well"}], notice_given=True))
    state = scenario_slot(events)
    answer = "I would speak with the child and ask what life at home is like"
    messages, events = run(ActionScenario(), tracker(answer, "scenario_answer", notice_given=True,
                                                     scenario=json.dumps(state)))
    assert "scenario_feedback" in [m["custom"]["type"] for m in messages]
    slot = [e for e in events if e["name"] == "scenario"][0]["value"]
    assert "life at home" not in slot


def test_quit_clears_the_slot():
    state = {"scenario": "seemed-well", "step": "at_the_incident", "path": ["at_the_incident"], "covered": {},
             "choices": {}, "paused": False}
    messages, events = run(ActionScenario(), tracker("quit", "scenario_answer", notice_given=True,
                                                     scenario=json.dumps(state)))
    assert messages[0]["custom"]["type"] == "scenario_quit"
    assert SlotSet("scenario", None) in events
