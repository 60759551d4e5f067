"""Read a practitioner's request for local services: the needs (service types, by the taxonomy's
words), the ages named, who the request is about (``bot.directory.asked``), and the other words
that say what is wanted, for matching against services' own text.

"any support for a 7 year old in Salford?" gives age 7 and the child audience; "perpetrator
programme near Leeds" the need ``perpetrator_programme``; "somewhere safe to stay that isn't a
women's refuge" the need ``refuge`` from "safe to stay" (a need that is ruled out, "isn't a
refuge", is not read as asked for); "forced marriage support" no type, but described words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from bot.directory.asked import ADULT, CHILD, AgeSpan, Asked, AskedReader, read_asked
from bot.directory.requests import RequestWords, load_request_words
from bot.directory.taxonomy import Taxonomy, load_taxonomy
from bot.text.normalise import normalise

if TYPE_CHECKING:
    from spacy.tokens import Doc

MAX_TEXT = 2000
PROFESSIONALS = "professionals"
_NUMBERS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen".split()
)}
_N = r"(\d{1,2}|" + "|".join(_NUMBERS) + r")"
_YEARS = r"\s*-?\s*(?:years?|yrs?)[\s-]*olds?\b"
_AGE_PATTERNS = (  # (pattern, whether it names months): the first that matches at a place wins
    (re.compile(r"\b" + _N + r"\s*(?:-|to|and|&)\s*" + _N + _YEARS), False),
    (re.compile(r"\b" + _N + _YEARS), False),
    (re.compile(r"\b" + _N + r"\s*(?:yo|y/o|yrs?)\b"), False),
    (re.compile(r"\baged?s?\s+" + _N + r"(?:\s*(?:-|to|and|&)\s*" + _N + r")?\b"), False),
    (re.compile(r"\b" + _N + r"\s*-?\s*months?[\s-]*olds?\b"), True),
    (re.compile(r"\(\s*" + _N + r"\s*(?:,|and|&|-)\s*" + _N + r"\s*\)"), False),
    (re.compile(r"\b(?:he|she|they|who)(?:'s|'re|\s+is|\s+are)\s+(?:only\s+|just\s+|now\s+)?" + _N
                + r"\b(?!\s*(?:%|percent|pounds|minutes|hours|days|weeks|months|times|miles))"), False),
)
_NEGATIONS = frozenset({"not", "no", "without", "except", "never"})
_NEGATING_PAIRS = frozenset({"rather than", "instead of", "other than", "apart from"})
_AFTER_PROVISION = frozenset({"for", "with", "to", "around", "on", "about"})


@dataclass(frozen=True)
class Reading:
    """What the words of a request say (the area is found separately)."""

    needs: tuple[str, ...]
    asked: Asked
    ages: tuple[AgeSpan, ...]
    words: tuple[str, ...]  # content words for matching services' text
    described: tuple[str, ...]  # the words that describe a need around "support", "group"... when no type does


def _years(value: str) -> int:
    return int(value) if value.isdigit() else _NUMBERS[value]


class RequestReader:
    """Lemma phrase matching for needs and age words (from the taxonomy), ages in numbers, and the
    request's own words, then who it is about."""

    def __init__(self, taxonomy: Taxonomy, words: RequestWords, asked: AskedReader | None = None):
        from spacy.matcher import PhraseMatcher

        from bot.nlp.pipeline import build_nlp

        self.taxonomy = taxonomy
        self.words = words
        self.asked = asked or AskedReader(words.asked)
        self.nlp = build_nlp([])
        self.nlp.remove_pipe("entity_ruler")  # the project's lemmatizer only; phrases are matched below
        self.lemmas = PhraseMatcher(self.nlp.vocab, attr="LEMMA")
        self.exact = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self.age_words: dict[str, tuple[int, int]] = {}
        for t in taxonomy.types.values():
            self._add(f"need:{t.id}", (*t.keywords, t.label))
        if PROFESSIONALS in taxonomy.audiences:  # "consultation for practitioners": a group, not a person
            self._add(f"audience:{PROFESSIONALS}", taxonomy.audiences[PROFESSIONALS].synonyms)
        for word in taxonomy.ages:
            key = f"age:{word.min}-{word.max}"
            self.age_words[key] = (word.min, word.max)
            self._add(key, (word.phrase,))

    def _add(self, key: str, phrases) -> None:
        """Phrases match on lemmas ("refuges" is "refuge"), except those whose lemmas are other words
        ("housing" would be "house"): those match as written."""
        docs = [self.nlp(normalise(p)) for p in phrases]
        by_lemma = [d for d in docs if all(t.lemma_ == t.lower_ for t in d)]
        as_written = [d for d in docs if not all(t.lemma_ == t.lower_ for t in d)]
        if by_lemma:
            self.lemmas.add(key, by_lemma)
        if as_written:
            self.exact.add(key, as_written)

    def _matches(self, doc: "Doc") -> list[tuple[int, int, int]]:
        return [*self.lemmas(doc), *self.exact(doc)]

    def doc(self, text: str) -> "Doc":
        return self.nlp(normalise(text)[:MAX_TEXT])

    def read(self, text: str, leave_out: frozenset[str] = frozenset()) -> Reading:
        """The request in ``text``; ``leave_out`` are words not to match services with (the area's name)."""
        doc = self.doc(text)
        needs, taken = self._needs(doc)
        ages = self._ages(doc)
        asked = self.asked.read(doc, ages, text)
        if asked.audience is None and any(self.nlp.vocab.strings[key] == f"audience:{PROFESSIONALS}"
                                          and start and doc[start - 1].lower_ == "for"
                                          for key, start, _ in self._matches(doc)):
            asked = Asked(PROFESSIONALS, how="words", said=True)  # "consultation for practitioners"
        words = self._words(doc, taken, leave_out)
        described = () if needs else self._described(doc, taken, leave_out)
        return Reading(self.taxonomy.ordered(needs), asked, tuple(ages), words, described)

    def who_for(self, text: str) -> str | None:
        """Who a service's own words say it is for, by the words alone ("a course for fathers who
        have been violent": adults who cause harm)."""
        doc = self.doc(text)
        return read_asked(doc, self._ages(doc), self.words.asked).audience

    def _needs(self, doc: "Doc") -> tuple[list[str], set[int]]:
        """Types named and not ruled out, and the tokens of every need phrase (asked for or not)."""
        from spacy.util import filter_spans

        matches = [(self.nlp.vocab.strings[key], doc[start:end]) for key, start, end in self._matches(doc)]
        spans = filter_spans([span for label, span in matches if label.startswith("need:")])
        kept = {(s.start, s.end) for s in spans}
        needs: list[str] = []
        taken: set[int] = set()
        for label, span in sorted(matches, key=lambda m: m[1].start):
            if not label.startswith("need:") or (span.start, span.end) not in kept:
                continue
            taken.update(range(span.start, span.end))
            if not _ruled_out(doc, span.start) and label[5:] not in needs:
                needs.append(label[5:])
        return needs, taken

    def _ages(self, doc: "Doc") -> list[AgeSpan]:
        found: list[AgeSpan] = []
        covered: list[tuple[int, int]] = []
        for pattern, months in _AGE_PATTERNS:
            for match in pattern.finditer(doc.text):
                if any(s < match.end() and match.start() < e for s, e in covered):
                    continue
                span = doc.char_span(match.start(), match.end(), alignment_mode="expand")
                if span is None:
                    continue
                values = [_years(v) for v in match.groups() if v is not None]
                low, high = (0, 0) if months else (min(values), max(values))
                if high > 120:
                    continue
                covered.append((match.start(), match.end()))
                found.append(AgeSpan(span.start, span.end, low, high))
        for key, start, end in self._matches(doc):
            label = self.nlp.vocab.strings[key]
            if label.startswith("age:") and not any(a.start < end and start < a.end for a in found):
                low, high = self.age_words[label]
                found.append(AgeSpan(start, end, low, high))
        return sorted(found, key=lambda a: a.start)

    def _content(self, token, leave_out: frozenset[str]) -> bool:
        text = token.lower_
        return (token.is_alpha and len(text) >= 3 and not token.is_stop and text not in leave_out
                and text not in self.words.generic_words and token.lemma_ not in self.words.generic_words)

    def _words(self, doc: "Doc", taken: set[int], leave_out: frozenset[str]) -> tuple[str, ...]:
        """Content words, for matching services' own text (need phrases included unless ruled out);
        words for people are left out: who a service is for is matched by its audiences."""
        asked = self.words.asked
        person = asked.young | asked.adult | asked.partners | asked.people
        kept = [t.lower_ for t in doc if self._content(t, leave_out) and t.lemma_ not in person
                and t.lower_ not in person and not (t.i in taken and _ruled_out(doc, t.i))]
        return tuple(dict.fromkeys(kept))

    def _described(self, doc: "Doc", taken: set[int], leave_out: frozenset[str]) -> tuple[str, ...]:
        """The words that describe a need next to a provision word: before it ("forced marriage
        support") or after it and "for"/"with"/"to" ("a group ... to rebuild her confidence");
        words for people and for what they do or suffer are not needs."""
        asked = self.words.asked
        person = asked.young | asked.adult | asked.partners | asked.people
        situation = asked.harm_acts | asked.harm_states | asked.harmed | asked.change | asked.behaviour
        found: list[str] = []

        def need_word(token) -> bool:
            return (self._content(token, leave_out) and token.i not in taken and token.lemma_ not in person
                    and token.lower_ not in person and token.lemma_ not in situation and token.lower_ not in situation
                    and token.lower_ not in self.words.provision_words)

        for token in doc:
            if token.lower_ not in self.words.provision_words and token.lemma_ not in self.words.provision_words:
                continue
            index = token.i - 1
            while index >= 0 and need_word(doc[index]) and token.i - index <= 3:
                found.append(doc[index].lower_)
                index -= 1
            after = token.i + 1
            if after < len(doc) and doc[after].lower_ in _AFTER_PROVISION:
                for follower in doc[after + 1:after + 8]:
                    if follower.is_punct or follower.lower_ in {"who", "whose", "that", "which"}:
                        break  # what follows describes a person
                    if need_word(follower):
                        found.append(follower.lower_)
        return tuple(dict.fromkeys(found))


def _ruled_out(doc: "Doc", start: int) -> bool:
    """Whether a phrase at ``start`` is ruled out by the words just before it ("rather than a refuge",
    "that isn't a women's refuge")."""
    before = doc[max(0, start - 5):start]
    lemmas = [t.lemma_ for t in before]
    if any(lemma in _NEGATIONS for lemma in lemmas):
        return True
    pairs = {f"{a} {b}" for a, b in zip(lemmas, lemmas[1:], strict=False)}
    return bool(pairs & _NEGATING_PAIRS)


@lru_cache(maxsize=4)
def default_reader(taxonomy: Taxonomy | None = None, words: RequestWords | None = None) -> RequestReader:
    """A reader over the project's taxonomy and request words, without the encoder (built once)."""
    return RequestReader(taxonomy or load_taxonomy(), words or load_request_words())


def age_of(reading: Reading) -> int | tuple[int, int] | None:
    """The age to filter services by: the age of the person asked about, or with nobody named, the
    one age given (under 18: a child's). An age of someone else ("a mum with her 5 year old") is
    not theirs."""
    span = reading.asked.age
    if span is None and reading.asked.audience is None and len(reading.ages) == 1:
        span = reading.ages[0]
    if span is None:
        return None
    return span.low if span.low == span.high else (span.low, span.high)


def audience_of(reading: Reading, taxonomy: Taxonomy) -> str | None:
    """Who the request is about; with nobody named, the side the needs asked for imply (a programme
    for people who cause harm) fitted to an age given, else a child when only a child's age is given."""
    audience = reading.asked.audience
    implied = {a for n in reading.needs if n in taxonomy.types for a in taxonomy.types[n].audiences}
    harm_only = bool(implied) and all(a.endswith("causing_harm") for a in implied)
    if audience is not None and not (harm_only and not reading.asked.said):
        return audience
    young = any(a.low < ADULT for a in reading.ages)
    if harm_only:  # "a perpetrator programme I can refer dad to"
        return "young_person_causing_harm" if young else "adult_causing_harm"
    if young and len(reading.ages) == 1:
        return CHILD
    return None
