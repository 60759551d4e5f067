"""The one rasa-sdk action: it reads the tracker, sends the router's messages and sets the slots
the turn changed. (Inputs and expectations of the old per-intent action tests, unchanged.)"""

import copy
import json

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import respond
from actions.respond import ActionRespond
from tests.conftest import TEST_DATA

with open(TEST_DATA / "trackers" / "ask_marac.json") as handle:
    ASK_MARAC = json.load(handle)


@pytest.fixture(autouse=True)
def use_test_store(monkeypatch, demo_router):
    monkeypatch.setattr(respond, "get_router", lambda: demo_router)


def tracker(text=None, intent=None, confidence=0.95, entities=None, **slots):
    state = copy.deepcopy(ASK_MARAC)
    if text is not None:
        state["latest_message"] = {"text": text, "intent": {"name": intent, "confidence": confidence},
                                   "entities": entities or []}
    state["slots"].update(slots)
    return Tracker.from_dict(state)


def run(tracker_):
    dispatcher = CollectingDispatcher()
    events = ActionRespond().run(dispatcher, tracker_, {})
    return dispatcher.messages, events


def types(messages):
    return [m["custom"]["type"] for m in messages]


def slot(events, name):
    (value,) = [e["value"] for e in events if e["name"] == name]
    return value


def test_a_question_gets_the_notice_then_the_cited_answer_and_sets_slots():
    messages, events = run(Tracker.from_dict(ASK_MARAC))
    assert messages[0]["custom"] == {"type": "opening_notice"}
    answer = messages[1]
    assert answer["custom"]["entry_id"] == "marac-what-is"
    assert answer["text"].splitlines()[-1].startswith("Source: ")
    assert answer["buttons"][0]["payload"].startswith("/choose_entry")
    offer = messages[2]
    assert offer["custom"] == {"type": "agency_offer"}
    assert [b["payload"] for b in offer["buttons"]][:2] == ['/inform_agency{"agency":"police"}',
                                                          '/inform_agency{"agency":"childrens_social_care"}']
    assert sorted(events, key=lambda e: e["name"]) == [
        SlotSet("agency_offered", True), SlotSet("last_entry_id", "marac-what-is"), SlotSet("notice_given", True)]


def test_agency_offer_is_made_once():
    messages, events = run(tracker(notice_given=True, agency_offered=True))
    assert types(messages) == ["guidance"]
    assert SlotSet("agency_offered", True) not in events


def test_clicking_an_agency_sets_the_slot_and_tailors_the_last_answer():
    messages, events = run(tracker('/inform_agency{"agency":"probation"}', "inform_agency", 1.0,
                                   [{"entity": "agency", "value": "probation"}],
                                   notice_given=True, last_entry_id="marac-what-is", agency_offered=True))
    assert messages[0]["text"].startswith("Thanks. I'll add what the joint inspection found for Probation")
    assert messages[1]["custom"]["type"] == "tailored" and messages[1]["text"].startswith("For Probation: ")
    assert SlotSet("agency", "probation") in events


def test_an_agency_without_findings_keeps_answers_general():
    messages, events = run(tracker("I work in housing", "inform_agency", 0.9, [], notice_given=True))
    assert "answers will stay general" in messages[0]["text"]
    assert SlotSet("agency", "other") in events


def test_an_agency_named_in_a_question_is_not_remembered():
    messages, events = run(tracker("what assurance questions should we ask probation?", "ask_practice", 0.9,
                                   [{"entity": "agency", "value": "probation"}], notice_given=True))
    assert types(messages)[0] == "guidance"
    assert not [e for e in events if e["name"] == "agency"]


def test_notice_is_not_repeated_once_given():
    messages, _ = run(tracker(notice_given=True))
    assert "opening_notice" not in types(messages)


def test_danger_puts_999_first():
    messages, events = run(tracker("dad has a knife and is shouting at mum right now", "immediate_danger", 0.99,
                                   notice_given=True))
    assert "call 999" in messages[0]["text"]
    assert messages[0]["custom"] == {"type": "immediate_danger"}
    assert not [e for e in events if e["name"] == "last_entry_id"]


@pytest.mark.parametrize("intent", ["ask_marac", "out_of_scope", "greet", "ask_more"])
def test_danger_comes_first_whatever_the_intent(intent):
    messages, _ = run(tracker("he is strangling her now", intent, 0.99, notice_given=True))
    assert "call 999" in messages[0]["text"]


def test_not_covered_is_honest_and_sets_no_entry():
    messages, events = run(tracker("what's the weather tomorrow", "out_of_scope", 0.93, notice_given=True))
    assert "My sources don't cover that" in messages[0]["text"]
    assert not any(e.get("name") == "last_entry_id" for e in events)


def test_small_talk_greets():
    messages, _ = run(tracker("hello", "greet", 0.99, notice_given=True))
    assert messages[0]["text"].startswith("Hello.")


def test_follow_up_uses_the_last_entry_slot():
    messages, events = run(tracker("where's that from?", "ask_source", 0.9, notice_given=True,
                                   last_entry_id="dash-checklist"))
    assert messages[0]["text"].startswith("That answer comes from:")
    assert "WomenCentre pilot summary (2013), 'Risk'" in messages[0]["text"]
    assert not [e for e in events if e["name"] == "last_entry_id"]  # still dash-checklist


def test_clicked_button_answers_the_chosen_entry():
    messages, events = run(tracker('/choose_entry{"entry_id":"operation-encompass"}', "choose_entry", 1.0,
                                   [{"entity": "entry_id", "value": "operation-encompass"}], notice_given=True))
    assert messages[0]["custom"]["entry_id"] == "operation-encompass"
    assert SlotSet("last_entry_id", "operation-encompass") in events


def test_agency_slot_tailors_the_answer():
    messages, _ = run(tracker(notice_given=True, agency="probation"))
    assert messages[-1]["custom"]["type"] == "tailored"
    assert messages[-1]["text"].startswith("For Probation: ")


def test_agency_named_in_the_message_wins_over_the_slot():
    messages, events = run(tracker("I'm a police officer, what is MARAC?", "ask_marac", 0.9,
                                   [{"entity": "agency", "value": "police"}], notice_given=True, agency="school"))
    assert messages[-1]["text"].startswith("For Police: ")
    assert SlotSet("agency", "police") in events  # "I'm a ...": the practitioner says who they are


def test_an_agency_named_in_a_question_tailors_that_answer_only():
    messages, events = run(tracker("what should police do after MARAC for the child?", "ask_marac", 0.9,
                                   [{"entity": "agency", "value": "police"}], notice_given=True, agency="school"))
    assert not [e for e in events if e["name"] == "agency"]


def test_local_services_remember_the_area_and_the_search():
    messages, events = run(tracker("what's available in Demoshire for mum?", "ask_local_services", notice_given=True))
    assert messages[0]["text"].startswith("Services in Demoshire")
    assert SlotSet("area", "Demoshire") in events
    search = json.loads(slot(events, "directory"))
    assert search["area"] == "Demoshire" and search["offset"] == 3


def test_more_uses_the_stored_search():
    _, events = run(tracker("what's available in Demoshire?", "ask_local_services", notice_given=True))
    stored = slot(events, "directory")
    messages, events = run(tracker("more", "ask_more", notice_given=True, directory=stored, area="Demoshire"))
    assert "Showing 4 to 6" in messages[0]["text"]
    assert json.loads(slot(events, "directory"))["offset"] == 6


def test_another_question_ends_the_directory_search():
    _, events = run(tracker("what's available in Demoshire?", "ask_local_services", notice_given=True))
    _, events = run(tracker("what is MARAC?", "ask_marac", notice_given=True, directory=slot(events, "directory"),
                            area="Demoshire"))
    assert SlotSet("directory", None) in events
    assert not [e for e in events if e["name"] == "area"]  # the area is remembered


def test_menu_button_starts_the_scenario_and_stores_its_state():
    messages, events = run(tracker('/start_scenario{"scenario_id":"seemed-well"}', "start_scenario",
                                   entities=[{"entity": "scenario_id", "value": "seemed-well"}], notice_given=True))
    assert types(messages)[-1] == "scenario_step"
    assert "call 999" in messages[-1]["text"]
    state = json.loads(slot(events, "scenario"))
    assert state["scenario"] == "seemed-well" and state["covered"] == {}


def test_a_scenario_answer_is_marked_and_the_typed_text_is_not_kept():
    _, events = run(tracker('/start_scenario{"scenario_id":"seemed-well"}', "start_scenario",
                            entities=[{"entity": "scenario_id", "value": "seemed-well"}], notice_given=True))
    answer = "I would speak with the child and ask what life at home is like"
    messages, events = run(tracker(answer, "scenario_answer", notice_given=True, scenario=slot(events, "scenario")))
    assert "scenario_feedback" in types(messages)
    assert "life at home" not in slot(events, "scenario")


def test_quit_clears_the_scenario_slot():
    state = {"scenario": "seemed-well", "step": "at_the_incident", "path": ["at_the_incident"], "covered": {},
             "choices": {}, "paused": False}
    messages, events = run(tracker("quit", "scenario_answer", notice_given=True, scenario=json.dumps(state)))
    assert messages[0]["custom"]["type"] == "scenario_quit"
    assert SlotSet("scenario", None) in events


def test_a_slot_that_does_not_read_as_state_counts_as_none():
    messages, _ = run(tracker("what is MARAC?", "ask_marac", notice_given=True, reflection="{not json",
                              scenario='{"no": "fields"}', directory="[1, 2]"))
    assert types(messages)[0] == "guidance"


def test_the_only_action_is_the_domains_only_action():
    import yaml

    from bot.config import PROJECT_ROOT

    assert yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text())["actions"] == [ActionRespond().name()]
