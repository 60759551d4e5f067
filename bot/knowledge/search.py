"""Ranked text search over knowledge entries (BM25 over lemmas and canonical term ids).

The index is built in memory from the entries at start-up, so it works whatever the
database is. Every synonym of a domain term contributes the same ``term:<id>`` token
(``ctx:<id>`` for agencies and age stages, which count for less),
which is how "DV", "domestic violence" and "domestic abuse" meet.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Callable, Iterable

from bot.knowledge.schema import Entry
from bot.nlp.pipeline import Analysis

K1, B = 1.2, 0.75
# Agencies and age stages in a question are usually its context ("I'm a HV...", "a 10 year
# old...") rather than its subject, so their canonical tokens count for less.
CONTEXT_LABELS = {"agency", "age_stage"}
CONTEXT_WEIGHT = 0.5
MIN_CORRECTED_LENGTH = 6
# How much each part of an entry counts: the ways people ask and the title say most
# about what an entry is for; the answer text adds recall.
FIELD_WEIGHTS = {"title": 2, "questions": 2, "keywords": 2, "answer": 1}


def tokens_of(analysis: Analysis) -> list[str]:
    """Search tokens: content lemmas plus one canonical token per domain mention."""
    return list(analysis.lemmas) + [
        f"{'ctx' if m.label in CONTEXT_LABELS else 'term'}:{m.id}" for m in analysis.mentions
    ]


@dataclass(frozen=True)
class Hit:
    """One ranked result: the entry, its BM25 score, and the share of the query it explains."""

    entry: Entry
    score: float
    coverage: float
    question_match: float = 0.0
    meaning: float = 0.0  # cosine similarity in meaning (the semantic index), when there is one


class SearchIndex:
    """An in-memory BM25 index over entries."""

    def __init__(self, entries: Iterable[Entry], analyse: Callable[[str], Analysis]):
        self.analyse = analyse
        self.entries: list[Entry] = list(entries)
        self.doc_terms: list[Counter] = [self._document(entry) for entry in self.entries]
        self.question_tokens: list[list[set[str]]] = [
            [set(tokens_of(analyse(q))) for q in (entry.title, *entry.questions)] for entry in self.entries
        ]
        self.doc_lengths = [sum(c.values()) for c in self.doc_terms]
        self.avg_length = (sum(self.doc_lengths) / len(self.doc_lengths)) if self.entries else 1.0
        frequency: Counter = Counter()
        for counts in self.doc_terms:
            frequency.update(counts.keys())
        n = len(self.entries)
        self.idf = {t: math.log(1 + (n - df + 0.5) / (df + 0.5)) for t, df in frequency.items()}
        # A word no entry uses is as informative as the rarest word: it lowers coverage.
        self.max_idf = math.log(1 + (n + 0.5) / 0.5) if n else 1.0
        by_length: dict[int, list[str]] = {}
        for word in self.idf:
            if word.isalpha():
                by_length.setdefault(len(word), []).append(word)
        self._words_by_length = {k: tuple(sorted(v)) for k, v in by_length.items()}

    def _document(self, entry: Entry) -> Counter:
        counts: Counter = Counter()
        fields = {
            "title": [entry.title],
            "questions": list(entry.questions),
            "keywords": list(entry.keywords),
            "answer": [entry.answer],
        }
        for name, texts in fields.items():
            for text in texts:
                for token in tokens_of(self.analyse(text)):
                    counts[token] += FIELD_WEIGHTS[name]
        return counts

    def query_tokens(self, text: str, analysis: Analysis | None = None) -> list[str]:
        """Distinct search tokens of ``text`` (or of its ``analysis``, when the caller has it),
        with misspelt words mapped to known ones."""
        analysis = analysis if analysis is not None else self.analyse(text)
        return list(dict.fromkeys(self._correct(t) for t in tokens_of(analysis)))

    def _correct(self, token: str) -> str:
        """A word no entry uses, one or two edits from a word they do use, is taken as that word.

        "perpetartor" and "saftey" become "perpetrator" and "safety". Short words are left
        alone: too many of them are an edit apart ("reset" and "rest").
        """
        if token in self.idf or len(token) < MIN_CORRECTED_LENGTH or not token.isalpha():
            return token
        limit = 1 if len(token) < 8 else 2
        best, best_distance = token, limit + 1
        for known in self._words_by_length.get(len(token), ()) + self._near_lengths(len(token), limit):
            distance = _bounded_edit_distance(token, known, limit)
            if distance < best_distance or (distance == best_distance and self.idf[known] < self.idf.get(best, 99)):
                best, best_distance = known, distance
        return best if best_distance <= limit else token

    def _near_lengths(self, length: int, limit: int) -> tuple[str, ...]:
        words: tuple[str, ...] = ()
        for delta in range(1, limit + 1):
            words += self._words_by_length.get(length - delta, ()) + self._words_by_length.get(length + delta, ())
        return words

    def search(self, text: str, limit: int = 5, analysis: Analysis | None = None) -> list[Hit]:
        """Entries ranked by BM25 score for ``text``, best first; empty when nothing matches."""
        query = self.query_tokens(text, analysis)
        if not query or not self.entries:
            return []
        weights = {t: self.idf.get(t, self.max_idf) * self._query_weight(t) for t in query}
        total_weight = sum(weights.values())
        hits = []
        query_set = set(query)
        for entry, counts, length, questions in zip(
            self.entries, self.doc_terms, self.doc_lengths, self.question_tokens, strict=True
        ):
            score, matched = 0.0, 0.0
            for token in query:
                tf = counts.get(token, 0)
                if not tf:
                    continue
                idf = self.idf[token] * self._query_weight(token)
                score += idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / self.avg_length))
                matched += weights[token]
            if score > 0:
                similarity = max((self._similarity(query_set, q) for q in questions), default=0.0)
                hits.append(Hit(entry=entry, score=score, coverage=matched / total_weight, question_match=similarity))
        hits.sort(key=lambda h: (-h.score, h.entry.id))
        return hits[:limit]

    @staticmethod
    def _query_weight(token: str) -> float:
        return CONTEXT_WEIGHT if token.startswith("ctx:") else 1.0

    def _similarity(self, query: set[str], question: set[str]) -> float:
        """IDF-weighted Jaccard similarity between the query and one way of asking for an entry."""
        union = query | question
        if not union:
            return 0.0
        weight = lambda tokens: sum(self.idf.get(t, self.max_idf) for t in tokens)  # noqa: E731
        return weight(query & question) / weight(union)


def _bounded_edit_distance(a: str, b: str, limit: int) -> int:
    """Edit distance (insert, delete, substitute, swap two neighbours) between ``a`` and ``b``,
    or ``limit + 1`` as soon as it must exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before_previous: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i]
        for j in range(1, len(b) + 1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cost = min(cost, before_previous[j - 2] + 1)
            current.append(cost)
        if min(current) > limit:
            return limit + 1
        before_previous, previous = previous, current
    return previous[-1]
