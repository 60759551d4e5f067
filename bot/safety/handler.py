"""The immediate-danger check in the conversation, in two tiers: present danger gets the 999
takeover, a message that may describe danger gets its usual reply and a one-line 999 reminder.

The tier comes from the text (``DangerCheck``: patterns and classifier), not from the NLU intent
alone: NLU says ``immediate_danger`` only for what the same check calls the takeover (see
``ImmediateDangerClassifier``), and an ``immediate_danger`` intent the text does not bear out
gets at most the reminder.
"""

from __future__ import annotations

from bot.dialogue.handler import Chain
from bot.dialogue.render import Renderer
from bot.dialogue.types import Reply, Turn
from bot.safety.check import DangerCheck
from bot.safety.classifier import NONE, REMINDER, TAKEOVER

IMMEDIATE_DANGER = "immediate_danger"
DANGER_REMINDER = "danger_reminder"


class SafetyHandler:
    """``takeover``: only the 999 message; during the reflection, the 999 message and then the
    reflection keeps its place (see ``ReflectionHandler``, which reads ``turn.danger == "sure"``).
    ``reminder``: the rest of the chain's reply, then the one-line reminder. ``none``: not ours."""

    answers_questions = False

    def __init__(self, check: DangerCheck, renderer: Renderer):
        self.danger = check
        self.render = renderer

    def check(self, turn: Turn) -> str | None:
        tier = self.danger.tier(turn.text)
        if tier == NONE and turn.intent == IMMEDIATE_DANGER:
            tier = REMINDER  # NLU alone never decides the takeover
        return None if tier == NONE else tier

    def handle(self, turn: Turn, tier: str, chain: Chain) -> Reply:
        if tier == TAKEOVER:
            return self._takeover(turn, chain)
        rest = chain.rest(turn.with_(danger="unsure"))
        return rest.append(self.render.say(DANGER_REMINDER))

    def _takeover(self, turn: Turn, chain: Chain) -> Reply:
        message = self.render.say(IMMEDIATE_DANGER)
        reflection = turn.state.reflection
        if reflection is None or not reflection.started:
            return Reply(IMMEDIATE_DANGER, (message,), turn.state, danger=True)
        rest = chain.rest(turn.with_(danger="sure"))
        return Reply(IMMEDIATE_DANGER, (message, *rest.messages), rest.state, danger=True)
