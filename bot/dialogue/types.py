"""What passes through the router: a turn in (the message, its NLU reading and the state),
a reply out (messages and the new state)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Mapping

from bot.dialogue.state import ConversationState

if TYPE_CHECKING:  # spaCy stays out of modules that only pass an analysis along
    from bot.nlp.pipeline import Analysis


@dataclass(frozen=True)
class Entity:
    """An entity NLU found (or a button payload carried): its name and value."""

    name: str
    value: str


@dataclass(frozen=True)
class Turn:
    """One user message as the router sees it."""

    text: str
    intent: str | None = None
    confidence: float = 0.0
    entities: tuple[Entity, ...] = ()
    state: ConversationState = ConversationState()
    analysis: "Analysis | None" = None  # set once per turn by the router
    danger: str | None = None  # "sure" or "unsure" once the 999 message has been given this turn

    def entity_values(self, name: str) -> list[str]:
        return [e.value for e in self.entities if e.name == name and e.value]

    @property
    def is_payload(self) -> bool:
        """A button press (``/intent{...}``), not typed words."""
        return self.text.startswith("/")

    def with_(self, **changes: Any) -> "Turn":
        return replace(self, **changes)


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class Message:
    """One message to the user: text, buttons, and the structured ``custom`` payload the widget reads."""

    text: str
    buttons: tuple[Button, ...] = ()
    custom: Mapping[str, Any] = field(default_factory=dict)

    @property
    def type(self) -> str | None:
        return self.custom.get("type")

    def with_(self, **changes: Any) -> "Message":
        return replace(self, **changes)


@dataclass(frozen=True)
class Reply:
    """What the assistant says for a turn (``kind`` names the outcome) and the state after it."""

    kind: str
    messages: tuple[Message, ...]
    state: ConversationState
    danger: bool = False  # the 999 message was given

    @property
    def text(self) -> str:
        return "\n".join(m.text for m in self.messages)

    @property
    def types(self) -> list[str]:
        return [m.type for m in self.messages if m.type]

    def with_(self, **changes: Any) -> "Reply":
        return replace(self, **changes)

    def prepend(self, *messages: Message) -> "Reply":
        return replace(self, messages=(*messages, *self.messages))

    def append(self, *messages: Message) -> "Reply":
        return replace(self, messages=(*self.messages, *messages))


def payload(intent: str, **entities: str) -> str:
    """A Rasa button payload that selects ``intent`` (and entities) without NLU."""
    return f"/{intent}{json.dumps(entities, separators=(',', ':'))}" if entities else f"/{intent}"


_PAYLOAD = re.compile(r"^/([a-z][a-z_]*)(\{.*\})?$", re.DOTALL)


def parse_payload(text: str) -> tuple[str, dict[str, str]] | None:
    """The intent and entities of a payload written as ``payload`` writes it (``/intent`` or
    ``/intent{"name": "value"}``, string values only); None for anything else."""
    match = _PAYLOAD.match(text)
    if not match:
        return None
    if match.group(2) is None:
        return match.group(1), {}
    try:
        entities = json.loads(match.group(2))
    except (ValueError, RecursionError):  # not JSON, or nested too deep to read
        return None
    if not isinstance(entities, dict) or not all(isinstance(v, str) for v in entities.values()):
        return None
    return match.group(1), entities
