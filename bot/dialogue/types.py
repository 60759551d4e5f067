"""What passes between the Rasa actions and the dialogue logic: a turn in, a reply out."""

from __future__ import annotations

import json
from dataclasses import dataclass, field


@dataclass
class Turn:
    """What the assistant knows about one user message."""

    text: str
    intent: str | None = None
    confidence: float = 0.0
    entities: list[dict] = field(default_factory=list)
    last_entry_id: str | None = None
    notice_given: bool = True
    agency: str | None = None  # the practitioner's agency: from this message or the slot
    age_stage: str | None = None  # an age stage named in this message
    agency_offered: bool = True  # whether the offer to tailor answers to an agency was made
    reflection: dict | None = None  # the guided reflection's state while one is under way
    scenario: dict | None = None  # the training scenario's state while one is under way or paused
    area: str | None = None  # the local area the practitioner asked about before (slot)
    directory: dict | None = None  # the last directory search, for "more" (or a request awaiting its area)

    def entity_values(self, name: str) -> list[str]:
        return [str(e.get("value")) for e in self.entities if e.get("entity") == name and e.get("value")]


@dataclass
class BotMessage:
    """One message to the user: text, optional buttons, optional structured payload."""

    text: str
    buttons: list[dict] = field(default_factory=list)
    custom: dict | None = None


@dataclass
class Reply:
    """The assistant's messages for a turn and what to remember from it."""

    kind: str
    messages: list[BotMessage]
    entry_id: str | None = None
    danger: bool = False
    agency: str | None = None  # set when the practitioner told us their agency
    agency_offered: bool = False  # set when this reply made the offer
    reflection: dict | None = None  # the reflection's new state (None: none under way)
    reflection_changed: bool = False
    scenario: dict | None = None  # the scenario's new state (None: none under way)
    scenario_changed: bool = False
    area: str | None = None  # set when the reply used an area: remembered for the conversation
    directory: dict | None = None  # the directory search to continue with "more" (None: none)
    directory_changed: bool = False

    @property
    def text(self) -> str:
        return "\n".join(m.text for m in self.messages)


def button_payload(intent: str, **entities: str) -> str:
    """A Rasa button payload that selects ``intent`` (and entities) without NLU."""
    return f"/{intent}{json.dumps(entities, separators=(',', ':'))}" if entities else f"/{intent}"
