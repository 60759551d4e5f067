"""A Rasa SQL tracker store that never writes what the user typed.

Practitioners are asked not to type identifying details, but some will. The assistant
needs a message's text only while it handles that message (in memory); afterwards the
intent, the canonical entity ids and the slots are enough for the dialogue, so the stored
``user`` events keep those and replace the text with ``[redacted]``. Only Rasa imports
this module (it is named in ``endpoints.yml``).
"""

from __future__ import annotations

import copy
from typing import Any, Iterator

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

REDACTED = "[redacted]"


def redact_user_event(event: UserUttered) -> UserUttered:
    """A copy of ``event`` without the user's words: intent and entity ids are kept."""
    parse_data = copy.deepcopy(event.parse_data or {})
    parse_data["text"] = REDACTED
    entities = [
        {k: v for k, v in entity.items() if k not in {"text", "start", "end"}}
        for entity in parse_data.get("entities") or []
    ]
    parse_data["entities"] = entities
    return UserUttered(
        text=REDACTED,
        intent=parse_data.get("intent"),
        entities=entities,
        parse_data=parse_data,
        timestamp=event.timestamp,
        input_channel=event.input_channel,
        message_id=event.message_id,
        metadata={},
    )


class RedactingSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore whose stored user events carry no message text or metadata."""

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator:
        events = super()._additional_events(session, tracker)
        return (redact_user_event(e) if isinstance(e, UserUttered) else e for e in events)
