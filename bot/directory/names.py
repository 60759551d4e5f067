"""Recognise a service asked for by its name ("Ty Diogel", "tell me about Hope House"), keeping up
with imports as ``AreaMatcher`` does.

A message names a service when its own words (apart from the area's name and words that name no
need) are all words of that service's name, accents and a slip aside, and they are either the
whole name or at least two of its words: "Ty Diogel" finds "Tŷ Diogel Sanctuary Scheme"; "MARAC"
alone does not find "Demoshire MARAC" (that is a need).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.directory.models import AreaRow, ServiceRow
from bot.directory.spelling import is_english, slips, tokens
from bot.directory.store import ensure_schema
from bot.directory.watch import DirectoryWatch

RECHECK_SECONDS = 5.0
MAX_WORDS = 8  # a longer message is a question, not a name
MAX_FOUND = 6


@dataclass(frozen=True)
class NamedService:
    """A service the message names: its area and id."""

    area: str
    id: str
    name: str


class ServiceNames:
    """The loaded services' names, indexed by their words."""

    def __init__(self, engine: Engine, recheck_seconds: float = RECHECK_SECONDS):
        self.engine = engine
        self._watch = DirectoryWatch(engine, self._rebuild, recheck_seconds)
        self._services: list[tuple[NamedService, tuple[str, ...]]] = []
        self._by_word: dict[str, list[int]] = {}

    def refresh(self, force: bool = False) -> bool:
        """Rebuild from the database if the directory changed; returns whether it rebuilt."""
        return self._watch.refresh(force)

    def _rebuild(self) -> None:
        ensure_schema(self.engine)
        query = select(AreaRow.name, ServiceRow.id, ServiceRow.name).join(AreaRow, AreaRow.id == ServiceRow.area_id)
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(AreaRow.name, ServiceRow.name, ServiceRow.id)).all()
        services: list[tuple[NamedService, tuple[str, ...]]] = []
        by_word: defaultdict[str, list[int]] = defaultdict(list)
        for area, service_id, name in rows:
            words = tuple(tokens(name))
            for word in set(words):
                by_word[word].append(len(services))
            services.append((NamedService(area, service_id, name), words))
        self._services, self._by_word = services, dict(by_word)

    def find(self, words: list[str], area: str | None = None) -> list[NamedService]:
        """The services whose names ``words`` (folded, filler removed) name, those in ``area`` first."""
        self.refresh()
        if not words or len(words) > MAX_WORDS:
            return []
        # a name is looked up by the words typed as they are spelt; the others may carry a slip
        candidates = {number for word in words for number in self._by_word.get(word, ())}
        found = [service for number in sorted(candidates)
                 for service, name_words in [self._services[number]] if _names(words, name_words)]
        found.sort(key=lambda s: (s.area != area, s.area, s.name))
        return found[:MAX_FOUND]


def _names(words: list[str], name_words: tuple[str, ...]) -> bool:
    """Whether every word is a word of the name, and they are the whole name, or two or more of its
    words one of which is no English word ("Ty Diogel"; "Operation Encompass" alone does not name
    "Operation Encompass Demoshire": it is what the scheme is called everywhere)."""
    matched = set()
    for word in words:
        position = next((i for i, n in enumerate(name_words) if i not in matched and slips(word, n) is not None), None)
        if position is None:
            return False
        matched.add(position)
    if len(matched) == len(name_words):
        return True
    return len(matched) >= 2 and any(not is_english(name_words[i]) for i in matched)
