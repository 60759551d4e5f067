"""What every action shares: building a ``Turn`` from the tracker and sending a ``Reply``."""

from __future__ import annotations

import json
from typing import Any, Dict, List

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.dialogue.types import Reply, Turn

LAST_ENTRY_SLOT = "last_entry_id"
NOTICE_SLOT = "notice_given"
AGENCY_SLOT = "agency"
OFFERED_SLOT = "agency_offered"
REFLECTION_SLOT = "reflection"
SCENARIO_SLOT = "scenario"
AREA_SLOT = "area"
DIRECTORY_SLOT = "directory"


def turn_from_tracker(tracker: Tracker) -> Turn:
    message = tracker.latest_message or {}
    intent = message.get("intent") or {}
    entities = list(message.get("entities") or [])
    named = lambda name: next((e.get("value") for e in entities if e.get("entity") == name), None)  # noqa: E731
    return Turn(
        text=message.get("text") or "",
        intent=intent.get("name"),
        confidence=float(intent.get("confidence") or 0.0),
        entities=entities,
        last_entry_id=tracker.get_slot(LAST_ENTRY_SLOT),
        notice_given=bool(tracker.get_slot(NOTICE_SLOT)),
        agency=named("agency") or tracker.get_slot(AGENCY_SLOT),
        age_stage=named("age_stage"),
        agency_offered=bool(tracker.get_slot(OFFERED_SLOT)),
        reflection=_state(tracker.get_slot(REFLECTION_SLOT)),
        scenario=_state(tracker.get_slot(SCENARIO_SLOT)),
        area=tracker.get_slot(AREA_SLOT),
        directory=_state(tracker.get_slot(DIRECTORY_SLOT)),
    )


def _state(raw) -> dict | None:
    try:
        return json.loads(raw) if raw else None
    except (TypeError, ValueError):
        return None


def send(dispatcher: CollectingDispatcher, reply: Reply, turn: Turn) -> List[Dict[str, Any]]:
    """Utter every message of ``reply`` and return the slot events it implies."""
    for message in reply.messages:
        dispatcher.utter_message(text=message.text, buttons=message.buttons or None, json_message=message.custom)
    events = [SlotSet(NOTICE_SLOT, True)]
    if reply.entry_id:
        events.append(SlotSet(LAST_ENTRY_SLOT, reply.entry_id))
    if reply.agency:
        events.append(SlotSet(AGENCY_SLOT, reply.agency))
    if reply.agency_offered:
        events.append(SlotSet(OFFERED_SLOT, True))
    if reply.reflection_changed:
        events.append(SlotSet(REFLECTION_SLOT, json.dumps(reply.reflection) if reply.reflection else None))
    if reply.area:
        events.append(SlotSet(AREA_SLOT, reply.area))
    if reply.directory_changed:
        events.append(SlotSet(DIRECTORY_SLOT, json.dumps(reply.directory) if reply.directory else None))
    if reply.scenario_changed:
        events.append(SlotSet(SCENARIO_SLOT, json.dumps(reply.scenario) if reply.scenario else None))
    return events
