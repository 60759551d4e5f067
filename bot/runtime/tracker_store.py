"""A Rasa SQL tracker store that never writes what the user typed.

Practitioners are asked not to type identifying details, but some will. The assistant
needs a message's text only while it handles that message (in memory); afterwards the
intent, the canonical entity ids and the slots are enough for the dialogue, so the stored
``user`` events keep those and replace the text with ``[redacted]``. Only Rasa imports
this module (it is named in ``endpoints.yml``).

It also reads only the last turns of a long conversation, with the slots' current values, so a
turn costs the same after 200 turns as after 2 (``ConversationTailSQLTrackerStore``,
docs/performance.md).
"""

from __future__ import annotations

import itertools
import json
from typing import Any, Iterator, Optional

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.privacy import redaction


def redact_user_event(event: UserUttered) -> UserUttered:
    """A copy of ``event`` without the user's words: intent and entity ids are kept (``bot.privacy.redaction``)."""
    return redaction.redact_user_event(event)


# Conversations are read from the turn boundary this many turns back (endpoints: ``tail_turns``).
DEFAULT_TAIL_TURNS = 8
# The tracker attribute that says how many of its events are already stored (set on retrieve).
STORED_EVENTS = "_dasg_stored_events"
# Events whose effect on the conversation is more than a slot value: with one of them in the part
# of the session a tail would skip, the whole session is read.
NOT_SLOT_ONLY = ("restart", "reset_slots", "rewind", "undo", "active_loop", "loop_interrupted", "pause", "resume",
                 "followup", "action_execution_rejected")


class ConversationTailSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore that reads only the end of a long conversation session.

    Rasa rebuilds the tracker from every event of the session on every turn, applies them all,
    lets the policies turn them all into states, sends them all to the action server and counts
    them all again to save: a turn's cost grows with the conversation. Nothing here needs the
    old turns: the rule policy looks at the last turn and the action reads the latest message and
    the slots. So a retrieved tracker holds the session's start, the current value of every
    slot set before the tail (the latest ``slot`` event of each) and the events from the
    ``action_listen`` that began the ``tail_turns``-th last turn. Saving stores the events after
    those, so the database keeps the whole conversation.
    """

    def __init__(self, *args: Any, tail_turns: int | str = DEFAULT_TAIL_TURNS, **kwargs: Any) -> None:
        """``tail_turns`` from the endpoints file (at least 1)."""
        super().__init__(*args, **kwargs)
        self.tail_turns = int(tail_turns)
        if self.tail_turns < 1:
            raise ValueError(f"tracker_store: tail_turns must be at least 1, not {tail_turns!r}")

    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        """The latest session's tracker, cut to its last ``tail_turns`` turns when it is longer."""
        with self.session_scope() as session:
            rows = self._tail_rows(session, sender_id)
        if rows is None:
            tracker = await super().retrieve(sender_id)
        elif not self.domain:
            return None
        else:
            tracker = DialogueStateTracker.from_dict(sender_id, rows, self.domain.slots)
        if tracker is not None:
            setattr(tracker, STORED_EVENTS, len(tracker.events))
        return tracker

    def _tail_rows(self, session: Any, sender_id: str) -> Optional[list[dict]]:
        """The tail's events as dicts, or None when the whole session should be read."""
        event = self.SQLEvent
        mine = event.sender_id == sender_id
        start = session.execute(sa.select(sa.func.max(event.id)).where(mine, event.type_name == "session_started")).scalar()
        if start is None:
            return None
        tail_start = session.execute(
            sa.select(event.id)
            .where(mine, event.id > start, event.type_name == "action", event.action_name == "action_listen")
            .order_by(event.id.desc()).offset(self.tail_turns).limit(1)  # the last one waits for the next turn
        ).scalar()
        if tail_start is None:
            return None
        skipped = sa.and_(mine, event.id > start, event.id < tail_start)
        if session.execute(sa.select(event.id).where(skipped, event.type_name.in_(NOT_SLOT_ONLY)).limit(1)).first():
            return None
        latest_slots = sa.select(sa.func.max(event.id)).where(skipped, event.type_name == "slot").group_by(event.action_name)
        kept = sa.or_(event.id == start, event.id.in_(latest_slots.scalar_subquery()), event.id >= tail_start)
        # Like Rasa's own read, the session starts at its ``session_started`` event.
        data = session.execute(sa.select(event.data).where(mine, kept).order_by(event.id)).scalars()
        return [json.loads(row) for row in data]

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator:
        """The tracker's events not stored yet: those after what ``retrieve`` read (no count query)."""
        stored = getattr(tracker, STORED_EVENTS, None)
        if stored is None:
            return super()._additional_events(session, tracker)
        setattr(tracker, STORED_EVENTS, len(tracker.events))  # a second save stores nothing twice
        return itertools.islice(list(tracker.events), stored, None)


class RedactingSQLTrackerStore(ConversationTailSQLTrackerStore):
    """SQLTrackerStore whose stored events carry no message text (user or bot) and no free metadata."""

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator:
        events = super()._additional_events(session, tracker)
        return (redaction.redact_event(e) for e in events)  # user and bot words, metadata: bot/privacy/redaction.py
