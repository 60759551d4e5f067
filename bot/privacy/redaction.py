"""What the tracker store keeps of each event: never the words anyone typed, nor replies that could echo them.

The assistant needs a message's text only while it handles that message (in memory, in both
servers). What is stored afterwards is what the dialogue and the counts need:

- a user event: the intent (and the ranking's intent names), entity names with canonical id
  values, the channel and message id; text ``[redacted]``, no metadata;
- a bot event: no text, only the message's ``custom.type`` and its buttons' payloads (ids the
  project's buttons send), so a reply that repeated the user's words is not kept either;
- a slot event: the value, except ``session_started_metadata``, cut to the metadata allow-list.

Nothing reads bot text or past user text back from the tracker: ``actions/slots.py`` reads the
latest message (in memory during the turn) and the slots, ``bot.web.turns`` the latest intent.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from rasa.shared.core.events import BotUttered, Event, SlotSet, UserUttered

from bot.privacy.metadata import allowed_metadata

REDACTED = "[redacted]"
SESSION_METADATA_SLOT = "session_started_metadata"  # rasa.shared.core.constants.SESSION_START_METADATA_SLOT
# Canonical ids (agency=health_visitor, entry_id=marac, area=Demoshire): one token of letters,
# digits, "_" and "-". A value of another shape did not come from a vocabulary and is not kept.
_ID = re.compile(r"^[A-Za-z0-9]+(?:[_.-][A-Za-z0-9]+)*$")
_ENTITY_KEYS = ("entity", "value", "extractor", "confidence_entity", "role", "group")
_PAYLOAD = re.compile(r"^/[a-z_]+(?:\{.*\})?$", re.DOTALL)


def redact_event(event: Event) -> Event:
    """``event`` as it may be stored: user and bot events without words, metadata cut to the allow-list."""
    if isinstance(event, UserUttered):
        return redact_user_event(event)
    if isinstance(event, BotUttered):
        return redact_bot_event(event)
    if isinstance(event, SlotSet) and event.key == SESSION_METADATA_SLOT:
        return SlotSet(event.key, allowed_metadata(event.value) or None, timestamp=event.timestamp)
    return event


def redact_user_event(event: UserUttered) -> UserUttered:
    """A copy of ``event`` without the user's words or metadata: intent and entity ids are kept."""
    parse_data = copy.deepcopy(event.parse_data or {})
    entities = [_entity(entity) for entity in parse_data.get("entities") or [] if isinstance(entity, dict)]
    kept = {
        "text": REDACTED,
        "intent": _intent(parse_data.get("intent")),
        "entities": entities,
        "intent_ranking": [_intent(i) for i in parse_data.get("intent_ranking") or [] if isinstance(i, dict)],
        "message_id": event.message_id,
    }
    return UserUttered(
        text=REDACTED,
        intent=kept["intent"],
        entities=entities,
        parse_data=kept,
        timestamp=event.timestamp,
        input_channel=event.input_channel,
        message_id=event.message_id,
        metadata={},
    )


def redact_bot_event(event: BotUttered) -> BotUttered:
    """A copy of ``event`` without its text: the message's type and its buttons' payloads only."""
    data = event.data or {}
    kept: dict[str, Any] = {}
    buttons = [b.get("payload") for b in data.get("buttons") or [] if isinstance(b, dict)]
    buttons = [p for p in buttons if isinstance(p, str) and _PAYLOAD.match(p)]
    if buttons:
        kept["buttons"] = [{"payload": p} for p in buttons]
    custom = data.get("custom")
    if isinstance(custom, dict) and isinstance(custom.get("type"), str) and _ID.match(custom["type"]):
        kept["custom"] = {"type": custom["type"]}
    return BotUttered(text=None, data=kept, metadata={}, timestamp=event.timestamp)


def _intent(intent: Any) -> dict[str, Any]:
    if not isinstance(intent, dict):
        return {}
    return {k: intent[k] for k in ("name", "confidence") if k in intent}


def _entity(entity: dict[str, Any]) -> dict[str, Any]:
    """The entity's name and, if it is an id, its value; offsets and the matched text are dropped."""
    kept = {k: entity[k] for k in _ENTITY_KEYS if k in entity and k != "value"}
    value = entity.get("value")
    if isinstance(value, str) and _ID.match(value):
        kept["value"] = value
    return kept
