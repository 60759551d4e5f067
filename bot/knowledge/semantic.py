"""How close in meaning a question is to each entry: the semantic signal next to BM25.

Each entry is represented by its title, the ways people ask for it, and its answer. A question's
closeness to an entry is its best cosine similarity with any of them, so "two mums" can meet the
entry on LGBT+ families although they share no word.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Iterable, Protocol

import numpy as np

from bot.knowledge.schema import Entry

if TYPE_CHECKING:
    from bot.nlp.encoder import EmbeddingStore


SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9'\"(])")
# A sentence of an entry's "tell me more" text joins the answer when it is this close in meaning
# to the question, and closer than any sentence of the answer by MARGIN: the first reply then
# holds the fact asked about ("where did most referrals come from?"), not only after "more".
DETAIL_CLOSENESS = 0.55
DETAIL_MARGIN = 0.05


def sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE.split(text or "") if s.strip()]


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
        self._parts: dict[str, tuple[list[str], int]] = {}  # entry id -> its sentences, how many are the answer's
        for entry in self.entries:
            answer = sentences(entry.answer)
            self._parts[entry.id] = (answer + sentences(entry.detail), len(answer))
        parts = [sentence for text, _ in self._parts.values() for sentence in text]
        vectors = store.vectors(texts + parts) if store is not None else encoder.encode(texts + parts)
        self.vectors = vectors[:len(texts)]
        self._sentence_vectors: dict[str, np.ndarray] = {}
        start = len(texts)
        for entry_id, (text, _) in self._parts.items():
            self._sentence_vectors[entry_id] = vectors[start:start + len(text)]
            start += len(text)

    def detail_for(self, text: str, entry_id: str) -> str | None:
        """The sentence of the entry's detail that answers ``text`` better than its answer does."""
        parts, answered = self._parts.get(entry_id, ([], 0))
        if len(parts) <= answered:
            return None
        query = self.encoder.encode([text])[0]
        scores = self._sentence_vectors[entry_id] @ query
        best = answered + int(np.argmax(scores[answered:]))
        in_answer = float(scores[:answered].max()) if answered else -1.0
        if scores[best] >= DETAIL_CLOSENESS and scores[best] >= in_answer + DETAIL_MARGIN:
            return parts[best]
        return None

    def closeness(self, text: str) -> dict[str, float]:
        """Entry id -> the best cosine similarity between ``text`` and the entry's texts."""
        query = self.encoder.encode([text])[0]
        similarities = self.vectors @ query
        best = np.full(len(self.entries), -1.0, dtype=np.float32)
        np.maximum.at(best, self.owners, similarities)
        return {entry.id: float(score) for entry, score in zip(self.entries, best, strict=True)}
