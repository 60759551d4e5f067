"""The end of a scenario: what the review found, then the summary of the trainee's play.

The summary scores the key points covered per learning objective, lists each option chosen at
a choice step with its feedback, and offers the principles behind the missed points as buttons.
"""

from __future__ import annotations

from typing import Any

from bot.dialogue.state import ScenarioState
from bot.dialogue.types import Button, Message, payload
from bot.scenarios.groups import choices_of
from bot.scenarios.schema import Choice, Scenario, Step
from bot.scenarios.wording import Wording

CHOOSE_ENTRY = "choose_entry"


def answered(scenario: Scenario, state: ScenarioState) -> list[Step]:
    """The typed-answer steps answered so far, each once, in play order."""
    return [step for s in dict.fromkeys(state.path) if s in state.covered and (step := scenario.step(s))]


def chosen(scenario: Scenario, state: ScenarioState) -> list[tuple[Step, Choice]]:
    """The choice steps taken so far and the option picked at each, in play order."""
    picks = choices_of(state)
    found = []
    for step_id in dict.fromkeys(state.path):
        step = scenario.step(step_id)
        choice = step.choice(picks[step_id]) if step is not None and step_id in picks else None
        if step is not None and choice is not None:
            found.append((step, choice))
    return found


def score(scenario: Scenario, state: ScenarioState) -> list[dict[str, Any]]:
    """Per learning objective: key points covered and in play, over the steps answered."""
    steps = answered(scenario, state)
    rows = []
    for objective in scenario.objectives:
        points = [(step, kp) for step in steps for kp in step.key_points if kp.objective == objective.id]
        covered = sum(kp.id in state.covered[step.id] for step, kp in points)
        rows.append({"id": objective.id, "text": objective.text, "covered": covered, "total": len(points)})
    return [r for r in rows if r["total"]]


def revisit(scenario: Scenario, state: ScenarioState) -> list[str]:
    """The knowledge entries behind the key points missed, each once, in play order."""
    entries = [kp.entry for step in answered(scenario, state)
               for kp in step.key_points if kp.id not in state.covered[step.id]]
    return list(dict.fromkeys(entries))


def finish(wording: Wording, scenario: Scenario, state: ScenarioState) -> list[Message]:
    """The debrief (if the scenario has one) and the summary."""
    messages = []
    if scenario.debrief:
        citation = wording.cite(scenario.citation)
        text = "\n".join([wording.texts["debrief_heading"],
                          wording.text("cited", text=scenario.debrief, citation=citation["citation"])])
        messages.append(Message(text, custom={"type": "scenario_debrief", "scenario_id": scenario.id,
                                              "citations": [citation]}))
    messages.append(_summary(wording, scenario, state))
    return messages


def _summary(wording: Wording, scenario: Scenario, state: ScenarioState) -> Message:
    t, titles = wording.texts, wording.library.entry_titles
    rows, entries, picks = score(scenario, state), revisit(scenario, state), chosen(scenario, state)
    lines = [wording.text("summary_heading", title=scenario.title)]
    lines += [wording.text("objective_line", objective=r["text"], covered=r["covered"], total=r["total"]) for r in rows]
    if picks:
        lines.append(t["choices_heading"])
        lines += wording.items(wording.text("choice_line", question=step.question, label=choice.label.rstrip("."),
                                            feedback=choice.feedback) for step, choice in picks)
    lines += [t["revisit_heading"], *wording.items(titles[e] for e in entries)] if entries else [t["nothing_to_revisit"]]
    lines.append(t["finished"])
    buttons = tuple(Button(titles[e], payload(CHOOSE_ENTRY, entry_id=e)) for e in entries)
    custom = {"type": "scenario_summary", "scenario_id": scenario.id, "objectives": rows,
              "revisit": [{"entry_id": e, "title": titles[e]} for e in entries],
              "choices": {step.id: choice.id for step, choice in picks},
              "chosen": [{"step_id": step.id, "choice": choice.id, "label": choice.label, "best": choice.best}
                         for step, choice in picks]}
    return Message("\n".join(lines), buttons, custom)
