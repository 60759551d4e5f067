"""Whether part of an answer means a key point: sentence-level similarity from the shared encoder.

Each key point is represented by its phrases, its ``present`` feedback ("You planned to speak
with the children directly") and the sentences of its ``missing`` feedback; an answer by its
sentences, their clauses and, for a question, what it asks about. A key point is met in meaning
when one part of the answer is close enough to one of its texts and both say it the same way
round: a negated part ("I wouldn't speak to the child") can only meet a negated text ("not put
the responsibility on the mother"), and the other way round. How close is enough depends on the
kind of text (a two-word phrase is close to many things): ``SIMILARITY``, fitted on labelled
answers of some scenarios and checked on the others (tests/data/scenario_marking,
tests/bot/scenarios/test_marking_quality.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, NamedTuple, Protocol

import numpy as np

if TYPE_CHECKING:
    from bot.scenarios.matching import Matcher
    from bot.scenarios.schema import KeyPoint

# The similarity a part of an answer needs to each kind of key point text (see the module docstring).
# NEVER: that kind of text does not count in meaning (longer phrases are matched by their words).
NEVER = 2.0
SIMILARITY = {"short phrase": 0.8, "phrase": NEVER, "present": 0.8, "missing": 0.62}
SHORT_PHRASE = 2  # content words at most
SENTENCE = re.compile(r"(?<=[.!?;])\s+|\n+")
CLAUSE = re.compile(r"\s*(?:[,:;()]|\s[-–—]\s|\bbut\b|\band\b|\bso\b|\bthen\b|\bbecause\b|\bas\b)\s*", re.IGNORECASE)
MIN_UNIT_WORDS = 2
# A point made as a question ("Where is the father in this plan?") is also read without its
# question words ("the father in this plan").
QUESTION = re.compile(r"^(?:why|where|what|how|who|when)(?: about)?(?: (?:is|are|was|were|does|do|did|has|have))?\s+(.+?)\?*$",
                      re.IGNORECASE)
EMBEDDINGS_FILE = "scenarios.npz"


class Encodes(Protocol):
    def encode(self, texts: list[str]) -> np.ndarray: ...


class VectorStore(Protocol):
    def vectors(self, texts: Iterable[str]) -> np.ndarray: ...


class Part(NamedTuple):
    """A sentence or clause of an answer (or a key point text), and whether it is said negatively."""

    text: str
    negated: bool
    kind: str = "answer"


@dataclass(frozen=True)
class Closest:
    """The part of an answer closest in meaning to a key point, and the key point text it is close to."""

    similarity: float
    part: str
    to: str
    needed: float  # the similarity this kind of key point text needs

    @property
    def met(self) -> bool:
        return self.similarity >= self.needed


class Meaning:
    """Key point texts as vectors, and how close the parts of an answer come to them."""

    def __init__(self, encoder: Encodes, matcher: "Matcher", store: VectorStore | None = None,
                 thresholds: dict[str, float] | None = None):
        self.encoder, self.matcher, self.store = encoder, matcher, store
        self.thresholds = dict(thresholds or SIMILARITY)
        self._texts: dict[tuple, list[Part]] = {}  # a key point's content -> its texts
        self._vectors: dict[str, np.ndarray] = {}

    def prepare(self, points: Iterable["KeyPoint"]) -> None:
        """Encode the texts of the key points at once (cached on disk by the store)."""
        fresh: list[str] = []
        for point in points:
            if _key(point) in self._texts:
                continue
            texts = [Part(p.text, p.negated, "short phrase" if len(p.lemmas) <= SHORT_PHRASE else "phrase")
                     for p in point.phrases]
            texts.append(Part(point.present, self.negated(point.present), "present"))
            texts += [Part(s, self.negated(s), "missing") for s in _sentences(point.missing)]
            self._texts[_key(point)] = texts
            fresh += [t.text for t in texts if t.text not in self._vectors]
        fresh = list(dict.fromkeys(fresh))
        if fresh:
            vectors = self.store.vectors(fresh) if self.store is not None else self.encoder.encode(fresh)
            self._vectors.update(zip(fresh, vectors, strict=True))

    def parts(self, answer: str) -> list[Part]:
        """The answer's sentences, their clauses and each pair of neighbouring clauses. A sentence
        or pair whose clauses are not all said the same way round ("I don't think anyone was
        listening, she can speak freely") is left out: only its clauses are compared."""
        found: dict[str, bool] = {}
        for sentence in _sentences(answer):
            clauses = [c for c in CLAUSE.split(sentence) if c and len(c.split()) >= MIN_UNIT_WORDS]
            ways = [self.negated(c) for c in clauses]
            if len(set(ways)) <= 1:
                found.setdefault(sentence, self.negated(sentence))
            if sentence.endswith("?") and (asked := QUESTION.match(sentence)):
                found.setdefault(asked.group(1), self.negated(asked.group(1)))
            if len(clauses) > 1:
                found.update((c, way) for c, way in zip(clauses, ways, strict=True) if c not in found)
                for k in range(len(clauses) - 1):
                    if ways[k] == ways[k + 1]:
                        found.setdefault(f"{clauses[k]} {clauses[k + 1]}", ways[k])
        return [Part(text, negated) for text, negated in found.items()]

    def negated(self, text: str) -> bool:
        return any(t.negation for t in self.matcher.analyse(text))

    def best_by_kind(self, points: Iterable["KeyPoint"], parts: list[Part]) -> dict[str, dict[str, float]]:
        """Key point id -> kind of key point text -> its best similarity to a part said the same way
        round (what the thresholds are fitted on)."""
        points = list(points)
        self.prepare(points)
        vectors = self.encoder.encode([p.text for p in parts]) if parts else None
        found: dict[str, dict[str, float]] = {}
        for point in points:
            best: dict[str, float] = {}
            for text in self._texts[_key(point)] if vectors is not None else ():
                scores = vectors @ self._vectors[text.text]
                same = [float(score) for score, part in zip(scores, parts, strict=True) if part.negated == text.negated]
                if same:
                    best[text.kind] = max(best.get(text.kind, -1.0), max(same))
            found[point.id] = best
        return found

    def closest(self, points: Iterable["KeyPoint"], parts: list[Part]) -> dict[str, Closest]:
        """Key point id -> the closest part of the answer said the same way round (if any)."""
        points = list(points)
        if not parts:
            return {}
        self.prepare(points)
        vectors = self.encoder.encode([p.text for p in parts])
        found: dict[str, Closest] = {}
        for point in points:
            texts = self._texts[_key(point)]
            scores = np.stack([self._vectors[t.text] for t in texts]) @ vectors.T  # texts x parts
            needed = np.array([self.thresholds[t.kind] for t in texts])[:, None]
            same_way = np.array([[t.negated == p.negated for p in parts] for t in texts])
            margins = np.where(same_way, scores - needed, -np.inf)
            if np.isfinite(margins).any():
                i, j = np.unravel_index(int(np.argmax(margins)), margins.shape)
                found[point.id] = Closest(float(scores[i, j]), parts[j].text, texts[i].text, float(needed[i, 0]))
        return found


def _key(point: "KeyPoint") -> tuple:
    return (point.id, point.present, point.missing, tuple((p.text, p.negated, p.lemmas) for p in point.phrases))


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE.split(text or "") if s.strip()]


def load_meaning(matcher: "Matcher", var_dir: Path) -> Meaning | None:
    """The meaning check over the process's shared encoder, or None if the encoder cannot load."""
    from bot.nlp.encoder import EmbeddingStore, EncoderError, load_encoder

    try:
        encoder = load_encoder(Path(var_dir))
    except (EncoderError, OSError) as exc:
        import logging

        logging.getLogger(__name__).warning("Scenario answers are marked by their words only: %s", exc)
        return None
    return Meaning(encoder, matcher, EmbeddingStore(Path(var_dir) / "embeddings" / EMBEDDINGS_FILE, encoder))
