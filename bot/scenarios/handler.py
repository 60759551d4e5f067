"""Training scenarios in the conversation: which engine call a turn is.

Three handlers, each in its own place in the router's order:

- ``ScenarioPlayHandler``, first of all: while a scenario is being played (started and not
  paused) every message belongs to the exercise. Case text and answers about violence are
  part of it, so they do not get the emergency reply; every step carries the one-line
  reminder that a real emergency means 999.
- ``PausedScenarioHandler``, right after the danger check: "continue", "quit" or "repeat"
  typed while a scenario is paused.
- ``ScenarioRequestHandler``, with the intents: the menu, starting a scenario (by its button
  or by naming it), a branch button from a scenario that has ended, and group sessions (a
  trainer's "start scenario seemed_well for group ABC123", a trainee's "join group ABC123").

A scenario that changed while it was played (its step renamed or removed) is said so, with a
button to start it again. For a trainee in a group, the key point ids covered, the options
chosen and the end are counted (``bot/scenarios/groups.py``); nothing else is kept.

The scenarios' content, marking and wording live in the engine and ``_settings.yml``. A
knowledge question asked on the way is answered through the ``Chain`` the router lends.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from bot.dialogue.handler import Chain
from bot.dialogue.state import ScenarioState
from bot.dialogue.types import Reply, Turn
from bot.insight.events import Insight, trying
from bot.scenarios.engine import CHOOSE_SCENARIO, SCENARIO_CHOICE, Play, ScenarioEngine
from bot.scenarios.groups import group_of
from bot.scenarios.schema import ScenarioLibrary

if TYPE_CHECKING:  # spaCy stays out until a turn is analysed
    from bot.nlp.pipeline import Analysis

# "Start a training scenario" typed, or a menu button with the scenario_id entity.
START_SCENARIO = CHOOSE_SCENARIO
# A typed answer ("I would speak to the children alone"), or a branch button with the choice entity.
SCENARIO_ANSWER = SCENARIO_CHOICE
ANSWERED = "answer"  # the kind of reply the knowledge handlers give when they found an answer

# The messages that say a scenario started, finished or was left, for the LSCP's report (ids only).
COUNTED_PLAY = {"scenario_intro": "started", "scenario_summary": "finished", "scenario_quit": "quit"}
CASE_QUESTION_WORDS = 8  # "can I try a training scenario?" has fewer content words than a case question
EngineGetter = Callable[[], ScenarioEngine | None]


class _ScenarioHandler:
    """What the three scenario handlers share: the current engine, turning plays into replies,
    and counting what a group's trainees did (ids and counts only)."""

    answers_questions = False

    def __init__(self, engine: EngineGetter, insight: Insight | None = None):
        self.engine = engine
        self.insight = insight

    def _reply(self, turn: Turn, play: Play, engine: ScenarioEngine | None = None) -> Reply:
        if engine is not None:
            count_group_play(engine, turn.state.scenario, play)
        if self.insight is not None:
            count_play(self.insight, play)
        return Reply("scenario", play.messages, turn.state.with_(scenario=play.state))

    @staticmethod
    def _menu(turn: Turn, engine: ScenarioEngine) -> Reply:
        """The menu; whatever scenario is under way or paused keeps its place."""
        return Reply("scenario", engine.menu(), turn.state)

    def _start(self, turn: Turn, engine: ScenarioEngine, scenario_id: str | None) -> Reply:
        return self._reply(turn, engine.start(scenario_id)) if scenario_id else self._menu(turn, engine)

    def _group(self, turn: Turn, engine: ScenarioEngine, request: tuple[str, str | None, str | None]) -> Reply:
        """A trainer opening a group session, or a trainee joining one."""
        kind, code, scenario_id = request
        play = open_group(engine, scenario_id, typed_code=code is not None) if kind == "open" else join_group(engine, code or "")
        if kind == "open":
            return Reply("scenario", play.messages, turn.state)
        return self._reply(turn, play)


class ScenarioPlayHandler(_ScenarioHandler):
    """Every message while a scenario is being played (started and not paused); and the first
    message after the scenario under way has changed so that it cannot go on (told so)."""

    def check(self, turn: Turn) -> ScenarioEngine | None:
        state = turn.state.scenario
        if state is None or state.paused:
            return None
        return self.engine()

    def handle(self, turn: Turn, engine: ScenarioEngine, chain: Chain) -> Reply:
        state = turn.state.scenario
        text = turn.text.strip()
        if turn.is_payload and turn.intent == START_SCENARIO:
            return self._start(turn, engine, next(iter(turn.entity_values("scenario_id")), None))
        if not engine.playing(state):
            return self._reply(turn, engine.changed(state))
        if not turn.is_payload and (request := engine.group_request(text)):
            return self._group(turn, engine, request)
        if turn.is_payload and turn.entity_values("choice"):
            step = next(iter(turn.entity_values("step")), None)  # the step the button belongs to
            return self._reply(turn, engine.choose(state, turn.entity_values("choice")[0], step), engine)
        if turn.is_payload and turn.entity_values("entry_id"):
            # A button from an earlier answer: show that entry, then offer to carry on.
            return self._aside(engine, turn, chain.answer(turn))
        if engine.command(text) is None and engine.looks_like_question(text) and not engine.makes_a_point(state, text):
            with trying(self.insight) as tried:
                answer = chain.answer(turn)
            if answer.kind == ANSWERED:
                tried.keep()
                return self._aside(engine, turn, answer)
        return self._reply(turn, engine.handle(state, text), engine)

    @staticmethod
    def _aside(engine: ScenarioEngine, turn: Turn, answer: Reply) -> Reply:
        """A knowledge answer given mid-scenario, then the offer to carry on (the place is kept)."""
        offer = engine.aside(turn.state.scenario)
        return answer.append(*offer.messages).with_(kind="scenario_aside",
                                                    state=answer.state.with_(scenario=offer.state))


class PausedScenarioHandler(_ScenarioHandler):
    """'continue', 'quit' or 'repeat' typed while a scenario is paused; anything else is not its.
    If the paused scenario has since changed so that it cannot go on, 'continue' is told so."""

    def check(self, turn: Turn) -> Callable[..., Play] | None:
        state = turn.state.scenario
        if state is None or not state.paused:
            return None
        engine = self.engine()
        if engine is None:
            return None
        command = engine.command(turn.text)
        if not engine.playing(state):
            return engine.changed if command in ("continue", "repeat") else None
        commands = {"continue": engine.resume, "quit": engine.quit, "repeat": engine.repeat}
        return commands.get(command) if command else None

    def handle(self, turn: Turn, command: Callable[..., Play], chain: Chain) -> Reply:
        return self._reply(turn, command(turn.state.scenario))


def open_group(engine: ScenarioEngine, scenario_id: str | None, typed_code: bool = False) -> Play:
    """A trainer's "start scenario seemed_well for a group": a session under a code the assistant
    makes (one a trainer typed is not used: it would be kept in the counters and the trainees' state)."""
    scenario = engine.library.get(scenario_id)
    if scenario is None or engine.groups is None:
        return engine.start(scenario_id or "")  # the menu, saying the scenario is unknown
    code = engine.groups.open_new(scenario.id)
    opened = engine.wording.say("group_opened", "scenario_group_opened", values={"code": code, "title": scenario.title},
                                scenario_id=scenario.id, code=code)
    if typed_code:
        return Play((engine.wording.say("group_code_made", "scenario_group_code_made"), opened), None)
    return Play((opened,), None)


def join_group(engine: ScenarioEngine, code: str) -> Play:
    """A trainee's "join group ABC123": the group's scenario, started with the code kept (a code the
    assistant made, so an id of its own; an unknown one is neither said back nor kept)."""
    scenario_id = engine.groups.scenario_for(code) if engine.groups is not None else None
    if scenario_id is None or engine.library.get(scenario_id) is None:
        return Play((engine.wording.say("group_unknown", "scenario_group_unknown"),), None)
    play = engine.start(scenario_id, group=code)
    engine.groups.record(code, scenario_id, "joined")  # type: ignore[union-attr]
    joined = engine.wording.say("group_joined", "scenario_group_joined", values={"code": code}, code=code)
    return Play((joined, *play.messages), play.state)


def count_play(insight: Insight, play: Play) -> None:
    """Count a scenario started, finished or left, by its id."""
    for message in play.messages:
        event = COUNTED_PLAY.get(message.type or "")
        if event is not None and (message.custom or {}).get("scenario_id"):
            insight.scenario(message.custom["scenario_id"], event)


def count_group_play(engine: ScenarioEngine, before: ScenarioState | None, play: Play) -> None:
    """Count, for a trainee in a group, the key points covered, the option chosen and the end."""
    code = group_of(before)
    if code is None or engine.groups is None or before is None:
        return
    for message in play.messages:
        custom = message.custom or {}
        if message.type == "scenario_feedback":
            engine.groups.record(code, before.scenario, custom["step_id"], "answered")
            for point in custom["covered"]:
                engine.groups.record(code, before.scenario, custom["step_id"], "point", point)
        elif message.type == "scenario_choice_feedback":
            engine.groups.record(code, before.scenario, custom["step_id"], "choice", custom["choice"])
        elif message.type == "scenario_summary":
            engine.groups.record(code, before.scenario, "finished")


class ScenarioRequestHandler(_ScenarioHandler):
    """The scenario intents when no scenario is being played: the menu, starting one, stale branches.

    A typed ``scenario_answer`` with nothing under way reads as a question or remark: it is
    left to the handlers after this one.
    """

    def __init__(self, engine: EngineGetter, analyse: Callable[[str], "Analysis"], insight: Insight | None = None):
        super().__init__(engine, insight)
        self.analyse = analyse
        self._titles: tuple[ScenarioLibrary | None, dict[str, frozenset[str]]] = (None, {})

    def check(self, turn: Turn) -> ScenarioEngine | None:
        if turn.intent == SCENARIO_ANSWER and turn.entity_values("choice"):
            return self.engine()
        engine = self.engine()
        if engine is not None and not turn.is_payload and engine.group_request(turn.text):
            return engine  # "start scenario seemed_well for group ABC123", "join group ABC123", whatever NLU read
        if turn.intent != START_SCENARIO:
            return None
        if engine is not None and self._asks_about_a_case(turn) and not self._named_scenario(engine, turn):
            return None  # "the scenario on our training day has ... - what should ...?": a question
        return engine

    @staticmethod
    def _asks_about_a_case(turn: Turn) -> bool:
        """A typed question with a case in it, not a request to play: a "?" and many content words."""
        words = len(turn.analysis.lemmas) if turn.analysis is not None else len(turn.text.split())
        return not turn.is_payload and "?" in turn.text and words > CASE_QUESTION_WORDS

    def handle(self, turn: Turn, engine: ScenarioEngine, chain: Chain) -> Reply:
        if not turn.is_payload and (request := engine.group_request(turn.text)):
            return self._group(turn, engine, request)
        if turn.intent == START_SCENARIO:
            chosen = turn.entity_values("scenario_id")
            return self._start(turn, engine, chosen[0] if chosen else self._named_scenario(engine, turn))
        # A branch button from a scenario that has since ended or been left.
        return self._reply(turn, engine.resume(None))

    def _named_scenario(self, engine: ScenarioEngine, turn: Turn) -> str | None:
        """The one scenario whose title shares the most words with a typed request, if any does."""
        if turn.is_payload or not turn.text.strip():
            return None
        analysis = turn.analysis if turn.analysis is not None else self.analyse(turn.text)
        wanted = set(analysis.lemmas) - set(engine.library.settings.generic_words)
        scores = sorted(((len(wanted & words), scenario_id)
                         for scenario_id, words in self._title_words(engine.library).items()), reverse=True)
        if not scores or scores[0][0] == 0 or (len(scores) > 1 and scores[1][0] == scores[0][0]):
            return None
        return scores[0][1]

    def _title_words(self, library: ScenarioLibrary) -> dict[str, frozenset[str]]:
        """Each scenario's title as lemmas, analysed once per library."""
        if self._titles[0] is not library:
            self._titles = (library, {s.id: frozenset(self.analyse(s.title).lemmas)
                                      for s in library.scenarios.values()})
        return self._titles[1]
