"""Playing a training scenario: pure functions from (state, what the trainee did) to a Play.

The state is a small JSON-serialisable dict (kept in a Rasa slot between turns):

    {"scenario": "seemed-well",        # the scenario being played
     "step": "at_the_door",            # the step whose question is waiting for an answer
     "path": ["at_the_door"],          # steps shown so far, in order
     "covered": {"at_the_door": ["speak_with_children"]},   # key points covered per answered step
     "choices": {"new_partner": "share_information"},       # the button chosen per choice step
     "paused": false}

Trainee answers are marked and forgotten: the state keeps only key point ids, never the text.
All wording comes from ``knowledge/scenarios/_settings.yml`` and the scenario files.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.knowledge.schema import Citation
from bot.nlp.pipeline import normalise
from bot.dialogue.types import BotMessage, button_payload
from bot.scenarios.loader import COMMANDS, covered_points
from bot.scenarios.schema import Choice, Scenario, ScenarioLibrary, Step

CHOOSE_SCENARIO = "start_scenario"  # the menu buttons: /start_scenario{"scenario_id": ...}
SCENARIO_CHOICE = "scenario_answer"  # a branch button is an answer: /scenario_answer{"choice": ...}
CONTINUE_SCENARIO = "continue"  # typed or pressed, the continue command (see _settings.yml)
CHOOSE_ENTRY = "choose_entry"


@dataclass
class Play:
    """What the assistant says after one turn of a scenario, and the state to keep."""

    messages: list[BotMessage]
    state: dict | None  # None: no scenario under way (finished, quit, or never started)
    finished: bool = False  # True only when the scenario was played to its end
    custom_types: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.custom_types = [m.custom["type"] for m in self.messages if m.custom and "type" in m.custom]

    @property
    def text(self) -> str:
        return "\n".join(m.text for m in self.messages)


class ScenarioEngine:
    """Turns of a training scenario over a validated ``ScenarioLibrary``."""

    def __init__(self, library: ScenarioLibrary):
        self.library = library
        self.texts = library.settings.texts
        self.buttons = library.settings.buttons

    # -- reading what the trainee typed ------------------------------------------------------

    def command(self, text: str) -> str | None:
        """'quit', 'pause', 'repeat' or 'continue' when the whole message is that command, else None."""
        cleaned = normalise(text or "").strip(" .!?")
        patterns = self.library.settings.commands
        return next((c for c in COMMANDS if any(p.search(cleaned) for p in patterns[c])), None)

    def looks_like_question(self, text: str) -> bool:
        """Whether a message mid-scenario reads as a knowledge question rather than an answer.

        A question ends with "?" or opens with a question word, unless it opens like an answer
        ("I would ask who else lives there?") or the question word starts an embedded clause
        ("what I would do is speak to the children").
        """
        cleaned = normalise(text or "").strip()
        if not cleaned or self.command(cleaned):
            return False
        settings = self.library.settings
        if _opens_with(cleaned, settings.answer_openers):
            return False
        opener = _opens_with(cleaned, settings.question_openers)
        if opener:
            rest = cleaned[len(opener):].strip()
            if _opens_with(rest, settings.embedded_subjects) and not cleaned.endswith("?"):
                return False
            return True
        return cleaned.endswith("?")

    def playing(self, state: dict | None) -> bool:
        """Whether ``state`` is a scenario under way that this library can still play."""
        return self._current(state) is not None

    # -- the menu and the start --------------------------------------------------------------

    def menu(self) -> list[BotMessage]:
        """The scenarios as buttons ("Start a training scenario")."""
        scenarios = list(self.library.scenarios.values())
        if not scenarios:
            return [BotMessage(self.texts["menu_empty"], custom={"type": "scenario_menu", "scenarios": []})]
        buttons = [{"title": self.texts["menu_button"].format(title=s.title, audience=s.audience),
                    "payload": button_payload(CHOOSE_SCENARIO, scenario_id=s.id)} for s in scenarios]
        custom = {"type": "scenario_menu", "scenarios": [
            {"id": s.id, "title": s.title, "audience": s.audience, "steps": len(s.steps)} for s in scenarios]}
        return [BotMessage(self.texts["menu_prompt"], buttons=buttons, custom=custom)]

    def start(self, scenario_id: str) -> Play:
        """The scenario's introduction and its first step (or the menu again if the id is unknown)."""
        scenario = self.library.get(scenario_id)
        if scenario is None:
            menu = self.menu()[0]
            return Play([BotMessage(self.texts["unknown_scenario"], buttons=menu.buttons, custom=menu.custom)], None)
        state = {"scenario": scenario.id, "step": scenario.first.id, "path": [scenario.first.id],
                 "covered": {}, "choices": {}, "paused": False}
        return Play([self._intro(scenario), self._step_message(scenario, scenario.first, state)], state)

    def _intro(self, scenario: Scenario) -> BotMessage:
        t = self.texts
        citation = self._cite(scenario.citation)
        lines = [t["intro"].format(title=scenario.title), t["audience"].format(audience=scenario.audience),
                 t["objectives_heading"], *[f"- {o.text}" for o in scenario.objectives],
                 t["based_on"].format(citation=citation["citation"]), t["instructions"]]
        custom = {"type": "scenario_intro", "scenario_id": scenario.id, "title": scenario.title,
                  "audience": scenario.audience, "objectives": [{"id": o.id, "text": o.text} for o in scenario.objectives],
                  "citations": [citation]}
        return BotMessage("\n".join(lines), custom=custom)

    def _step_message(self, scenario: Scenario, step: Step, state: dict) -> BotMessage:
        t = self.texts
        lines = [t["step_heading"].format(number=len(state["path"])), step.case, step.question]
        if step.is_choice:
            lines.append(t["choose_prompt"])
        lines.append(t["reminder"])
        buttons = [{"title": c.label, "payload": button_payload(SCENARIO_CHOICE, choice=c.id)} for c in step.choices]
        custom = {"type": "scenario_step", "scenario_id": scenario.id, "step_id": step.id,
                  "number": len(state["path"]), "kind": "choice" if step.is_choice else "question",
                  "reminder": t["reminder"]}
        return BotMessage("\n".join(lines), buttons=buttons, custom=custom)

    # -- answers and choices -----------------------------------------------------------------

    def answer(self, state: dict | None, text: str) -> Play:
        """Mark a typed answer to the current step: feedback, then the next step or the summary.

        At a choice step, typing a choice's label (or its number) chooses it.
        """
        current = self._current(state)
        if current is None:
            return self._not_playing()
        scenario, step = current
        state = {**state, "paused": False}
        if step.is_choice:
            choice = self._choice_from_text(step, text)
            if choice is None:
                return Play([BotMessage(self.texts["not_a_choice"], custom={"type": "scenario_not_a_choice"}),
                             self._step_message(scenario, step, state)], state)
            return self.choose(state, choice.id)
        if not self.library.matcher.phrase(text or "").lemmas:
            return Play([BotMessage(self.texts["empty_answer"], custom={"type": "scenario_empty_answer"})], state)
        covered = covered_points(self.library.matcher, step.key_points, text)
        feedback = self._feedback(scenario, step, covered)
        state = {**state, "covered": {**state["covered"], step.id: covered}}
        return self._advance(scenario, state, step.next, [feedback])

    def choose(self, state: dict | None, option_id: str) -> Play:
        """Take a branch button: its feedback, then the step it leads to (or the summary)."""
        current = self._current(state)
        if current is None:
            return self._not_playing()
        scenario, step = current
        state = {**state, "paused": False}
        choice = step.choice(option_id) if step.is_choice else None
        if choice is None:
            return Play([BotMessage(self.texts["not_a_choice"], custom={"type": "scenario_not_a_choice"}),
                         self._step_message(scenario, step, state)], state)
        citation = self._cite(choice.citation)
        text = "\n".join([self.texts["choice_feedback"].format(label=choice.label),
                          f"{choice.feedback} ({citation['citation']})"])
        custom = {"type": "scenario_choice_feedback", "scenario_id": scenario.id, "step_id": step.id,
                  "choice": choice.id, "best": choice.best, "citations": [citation]}
        state = {**state, "choices": {**state.get("choices", {}), step.id: choice.id}}
        return self._advance(scenario, state, choice.next, [BotMessage(text, custom=custom)])

    @staticmethod
    def _choice_from_text(step: Step, text: str) -> Choice | None:
        cleaned = normalise(text or "").strip(" .!")
        if cleaned.isdigit() and 0 < int(cleaned) <= len(step.choices):
            return step.choices[int(cleaned) - 1]
        return next((c for c in step.choices if normalise(c.label).strip(" .!") == cleaned or c.id == cleaned), None)

    def _feedback(self, scenario: Scenario, step: Step, covered: list[str]) -> BotMessage:
        t = self.texts
        hit = [kp for kp in step.key_points if kp.id in covered]
        missed = [kp for kp in step.key_points if kp.id not in covered]
        lines = [t["covered_heading"], *[f"- {kp.present} ({self._cite(kp.citation)['citation']})" for kp in hit]] \
            if hit else [t["nothing_covered"]]
        if missed:
            lines += [t["missed_heading"], *[f"- {kp.missing} ({self._cite(kp.citation)['citation']})" for kp in missed]]
        else:
            lines.append(t["all_covered"])
        citations = [self._cite(kp.citation) for kp in step.key_points]
        custom = {"type": "scenario_feedback", "scenario_id": scenario.id, "step_id": step.id,
                  "covered": [kp.id for kp in hit], "missed": [kp.id for kp in missed],
                  "citations": _unique(citations)}
        return BotMessage("\n".join(lines), custom=custom)

    def _advance(self, scenario: Scenario, state: dict, next_id: str | None, before: list[BotMessage]) -> Play:
        if next_id is None:
            return self._finish(scenario, state, before)
        step = scenario.step(next_id)
        state = {**state, "step": step.id, "path": [*state["path"], step.id]}
        return Play([*before, self._step_message(scenario, step, state)], state)

    # -- the end -----------------------------------------------------------------------------

    def score(self, scenario: Scenario, state: dict) -> list[dict]:
        """Per learning objective: key points covered and in play, over the steps answered."""
        answered = [scenario.step(s) for s in dict.fromkeys(state["path"]) if s in state["covered"]]
        rows = []
        for objective in scenario.objectives:
            points = [(step, kp) for step in answered for kp in step.key_points if kp.objective == objective.id]
            covered = sum(kp.id in state["covered"][step.id] for step, kp in points)
            rows.append({"id": objective.id, "text": objective.text, "covered": covered, "total": len(points)})
        return [r for r in rows if r["total"]]

    def revisit(self, scenario: Scenario, state: dict) -> list[str]:
        """The knowledge entries behind the key points missed, each once, in play order."""
        entries = [kp.entry for s in dict.fromkeys(state["path"]) if s in state["covered"]
                   for kp in scenario.step(s).key_points if kp.id not in state["covered"][s]]
        return list(dict.fromkeys(entries))

    def _finish(self, scenario: Scenario, state: dict, before: list[BotMessage]) -> Play:
        t = self.texts
        messages = list(before)
        if scenario.debrief:
            citation = self._cite(scenario.citation)
            messages.append(BotMessage(f"{t['debrief_heading']}\n{scenario.debrief} ({citation['citation']})",
                                       custom={"type": "scenario_debrief", "scenario_id": scenario.id,
                                               "citations": [citation]}))
        rows, revisit = self.score(scenario, state), self.revisit(scenario, state)
        lines = [t["summary_heading"].format(title=scenario.title)]
        lines += [t["objective_line"].format(objective=r["text"], covered=r["covered"], total=r["total"]) for r in rows]
        if revisit:
            lines += [t["revisit_heading"], *[f"- {self.library.entry_titles[e]}" for e in revisit]]
        else:
            lines.append(t["nothing_to_revisit"])
        lines.append(t["finished"])
        buttons = [{"title": self.library.entry_titles[e], "payload": button_payload(CHOOSE_ENTRY, entry_id=e)}
                   for e in revisit]
        custom = {"type": "scenario_summary", "scenario_id": scenario.id, "objectives": rows,
                  "revisit": [{"entry_id": e, "title": self.library.entry_titles[e]} for e in revisit],
                  "choices": dict(state.get("choices", {}))}
        messages.append(BotMessage("\n".join(lines), buttons=buttons, custom=custom))
        return Play(messages, None, finished=True)

    # -- repeat, pause, resume, quit, and questions on the way -------------------------------

    def repeat(self, state: dict | None) -> Play:
        """The current step again."""
        current = self._current(state)
        if current is None:
            return self._not_playing()
        state = {**state, "paused": False}
        return Play([self._step_message(*current, state)], state)

    def pause(self, state: dict | None) -> Play:
        """Keep the place; offer to continue."""
        if self._current(state) is None:
            return self._not_playing()
        state = {**state, "paused": True}
        return Play([BotMessage(self.texts["paused"], buttons=self._continue_buttons(),
                                custom={"type": "scenario_paused", "scenario_id": state["scenario"]})], state)

    def resume(self, state: dict | None) -> Play:
        """Back to the current step after a pause or a question."""
        current = self._current(state)
        if current is None:
            return self._not_playing()
        state = {**state, "paused": False}
        resumed = BotMessage(self.texts["resumed"], custom={"type": "scenario_resumed", "scenario_id": state["scenario"]})
        return Play([resumed, self._step_message(*current, state)], state)

    def aside(self, state: dict | None) -> Play:
        """After a knowledge question asked mid-scenario has been answered: offer to carry on."""
        if self._current(state) is None:
            return self._not_playing()
        return Play([BotMessage(self.texts["continue_offer"], buttons=self._continue_buttons(),
                                custom={"type": "scenario_continue_offer", "scenario_id": state["scenario"]})], state)

    def quit(self, state: dict | None) -> Play:
        """Leave the scenario (the state is dropped)."""
        scenario_id = (state or {}).get("scenario")
        return Play([BotMessage(self.texts["quit"], custom={"type": "scenario_quit", "scenario_id": scenario_id})], None)

    def handle(self, state: dict | None, text: str) -> Play:
        """One typed message during play: a command, or an answer (questions are the caller's)."""
        command = self.command(text)
        if command == "quit":
            return self.quit(state)
        if command == "pause":
            return self.pause(state)
        if command == "repeat":
            return self.repeat(state)
        if command == "continue":
            return self.resume(state)
        return self.answer(state, text)

    def _continue_buttons(self) -> list[dict]:
        return [{"title": self.buttons["continue"], "payload": CONTINUE_SCENARIO},
                {"title": self.buttons["quit"], "payload": "quit"}]

    # -- helpers -----------------------------------------------------------------------------

    def _current(self, state: dict | None) -> tuple[Scenario, Step] | None:
        if not isinstance(state, dict):
            return None
        scenario = self.library.get(state.get("scenario"))
        step = scenario.step(state.get("step")) if scenario else None
        if step is None or not isinstance(state.get("path"), list) or not isinstance(state.get("covered"), dict):
            return None
        return scenario, step

    def _not_playing(self) -> Play:
        return Play([BotMessage(self.texts["not_playing"], custom={"type": "scenario_not_playing"}), *self.menu()], None)

    def _cite(self, citation: Citation) -> dict:
        return {"source": citation.source, "section": citation.section, "citation": self.library.cite(citation)}


def _opens_with(text: str, openers: tuple[str, ...]) -> str | None:
    return next((o for o in openers if text == o or text.startswith(o + " ") or text.startswith(o + ",")), None)


def _unique(items: list[dict]) -> list[dict]:
    seen, out = set(), []
    for item in items:
        key = (item["source"], item["section"])
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out
