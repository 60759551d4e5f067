"""Training scenarios in the conversation: the menu, play, the 999 bypass, asides, pause and quit.

The three scenario handlers are driven in the router's order, with stand-ins for the handlers
around them: the danger check (between a scenario being played and a paused scenario's
commands) and the knowledge answer (last), which is also what the fake ``Chain`` answers with.
"""

from __future__ import annotations

import pytest

from bot.config import PROJECT_ROOT
from bot.dialogue.state import ConversationState
from bot.dialogue.types import Entity, Message, Reply, Turn
from bot.nlp.pipeline import analyser_for
from bot.scenarios.handler import PausedScenarioHandler, ScenarioPlayHandler, ScenarioRequestHandler

START = '/start_scenario{"scenario_id":"covid-kept-out"}'
REMINDER = "This is a training exercise. If a child or adult is in immediate danger now, call 999."
VIOLENT_ANSWER = ("He is isolating them and using lockdown as an excuse; he has a history of allegations, "
                  "so I would visit the home to see the children face to face even if he threatens to hit me")
GUIDANCE = Message("Operation Encompass tells schools about domestic abuse incidents.", custom={"type": "guidance"})


class FakeChain:
    """Answers every question with one canned knowledge answer (or, with ``kind``, another outcome)."""

    def __init__(self, kind: str = "answer"):
        self.kind = kind
        self.asked: list[Turn] = []

    def answer(self, turn: Turn) -> Reply:
        self.asked.append(turn)
        return Reply(self.kind, (GUIDANCE,), turn.state.with_(last_entry_id="operation-encompass"))

    def rest(self, turn: Turn) -> Reply:
        raise AssertionError("the scenario handlers never pass a turn on")


class DangerStandIn:
    """The danger check's place in the order: it takes what NLU reads as immediate danger."""

    answers_questions = False

    def check(self, turn: Turn):
        return True if turn.intent == "immediate_danger" else None

    def handle(self, turn: Turn, claim, chain) -> Reply:
        return Reply("immediate_danger", (Message("Call 999.", custom={"type": "immediate_danger"}),), turn.state)


class KnowledgeStandIn:
    """The last handler: answers everything from the knowledge."""

    answers_questions = True

    def check(self, turn: Turn):
        return True

    def handle(self, turn: Turn, claim, chain) -> Reply:
        return chain.answer(turn)


@pytest.fixture(scope="module")
def analyse():
    return analyser_for(PROJECT_ROOT / "knowledge")


@pytest.fixture
def handlers(engine, analyse):
    current = lambda: engine  # noqa: E731
    return [ScenarioPlayHandler(current), DangerStandIn(), PausedScenarioHandler(current),
            ScenarioRequestHandler(current, analyse), KnowledgeStandIn()]


@pytest.fixture
def chain():
    return FakeChain()


@pytest.fixture
def respond(handlers, chain, analyse):
    """Send a message through the handlers in order, as the router does."""

    def send(text, intent=None, state=None, **entities):
        turn = Turn(text=text, intent=intent, confidence=0.9, entities=tuple(Entity(k, v) for k, v in entities.items()),
                    state=ConversationState(scenario=state), analysis=analyse(text))
        handler, claim = next((h, c) for h in handlers if (c := h.check(turn)) is not None)
        return handler.handle(turn, claim, chain)

    return send


def kinds(reply):
    return [m.type for m in reply.messages if m.type]


def scenario(reply):
    return reply.state.scenario


@pytest.fixture
def started(respond):
    reply = respond(START, "start_scenario", scenario_id="covid-kept-out")
    assert scenario(reply).scenario == "covid-kept-out"
    return reply


def test_typed_request_lists_every_scenario_as_a_button(respond):
    reply = respond("start a training scenario", "start_scenario")
    assert kinds(reply) == ["scenario_menu"]
    payloads = [b.payload for b in reply.messages[0].buttons]
    assert START in payloads and len(payloads) == 5
    assert scenario(reply) is None


def test_choosing_a_scenario_shows_its_first_step_with_the_999_reminder(started):
    assert "scenario_step" in kinds(started) and started.kind == "scenario"
    step = started.messages[-1].text
    assert "COVID-19" in step and REMINDER in step


def test_a_violent_answer_mid_scenario_is_marked_not_sent_to_the_emergency_reply(respond, started):
    reply = respond(VIOLENT_ANSWER, "immediate_danger", scenario(started))
    assert "immediate_danger" not in kinds(reply)
    assert "scenario_feedback" in kinds(reply)
    assert "You covered:" in reply.text
    assert "isolate the family and keep professionals out" in reply.text
    assert scenario(reply).step != scenario(started).step  # moved on


def test_a_knowledge_question_mid_scenario_is_answered_and_the_place_kept(respond, started, chain):
    reply = respond("what is operation encompass?", "ask_definition", scenario(started))
    assert kinds(reply)[0] == "guidance" and "scenario_continue_offer" in kinds(reply)
    assert reply.kind == "scenario_aside" and reply.state.last_entry_id == "operation-encompass"
    assert scenario(reply) == scenario(started)
    resumed = respond("continue", "affirm", scenario(reply))
    assert kinds(resumed) == ["scenario_resumed", "scenario_step"]
    assert "COVID-19" in resumed.text


def test_a_question_the_knowledge_cannot_answer_is_marked_as_an_answer(respond, started, chain):
    chain.kind = "not_covered"
    reply = respond("what about the children?", "ask_definition", scenario(started))
    assert len(chain.asked) == 1
    assert kinds(reply)[0] == "scenario_feedback" and reply.kind == "scenario"


def test_an_entry_button_mid_scenario_shows_the_entry_then_offers_to_carry_on(respond, started):
    reply = respond('/choose_entry{"entry_id":"operation-encompass"}', "choose_entry", scenario(started),
                    entry_id="operation-encompass")
    assert kinds(reply) == ["guidance", "scenario_continue_offer"]
    assert scenario(reply) == scenario(started)


def test_paused_scenario_lets_the_999_check_run_and_continue_resumes(respond, started):
    paused = respond("pause", "deny", scenario(started))
    assert kinds(paused) == ["scenario_paused"] and scenario(paused).paused is True
    danger = respond("he is attacking her right now", "immediate_danger", scenario(paused))
    assert kinds(danger)[0] == "immediate_danger"
    back = respond("continue", "affirm", scenario(paused))
    assert "scenario_step" in kinds(back) and scenario(back).paused is False


def test_while_paused_other_messages_are_not_the_scenarios(handlers, respond, started):
    paused = scenario(respond("pause", "deny", scenario(started)))
    turn = Turn(text="what is MARAC?", intent="ask_definition", state=ConversationState(scenario=paused))
    assert [h.check(turn) for h in handlers[:4]] == [None, None, None, None]


def test_quit_drops_the_state_and_later_messages_are_ordinary_again(respond, started):
    left = respond("quit", "goodbye", scenario(started))
    assert kinds(left) == ["scenario_quit"] and scenario(left) is None
    after = respond("he has a knife and is at her door now", "immediate_danger", None)
    assert kinds(after)[0] == "immediate_danger"


def test_typed_answer_intent_outside_a_scenario_is_answered_from_the_knowledge(respond):
    reply = respond("I would refer the case to MARAC", "scenario_answer")
    assert reply.kind in {"answer", "suggest"}
    assert "scenario_feedback" not in kinds(reply)


def test_a_branch_button_after_the_scenario_ended_offers_the_menu(respond):
    reply = respond('/scenario_answer{"choice":"x"}', "scenario_answer", None, choice="x")
    assert kinds(reply) == ["scenario_not_playing", "scenario_menu"]


@pytest.mark.parametrize("text, scenario_id", [
    ("play the lockdown scenario", "covid-kept-out"),
    ("can we do the one about the teenager placed with the father", "placed-with-father"),
    ("start the three notifications case", "three-notifications"),
])
def test_a_typed_request_naming_a_scenario_starts_it(respond, text, scenario_id):
    reply = respond(text, "start_scenario")
    assert scenario(reply) and scenario(reply).scenario == scenario_id
    assert "scenario_step" in kinds(reply)


def test_a_request_naming_no_scenario_shows_the_menu(respond):
    assert kinds(respond("I'd like to do a training exercise please", "start_scenario")) == ["scenario_menu"]


def test_without_scenarios_no_scenario_handler_takes_a_turn(analyse):
    nothing = lambda: None  # noqa: E731
    turn = Turn(text="start a training scenario", intent="start_scenario")
    for handler in (ScenarioPlayHandler(nothing), PausedScenarioHandler(nothing), ScenarioRequestHandler(nothing, analyse)):
        assert handler.check(turn) is None and handler.answers_questions is False


def test_titles_are_analysed_once_per_library(engine):
    calls = []

    def counting(text):
        calls.append(text)
        return analyser_for(PROJECT_ROOT / "knowledge")(text)

    handler = ScenarioRequestHandler(lambda: engine, counting)
    for text in ("play the lockdown scenario", "start the three notifications case"):
        turn = Turn(text=text, intent="start_scenario", analysis=counting(text))
        handler.handle(turn, handler.check(turn), FakeChain())
    assert len(calls) == 2 + len(engine.library.scenarios)


def test_a_point_made_as_a_question_is_marked_not_answered_from_the_knowledge(respond, started, chain):
    reply = respond("Why are the children kept out of school? Is he using lockdown as an excuse to isolate them?",
                    "ask_definition", scenario(started))
    assert kinds(reply)[0] == "scenario_feedback" and chain.asked == []
    assert "isolation_tactic" in reply.messages[0].custom["covered"]


def test_a_scenario_that_changed_mid_play_is_said_so_with_a_restart_button(respond, started):
    from dataclasses import replace

    gone = replace(scenario(started), step="renamed_step")
    reply = respond("I would see the children", None, gone)
    assert kinds(reply) == ["scenario_changed"] and scenario(reply) is None
    assert reply.messages[0].buttons[0].payload == '/start_scenario{"scenario_id":"covid-kept-out"}'
    paused = replace(gone, paused=True)
    assert kinds(respond("continue", "affirm", paused)) == ["scenario_changed"]
