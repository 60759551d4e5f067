"""Turn a scenario and its model answers into a conversation test.

One play-through of the model answers (good or poor) becomes a scripted conversation in the
format of ``tests/conversation/scripts/``: each turn is the ``user`` message and the
``custom.type`` of every message of the reply, in order (``expect``); here each turn also has
``texts`` that must appear in the replies and ``not_texts`` that must not.

The expectations come from the scenario data (the key points' feedback, the next question,
the summary lines); the play is also run through the engine here, so an export that the
engine would not pass is refused with ExportError.
"""

from __future__ import annotations

import yaml

from bot.dialogue.types import payload
from bot.scenarios.engine import CHOOSE_SCENARIO, SCENARIO_CHOICE, Play, ScenarioEngine
from bot.scenarios.schema import Choice, Scenario, ScenarioLibrary, Step

MAX_TURNS = 100
# A conversation test is a new conversation, whose first reply opens with the notice.
OPENING_NOTICE = "opening_notice"


class ExportError(Exception):
    """The model answers do not play through as the scenario declares."""


def play_script(library: ScenarioLibrary, scenario_id: str, answers: str = "good") -> list[dict]:
    """The turns of a play with the good or poor model answers: each message, the reply's types
    and the texts to expect."""
    if answers not in ("good", "poor"):
        raise ExportError(f"answers must be 'good' or 'poor', not '{answers}'")
    engine, scenario = ScenarioEngine(library), library.get(scenario_id)
    if scenario is None:
        raise ExportError(f"unknown scenario '{scenario_id}'")
    t = library.settings.texts
    play = engine.start(scenario.id)
    turns = [_turn(payload(CHOOSE_SCENARIO, scenario_id=scenario.id), play,
                   [t["intro"].format(title=scenario.title), *_step_texts(library, scenario.first)], [], first=True)]
    visited: set[str] = set()
    while play.state is not None:
        if len(turns) > MAX_TURNS:
            raise ExportError(f"the play of '{scenario.id}' did not end within {MAX_TURNS} turns")
        step = _step(scenario, play.state.step)
        if step.is_choice:
            choice = _pick(step, answers, step.id in visited)
            visited.add(step.id)
            play = engine.choose(play.state, choice.id)
            texts = [t["choice_feedback"].format(label=choice.label), choice.feedback]
            not_texts: list[str] = []
            user, next_id = payload(SCENARIO_CHOICE, choice=choice.id, step=step.id), choice.next
        else:
            text, covers = _model_answer(library, step, answers)
            play = engine.answer(play.state, text)
            texts, not_texts = _feedback_texts(library, step, covers)
            user, next_id = text, step.next
        if next_id is None:
            texts += _summary_texts(engine, scenario, play)
        else:
            texts += _step_texts(library, _step(scenario, next_id))
        turns.append(_turn(user, play, texts, not_texts))
    return turns


def _step(scenario: Scenario, step_id: str | None) -> Step:
    step = scenario.step(step_id)
    if step is None:
        raise ExportError(f"'{scenario.id}' has no step '{step_id}'")
    return step


def _pick(step: Step, answers: str, seen_before: bool) -> Choice:
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


def _step_texts(library: ScenarioLibrary, step: Step) -> list[str]:
    return [step.question, library.settings.texts["reminder"]]


def _feedback_texts(library: ScenarioLibrary, step: Step, covers: list[str]) -> tuple[list[str], list[str]]:
    t = library.settings.texts
    hit = [kp for kp in step.key_points if kp.id in covers]
    missed = [kp for kp in step.key_points if kp.id not in covers]
    texts = ([t["covered_heading"]] + [kp.present for kp in hit]) if hit else [t["nothing_covered"]]
    texts += ([t["missed_heading"]] + [kp.missing for kp in missed]) if missed else [t["all_covered"]]
    not_texts = [kp.present for kp in missed] + ([] if missed else [t["missed_heading"]])
    return texts, not_texts


def _summary_texts(engine: ScenarioEngine, scenario: Scenario, play: Play) -> list[str]:
    t = engine.texts
    summary = next(m for m in play.messages if m.type == "scenario_summary")
    texts = [t["summary_heading"].format(title=scenario.title)]
    texts += [t["objective_line"].format(objective=r["text"], covered=r["covered"], total=r["total"])
              for r in summary.custom["objectives"]]
    if summary.custom["chosen"]:
        texts.append(t["choices_heading"])
        for picked in summary.custom["chosen"]:
            step = scenario.step(picked["step_id"])
            choice = step.choice(picked["choice"]) if step else None
            if step and choice:
                texts.append(t["choice_line"].format(question=step.question, label=choice.label.rstrip("."),
                                                     feedback=choice.feedback))
    revisit = summary.custom["revisit"]
    texts += [t["revisit_heading"], *[r["title"] for r in revisit]] if revisit else [t["nothing_to_revisit"]]
    return texts


def _turn(user: str, play: Play, texts: list[str], not_texts: list[str], first: bool = False) -> dict:
    said = play.text
    absent = [e for e in texts if e not in said]
    present = [e for e in not_texts if e in said]
    if absent or present:
        raise ExportError(f"after sending {user!r} the engine's reply does not match the scenario: "
                          f"missing {absent}, unexpected {present}")
    types = ([OPENING_NOTICE] if first else []) + play.custom_types
    turn = {"user": user, "expect": types, "texts": list(dict.fromkeys(texts))}
    if not_texts:
        turn["not_texts"] = list(dict.fromkeys(not_texts))
    return turn


def dump_play(turns: list[dict], scenario_id: str, answers: str) -> str:
    """The conversation test as YAML, with a header that says where it comes from."""
    header = (f"# Conversation test: scenario '{scenario_id}' played with the {answers} model answers.\n"
              f"# Written by `bot scenarios export {scenario_id} --answers {answers}`; do not edit by hand.\n"
              "# Each turn: send `user`; the reply's messages have the custom types in `expect`, in this\n"
              "# order; every `texts` string appears in the reply and no `not_texts` string does.\n")
    conversation = {"name": f"scenario {scenario_id}, {answers} answers", "turns": turns}
    return header + yaml.safe_dump({"conversations": [conversation]}, sort_keys=False, allow_unicode=True, width=100)
