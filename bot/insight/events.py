"""What the handlers count for the LSCP's insight report, and the one place that names every kind.

Each kind's key is built only from the project's own vocabularies (entry, topic, gap kind,
scenario ids; the directory's area names and service type ids), never from what was typed:
a key that does not look like ids raises ``ValueError`` at once (a bug to fix, not data to keep).
A database failure while counting is logged and the reply goes on (``Insight`` never breaks a turn).

Kinds and keys (parts joined by "|"):

- ``knowledge_answer``: ``<topic id>|<entry id>``, an entry given as an answer or chosen with a button.
- ``knowledge_not_covered``: ``<how>|<what>|<topic id or ->``: how the sources fell short (``gap``:
  a kind of thing in ``knowledge/gaps.yml``; ``known``: a question ``messages.yml`` knows is not
  covered; ``out_of_scope``: NLU and the search agree; ``no_match``: nothing close), what (the gap
  kind or known-question id, or ``-``), and the topic of the closest entry, if one was offered.
- ``answer_feedback``: ``<entry id>|yes`` or ``|no`` (written by ``bot/feedback/handler.py``).
- ``directory_nothing_found``: ``<area>|<need>|<age band>`` (written by ``bot/directory/insight.py``).
- ``reflection``: ``offered``, ``started``, ``finished`` or ``stopped``.
- ``scenario``: ``<scenario id>|started``, ``|finished`` or ``|quit``.
- ``scenario_group`` and ``scenario_group_result``: a group session's counts (``bot/scenarios/groups.py``).
"""

from __future__ import annotations

import logging
import re
import threading
from contextlib import contextmanager
from datetime import date
from typing import Callable, Iterator

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.insight.counters import count

log = logging.getLogger(__name__)

ANSWER = "knowledge_answer"
NOT_COVERED = "knowledge_not_covered"
ANSWER_FEEDBACK = "answer_feedback"  # the same name as bot.feedback.handler.FEEDBACK_KIND
NOTHING_FOUND = "directory_nothing_found"  # the same name as bot.directory.insight.NOTHING_FOUND
REFLECTION = "reflection"
SCENARIO = "scenario"
SCENARIO_GROUP = "scenario_group"  # bot.scenarios.groups.SESSION_KIND
SCENARIO_GROUP_RESULT = "scenario_group_result"  # bot.scenarios.groups.RESULT_KIND
KINDS = (ANSWER, NOT_COVERED, ANSWER_FEEDBACK, NOTHING_FOUND, REFLECTION, SCENARIO, SCENARIO_GROUP, SCENARIO_GROUP_RESULT)

SEPARATOR = "|"
NONE = "-"  # a part of a key with nothing to say (no closest entry, no gap kind)
NOT_COVERED_HOW = ("gap", "known", "out_of_scope", "no_match")
REFLECTION_EVENTS = ("offered", "started", "finished", "stopped")
SCENARIO_EVENTS = ("started", "finished", "quit")
# What an id of the project's vocabularies looks like: "marac-what-is", "dash_scoring", "-".
_ID = re.compile(r"[a-z0-9][a-z0-9_.-]{0,79}|-")


def _id(value: str, what: str) -> str:
    if not isinstance(value, str) or not _ID.fullmatch(value):
        raise ValueError(f"an insight key's {what} must be an id of the project's vocabularies, not {value!r}")
    return value


def _one_of(value: str, allowed: tuple[str, ...], what: str) -> str:
    if value not in allowed:
        raise ValueError(f"an insight key's {what} must be one of {', '.join(allowed)}, not {value!r}")
    return value


def answer_key(topic: str, entry_id: str) -> str:
    return SEPARATOR.join((_id(topic, "topic"), _id(entry_id, "entry id")))


def not_covered_key(how: str, what: str | None, topic: str | None) -> str:
    return SEPARATOR.join((_one_of(how, NOT_COVERED_HOW, "way of not being covered"),
                           _id(what or NONE, "gap kind"), _id(topic or NONE, "topic")))


def reflection_key(event: str) -> str:
    return _one_of(event, REFLECTION_EVENTS, "reflection event")


def scenario_key(scenario_id: str, event: str) -> str:
    return SEPARATOR.join((_id(scenario_id, "scenario id"), _one_of(event, SCENARIO_EVENTS, "scenario event")))


class Tried:
    """The counts made while a reply was only tried; ``keep()`` them when the reply is given."""

    def __init__(self, insight: "Insight | None"):
        self.insight = insight
        self.pending: list[tuple[str, str]] = []

    def keep(self) -> None:
        """Write the held counts (or pass them to the reply being tried around this one)."""
        if self.insight is not None:
            held = self.insight._held()
            outer = held[:held.index(self)] if self in held else held
            for kind, key in self.pending:
                if outer:
                    outer[-1].pending.append((kind, key))
                else:
                    self.insight._write(kind, key)
        self.pending = []


@contextmanager
def trying(insight: "Insight | None") -> Iterator[Tried]:
    """Hold the counts of a reply that may be thrown away (a question tried mid-scenario, an unsure
    "thanks" tried as a question): nothing is written unless ``keep()`` is called."""
    tried = Tried(insight)
    if insight is None:
        yield tried
        return
    insight._held().append(tried)
    try:
        yield tried
    finally:
        insight._held().remove(tried)


class Insight:
    """Counts what the handlers decided, in the insight counters table of ``engine``'s database.

    ``today`` gives the day a count belongs to (a simulation sets it). The key is checked before
    anything is written, so a bad key raises; a database failure is logged and never costs the reply.
    """

    def __init__(self, engine: Engine, today: Callable[[], date] = date.today):
        self.engine = engine
        self.today = today
        self._local = threading.local()  # replies being tried, per thread (innermost last)

    def _held(self) -> list[Tried]:
        if not hasattr(self._local, "held"):
            self._local.held = []
        return self._local.held

    def answered(self, topic: str, entry_id: str) -> None:
        self._count(ANSWER, answer_key(topic, entry_id))

    def not_covered(self, how: str, what: str | None = None, topic: str | None = None) -> None:
        self._count(NOT_COVERED, not_covered_key(how, what, topic))

    def reflection(self, event: str) -> None:
        self._count(REFLECTION, reflection_key(event))

    def scenario(self, scenario_id: str, event: str) -> None:
        self._count(SCENARIO, scenario_key(scenario_id, event))

    def _count(self, kind: str, key: str) -> None:
        held = self._held()
        if held:
            held[-1].pending.append((kind, key))
        else:
            self._write(kind, key)

    def _write(self, kind: str, key: str) -> None:
        try:
            count(self.engine, kind, key, self.today())
        except SQLAlchemyError:  # counting is for the report: the user still gets the reply
            log.exception("could not count %s", kind)
