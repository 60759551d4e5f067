"""The tracker store reads only the end of a long conversation, on a real SQLite database: the
slots set long ago are still there, nothing is stored twice or lost, and a short or unusual
conversation is read whole as Rasa reads it."""

from __future__ import annotations

import json

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.config import PROJECT_ROOT
from bot.runtime.tracker_store import RedactingSQLTrackerStore

SCENARIO = json.dumps({"scenario_id": "s1", "step": "intro"})


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(PROJECT_ROOT / "domain.yml"))


@pytest.fixture
def store(tmp_path, domain) -> RedactingSQLTrackerStore:
    return RedactingSQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "tracker.db"), tail_turns=3)


def turn(n: int, slots: dict | None = None) -> list:
    """One turn as Rasa stores it: the user's message, the action, its reply and slots, then listening."""
    events = [UserUttered(f"question {n}", intent={"name": "ask_marac", "confidence": 1.0}),
              ActionExecuted("action_respond"), BotUttered(f"answer {n}")]
    events += [SlotSet(name, value) for name, value in (slots or {}).items()]
    return events + [ActionExecuted("action_listen")]


def session_start() -> list:
    return [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]


async def save_conversation(store, sender: str, events: list) -> None:
    tracker = DialogueStateTracker.from_events(sender, events, store.domain.slots)
    await store.save(tracker)


def stored_rows(store, sender: str) -> list[tuple[str, str | None]]:
    with store.session_scope() as session:
        query = session.query(store.SQLEvent).filter(store.SQLEvent.sender_id == sender).order_by(store.SQLEvent.id)
        return [(row.type_name, row.action_name) for row in query]


def user_turns(tracker: DialogueStateTracker) -> list[str]:
    return [e.intent_name for e in tracker.events if isinstance(e, UserUttered)]


async def test_a_long_conversation_is_read_from_its_last_turns_with_every_slot(store):
    events = session_start() + turn(0, {"agency": "police", "notice_given": True}) + turn(1, {"scenario": SCENARIO})
    for n in range(2, 40):
        events += turn(n, {"last_entry_id": f"entry-{n}"})
    await save_conversation(store, "long", events)

    tracker = await store.retrieve("long")
    assert len(user_turns(tracker)) == 3
    assert tracker.get_slot("agency") == "police"
    assert tracker.get_slot("notice_given") is True
    assert tracker.get_slot("scenario") == SCENARIO
    assert tracker.get_slot("last_entry_id") == "entry-39"
    assert tracker.latest_action_name == "action_listen"
    assert tracker.events[0].type_name == "session_started"
    assert len(tracker.events) < 25, "the tail, not the 200 events of the session"


async def test_a_turn_on_a_tail_stores_only_its_own_events(store):
    events = session_start()
    for n in range(20):
        events += turn(n, {"last_entry_id": f"entry-{n}"})
    await save_conversation(store, "grow", events)
    before = stored_rows(store, "grow")

    tracker = await store.retrieve("grow")
    for event in turn(20, {"agency": "health"}):
        tracker.update(event)
    await store.save(tracker)
    await store.save(tracker)  # Rasa may save a tracker twice in one turn

    after = stored_rows(store, "grow")
    assert after[: len(before)] == before
    assert after[len(before):] == [("user", None), ("action", "action_respond"), ("bot", None), ("slot", "agency"),
                                   ("action", "action_listen")]
    full = await store.retrieve_full_tracker("grow")
    assert len(user_turns(full)) == 21
    assert (full.get_slot("agency"), full.get_slot("last_entry_id")) == ("health", "entry-19")
    again = await store.retrieve("grow")
    assert (again.get_slot("agency"), again.get_slot("last_entry_id")) == ("health", "entry-19")


async def test_a_short_conversation_is_read_whole(store):
    await save_conversation(store, "short", session_start() + turn(0) + turn(1))
    tracker = await store.retrieve("short")
    assert len(user_turns(tracker)) == 2
    assert [e.type_name for e in tracker.events][:3] == ["session_started", "action", "user"]


async def test_only_the_latest_session_is_read(store):
    events = session_start() + turn(0, {"agency": "police"})
    for n in range(1, 10):
        events += turn(n)
    events += session_start() + turn(10) + turn(11) + turn(12) + turn(13)
    await save_conversation(store, "two sessions", events)
    tracker = await store.retrieve("two sessions")
    assert tracker.get_slot("agency") is None, "slots do not carry over to a new session (domain.yml)"
    assert len(user_turns(tracker)) == 3


async def test_a_restart_in_the_skipped_part_means_the_whole_session_is_read(store):
    events = session_start() + turn(0, {"agency": "police"}) + [Restarted(), ActionExecuted("action_listen")]
    for n in range(1, 10):
        events += turn(n)
    await save_conversation(store, "restarted", events)
    tracker = await store.retrieve("restarted")
    assert len(user_turns(tracker)) == 10
    assert tracker.get_slot("agency") is None, "the restart cleared it"


def test_tail_turns_below_one_is_refused(tmp_path, domain):
    with pytest.raises(ValueError, match="tail_turns must be at least 1, not '0'"):
        RedactingSQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "t.db"), tail_turns="0")
