"""What both chat channels do around a turn: read the message within the limits before any
work, run the turn, and make sure the user hears something even when Rasa says nothing.

When the custom action fails (the action server is down, refuses or errs), Rasa 3.6 logs the
error and sends nothing. Then the channel itself replies: the 999 message when the turn's NLU
intent is ``immediate_danger`` (the same danger check as the action server's) or a present-danger
pattern matches the text, otherwise a short apology with the 999 line. All wording comes from
``knowledge/messages.yml``.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Awaitable, Callable

from bot.config import Settings, load_settings
from bot.dialogue.logs import handling
from bot.dialogue.wording import Messages, load_messages
from bot.safety.check import Patterns, load_patterns
from bot.web.payloads import Vocabularies, as_typed
from bot.web.settings import WebSettings, load_web_settings

log = logging.getLogger(__name__)

DANGER_INTENT = "immediate_danger"
# Logged with the traceback (never the message) when running a turn raised in the Rasa server.
TURN_FAILED = "channel catch-all: a turn failed in the Rasa server"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")

Reply = dict[str, Any]  # one bot message as the output channels take it: text and custom


@dataclass(frozen=True)
class Incoming:
    """A message as read by a channel: the text to hand to Rasa, or the reply that refuses it."""

    text: str = ""
    refusal: Reply | None = None


class Turns:
    """Limits, payload checks, wording and the fallback reply, shared by the REST and socket channels."""

    def __init__(self, web: WebSettings, settings: Settings):
        self.web = web
        self.limits = web.limits
        self.messages: Messages = load_messages(settings.messages_file)
        self.patterns: Patterns = load_patterns(settings.safety_file)
        self.vocabularies = Vocabularies(settings)

    def say(self, key: str, **values: Any) -> Reply:
        """A fixed message from messages.yml, its ``custom.type`` the key."""
        text = self.messages[key].format(**values) if values else self.messages[key]
        return {"text": text, "custom": {"type": key}}

    def read(self, value: object) -> Incoming:
        """The message checked before any work: a string, not too long; typed "/..." made plain."""
        if not isinstance(value, str):
            return Incoming(refusal=self.say("unreadable_request"))
        if len(value) > self.limits.max_message_chars:
            return Incoming(refusal=self.too_long())
        text = _SURROGATE.sub("\ufffd", _CONTROL.sub(" ", value)).strip()
        return Incoming(text=as_typed(text, self.vocabularies))

    def too_long(self) -> Reply:
        return self.say("too_long", limit=f"{self.limits.max_message_chars:,}")

    def fallback(self, text: str, intent: str | None) -> list[Reply]:
        """What to say when the turn said nothing: 999 for danger, else the apology (with the 999 line)."""
        if intent == DANGER_INTENT or self.patterns.present_danger(self.patterns.clean(text)):
            return [self.say("immediate_danger")]
        return [self.say("unavailable")]

    async def run(
        self,
        turn: Callable[[], Awaitable[Any]],
        text: str,
        said: Callable[[], int],
        send: Callable[[Reply], Awaitable[Any]],
        intent: Callable[[], Awaitable[str | None]],
    ) -> None:
        """Run ``turn`` (Rasa handling the message); if it said nothing, send the fallback.

        ``said`` counts the messages sent so far, ``send`` sends one, ``intent`` reads the turn's
        NLU intent back from the tracker. While the turn runs, its text is kept out of the logs
        above DEBUG (``bot.dialogue.logs``).
        """
        with handling(text):
            reading = None
            try:
                await turn()
                if not said():
                    reading = await intent()
            except Exception:  # the channel's one catch-all: whatever failed, the user is answered
                log.exception(TURN_FAILED)
            if not said():
                for reply in self.fallback(text, reading):
                    await send(reply)


async def latest_intent(agent: Any, sender_id: str) -> str | None:
    """The NLU intent the tracker store keeps for the conversation's latest user message."""
    tracker = await agent.tracker_store.retrieve(sender_id) if agent is not None else None
    if tracker is None:
        return None
    return (tracker.latest_message.intent or {}).get("name") if tracker.latest_message else None


@lru_cache(maxsize=1)
def shared_turns() -> Turns:
    """The Rasa server's one ``Turns``, from config/web.yml and the environment."""
    return Turns(load_web_settings(), load_settings())
