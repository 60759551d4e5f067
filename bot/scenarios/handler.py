"""Training scenarios in the conversation: which engine call a turn is.

Three handlers, each in its own place in the router's order:

- ``ScenarioPlayHandler``, first of all: while a scenario is being played (started and not
  paused) every message belongs to the exercise. Case text and answers about violence are
  part of it, so they do not get the emergency reply; every step carries the one-line
  reminder that a real emergency means 999.
- ``PausedScenarioHandler``, right after the danger check: "continue", "quit" or "repeat"
  typed while a scenario is paused.
- ``ScenarioRequestHandler``, with the intents: the menu, starting a scenario (by its button
  or by naming it), and a branch button from a scenario that has ended.

The scenarios' content, marking and wording live in the engine and ``_settings.yml``. A
knowledge question asked on the way is answered through the ``Chain`` the router lends.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from bot.dialogue.handler import Chain
from bot.dialogue.types import Reply, Turn
from bot.scenarios.engine import CHOOSE_SCENARIO, SCENARIO_CHOICE, Play, ScenarioEngine
from bot.scenarios.schema import ScenarioLibrary

if TYPE_CHECKING:  # spaCy stays out until a turn is analysed
    from bot.nlp.pipeline import Analysis

# "Start a training scenario" typed, or a menu button with the scenario_id entity.
START_SCENARIO = CHOOSE_SCENARIO
# A typed answer ("I would speak to the children alone"), or a branch button with the choice entity.
SCENARIO_ANSWER = SCENARIO_CHOICE
ANSWERED = "answer"  # the kind of reply the knowledge handlers give when they found an answer

CASE_QUESTION_WORDS = 8  # "can I try a training scenario?" has fewer content words than a case question
EngineGetter = Callable[[], ScenarioEngine | None]


class _ScenarioHandler:
    """What the three scenario handlers share: the current engine, and turning plays into replies."""

    answers_questions = False

    def __init__(self, engine: EngineGetter):
        self.engine = engine

    @staticmethod
    def _reply(turn: Turn, play: Play) -> Reply:
        return Reply("scenario", play.messages, turn.state.with_(scenario=play.state))

    @staticmethod
    def _menu(turn: Turn, engine: ScenarioEngine) -> Reply:
        """The menu; whatever scenario is under way or paused keeps its place."""
        return Reply("scenario", engine.menu(), turn.state)

    def _start(self, turn: Turn, engine: ScenarioEngine, scenario_id: str | None) -> Reply:
        return self._reply(turn, engine.start(scenario_id)) if scenario_id else self._menu(turn, engine)


class ScenarioPlayHandler(_ScenarioHandler):
    """Every message while a scenario is being played (started and not paused)."""

    def check(self, turn: Turn) -> ScenarioEngine | None:
        state = turn.state.scenario
        if state is None or state.paused:
            return None
        engine = self.engine()
        return engine if engine is not None and engine.playing(state) else None

    def handle(self, turn: Turn, engine: ScenarioEngine, chain: Chain) -> Reply:
        state = turn.state.scenario
        text = turn.text.strip()
        if turn.is_payload and turn.intent == START_SCENARIO:
            return self._start(turn, engine, next(iter(turn.entity_values("scenario_id")), None))
        if turn.is_payload and turn.entity_values("choice"):
            return self._reply(turn, engine.choose(state, turn.entity_values("choice")[0]))
        if turn.is_payload and turn.entity_values("entry_id"):
            # A button from an earlier answer: show that entry, then offer to carry on.
            return self._aside(engine, turn, chain.answer(turn))
        if engine.command(text) is None and engine.looks_like_question(text):
            answer = chain.answer(turn)
            if answer.kind == ANSWERED:
                return self._aside(engine, turn, answer)
        return self._reply(turn, engine.handle(state, text))

    @staticmethod
    def _aside(engine: ScenarioEngine, turn: Turn, answer: Reply) -> Reply:
        """A knowledge answer given mid-scenario, then the offer to carry on (the place is kept)."""
        offer = engine.aside(turn.state.scenario)
        return answer.append(*offer.messages).with_(kind="scenario_aside",
                                                    state=answer.state.with_(scenario=offer.state))


class PausedScenarioHandler(_ScenarioHandler):
    """'continue', 'quit' or 'repeat' typed while a scenario is paused; anything else is not its."""

    def check(self, turn: Turn) -> Callable[..., Play] | None:
        state = turn.state.scenario
        if state is None or not state.paused:
            return None
        engine = self.engine()
        if engine is None or not engine.playing(state):
            return None
        command = engine.command(turn.text)
        commands = {"continue": engine.resume, "quit": engine.quit, "repeat": engine.repeat}
        return commands.get(command) if command else None

    def handle(self, turn: Turn, command: Callable[..., Play], chain: Chain) -> Reply:
        return self._reply(turn, command(turn.state.scenario))


class ScenarioRequestHandler(_ScenarioHandler):
    """The scenario intents when no scenario is being played: the menu, starting one, stale branches.

    A typed ``scenario_answer`` with nothing under way reads as a question or remark: it is
    left to the handlers after this one.
    """

    def __init__(self, engine: EngineGetter, analyse: Callable[[str], "Analysis"]):
        super().__init__(engine)
        self.analyse = analyse
        self._titles: tuple[ScenarioLibrary | None, dict[str, frozenset[str]]] = (None, {})

    def check(self, turn: Turn) -> ScenarioEngine | None:
        if turn.intent == SCENARIO_ANSWER and turn.entity_values("choice"):
            return self.engine()
        if turn.intent != START_SCENARIO:
            return None
        engine = self.engine()
        if engine is not None and self._asks_about_a_case(turn) and not self._named_scenario(engine, turn):
            return None  # "the scenario on our training day has ... - what should ...?": a question
        return engine

    @staticmethod
    def _asks_about_a_case(turn: Turn) -> bool:
        """A typed question with a case in it, not a request to play: a "?" and many content words."""
        words = len(turn.analysis.lemmas) if turn.analysis is not None else len(turn.text.split())
        return not turn.is_payload and "?" in turn.text and words > CASE_QUESTION_WORDS

    def handle(self, turn: Turn, engine: ScenarioEngine, chain: Chain) -> Reply:
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
