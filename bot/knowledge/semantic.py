"""How close in meaning a question is to each entry: the semantic signal next to BM25.

Each entry is represented by its title, the ways people ask for it, and its answer. A question's
closeness to an entry is its best cosine similarity with any of them, so "two mums" can meet the
entry on LGBT+ families although they share no word.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Protocol

import numpy as np

from bot.knowledge.schema import Entry

if TYPE_CHECKING:
    from bot.nlp.encoder import EmbeddingStore


class Encodes(Protocol):
    def encode(self, texts: list[str]) -> np.ndarray: ...


class SemanticIndex:
    """Entry vectors, and the closeness of a text to every entry."""

    def __init__(self, entries: Iterable[Entry], encoder: Encodes, store: "EmbeddingStore | None" = None):
        self.entries = list(entries)
        self.encoder = encoder
        texts, owners = [], []
        for number, entry in enumerate(self.entries):
            for text in (entry.title, *entry.questions, entry.answer):
                texts.append(text)
                owners.append(number)
        self.owners = np.array(owners)
        self.vectors = store.vectors(texts) if store is not None else encoder.encode(texts)

    def closeness(self, text: str) -> dict[str, float]:
        """Entry id -> the best cosine similarity between ``text`` and the entry's texts."""
        query = self.encoder.encode([text])[0]
        similarities = self.vectors @ query
        best = np.full(len(self.entries), -1.0, dtype=np.float32)
        np.maximum.at(best, self.owners, similarities)
        return {entry.id: float(score) for entry, score in zip(self.entries, best, strict=True)}
