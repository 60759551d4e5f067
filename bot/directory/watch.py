"""Rebuilding an in-memory view of the directory when an import changed it: the directory's
generation counter is read at most every ``recheck_seconds``, so a new area or service is
recognised within seconds without reading the database on every message."""

from __future__ import annotations

import threading
import time
from typing import Callable

from sqlalchemy.engine import Engine

from bot.directory.store import generation


class DirectoryWatch:
    """Calls ``rebuild`` when the directory's generation has changed since the last call."""

    def __init__(self, engine: Engine, rebuild: Callable[[], None], recheck_seconds: float):
        self.engine = engine
        self.rebuild = rebuild
        self.recheck_seconds = recheck_seconds
        self._lock = threading.Lock()
        self._generation: int | None = None
        self._checked_at = float("-inf")

    def refresh(self, force: bool = False) -> bool:
        """Rebuild if the directory changed (or ``force``); returns whether it rebuilt."""
        with self._lock:
            now = time.monotonic()
            if not force and now - self._checked_at < self.recheck_seconds:
                return False
            self._checked_at = now
            current = generation(self.engine)
            if current == self._generation and not force:
                return False
            self.rebuild()
            self._generation = current
            return True
