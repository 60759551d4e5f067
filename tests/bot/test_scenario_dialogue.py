"""Training scenarios through the assistant: the menu, play, the 999 bypass, asides, pause and quit."""

from __future__ import annotations

import pytest

from bot.dialogue.types import Turn

START = '/start_scenario{"scenario_id":"covid-kept-out"}'
REMINDER = "This is a training exercise. If a child or adult is in immediate danger now, call 999."
VIOLENT_ANSWER = ("He is isolating them and using lockdown as an excuse; he has a history of allegations, "
                  "so I would visit the home to see the children face to face even if he threatens to hit me")


def kinds(reply):
    return [m.custom.get("type") for m in reply.messages if m.custom]


def turn(text, intent=None, state=None, **entities):
    ents = [{"entity": k, "value": v} for k, v in entities.items()]
    return Turn(text=text, intent=intent, confidence=0.9, entities=ents, scenario=state)


@pytest.fixture
def started(assistant):
    reply = assistant.scenario(turn(START, "start_scenario", scenario_id="covid-kept-out"))
    assert reply.scenario_changed and reply.scenario["scenario"] == "covid-kept-out"
    return reply


def test_typed_request_lists_every_scenario_as_a_button(assistant):
    reply = assistant.scenario(turn("start a training scenario", "start_scenario"))
    assert kinds(reply) == ["scenario_menu"]
    payloads = [b["payload"] for b in reply.messages[0].buttons]
    assert START in payloads and len(payloads) == 5
    assert reply.scenario is None


def test_choosing_a_scenario_shows_its_first_step_with_the_999_reminder(started):
    assert "scenario_step" in kinds(started)
    step = started.messages[-1].text
    assert "COVID-19" in step and REMINDER in step


def test_a_violent_answer_mid_scenario_is_marked_not_sent_to_the_emergency_reply(assistant, started):
    reply = assistant.immediate_danger(turn(VIOLENT_ANSWER, "immediate_danger", started.scenario))
    assert "immediate_danger" not in kinds(reply)
    assert "scenario_feedback" in kinds(reply)
    assert "You covered:" in reply.text
    assert "isolate the family and keep professionals out" in reply.text
    assert reply.scenario["step"] != started.scenario["step"]  # moved on


def test_a_knowledge_question_mid_scenario_is_answered_and_the_place_kept(assistant, started):
    reply = assistant.answer_question(turn("what is operation encompass?", "ask_definition", started.scenario))
    assert kinds(reply)[0] == "guidance" and "scenario_continue_offer" in kinds(reply)
    assert reply.scenario == started.scenario
    resumed = assistant.scenario(turn("continue", "affirm", reply.scenario))
    assert kinds(resumed) == ["scenario_resumed", "scenario_step"]
    assert "COVID-19" in resumed.text


def test_paused_scenario_lets_the_999_check_run_and_continue_resumes(assistant, started):
    paused = assistant.small_talk(turn("pause", "deny", started.scenario))
    assert kinds(paused) == ["scenario_paused"] and paused.scenario["paused"] is True
    danger = assistant.immediate_danger(turn("he is attacking her right now", "immediate_danger", paused.scenario))
    assert kinds(danger)[0] == "immediate_danger"
    back = assistant.small_talk(turn("continue", "affirm", paused.scenario))
    assert "scenario_step" in kinds(back) and back.scenario["paused"] is False


def test_quit_drops_the_state_and_later_messages_are_ordinary_again(assistant, started):
    left = assistant.small_talk(turn("quit", "goodbye", started.scenario))
    assert kinds(left) == ["scenario_quit"] and left.scenario_changed and left.scenario is None
    after = assistant.immediate_danger(turn("he has a knife and is at her door now", "immediate_danger", None))
    assert kinds(after)[0] == "immediate_danger"


def test_typed_answer_intent_outside_a_scenario_is_answered_from_the_knowledge(assistant):
    reply = assistant.scenario(turn("I would refer the case to MARAC", "scenario_answer"))
    assert reply.kind in {"answer", "suggest"}
    assert "scenario_feedback" not in kinds(reply)


def test_a_branch_button_after_the_scenario_ended_offers_the_menu(assistant):
    reply = assistant.scenario(turn('/scenario_answer{"choice":"x"}', "scenario_answer", None, choice="x"))
    assert kinds(reply) == ["scenario_not_playing", "scenario_menu"]


@pytest.mark.parametrize("text, scenario_id", [
    ("play the lockdown scenario", "covid-kept-out"),
    ("can we do the one about the teenager placed with the father", "placed-with-father"),
    ("start the three notifications case", "three-notifications"),
])
def test_a_typed_request_naming_a_scenario_starts_it(assistant, text, scenario_id):
    reply = assistant.scenario(turn(text, "start_scenario"))
    assert reply.scenario and reply.scenario["scenario"] == scenario_id
    assert "scenario_step" in kinds(reply)


def test_a_request_naming_no_scenario_shows_the_menu(assistant):
    assert kinds(assistant.scenario(turn("I'd like to do a training exercise please", "start_scenario"))) == ["scenario_menu"]
