"""Recognise the loaded areas' names in text, keeping up with imports made while the assistant runs.

The matcher re-reads the directory's generation number at most every ``recheck_seconds``
and rebuilds its spaCy PhraseMatcher when it has changed, so a newly imported area is
recognised without retraining or restarting.
"""

from __future__ import annotations

import threading
import time

import spacy
from spacy.matcher import PhraseMatcher
from sqlalchemy.engine import Engine

from bot.directory.store import area_names, generation
from bot.text.normalise import normalise

RECHECK_SECONDS = 5.0


class AreaMatcher:
    """Finds area names (case-insensitive, multi-word, longest first) from the directory database."""

    def __init__(self, engine: Engine, recheck_seconds: float = RECHECK_SECONDS):
        self.engine = engine
        self.recheck_seconds = recheck_seconds
        self._nlp = spacy.blank("en")
        self._lock = threading.Lock()
        self._generation: int | None = None
        self._checked_at = float("-inf")
        self._names: list[str] = []
        self._matcher = PhraseMatcher(self._nlp.vocab, attr="LOWER")

    def refresh(self, force: bool = False) -> bool:
        """Rebuild from the database if the directory changed; returns whether it rebuilt."""
        with self._lock:
            now = time.monotonic()
            if not force and now - self._checked_at < self.recheck_seconds:
                return False
            self._checked_at = now
            current = generation(self.engine)
            if current == self._generation and not force:
                return False
            names = area_names(self.engine)
            matcher = PhraseMatcher(self._nlp.vocab, attr="LOWER")
            for name in names:
                matcher.add(name, [self._nlp.make_doc(normalise(name))])
            self._names, self._matcher, self._generation = names, matcher, current
            return True

    def names(self) -> list[str]:
        """The loaded areas' names, sorted."""
        self.refresh()
        return list(self._names)

    def find(self, text: str) -> str | None:
        """The area named in ``text`` (the longest match, then the first), or None."""
        self.refresh()
        doc = self._nlp.make_doc(normalise(text)[:2000])
        matches = self._matcher(doc)
        if not matches:
            return None
        key, _, _ = min(matches, key=lambda m: (-(m[2] - m[1]), m[1]))
        return self._nlp.vocab.strings[key]
