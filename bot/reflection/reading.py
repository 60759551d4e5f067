"""Reading a free-text answer to one reflection question as yes, no, not sure, or nothing sure.

Three signals, read clause by clause and combined: the general answer words ("yes", "not that I
know of", "no idea"); negation (a clause that negates a description means the opposite answer,
unless the description is itself negative: "he doesn't let her have a bank card" is a yes to
control); and how close each clause is to the question's descriptions of a yes and of a no (a
sentence encoder's cosine when one is given, else lemma overlap). Signals that disagree, or a
match that is weak or close to both answers, give no answer: the reflection asks again.
Nothing read here is kept; only the answer is.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

from bot.text.normalise import normalise

if TYPE_CHECKING:  # spaCy stays out of modules that only pass an analyser along
    from bot.nlp.pipeline import TextAnalyser

ANSWERS = ("yes", "no", "not_sure")
WORDS_ORDER = ("not_sure", "no", "yes")  # "no idea" is not a no, "probably not" not a yes
FLIP = {"yes": "no", "no": "yes"}
# A yes-description negated counts for a no, as weaker evidence: an encoder barely sees
# negation, so "he hit her" negated sits close to "he threatens her" negated.
NEGATED_WEIGHT = 0.85
INTENT_ANSWERS = {"affirm": "yes", "deny": "no"}
MAX_INTENT_WORDS = 3  # NLU's affirm / deny counts only for a few words ("correct", "negative")
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_BREAK = re.compile(r"[,;:.!?()]+|\s-+\s|\s-+$|^-+\s")
# spaCy stop words that carry meaning in an answer ("he puts her down", "seen alone").
CONTENT_STOP_WORDS = frozenset({
    "alone", "back", "before", "both", "call", "down", "first", "front", "give", "go", "keep", "made", "make",
    "move", "name", "out", "own", "put", "see", "show", "take", "together", "whole",
})

# Similarity(text, candidates) -> one score per candidate, higher is closer.
Similarity = Callable[[str, Sequence[str]], Sequence[float]]


@dataclass(frozen=True)
class Sensitivity:
    """When a similarity counts: a clause means a description's answer when its best score is at
    least ``threshold`` and ``margin`` above the best for the other answer; ``floor`` is where a
    message starts to look like an attempt at an answer (then it is asked again, not answered
    as a question on the way)."""

    threshold: float
    margin: float
    floor: float


# Lemma-set cosine: one shared content word in two is 0.5, two in four also 0.5.
LEXICAL = Sensitivity(threshold=0.5, margin=0.15, floor=0.34)
# all-MiniLM-L6-v2 cosine on negation-free texts: paraphrases score 0.6-0.95, neighbouring
# topics of the same question 0.3-0.5.
ENCODER = Sensitivity(threshold=0.6, margin=0.08, floor=0.5)


@dataclass(frozen=True)
class ReadingWords:
    """The general answer vocabulary (``answers`` and ``reading`` in the reflection file)."""

    answers: Mapping[str, tuple[re.Pattern, ...]]  # not_sure anywhere in a clause; yes / no at its start
    fillers: frozenset[str] = frozenset()  # "actually", "well": skipped at the start of a clause
    qualifiers: tuple[re.Pattern, ...] = ()  # "as far as I know", "I think": change no polarity
    negators: frozenset[str] = frozenset()  # "not", "never", "nobody" (and every word ending in n't)
    contrast: frozenset[str] = frozenset()  # "but", "though": start a clause that can contradict
    neutral: frozenset[str] = frozenset()  # lemmas that are never content ("think", "know")
    questions: frozenset[str] = frozenset()  # first words of a question asked on the way


@dataclass(frozen=True)
class Clause:
    """One clause of a message: its answer words' answer, and the rest with negation removed."""

    words: str | None
    content: str
    negated: bool
    contrast: bool = False


@dataclass(frozen=True)
class Reading:
    """What a message answers (``answer`` None: ask again) and why."""

    answer: str | None
    words: str | None = None  # what the answer words said
    meaning: str | None = None  # what the descriptions said
    score: float = 0.0  # the best description's similarity
    answer_like: bool = False  # the message tried to answer (so it is not a question on the way)


def split_clauses(text: str, words: ReadingWords) -> list[tuple[str, bool]]:
    """The clauses of a normalised text (at punctuation, dashes and contrast words), each with
    whether it starts with a contrast word."""
    segments: list[list[str]] = []
    for part in _BREAK.split(text):
        segment: list[str] = []
        for token in part.split():
            if token in words.contrast and segment:
                segments.append(segment)
                segment = []
            segment.append(token)
        if segment:
            segments.append(segment)
    return [(" ".join(s), s[0] in words.contrast) for s in segments]


def read_clause(text: str, contrast: bool, words: ReadingWords) -> Clause:
    """The clause's answer words (removed from it), then its content without negators."""
    tokens = text.split()
    while tokens and (tokens[0] in words.fillers or tokens[0] in words.contrast):
        tokens = tokens[1:]
    rest = " ".join(tokens)
    said = None
    for answer in WORDS_ORDER:
        match = next((m for p in words.answers[answer] if (m := p.search(rest))), None)
        if match:
            said, rest = answer, (rest[:match.start()] + " " + rest[match.end():]).strip()
            break
    for qualifier in words.qualifiers:
        rest = qualifier.sub(" ", rest)
    kept, negators = [], 0
    for word in _WORD.findall(rest):
        if word in words.negators or word.endswith("n't"):
            negators += 1
        else:
            kept.append(word)
    return Clause(said, " ".join(kept), negators % 2 == 1, contrast)


def is_question(text: str, words: ReadingWords) -> bool:
    """A question asked on the way ("what is MARAC?"), not a description of the family."""
    first = _WORD.findall(text)[:1]
    return text.rstrip().endswith("?") or bool(first and first[0] in words.questions)


def clauses(text: str, words: ReadingWords) -> list[Clause]:
    """Each clause of ``text`` read: answer words, content, negation."""
    return [read_clause(c, contrast, words) for c, contrast in split_clauses(normalise(text or ""), words)]


def answer_words(text: str, words: ReadingWords, intent: str | None = None) -> str | None:
    """The answer the general answer words give, whatever the question ("yeah", "no idea");
    NLU's affirm / deny for a short message with none; None when they disagree."""
    said = {c.words for c in clauses(text, words) if c.words}
    if said:
        return said.pop() if len(said) == 1 else None
    return by_intent(text, intent)


def by_intent(text: str, intent: str | None) -> str | None:
    """NLU's affirm / deny, for a message of a few words only ("correct", "negative")."""
    return INTENT_ANSWERS.get(intent or "") if len((text or "").split()) <= MAX_INTENT_WORDS else None


class LemmaOverlap:
    """Lexical similarity (the fallback without an encoder): cosine of the content lemma sets.
    Only the candidates' lemmas are remembered (they are the question's descriptions), never a
    message's."""

    def __init__(self, analyser: "TextAnalyser", neutral: frozenset[str] = frozenset()):
        self.nlp = analyser.nlp
        self.skip = (frozenset(self.nlp.Defaults.stop_words) - CONTENT_STOP_WORDS) | neutral
        self._candidates: dict[str, frozenset[str]] = {}

    def lemmas(self, text: str) -> frozenset[str]:
        """Content lemmas: not function words, negators or the neutral words."""
        return frozenset(
            token.lemma_ or token.text for token in self.nlp(text)
            if any(ch.isalnum() for ch in token.text) and not {token.text, token.lemma_} & self.skip
        )

    def __call__(self, text: str, candidates: Sequence[str]) -> list[float]:
        mine = self.lemmas(text)
        scores = []
        for candidate in candidates:
            if candidate not in self._candidates:
                self._candidates[candidate] = self.lemmas(candidate)
            theirs = self._candidates[candidate]
            shared = len(mine & theirs)
            scores.append(shared / math.sqrt(len(mine) * len(theirs)) if shared else 0.0)
        return scores


def encoder_similarity(encode: Callable[[Sequence[str]], Any]) -> Similarity:
    """A ``Similarity`` from a sentence encoder's ``encode(texts)`` (L2-normalised rows)."""

    def similarity(text: str, candidates: Sequence[str]) -> list[float]:
        vectors = encode([text, *candidates])
        return [float(row @ vectors[0]) for row in vectors[1:]]

    return similarity


def _meant(answer: str, negative: bool, negated: bool) -> str | None:
    """What matching a description means. Same polarity: its answer ("she isn't allowed to see
    her family" read against that very description is a yes). A yes-description negated is a
    no ("he doesn't control the money"; "she is allowed to see her family" against "she isn't
    allowed ..."). A no-description negated is no answer: "not relaxed with him" is not
    "scared of him"."""
    if negative == negated:
        return answer
    return "no" if answer == "yes" else None


class AnswerReader:
    """Reads a message against one question's descriptions of what a yes and a no mean."""

    def __init__(self, words: ReadingWords, analyser: "TextAnalyser", similarity: Similarity | None = None,
                 sensitivity: Sensitivity | None = None):
        self.words = words
        self.lexical = LemmaOverlap(analyser, words.neutral)
        self.similarity = similarity or self.lexical
        self.sensitivity = sensitivity or (ENCODER if similarity else LEXICAL)
        self._descriptions: dict[tuple, tuple[tuple[str, bool, str], ...]] = {}

    def read(self, text: str, means: Mapping[str, Sequence[str]], intent: str | None = None,
             question: str = "") -> Reading:
        """The answer ``text`` gives to the question whose descriptions of a yes and a no are
        ``means`` (``question``: its wording); ``answer`` None when the signals are missing, weak
        or disagree."""
        read = clauses(text, self.words)
        said = {c.words for c in read if c.words}
        # A first clause that only negates ("none that I know of", "never", "he hasn't"), or
        # negates only words of the question itself ("nothing previous" to "any history with
        # previous partners?"), is a no; later, such a clause is more likely elliptical ("she's
        # scared of him, he isn't of her").
        if read and read[0].negated and not read[0].words and \
                self.lexical.lemmas(read[0].content) <= self.lexical.lemmas(question):
            said.add("no")
        meaning, score, near = None, 0.0, False
        if not is_question(normalise(text or ""), self.words):
            # Once the practitioner says they are not sure, what follows explains why; only a
            # contrasting clause ("... but he takes her wages") can say something else.
            described = [c for c in read if c.contrast] if "not_sure" in said else read
            meaning, score, near = self._meaning(described, means)
            # What follows "but" is the point: "he isn't scared of her, but she's petrified of
            # him" is a yes, "not sure about money, but he checks her phone" too.
            after = read[max(i for i, c in enumerate(read) if c.contrast):] if any(c.contrast for c in read) else []
            pointed, pointed_score, _ = self._meaning(after, means) if after else (None, 0.0, False)
            if pointed:
                meaning, score = pointed, pointed_score
                said = set()
        answers = said | ({meaning} if meaning else set())
        answer = answers.pop() if len(answers) == 1 else None
        if not (said or meaning or near):
            answer = by_intent(text, intent)
        return Reading(answer, next(iter(said)) if len(said) == 1 else None, meaning, score,
                       answer_like=bool(said or meaning or near))

    def _meaning(self, clauses: list[Clause], means: Mapping[str, Sequence[str]]) -> tuple[str | None, float, bool]:
        """The answer the clauses' content means, its score, and whether any clause came close."""
        descriptions = self._prepared(means)
        best, near = {"yes": 0.0, "no": 0.0}, False
        for clause in clauses:
            if not self.lexical.lemmas(clause.content):
                continue
            scores = self.similarity(clause.content, [d[2] for d in descriptions])
            for (answer, negative, _), value in zip(descriptions, scores, strict=True):
                meant = _meant(answer, negative, clause.negated)
                if meant:
                    weight = 1.0 if negative == clause.negated else NEGATED_WEIGHT
                    best[meant] = max(best[meant], float(value) * weight)
                near = near or float(value) >= self.sensitivity.floor
        top = max(best, key=lambda a: best[a])
        other = best[FLIP[top]]
        sure = best[top] >= self.sensitivity.threshold and best[top] - other >= self.sensitivity.margin
        return (top if sure else None), best[top], near

    def _prepared(self, means: Mapping[str, Sequence[str]]) -> tuple[tuple[str, bool, str], ...]:
        """Each description as (answer, negative?, text without negators), once per question."""
        key = tuple((a, tuple(means.get(a) or ())) for a in ("yes", "no"))
        if key not in self._descriptions:
            self._descriptions[key] = tuple(
                (answer, clause.negated, clause.content)
                for answer, texts in key for text in texts
                for clause in [read_clause(normalise(text), False, self.words)]
            )
        return self._descriptions[key]
