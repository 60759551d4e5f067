"""The immediate-danger check in the conversation: the 999 message first, whatever else the
message is, and then, unless the danger is certain, the usual reply."""

from __future__ import annotations

from dataclasses import dataclass

from bot.dialogue.handler import Chain
from bot.dialogue.render import Renderer
from bot.dialogue.types import Reply, Turn
from bot.safety.check import DangerCheck

IMMEDIATE_DANGER = "immediate_danger"
SURE_DANGER = 0.9  # NLU confidence above which a danger message gets only the 999 message
# Replies not worth adding after the 999 message.
NOTHING_TO_ADD = {"empty", "not_english", "error"}


@dataclass(frozen=True)
class Danger:
    """Why a message gets the 999 message: the safety patterns, and how sure NLU is."""

    pattern: bool
    sure: bool  # the immediate_danger intent, with the patterns or high confidence


class SafetyHandler:
    """999 first. A message the safety patterns match and NLU reads as danger (or NLU is sure
    of) gets only the 999 message; when only an unsure guess said "danger" (a question about a
    frightened child, say), the usual reply follows it. During the reflection the reflection
    keeps its place (see ``ReflectionHandler``)."""

    answers_questions = False

    def __init__(self, check: DangerCheck, renderer: Renderer):
        self.danger = check
        self.render = renderer

    def check(self, turn: Turn) -> Danger | None:
        pattern = self.danger.matches(turn.text)
        if not pattern and turn.intent != IMMEDIATE_DANGER:
            return None
        sure = turn.intent == IMMEDIATE_DANGER and (pattern or turn.confidence >= SURE_DANGER)
        return Danger(pattern=pattern, sure=sure)

    def handle(self, turn: Turn, danger: Danger, chain: Chain) -> Reply:
        message = self.render.say("immediate_danger")
        reflection = turn.state.reflection
        reflecting = reflection is not None and reflection.started
        if danger.sure and not reflecting:
            return Reply(IMMEDIATE_DANGER, (message,), turn.state, danger=True)
        rest = chain.rest(turn.with_(danger="sure" if danger.pattern or danger.sure else "unsure"))
        if rest.kind in NOTHING_TO_ADD:
            return Reply(IMMEDIATE_DANGER, (message,), turn.state, danger=True)
        return Reply(IMMEDIATE_DANGER, (message, *rest.messages), rest.state, danger=True)
