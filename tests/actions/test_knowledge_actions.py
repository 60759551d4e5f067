"""The rasa-sdk actions: each reads the tracker, sends the assistant's messages, sets slots."""

import copy
import json

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import knowledge as actions
from tests.conftest import TEST_DATA

with open(TEST_DATA / "trackers" / "ask_marac.json") as handle:
    ASK_MARAC = json.load(handle)


@pytest.fixture(autouse=True)
def use_test_store(monkeypatch, assistant):
    monkeypatch.setattr(actions, "get_assistant", lambda: assistant)


def tracker(text=None, intent=None, confidence=0.95, entities=None, **slots):
    state = copy.deepcopy(ASK_MARAC)
    if text is not None:
        state["latest_message"] = {"text": text, "intent": {"name": intent, "confidence": confidence},
                                   "entities": entities or []}
    state["slots"].update(slots)
    return Tracker.from_dict(state)


def run(action, tracker_):
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, tracker_, {})
    return dispatcher.messages, events


def test_answer_action_sends_notice_then_cited_answer_and_sets_slots():
    messages, events = run(actions.ActionAnswerQuestion(), Tracker.from_dict(ASK_MARAC))
    assert messages[0]["custom"] == {"type": "opening_notice"}
    answer = messages[1]
    assert answer["custom"]["entry_id"] == "marac-what-is"
    assert answer["text"].splitlines()[-1].startswith("Source: ")
    assert answer["buttons"][0]["payload"].startswith("/choose_entry")
    offer = messages[2]
    assert offer["custom"] == {"type": "agency_offer"}
    assert [b["payload"] for b in offer["buttons"]][:2] == ['/inform_agency{"agency":"police"}',
                                                          '/inform_agency{"agency":"childrens_social_care"}']
    assert events == [SlotSet("notice_given", True), SlotSet("last_entry_id", "marac-what-is"),
                      SlotSet("agency_offered", True)]


def test_agency_offer_is_made_once():
    messages, events = run(actions.ActionAnswerQuestion(), tracker(notice_given=True, agency_offered=True))
    assert [m["custom"]["type"] for m in messages] == ["guidance"]
    assert SlotSet("agency_offered", True) not in events


def test_clicking_an_agency_sets_the_slot_and_tailors_the_last_answer():
    messages, events = run(
        actions.ActionSetAgency(),
        tracker('/inform_agency{"agency":"probation"}', "inform_agency", 1.0, [{"entity": "agency", "value": "probation"}],
                notice_given=True, last_entry_id="marac-what-is", agency_offered=True),
    )
    assert messages[0]["text"].startswith("Thanks. I'll add what the joint inspection found for Probation")
    assert messages[1]["custom"]["type"] == "tailored" and messages[1]["text"].startswith("For Probation: ")
    assert SlotSet("agency", "probation") in events


def test_an_agency_without_findings_keeps_answers_general():
    messages, events = run(
        actions.ActionSetAgency(), tracker("I work in housing", "inform_agency", 0.9, [], notice_given=True),
    )
    assert "answers will stay general" in messages[0]["text"]
    assert SlotSet("agency", "other") in events


def test_notice_is_not_repeated_once_given():
    messages, _ = run(actions.ActionAnswerQuestion(), tracker(notice_given=True))
    assert "opening_notice" not in [m["custom"]["type"] for m in messages]


def test_danger_action_puts_999_first():
    messages, events = run(
        actions.ActionImmediateDanger(),
        tracker("dad has a knife and is shouting at mum right now", "immediate_danger", 0.99, notice_given=True),
    )
    assert "call 999" in messages[0]["text"]
    assert messages[0]["custom"] == {"type": "immediate_danger"}
    assert SlotSet("last_entry_id", None) not in events


@pytest.mark.parametrize(
    "action",
    [actions.ActionAnswerQuestion(), actions.ActionNotCovered(), actions.ActionSmallTalk(), actions.ActionFollowUp()],
)
def test_every_action_checks_for_danger_first(action):
    messages, _ = run(action, tracker("he is strangling her now", "greet", 0.99, notice_given=True))
    assert "call 999" in messages[0]["text"]


def test_not_covered_action_is_honest_and_sets_no_entry():
    messages, events = run(
        actions.ActionNotCovered(), tracker("what's the weather tomorrow", "out_of_scope", 0.93, notice_given=True)
    )
    assert "My sources don't cover that" in messages[0]["text"]
    assert not any(e.get("name") == "last_entry_id" for e in events)


def test_small_talk_action_greets():
    messages, _ = run(actions.ActionSmallTalk(), tracker("hello", "greet", 0.99, notice_given=True))
    assert messages[0]["text"].startswith("Hello.")


def test_follow_up_action_uses_the_last_entry_slot():
    messages, events = run(
        actions.ActionFollowUp(), tracker("where's that from?", "ask_source", 0.9, notice_given=True,
                                          last_entry_id="dash-checklist")
    )
    assert messages[0]["text"].startswith("That answer comes from:")
    assert "WomenCentre pilot summary (2013), 'Risk'" in messages[0]["text"]
    assert SlotSet("last_entry_id", "dash-checklist") in events


def test_clicked_button_answers_the_chosen_entry():
    messages, events = run(
        actions.ActionAnswerQuestion(),
        tracker('/choose_entry{"entry_id":"operation-encompass"}', "choose_entry", 1.0,
                [{"entity": "entry_id", "value": "operation-encompass"}], notice_given=True),
    )
    assert messages[0]["custom"]["entry_id"] == "operation-encompass"
    assert SlotSet("last_entry_id", "operation-encompass") in events


def test_action_names_match_the_domain():
    import yaml

    from bot.config import PROJECT_ROOT

    import importlib
    import inspect
    import pkgutil

    import actions as package
    from rasa_sdk import Action

    domain_actions = set(yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text())["actions"])
    names = set()
    for module_info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"actions.{module_info.name}")
        names |= {cls().name() for _, cls in inspect.getmembers(module, inspect.isclass)
                  if issubclass(cls, Action) and cls is not Action and cls.__module__ == module.__name__}
    assert names == domain_actions


def test_agency_slot_tailors_the_answer():
    messages, _ = run(actions.ActionAnswerQuestion(), tracker(notice_given=True, agency="probation"))
    assert messages[-1]["custom"]["type"] == "tailored"
    assert messages[-1]["text"].startswith("For Probation: ")


def test_agency_named_in_the_message_wins_over_the_slot():
    messages, _ = run(
        actions.ActionAnswerQuestion(),
        tracker("I'm a police officer, what is MARAC?", "ask_marac", 0.9,
                [{"entity": "agency", "value": "police"}], notice_given=True, agency="school"),
    )
    assert messages[-1]["text"].startswith("For Police: ")
