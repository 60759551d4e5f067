"""The conversation state in Rasa slots: the one place that reads and writes them.

Each feature's state is one slot (JSON for the structured ones). A slot that does not read
as its state (an older format, a hand-edited tracker) counts as no state for that feature.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any, Callable

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from bot.dialogue.state import (
    ConversationState,
    DirectorySearch,
    DirectoryState,
    ReflectionState,
    ScenarioState,
    TailoringState,
)
from bot.dialogue.types import Entity, Turn

NOTICE = "notice_given"
LAST_ENTRY = "last_entry_id"
AGENCY = "agency"
AGENCY_OFFERED = "agency_offered"
REFLECTION = "reflection"
SCENARIO = "scenario"
AREA = "area"
DIRECTORY = "directory"


def turn_from_tracker(tracker: Tracker) -> Turn:
    """The latest user message, its NLU reading and the state kept in the slots."""
    message = tracker.latest_message or {}
    intent = message.get("intent") or {}
    entities = tuple(
        Entity(str(e["entity"]), str(e["value"]))
        for e in message.get("entities") or []
        if e.get("entity") and e.get("value") is not None
    )
    return Turn(
        text=str(message.get("text") or ""),
        intent=intent.get("name"),
        confidence=float(intent.get("confidence") or 0.0),
        entities=entities,
        state=state_from_slots(tracker.get_slot),
    )


def state_from_slots(slot: Callable[[str], Any]) -> ConversationState:
    return ConversationState(
        notice_given=bool(slot(NOTICE)),
        last_entry_id=_text(slot(LAST_ENTRY)),
        tailoring=TailoringState(agency=_text(slot(AGENCY)), offered=bool(slot(AGENCY_OFFERED))),
        reflection=_read(slot(REFLECTION), _reflection),
        scenario=_read(slot(SCENARIO), _scenario),
        directory=DirectoryState(area=_text(slot(AREA)), search=_read(slot(DIRECTORY), _search)),
    )


def slot_events(before: ConversationState, after: ConversationState) -> list[dict[str, Any]]:
    """A ``SlotSet`` for every slot whose value the turn changed."""
    old, new = _slots(before), _slots(after)
    return [SlotSet(name, value) for name, value in new.items() if old[name] != value]


def _slots(state: ConversationState) -> dict[str, Any]:
    return {
        NOTICE: state.notice_given,
        LAST_ENTRY: state.last_entry_id,
        AGENCY: state.tailoring.agency,
        AGENCY_OFFERED: state.tailoring.offered,
        REFLECTION: _json(state.reflection),
        SCENARIO: _json(state.scenario),
        AREA: state.directory.area,
        DIRECTORY: _json(state.directory.search),
    }


def _json(state: Any) -> str | None:
    return None if state is None else json.dumps(asdict(state), sort_keys=True, separators=(",", ":"))


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _read(raw: Any, build: Callable[[dict], Any]) -> Any:
    if not isinstance(raw, str) or not raw:
        return None
    try:
        data = json.loads(raw)
        return build(data) if isinstance(data, dict) else None
    except (ValueError, TypeError, KeyError):
        return None


def _reflection(data: dict) -> ReflectionState:
    step = data.get("step")
    return ReflectionState(
        id=str(data["id"]),
        step=int(step) if step is not None else None,
        answers={str(k): str(v) for k, v in (data.get("answers") or {}).items()},
        danger=bool(data.get("danger")),
    )


def _scenario(data: dict) -> ScenarioState:
    return ScenarioState(
        scenario=str(data["scenario"]),
        step=data.get("step"),
        path=tuple(data.get("path") or ()),
        covered={str(k): tuple(v) for k, v in (data.get("covered") or {}).items()},
        choices={str(k): str(v) for k, v in (data.get("choices") or {}).items()},
        paused=bool(data.get("paused")),
        group=data.get("group"),
    )


def _search(data: dict) -> DirectorySearch:
    age = data.get("age")
    return DirectorySearch(
        area=data.get("area"),
        needs=tuple(data.get("needs") or ()),
        age=tuple(int(a) for a in age) if isinstance(age, list) else (int(age) if age is not None else None),
        audience=data.get("audience"),
        offset=int(data.get("offset") or 0),
        services=tuple(str(s) for s in data.get("services") or ()),
    )
