"""Turn a scenario and its model answers into conversation tests.

Two files come out of one play-through of the model answers (good or poor):

- a play script: a YAML list of turns ``{send, expect, expect_not}`` that the conversation
  tests send to the running assistant, checking the feedback text of every reply;
- Rasa test stories (format 3.1) for the dialogue flow: ``start_scenario``,
  ``scenario_answer`` turns (typed, or a branch button with the ``choice`` entity), each followed by ``action_scenario``.

The expectations come from the scenario data (the key points' feedback, the next question,
the summary lines); the play is also run through the engine here, so an export that the
engine would not pass is refused with ExportError.
"""

from __future__ import annotations

import yaml

from bot.dialogue.types import button_payload
from bot.scenarios.engine import CHOOSE_SCENARIO, SCENARIO_CHOICE, Play, ScenarioEngine
from bot.scenarios.schema import Scenario, ScenarioLibrary, Step

ACTION = "action_scenario"
ANSWER_INTENT = "scenario_answer"
MAX_TURNS = 100


class ExportError(Exception):
    """The model answers do not play through as the scenario declares."""


def play_script(library: ScenarioLibrary, scenario_id: str, answers: str = "good") -> list[dict]:
    """The turns of a play with the good or poor model answers, each with the text to expect."""
    if answers not in ("good", "poor"):
        raise ExportError(f"answers must be 'good' or 'poor', not '{answers}'")
    engine, scenario = ScenarioEngine(library), library.get(scenario_id)
    if scenario is None:
        raise ExportError(f"unknown scenario '{scenario_id}'")
    t = library.settings.texts
    play = engine.start(scenario.id)
    turns = [_turn(button_payload(CHOOSE_SCENARIO, scenario_id=scenario.id), play,
                   [t["intro"].format(title=scenario.title), *_step_expect(library, scenario.first)], [])]
    visited: set[str] = set()
    while play.state is not None:
        if len(turns) > MAX_TURNS:
            raise ExportError(f"the play of '{scenario.id}' did not end within {MAX_TURNS} turns")
        step = scenario.step(play.state["step"])
        if step.is_choice:
            choice = _pick(step, answers, step.id in visited)
            visited.add(step.id)
            play = engine.choose(play.state, choice.id)
            expect, expect_not = [t["choice_feedback"].format(label=choice.label), choice.feedback], []
            send, next_id = button_payload(SCENARIO_CHOICE, choice=choice.id), choice.next
        else:
            text, covers = _model_answer(library, step, answers)
            play = engine.answer(play.state, text)
            expect, expect_not = _feedback_expect(library, step, covers)
            send, next_id = text, step.next
        if next_id is None:
            expect += _summary_expect(engine, scenario, play)
        else:
            expect += _step_expect(library, scenario.step(next_id))
        turns.append(_turn(send, play, expect, expect_not))
    return turns


def _pick(step: Step, answers: str, seen_before: bool):
    best = next(c for c in step.choices if c.best)
    if answers == "good" or seen_before:
        return best
    return next(c for c in step.choices if not c.best)


def _model_answer(library: ScenarioLibrary, step: Step, answers: str) -> tuple[str, list[str]]:
    if answers == "good":
        return step.good_answers[0], [kp.id for kp in step.key_points]
    if step.poor_answers:
        return step.poor_answers[0].text, list(step.poor_answers[0].covers)
    return library.settings.default_poor_answer, []


def _step_expect(library: ScenarioLibrary, step: Step) -> list[str]:
    return [step.question, library.settings.texts["reminder"]]


def _feedback_expect(library: ScenarioLibrary, step: Step, covers: list[str]) -> tuple[list[str], list[str]]:
    t = library.settings.texts
    hit = [kp for kp in step.key_points if kp.id in covers]
    missed = [kp for kp in step.key_points if kp.id not in covers]
    expect = ([t["covered_heading"]] + [kp.present for kp in hit]) if hit else [t["nothing_covered"]]
    expect += ([t["missed_heading"]] + [kp.missing for kp in missed]) if missed else [t["all_covered"]]
    expect_not = [kp.present for kp in missed] + ([] if missed else [t["missed_heading"]])
    return expect, expect_not


def _summary_expect(engine: ScenarioEngine, scenario: Scenario, play: Play) -> list[str]:
    t = engine.texts
    summary = next(m for m in play.messages if m.custom and m.custom.get("type") == "scenario_summary")
    expect = [t["summary_heading"].format(title=scenario.title)]
    expect += [t["objective_line"].format(objective=r["text"], covered=r["covered"], total=r["total"])
               for r in summary.custom["objectives"]]
    revisit = summary.custom["revisit"]
    expect += [t["revisit_heading"], *[r["title"] for r in revisit]] if revisit else [t["nothing_to_revisit"]]
    return expect


def _turn(send: str, play: Play, expect: list[str], expect_not: list[str]) -> dict:
    text = play.text
    absent = [e for e in expect if e not in text]
    present = [e for e in expect_not if e in text]
    if absent or present:
        raise ExportError(f"after sending {send!r} the engine's reply does not match the scenario: "
                          f"missing {absent}, unexpected {present}")
    turn = {"send": send, "expect": list(dict.fromkeys(expect))}
    if expect_not:
        turn["expect_not"] = list(dict.fromkeys(expect_not))
    return turn


def test_stories(library: ScenarioLibrary, scenario_id: str, answers: str, turns: list[dict] | None = None) -> dict:
    """Rasa test stories (3.1) for the play: each turn's intent (and entities), then action_scenario."""
    turns = turns if turns is not None else play_script(library, scenario_id, answers)
    steps: list[dict] = []
    for turn in turns:
        send = turn["send"]
        if send.startswith(f"/{CHOOSE_SCENARIO}"):
            steps.append({"intent": CHOOSE_SCENARIO, "entities": [{"scenario_id": scenario_id}]})
        elif send.startswith(f"/{SCENARIO_CHOICE}"):
            steps.append({"intent": SCENARIO_CHOICE, "entities": [{"choice": _entity(send, "choice")}]})
        else:
            steps.append({"intent": ANSWER_INTENT})
        steps.append({"action": ACTION})
    return {"version": "3.1", "stories": [{"story": f"scenario {scenario_id}, {answers} answers", "steps": steps}]}


test_stories.__test__ = False  # not a pytest test, despite its name


def _entity(payload: str, name: str) -> str:
    import json

    return json.loads(payload[payload.index("{"):])[name]


def dump_play(turns: list[dict], scenario_id: str, answers: str) -> str:
    header = (f"# Play script for scenario '{scenario_id}' with the {answers} model answers.\n"
              f"# Written by `bot scenarios export {scenario_id} --answers {answers}`; do not edit by hand.\n"
              "# Each turn: send this text, then every `expect` string must appear in the assistant's\n"
              "# reply texts and no `expect_not` string may.\n")
    return header + yaml.safe_dump(turns, sort_keys=False, allow_unicode=True, width=100)


def dump_stories(stories: dict) -> str:
    header = "# Rasa test stories written by `bot scenarios export`; do not edit by hand.\n"
    return header + yaml.safe_dump(stories, sort_keys=False, allow_unicode=True, width=100)
