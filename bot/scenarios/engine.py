"""Playing a training scenario: pure functions from (state, what the trainee did) to a Play.

The state is a ``ScenarioState`` (``bot/dialogue/state.py``), kept in a Rasa slot between
turns: the scenario and step under way, the steps shown so far, the key points covered per
answered step and the option chosen per choice step. The engine never changes a state: it
returns a new one. Trainee answers are marked and forgotten: the state keeps only key point
ids, never the text. All wording comes from ``knowledge/scenarios/_settings.yml`` and the
scenario files.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, NamedTuple

from bot.dialogue.state import ScenarioState
from bot.dialogue.types import Button, Message, payload
from bot.scenarios.choosing import choice_from_text
from bot.scenarios.groups import with_group
from bot.scenarios.live import library_for
from bot.scenarios.loader import COMMANDS
from bot.scenarios.schema import Scenario, ScenarioLibrary, Step
from bot.scenarios.summary import finish, score
from bot.scenarios.wording import Wording
from bot.text.normalise import normalise

if TYPE_CHECKING:
    from bot.scenarios.groups import Groups

CHOOSE_SCENARIO = "start_scenario"  # the menu buttons: /start_scenario{"scenario_id": ...}
SCENARIO_CHOICE = "scenario_answer"  # a branch button is an answer: /scenario_answer{"choice": ...}
CONTINUE_SCENARIO = "continue"  # typed or pressed, the continue command (see _settings.yml)
QUIT_SCENARIO = "quit"  # typed or pressed, the quit command


@dataclass(frozen=True)
class Play:
    """What the assistant says after one turn of a scenario, and the state to keep."""

    messages: tuple[Message, ...]
    state: ScenarioState | None  # None: no scenario under way (finished, quit, or never started)
    finished: bool = False  # True only when the scenario was played to its end

    @property
    def custom_types(self) -> list[str]:
        return [m.type for m in self.messages if m.type]

    @property
    def text(self) -> str:
        return "\n".join(m.text for m in self.messages)


class _Current(NamedTuple):
    """A scenario under way: the scenario, its current step and the state."""

    scenario: Scenario
    step: Step
    state: ScenarioState


class ScenarioEngine:
    """Turns of a training scenario over a validated ``ScenarioLibrary``.

    ``groups`` (group sessions, ``bot/scenarios/groups.py``) is carried for the handlers, which
    count what a group's trainees did; the engine itself only plays.
    """

    def __init__(self, library: ScenarioLibrary, groups: "Groups | None" = None):
        self.library = library
        self.groups = groups
        self.wording = Wording(library)
        self.texts = library.settings.texts
        self.buttons = library.settings.buttons

    # -- reading what the trainee typed ------------------------------------------------------

    def command(self, text: str) -> str | None:
        """'quit', 'pause', 'repeat' or 'continue' when the whole message is that command, else None."""
        cleaned = normalise(text or "").strip(" .!?")
        patterns = self.library.settings.commands
        return next((c for c in COMMANDS if any(p.search(cleaned) for p in patterns[c])), None)

    def group_request(self, text: str) -> tuple[str, str | None, str | None] | None:
        """("open", code typed or None, scenario id) or ("join", code, None) when the message opens or
        joins a group."""
        cleaned = normalise(text or "").strip(" .!")
        for kind, patterns in self.library.settings.groups.items():
            found = next((m for p in patterns if (m := p.search(cleaned))), None)
            if found:
                named = found.groupdict().get("scenario")
                code = found.groupdict().get("code")
                return kind, code.upper() if code else None, self._scenario_named(named) if named else None
        return None

    def _scenario_named(self, name: str) -> str:
        """A scenario id from what a trainer typed: the id, or its file's name ("seemed_well")."""
        if name in self.library.scenarios:
            return name
        by_file = {Path(f).stem: sid for sid, f in self.library.files.items()}
        return by_file.get(name) or by_file.get(name.replace("-", "_")) or name.replace("_", "-")

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

    def makes_a_point(self, state: ScenarioState | None, text: str) -> bool:
        """Whether a message covers a key point of the step under way (a point made as a question,
        "Where is the father in this plan?", is an answer, not a knowledge question)."""
        current = self._current(state)
        if current is None or current.step.is_choice:
            return False
        return bool(self.library.marker.mark(current.step, text).covered)

    def playing(self, state: ScenarioState | None) -> bool:
        """Whether ``state`` is a scenario under way that this library can still play."""
        return self._current(state) is not None

    # -- the menu and the start --------------------------------------------------------------

    def menu(self) -> tuple[Message, ...]:
        """The scenarios as buttons ("Start a training scenario")."""
        scenarios = list(self.library.scenarios.values())
        if not scenarios:
            return (self.wording.say("menu_empty", "scenario_menu", scenarios=[]),)
        buttons = [Button(self.wording.text("menu_button", title=s.title, audience=s.audience),
                          payload(CHOOSE_SCENARIO, scenario_id=s.id)) for s in scenarios]
        listed = [{"id": s.id, "title": s.title, "audience": s.audience, "steps": len(s.steps)} for s in scenarios]
        return (self.wording.say("menu_prompt", "scenario_menu", buttons, scenarios=listed),)

    def start(self, scenario_id: str, group: str | None = None) -> Play:
        """The scenario's introduction and its first step (or the menu again if the id is unknown)."""
        scenario = self.library.get(scenario_id)
        if scenario is None:
            (menu,) = self.menu()
            return Play((menu.with_(text=self.texts["unknown_scenario"]),), None)
        state = ScenarioState(scenario=scenario.id, step=scenario.first.id, path=(scenario.first.id,))
        state = with_group(state, group)
        return Play((self._intro(scenario), self._step_message(scenario, scenario.first, state)), state)

    def changed(self, state: ScenarioState) -> Play:
        """The scenario under way has changed (its step is gone): say so and offer to start again."""
        scenario = self.library.get(state.scenario)
        if scenario is None:
            (menu,) = self.menu()
            return Play((self.wording.say("removed", "scenario_changed", scenario_id=state.scenario), menu), None)
        buttons = (Button(self.buttons["restart"], payload(CHOOSE_SCENARIO, scenario_id=scenario.id)),)
        return Play((self.wording.say("changed", "scenario_changed", buttons, {"title": scenario.title},
                                      scenario_id=scenario.id),), None)

    def _intro(self, scenario: Scenario) -> Message:
        w = self.wording
        citation = w.cite(scenario.citation)
        lines = [w.text("intro", title=scenario.title), w.text("audience", audience=scenario.audience),
                 self.texts["objectives_heading"], *w.items(o.text for o in scenario.objectives),
                 w.text("based_on", citation=citation["citation"]), self.texts["instructions"]]
        objectives = [{"id": o.id, "text": o.text} for o in scenario.objectives]
        custom = {"type": "scenario_intro", "scenario_id": scenario.id, "title": scenario.title,
                  "audience": scenario.audience, "objectives": objectives, "citations": [citation]}
        return Message("\n".join(lines), custom=custom)

    def _step_message(self, scenario: Scenario, step: Step, state: ScenarioState) -> Message:
        number = len(state.path)
        lines = [self.wording.text("step_heading", number=number), step.case, step.question]
        if step.is_choice:
            lines.append(self.texts["choose_prompt"])
        lines.append(self.texts["reminder"])
        buttons = tuple(Button(c.label, payload(SCENARIO_CHOICE, choice=c.id, step=step.id)) for c in step.choices)
        custom = {"type": "scenario_step", "scenario_id": scenario.id, "step_id": step.id, "number": number,
                  "kind": "choice" if step.is_choice else "question", "reminder": self.texts["reminder"]}
        return Message("\n".join(lines), buttons, custom)

    # -- answers and choices -----------------------------------------------------------------

    def answer(self, state: ScenarioState | None, text: str) -> Play:
        """Mark a typed answer to the current step: feedback, then the next step or the summary.

        At a choice step, typing a choice's label, its number, or words only one label has chooses it.
        """
        current = self._current(state)
        if current is None:
            return self._not_playing()
        scenario, step, state = current
        if step.is_choice:
            choice = choice_from_text(step, text, self.library.matcher)
            return self.choose(state, choice.id) if choice else self._not_a_choice(scenario, step, state)
        if not self.library.matcher.phrase(text or "").lemmas:
            return Play((self.wording.say("empty_answer", "scenario_empty_answer"),), state)
        covered = self.library.marker.mark(step, text).covered
        state = replace(state, covered={**state.covered, step.id: covered})
        return self._advance(scenario, state, step.next, (self._feedback(scenario, step, covered),))

    def choose(self, state: ScenarioState | None, option_id: str, step_id: str | None = None) -> Play:
        """Take a branch button: its feedback, then the step it leads to (or the summary). A
        button from an earlier step (``step_id`` not the current one) records nothing."""
        current = self._current(state)
        if current is None:
            return self._not_playing()
        scenario, step, state = current
        if step_id is not None and step_id != step.id:
            return Play((self.wording.say("stale_choice", "scenario_stale_button"),
                         self._step_message(scenario, step, state)), state)
        choice = step.choice(option_id) if step.is_choice else None
        if choice is None:
            return self._not_a_choice(scenario, step, state)
        citation = self.wording.cite(choice.citation)
        text = "\n".join([self.wording.text("choice_feedback", label=choice.label),
                          self.wording.text("cited", text=choice.feedback, citation=citation["citation"])])
        custom = {"type": "scenario_choice_feedback", "scenario_id": scenario.id, "step_id": step.id,
                  "choice": choice.id, "best": choice.best, "citations": [citation]}
        state = replace(state, choices={**state.choices, step.id: choice.id})
        return self._advance(scenario, state, choice.next, (Message(text, custom=custom),))

    def _not_a_choice(self, scenario: Scenario, step: Step, state: ScenarioState) -> Play:
        return Play((self.wording.say("not_a_choice", "scenario_not_a_choice"),
                     self._step_message(scenario, step, state)), state)

    def _feedback(self, scenario: Scenario, step: Step, covered: tuple[str, ...]) -> Message:
        t, w = self.texts, self.wording
        hit = [kp for kp in step.key_points if kp.id in covered]
        missed = [kp for kp in step.key_points if kp.id not in covered]
        lines = [t["covered_heading"], *w.cited_items((kp.present, kp.citation) for kp in hit)] \
            if hit else [t["nothing_covered"]]
        if missed:
            lines += [t["missed_heading"], *w.cited_items((kp.missing, kp.citation) for kp in missed)]
        else:
            lines.append(t["all_covered"])
        custom = {"type": "scenario_feedback", "scenario_id": scenario.id, "step_id": step.id,
                  "covered": [kp.id for kp in hit], "missed": [kp.id for kp in missed],
                  "citations": [w.cite(c) for c in dict.fromkeys(kp.citation for kp in step.key_points)]}
        return Message("\n".join(lines), custom=custom)

    def _advance(self, scenario: Scenario, state: ScenarioState, next_id: str | None,
                 before: tuple[Message, ...]) -> Play:
        step = scenario.step(next_id)
        if step is None:
            return Play((*before, *finish(self.wording, scenario, state)), None, finished=True)
        state = replace(state, step=step.id, path=(*state.path, step.id))
        return Play((*before, self._step_message(scenario, step, state)), state)

    def score(self, scenario: Scenario, state: ScenarioState) -> list[dict[str, Any]]:
        """Per learning objective: key points covered and in play, over the steps answered."""
        return score(scenario, state)

    # -- repeat, pause, resume, quit, and questions on the way -------------------------------

    def repeat(self, state: ScenarioState | None) -> Play:
        """The current step again."""
        current = self._current(state)
        if current is None:
            return self._not_playing()
        return Play((self._step_message(*current),), current.state)

    def pause(self, state: ScenarioState | None) -> Play:
        """Keep the place; offer to continue."""
        current = self._current(state)
        if current is None:
            return self._not_playing()
        paused = self.wording.say("paused", "scenario_paused", self._continue_buttons(),
                                  scenario_id=current.state.scenario)
        return Play((paused,), replace(current.state, paused=True))

    def resume(self, state: ScenarioState | None) -> Play:
        """Back to the current step after a pause or a question."""
        current = self._current(state)
        if current is None:
            return self._not_playing()
        resumed = self.wording.say("resumed", "scenario_resumed", scenario_id=current.state.scenario)
        return Play((resumed, self._step_message(*current)), current.state)

    def aside(self, state: ScenarioState | None) -> Play:
        """After a knowledge question asked mid-scenario has been answered: offer to carry on."""
        if state is None or self._current(state) is None:
            return self._not_playing()
        offer = self.wording.say("continue_offer", "scenario_continue_offer", self._continue_buttons(),
                                 scenario_id=state.scenario)
        return Play((offer,), state)

    def quit(self, state: ScenarioState | None) -> Play:
        """Leave the scenario (the state is dropped)."""
        return Play((self.wording.say("quit", "scenario_quit", scenario_id=state.scenario if state else None),), None)

    def handle(self, state: ScenarioState | None, text: str) -> Play:
        """One typed message during play: a command, or an answer (questions are the caller's)."""
        commands: dict[str | None, Callable[[ScenarioState | None], Play]] = {
            "quit": self.quit, "pause": self.pause, "repeat": self.repeat, "continue": self.resume}
        do = commands.get(self.command(text))
        return do(state) if do else self.answer(state, text)

    def _continue_buttons(self) -> tuple[Button, ...]:
        return (Button(self.buttons["continue"], CONTINUE_SCENARIO), Button(self.buttons["quit"], QUIT_SCENARIO))

    # -- helpers -----------------------------------------------------------------------------

    def _current(self, state: ScenarioState | None) -> _Current | None:
        """Where ``state`` is, with the state unpaused (the trainee is back in the scenario);
        None if it is no scenario this library can play."""
        if not isinstance(state, ScenarioState):
            return None
        scenario = self.library.get(state.scenario)
        step = scenario.step(state.step) if scenario else None
        return _Current(scenario, step, replace(state, paused=False)) if scenario and step else None

    def _not_playing(self) -> Play:
        return Play((self.wording.say("not_playing", "scenario_not_playing"), *self.menu()), None)


class EngineSource:
    """Gives the engine over the scenario files as they are now (read again when a file
    changes; see ``library_for``), or None without a scenarios folder."""

    def __init__(self, scenarios_dir: Path | None, knowledge_dir: Path | None = None,
                 groups: "Groups | None" = None):
        self.scenarios_dir = scenarios_dir
        self.knowledge_dir = knowledge_dir
        self._groups = groups
        self._engine: ScenarioEngine | None = None

    def __call__(self) -> ScenarioEngine | None:
        if self.scenarios_dir is None:
            return None
        library = library_for(self.scenarios_dir, self.knowledge_dir)
        if self._engine is None or self._engine.library is not library:
            self._engine = ScenarioEngine(library, self.groups)
        return self._engine

    @property
    def groups(self) -> "Groups":
        """Group sessions over the counters table of the configured database (made on first use)."""
        if self._groups is None:
            from bot.config import load_settings
            from bot.scenarios.groups import DatabaseCounters, Groups

            self._groups = Groups(DatabaseCounters(load_settings().database_url))
        return self._groups


def _opens_with(text: str, openers: tuple[str, ...]) -> str | None:
    return next((o for o in openers if text == o or text.startswith(o + " ") or text.startswith(o + ",")), None)
