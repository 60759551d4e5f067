"""Training scenarios as a dialogue: the menu, playing a case step by step, commands, and
knowledge questions asked on the way.

A mixin of ``Assistant``. The scenarios' content, marking and wording live in
``bot.scenarios``; this module only decides which engine call a message is.

While a scenario is being played (started and not paused) every message belongs to the
exercise: case text and answers about violence are part of it, so they do not get the
emergency reply; every step carries the one-line reminder that a real emergency means 999.
"""

from __future__ import annotations

from pathlib import Path

from bot.dialogue.types import Reply, Turn
from bot.scenarios import CHOOSE_SCENARIO, SCENARIO_CHOICE, Play, ScenarioEngine, library_for

# "Start a training scenario" typed, or a menu button with the scenario_id entity.
START_SCENARIO = CHOOSE_SCENARIO
# A typed answer ("I would speak to the children alone"), or a branch button with the choice entity.
SCENARIO_ANSWER = SCENARIO_CHOICE
# Words of "start the lockdown scenario" that name no particular scenario.
GENERIC_WORDS = {"scenario", "case", "training", "exercise", "start", "play", "practise", "practice", "one", "do",
                 "let", "like", "want", "try", "vignette", "study", "another", "new", "different", "please", "give"}


class ScenarioDialogue:
    """Scenario turns for ``Assistant``; see ``bot.scenarios`` for the data and the marking."""

    scenarios_dir: Path | None = None
    _scenario_engine: ScenarioEngine | None = None

    def scenario_engine(self) -> ScenarioEngine | None:
        """The engine over the scenario files as they are now (re-read when a file changes)."""
        if self.scenarios_dir is None:
            return None
        library = library_for(self.scenarios_dir, self.knowledge_dir)
        if self._scenario_engine is None or self._scenario_engine.library is not library:
            self._scenario_engine = ScenarioEngine(library)
        return self._scenario_engine

    def _playing(self, turn: Turn) -> bool:
        """A scenario is under way and not paused: the message is part of the exercise."""
        state = turn.scenario
        if not isinstance(state, dict) or state.get("paused"):
            return False
        engine = self.scenario_engine()
        return engine is not None and engine.playing(state)

    def _paused_scenario_command(self, turn: Turn) -> Reply | None:
        """'continue', 'quit' or 'repeat' typed while a scenario is paused; None for anything else."""
        if not isinstance(turn.scenario, dict):
            return None
        engine = self.scenario_engine()
        if engine is None or not engine.playing(turn.scenario):
            return None
        do = {"continue": engine.resume, "quit": engine.quit, "repeat": engine.repeat}.get(engine.command(turn.text))
        return self._play(do(turn.scenario)) if do else None

    def scenario(self, turn: Turn) -> Reply:
        """Entry point for the scenario intents (the menu, choosing one, a branch, an answer)."""
        return self._guarded(turn, self._scenario_request)

    def _scenario_request(self, turn: Turn) -> Reply:
        """A scenario intent when no scenario is being played."""
        engine = self.scenario_engine()
        if engine is None:
            return self._answer(turn)
        chosen = turn.entity_values("scenario_id")
        if turn.intent == START_SCENARIO:
            named = chosen[0] if chosen else self._named_scenario(engine, turn.text)
            return self._play(engine.start(named)) if named else Reply("scenario", engine.menu())
        if turn.entity_values("choice"):
            # A branch button from a scenario that has since ended or been left.
            return self._play(engine.resume(None))
        # A typed "scenario_answer" with nothing under way reads as a question or remark: answer it.
        return self._answer(turn)

    def _scenario_turn(self, turn: Turn) -> Reply:
        """One message while a scenario is under way."""
        engine = self.scenario_engine()
        state = turn.scenario
        text = (turn.text or "").strip()
        if text.startswith("/") and turn.intent == START_SCENARIO:
            chosen = turn.entity_values("scenario_id")
            return self._play(engine.start(chosen[0])) if chosen else Reply("scenario", engine.menu())
        if text.startswith("/") and turn.entity_values("choice"):
            return self._play(engine.choose(state, turn.entity_values("choice")[0]))
        if text.startswith("/") and turn.entity_values("entry_id"):
            # A button from an earlier answer: show that entry, then offer to carry on.
            return self._aside(engine, state, self._answer(turn))
        if engine.command(text) is None and engine.looks_like_question(text):
            answer = self._answer(turn)
            if answer.kind == "answer":
                return self._aside(engine, state, answer)
        return self._play(engine.handle(state, text))

    def _named_scenario(self, engine: ScenarioEngine, text: str) -> str | None:
        """The one scenario whose title shares the most words with a typed request, if any does."""
        if not text or text.startswith("/"):
            return None
        wanted = set(self.index.analyse(text).lemmas) - GENERIC_WORDS
        scores = sorted(((len(wanted & set(self.index.analyse(s.title).lemmas)), s.id)
                         for s in engine.library.scenarios.values()), reverse=True)
        if not scores or scores[0][0] == 0 or (len(scores) > 1 and scores[1][0] == scores[0][0]):
            return None
        return scores[0][1]

    def _aside(self, engine: ScenarioEngine, state: dict, answer: Reply) -> Reply:
        """A knowledge answer given mid-scenario, then the offer to carry on (the place is kept)."""
        offer = engine.aside(state)
        answer.messages += offer.messages
        answer.kind = "scenario_aside"
        answer.scenario, answer.scenario_changed = offer.state, True
        return answer

    @staticmethod
    def _play(play: Play) -> Reply:
        return Reply("scenario", play.messages, scenario=play.state, scenario_changed=True)
