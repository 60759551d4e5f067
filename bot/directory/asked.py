"""Who a request for local services is about: an adult harmed by domestic abuse, a child or young
person affected, an adult who causes harm, or a young person who causes harm.

Read on the words' lemmas (the lists in ``knowledge/directory/requests.yml``, ``asked_about``):
the person the request is for is the one named after "for", "refer", "help"... or else the first
person named; an age in years ("a 16 year old boy") makes them young. They cause harm when the
message says they do ("men who use abuse", "a dad who is violent", "boy has been hitting his
girlfriend", "asked for help to stop being abusive", "change his behaviour"); harm done by someone
else ("saw dad hit mum", "abused by her boyfriend") only describes the situation. When the
message names no person, the sentence encoder (if there is one) compares it with the file's
example requests for each group, and a clear winner is taken.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, Sequence

import numpy as np

from bot.directory.requests import AskedWords

if TYPE_CHECKING:
    from spacy.tokens import Doc

ADULT = 18
ADULT_VICTIM, CHILD = "adult_victim", "child"
ADULT_HARM, YOUNG_HARM = "adult_causing_harm", "young_person_causing_harm"
HARM_SIDE = frozenset({ADULT_HARM, YOUNG_HARM})
# Closeness to the examples: the best group must reach this and lead the next by the margin.
EXAMPLE_CLOSENESS = 0.45
EXAMPLE_MARGIN = 0.05
_SKIP = frozenset({"who", "that", "which", "be", "have", "keep", "start", "begin", "become", "get", "continue",
                   "also", "still", "now", "always", "often", "sometimes", "repeatedly", "really", "just", "recently",
                   "allegedly", "reportedly", "physically", "verbally", "emotionally", "sexually", "financially",
                   "himself", "herself", "themselves", "been", "being", "'s", "very", "quite", "increasingly"})
_PASSIVE_AUX = frozenset({"be", "get", "been", "being", "'s"})
_CARING = frozenset({"care", "caring", "look", "looking", "responsible", "cater", "fend"})
_DETERMINERS = frozenset({"the", "a", "an", "my", "our", "his", "her", "their", "this", "that", "these", "those",
                          "your", "some", "any", "both", "two", "three", "new", "own"})


class Encodes(Protocol):
    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


@dataclass(frozen=True)
class AgeSpan:
    """An age named in the message: tokens [start, end) and the years (low, high)."""

    start: int
    end: int
    low: int
    high: int


@dataclass(frozen=True)
class Person:
    """Someone the message names: tokens [start, end), young or adult (None: not known), a partner."""

    start: int
    end: int
    young: bool | None
    partner: bool = False
    age: AgeSpan | None = None


@dataclass(frozen=True)
class Asked:
    """Who the request is for, and whether an age in the message is theirs."""

    audience: str | None
    age: AgeSpan | None = None
    how: str = ""  # "words", "meaning" or "" (for tests and logs)
    said: bool = False  # the message says which side they are on (not a victim by default)


def people(doc: "Doc", ages: Sequence[AgeSpan], words: AskedWords) -> list[Person]:
    """The persons named, in order; an age right before a person word is theirs ("a 16 year old boy")."""
    found: list[Person] = []
    index = 0
    by_start = {a.start: a for a in ages}
    while index < len(doc):
        token = doc[index]
        pair = f"{token.lemma_} {doc[index + 1].lemma_}" if index + 1 < len(doc) else ""
        if index in by_start:
            age = by_start[index]
            end = age.end
            while end < len(doc) and doc[end].lemma_ in _DETERMINERS | {"-"}:
                end += 1
            if end < len(doc) and (doc[end].lemma_ in words.young or doc[end].lemma_ in words.adult):
                end += 1
            found.append(Person(age.start, end, age.low < ADULT, age=age))
            index = end
            continue
        if pair in words.young:
            found.append(Person(index, index + 2, True))
            index += 2
            continue
        lemma = token.lemma_
        if lemma in words.partners:
            found.append(Person(index, index + 1, None, partner=True))
        elif lemma in words.young or token.lower_ in words.young:
            found.append(Person(index, index + 1, True))
        elif lemma in words.adult or token.lower_ in words.adult:
            found.append(Person(index, index + 1, False))
        elif lemma in words.people or token.lower_ in words.people:
            found.append(Person(index, index + 1, None))
        index += 1
    return found


def _harm_after(doc: "Doc", end: int, words: AskedWords) -> str | None:
    """What the words after a person say they do: "harm", "harmed" or None."""
    index, aux = end, set()
    while index < len(doc) and index - end < 5 and (doc[index].lemma_ in _SKIP or doc[index].lower_ in _SKIP):
        aux.add(doc[index].lemma_)
        aux.add(doc[index].lower_)
        index += 1
    if index >= len(doc):
        return None
    token = doc[index]
    lemma = token.lemma_
    if lemma in words.harm_states or token.lower_ in words.harm_states:
        return "harm"
    if lemma == "use" and any(t.lemma_ in words.harm_uses for t in doc[index + 1:index + 4]):
        return "harm"
    if lemma in words.harm_acts:
        passive = aux & _PASSIVE_AUX and not token.lower_.endswith("ing")
        return "harmed" if passive else "harm"
    if lemma in words.harmed or token.lower_ in words.harmed:
        return "harmed"
    return None


def _wants_change(doc: "Doc", words: AskedWords) -> int | None:
    """Where the message asks for someone's harm to stop ("stop being abusive", "change his
    behaviour", "work on his anger"), or None."""
    for index, token in enumerate(doc):
        if token.lemma_ not in words.change:
            continue
        for follower in doc[index + 1:index + 5]:
            lemma = follower.lemma_
            if lemma in words.behaviour or lemma in words.harm_states or follower.lower_ in words.harm_states:
                return index
            if lemma in words.harm_acts and follower.lower_.endswith("ing"):  # "stop hitting"
                return index
            if not (follower.is_stop or lemma in {"on", "with", "his", "her", "their", "own", "being"}):
                break
    return None


def _target(doc: "Doc", persons: list[Person], words: AskedWords) -> Person | None:
    """The person the request is for: named after "for", "refer", "help"..., else the first named
    (not a partner, and not one who only names another: "my client's son" is the son)."""
    persons = [p for number, p in enumerate(persons) if not _names_another(doc, p, persons[number + 1:])]
    for person in persons:
        before = [t for t in doc[max(0, person.start - 3):person.start] if t.lower_ not in _DETERMINERS]
        if before and (before[-1].lemma_ in words.target_before or before[-1].lower_ in words.target_before) and not (
                len(before) > 1 and before[-2].lemma_ in _CARING):  # "caring for the kids": not whom it is for
            return person
    named = [p for p in persons if not p.partner]
    return named[0] if named else (persons[0] if persons else None)


def _names_another(doc: "Doc", person: Person, later: list[Person]) -> bool:
    """"my client's son": the client only says whose son; a partner never counts ("mum's partner")."""
    if person.end >= len(doc) or doc[person.end].lower_ not in {"'s", "s"} or not later:
        return False
    following = later[0]
    return following.start - person.end <= 3 and not following.partner


def _harmers(doc: "Doc", persons: list[Person], words: AskedWords) -> set[int]:
    """The persons (by start) the message says cause harm."""
    harm = set()
    for person in persons:
        own = doc[person.end - 1]
        if _harm_after(doc, person.end, words) == "harm" or own.lemma_ in words.harm_states:
            harm.add(person.start)  # "a dad who is violent", "the perpetrator"
        before = doc[person.start - 1] if person.start else None
        if before is not None and (before.lemma_ in words.harm_states or before.lower_ in words.harm_states):
            harm.add(person.start)  # "an abusive dad"
        if before is not None and before.lower_ == "by" and person.start >= 2 and doc[person.start - 2].lemma_ in (
                words.harm_acts | words.harmed):
            harm.add(person.start)  # "abused by her boyfriend"
        if before is not None and before.lower_ == "whose":
            harm.add(person.start)  # "a girl whose boyfriend tracks her phone": the boyfriend's doing
    return harm


def _group(person: Person | None, ages: Sequence[AgeSpan]) -> bool | None:
    """Whether the person is young: their own age or word, else the only age in the message."""
    if person is not None and person.young is not None:
        return person.young
    if len(ages) == 1:
        return ages[0].low < ADULT
    return None


def read_asked(doc: "Doc", ages: Sequence[AgeSpan], words: AskedWords) -> Asked:
    """Who the request is about, from the words alone (``Asked(None)`` when they do not say)."""
    persons = people(doc, ages, words)
    change = _wants_change(doc, words)
    if change is not None:
        before = [p for p in persons if p.start < change and not p.partner] or [p for p in persons if not p.partner]
        subject = before[-1] if before else None
        young = _group(subject, ages)
        return Asked(YOUNG_HARM if young else ADULT_HARM, subject.age if subject else None, "words", said=True)
    target = _target(doc, persons, words)
    if target is None:
        if len(ages) == 1 and ages[0].low < ADULT:
            return Asked(CHILD, ages[0], "words")
        return Asked(None)
    young = _group(target, ages)
    age = target.age or (ages[0] if young and len(ages) == 1 else None)
    if target.start in _harmers(doc, persons, words):
        return Asked(YOUNG_HARM if young else ADULT_HARM, age, "words", said=True)
    if target.partner and young is None:
        young = False
    if young is None:
        return Asked(None)
    return Asked(CHILD if young else ADULT_VICTIM, age, "words", said=_harmed(doc, persons, words))


def _harmed(doc: "Doc", persons: list[Person], words: AskedWords) -> bool:
    """Whether the message says someone is harmed ("being abused", "fled", "a victim")."""
    return any(_harm_after(doc, p.end, words) == "harmed" for p in persons) or any(
        t.lemma_ in {"victim", "survivor"} for t in doc)


class AskedReader:
    """``read_asked``, with the encoder's comparison to the example requests when the words do not say."""

    def __init__(self, words: AskedWords, encoder: Encodes | None = None, vectors: np.ndarray | None = None):
        self.words = words
        self.encoder = encoder
        self._groups = [group for group, texts in words.examples.items() for _ in texts]
        if encoder is not None and vectors is None and self._groups:
            vectors = encoder.encode([t for texts in words.examples.values() for t in texts])
        self._vectors = vectors

    def read(self, doc: "Doc", ages: Sequence[AgeSpan], text: str) -> Asked:
        asked = read_asked(doc, ages, self.words)
        if asked.audience is not None or self.encoder is None or self._vectors is None or not self._groups:
            return asked
        return self._by_meaning(text, ages)

    def _by_meaning(self, text: str, ages: Sequence[AgeSpan]) -> Asked:
        assert self.encoder is not None and self._vectors is not None  # ``read`` asks only then
        closeness = self._vectors @ self.encoder.encode([text])[0]
        best: dict[str, float] = {}
        for group, score in zip(self._groups, closeness, strict=True):
            best[group] = max(best.get(group, -1.0), float(score))
        ranked = sorted(best.items(), key=lambda item: -item[1])
        if ranked[0][1] < EXAMPLE_CLOSENESS or (len(ranked) > 1 and ranked[0][1] - ranked[1][1] < EXAMPLE_MARGIN):
            return Asked(None)
        audience = ranked[0][0]
        young_ages = [a for a in ages if a.low < ADULT]
        if young_ages and audience in (ADULT_VICTIM, ADULT_HARM):
            audience = CHILD if audience == ADULT_VICTIM else YOUNG_HARM
        age = young_ages[0] if young_ages and audience in (CHILD, YOUNG_HARM) else None
        return Asked(audience, age, "meaning")
