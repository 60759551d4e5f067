"""Meaning vectors of directory services, for re-ranking search candidates by closeness to the request.

A service's vector is the sentence encoder's vector of its own words (name, description,
eligibility), kept by a hash of that text, as the knowledge entries' are (``EmbeddingStore``'s
file format): in memory, and in a file beside them so a restart does not encode again. Imports
never encode: vectors are computed when a search first meets a service, at most ``budget`` per
search (a service without one yet is ranked by its words alone), or all at once by ``warm``.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from pathlib import Path
from typing import Iterable, Protocol, Sequence

import numpy as np

log = logging.getLogger(__name__)

BUDGET = 64  # services encoded during one search at most (about 0.1 s each 32 on 2 cores)
SAVE_EVERY = 10.0  # seconds between writes of the vectors file


class Encodes(Protocol):
    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


def service_text(name: str, description: str, eligibility: str) -> str:
    """The words a service's vector is made from."""
    return " ".join(part.strip() for part in (name, description, eligibility) if part and part.strip())


def text_key(text: str) -> str:
    """The key of a text's vector (as ``bot.nlp.encoder.EmbeddingStore`` keys them)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


class ServiceVectors:
    """Vectors of services' texts by hash, computed on demand within a budget, saved now and then."""

    def __init__(self, encoder: Encodes, path: Path | None = None, budget: int = BUDGET):
        self.encoder = encoder
        self.path = Path(path) if path is not None else None
        self.budget = budget
        self._vectors: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()
        self._loaded = False
        self._unsaved = 0
        self._saved_at = time.monotonic()

    def query(self, text: str) -> np.ndarray:
        """The vector of a request."""
        return self.encoder.encode([text])[0]

    def closeness(self, query: np.ndarray, texts: Sequence[str], budget: int | None = None) -> np.ndarray:
        """Cosine similarity of ``query`` with each text's vector; NaN for texts not encoded yet (beyond the budget)."""
        self._load()
        keys = [text_key(t) for t in texts]
        missing = list(dict.fromkeys(t for t, k in zip(texts, keys, strict=True) if k not in self._vectors))
        self._encode(missing[:self.budget if budget is None else budget])
        scores = np.full(len(texts), np.nan, dtype=np.float32)
        for number, key in enumerate(keys):
            vector = self._vectors.get(key)
            if vector is not None:
                scores[number] = float(vector @ query)
        return scores

    def warm(self, texts: Iterable[str], batch: int = 256) -> int:
        """Encode every text not encoded yet (after an import, off the conversation's path); returns how many."""
        self._load()
        missing = list(dict.fromkeys(t for t in texts if text_key(t) not in self._vectors))
        for start in range(0, len(missing), batch):
            self._encode(missing[start:start + batch])
        self.save()
        return len(missing)

    def remember(self, vectors: dict[str, np.ndarray]) -> None:
        """Take vectors computed elsewhere (by text key): the benchmark fills the store this way."""
        with self._lock:
            self._vectors.update(vectors)

    def __len__(self) -> int:
        return len(self._vectors)

    def _encode(self, texts: list[str]) -> None:
        if not texts:
            return
        vectors = self.encoder.encode(texts)
        with self._lock:
            for text, vector in zip(texts, vectors, strict=True):
                self._vectors[text_key(text)] = np.asarray(vector, dtype=np.float32)
            self._unsaved += len(texts)
        if time.monotonic() - self._saved_at >= SAVE_EVERY:
            self.save()

    def _load(self) -> None:
        if self._loaded:
            return
        with self._lock:
            self._loaded = True
            if self.path is None or not self.path.exists():
                return
            try:
                with np.load(self.path) as stored:
                    for key in stored.files:
                        self._vectors.setdefault(key, stored[key])
            except (OSError, ValueError) as error:  # a damaged file is only a cache: encode again
                log.warning("could not read the service vectors file %s: %s", self.path, error)

    def save(self) -> None:
        """Write the vectors file now, if anything new was computed."""
        with self._lock:
            if self.path is None or not self._unsaved:
                return
            vectors = dict(self._vectors)
            self._unsaved, self._saved_at = 0, time.monotonic()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_name(self.path.stem + ".partial.npz")
        np.savez(partial, **vectors)
        partial.replace(self.path)
