"""Marking a trainee's answer to a step: which key points it makes, and why.

A key point is met when one of its phrases is found in the answer (``matching.py``: lemmas,
synonyms, terms, a few words allowed in between, negation blocks), or, with the sentence encoder,
when a sentence or clause of the answer means it (``meaning.py``). Before either, pronouns are
replaced by the people the step makes clear (``people.py``: "have a chat with them" -> "have a
chat with the child"). With ``DASG_ENCODER=off`` only the words are compared.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from bot.scenarios.matching import Matcher, Phrase
from bot.scenarios.people import Resolver

if TYPE_CHECKING:
    from bot.scenarios.meaning import Meaning
    from bot.scenarios.schema import KeyPoint, Step


@dataclass(frozen=True)
class PointResult:
    """One key point's mark: met or not, and why (the phrase found, or the closest part in meaning)."""

    id: str
    covered: bool
    phrase: str | None = None  # the key point phrase found in the answer
    part: str | None = None  # the sentence or clause of the answer closest in meaning
    similarity: float | None = None
    close_to: str | None = None  # the key point text it is close to
    needed: float | None = None  # the similarity that text needs
    compared: bool = False  # the answer was compared in meaning

    @property
    def why(self) -> str:
        if self.phrase:
            return f"phrase '{self.phrase}' found"
        if self.part is not None and self.similarity is not None:
            verdict = "met" if self.covered else "not enough"
            return f"'{self.part}' is {self.similarity:.2f} close to '{self.close_to}' ({verdict}: {self.needed:.2f} needed)"
        if self.compared:
            return "no phrase found, and no part of the answer says it the same way round (negated or not)"
        return "no phrase found (words only)"


@dataclass(frozen=True)
class Marking:
    """The marks of one answer to one step, and the answer as marked (pronouns resolved)."""

    points: tuple[PointResult, ...]
    resolved: str

    @property
    def covered(self) -> tuple[str, ...]:
        return tuple(p.id for p in self.points if p.covered)


class Marker:
    """Marks answers the same way everywhere: the engine, validation, ``bot scenarios try``."""

    def __init__(self, matcher: Matcher, meaning: "Meaning | None" = None):
        self.matcher, self.meaning = matcher, meaning
        self.resolver = Resolver(matcher.nlp, matcher.canonical_at, matcher.people_words())
        self._defaults: dict[str, dict[str, str]] = {}
        self._phrases: dict[tuple, list[tuple[str, Phrase]]] = {}

    def prepare(self, steps: Iterable["Step"]) -> None:
        """Work out each step's people and encode its key points now, not on a trainee's turn."""
        steps = list(steps)
        for step in steps:
            self._people(step)
        if self.meaning is not None:
            self.meaning.prepare(kp for s in steps for kp in s.key_points)

    def mark(self, step: "Step", answer: str) -> Marking:
        return self.mark_points(step, step.key_points, answer)

    def mark_points(self, step: "Step", points: Iterable["KeyPoint"], answer: str,
                    lexical_only: bool = False) -> Marking:
        points = list(points)
        resolved = self.resolver.resolve(answer or "", self._people(step))
        found = {kp.id: self._phrase(step, kp, answer or "", resolved) for kp in points}
        close = {}
        missing = [kp for kp in points if found[kp.id] is None]
        if self.meaning is not None and missing and not lexical_only:
            close = self.meaning.closest(missing, self.meaning.parts(resolved))
        results = []
        for kp in points:
            near = close.get(kp.id)
            if found[kp.id] is not None:
                results.append(PointResult(kp.id, True, phrase=found[kp.id]))
            elif near is not None:
                results.append(PointResult(kp.id, near.met, part=near.part, similarity=near.similarity,
                                           close_to=near.to, needed=near.needed))
            else:
                results.append(PointResult(kp.id, False, compared=kp in missing and self.meaning is not None
                                           and not lexical_only))
        return Marking(tuple(results), resolved)

    def _phrase(self, step: "Step", point: "KeyPoint", answer: str, resolved: str) -> str | None:
        """The first phrase found in the answer (pronouns resolved in both, the same way)."""
        phrases = self._resolved_phrases(step, point)
        for text in dict.fromkeys((resolved, answer)):
            tokens = self.matcher.analyse(text)
            found = next((shown for shown, p in phrases if self.matcher.found(p, tokens)), None)
            if found is not None:
                return found
        return None

    def _resolved_phrases(self, step: "Step", point: "KeyPoint") -> list[tuple[str, Phrase]]:
        """(phrase as written, phrase to match): "his history" is "the father's history" at a step about one father."""
        key = (step_key(step), point.id, tuple(p.text for p in point.phrases))
        if key not in self._phrases:
            people = self._people(step)
            resolved = []
            for phrase in point.phrases:
                text = self.resolver.resolve(phrase.text, people)
                resolved.append((phrase.text, phrase if text == phrase.text else self.matcher.phrase(text)))
            self._phrases[key] = resolved
        return self._phrases[key]

    def _people(self, step: "Step") -> dict[str, str]:
        key = step_key(step)
        if key not in self._defaults:
            self._defaults[key] = self.resolver.defaults(f"{step.case}\n{step.question}")
        return self._defaults[key]


def step_key(step: "Step") -> str:
    """What identifies a step's marking: its id and text (a changed case may change its people)."""
    return f"{step.id}\x00{step.case}\x00{step.question}"
