"""Marking a trainee's free-text answer against a step's key points.

Answers and key point phrases go through the same steps, so they are compared like for like:
normalise and lemmatise with the project's spaCy pipeline, replace everyday synonyms
(``knowledge/scenarios/_synonyms.yml``), replace the phrases of domain terms
(``knowledge/terms.yml``) by the term, and drop function words. A phrase matches when its
content words appear in the answer in the same order, within one sentence, with at most
``MAX_GAP`` other content words in between, and no negation ("not", "never", "rather than")
governs them. Order matters so that "the children spoke to the police" does not count as
"speak with the children"; the small gap lets "speak directly with each of the children" count.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from bot.knowledge.schema import Term
from bot.scenarios.people import GROUPS as PEOPLE_GROUPS
from bot.scenarios.people import PeopleWords
from bot.text.normalise import normalise
from bot.text.validation import ContentError, Problem, read_mapping, reporter

MAX_GAP = 3  # other content words allowed inside a phrase's match
LOOSE_FROM = 4  # phrases of this many content words match with one inner word missing
NEGATION_REACH = 8  # a negation governs words up to this many tokens after it (same clause)
# "his history isn't relevant": a negation right after a phrase, past these words, denies it.
AUXILIARIES = frozenset({"be", "do", "have", "can", "could", "will", "would", "should", "may", "might", "must", "'s"})
SENTENCE_ENDS = {".", "!", "?", ";"}
CLAUSE_ENDS = {",", ":", "(", ")", "-", "--"}
TERM_PREFIX = "term:"
NEGATION = "not"


class SynonymsError(ContentError):
    """The synonyms file does not validate; carries every problem found."""


@dataclass(frozen=True)
class MatchingVocabulary:
    """What the matcher reads from data: synonym groups, terms, and the words that matter."""

    synonyms: tuple[tuple[str, ...], ...]
    terms: tuple[Term, ...]
    keep_words: frozenset[str]
    negations: tuple[str, ...]
    not_negations: tuple[str, ...]
    clause_breaks: frozenset[str]
    people: tuple[tuple[str, tuple[str, ...]], ...] = ()  # group -> person words (for pronouns)


def load_vocabulary(path: Path, terms: Iterable[Term]) -> MatchingVocabulary:
    """Read ``_synonyms.yml`` (and the project's terms, minus ``ignore_terms``)."""
    path = Path(path)
    data = read_mapping(path, path.name, SynonymsError)
    problems: list[Problem] = []
    report = reporter(problems, path.name)

    def words(key: str, required: bool = True) -> list[str]:
        value = data.get(key)
        if value is None and not required:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            report(key, "must be a list of words or phrases")
            return []
        return [normalise(v) for v in value]

    groups = []
    for index, group in enumerate(data.get("synonyms") or [], start=1):
        if not isinstance(group, list) or len(group) < 2 or not all(isinstance(w, str) and w.strip() for w in group):
            report(f"synonyms[{index}]", "must list a word and at least one synonym")
            continue
        groups.append(tuple(normalise(w) for w in group))
    ignore = set(words("ignore_terms", required=False))
    terms = tuple(terms)
    for term_id in sorted(ignore - {t.id for t in terms}):
        report("ignore_terms", f"unknown term '{term_id}' (see knowledge/terms.yml)")
    people = []
    for group, value in (data.get("people") or {}).items():
        if group not in PEOPLE_GROUPS:
            report(f"people.{group}", f"unknown group (known: {', '.join(PEOPLE_GROUPS)})")
        elif not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            report(f"people.{group}", "must be a list of words")
        else:
            people.append((group, tuple(normalise(v) for v in value)))
    vocabulary = MatchingVocabulary(
        synonyms=tuple(groups),
        terms=tuple(t for t in terms if t.id not in ignore),
        keep_words=frozenset(words("keep_words")),
        negations=tuple(words("negations")),
        not_negations=tuple(words("not_negations", required=False)),
        clause_breaks=frozenset(words("clause_breaks", required=False) or ["but", "and", "although", "though",
                                                                          "however", "whereas", "so", "then"]),
        people=tuple(people),
    )
    if problems:
        raise SynonymsError(problems)
    return vocabulary


@dataclass(frozen=True)
class Token:
    """One word of an analysed text, in its canonical form."""

    lemma: str
    position: int  # index of its first raw token
    sentence: int
    clause: int
    content: bool = True
    negation: bool = False


@dataclass(frozen=True)
class Phrase:
    """A key point phrase, prepared for matching."""

    text: str
    lemmas: tuple[str, ...]
    negated: bool  # the phrase itself contains a negation ("not rely on appearances")


class Matcher:
    """Compares answers with key point phrases; built once from the analyser and the vocabulary."""

    def __init__(self, nlp, vocabulary: MatchingVocabulary):
        self.nlp = nlp
        self.vocabulary = vocabulary
        self.stop_words = frozenset(nlp.Defaults.stop_words) - vocabulary.keep_words
        self._negations = self._sequences(vocabulary.negations)
        self._not_negations = self._sequences(vocabulary.not_negations)
        self._synonyms: dict[tuple[str, ...], str] = {}
        for group in vocabulary.synonyms:
            canonical = " ".join(self._raw_lemmas(group[0]))
            for variant in group:
                self._synonyms.setdefault(tuple(self._raw_lemmas(variant)), canonical)
        self._longest_synonym = max((len(k) for k in self._synonyms), default=0)
        self._terms: dict[tuple[str, ...], str] = {}
        for term in vocabulary.terms:
            for phrase in term.phrases:
                lemmas = tuple(t.lemma for t in self._canonical(phrase, with_terms=False) if t.content)
                if lemmas:
                    self._terms.setdefault(lemmas, TERM_PREFIX + term.id)
        self._longest_term = max((len(k) for k in self._terms), default=0)

    # -- analysis ----------------------------------------------------------------------------

    def _sequences(self, phrases: Sequence[str]) -> list[tuple[str, ...]]:
        return sorted({tuple(self._raw_lemmas(p)) for p in phrases if p}, key=len, reverse=True)

    def _raw_lemmas(self, text: str) -> list[str]:
        return [lemma for lemma, _ in self._raw(text)]

    def _raw(self, text: str) -> list[tuple[str, str]]:
        """(lemma, kind) per token; kind is 'word', 'sentence' or 'clause' (a boundary)."""
        out = []
        for token in self.nlp(normalise(text or "")[:5000]):
            if token.is_space:
                continue
            if token.text in SENTENCE_ENDS:
                out.append((token.text, "sentence"))
            elif token.is_punct or not any(ch.isalnum() for ch in token.text):
                out.append((token.text, "clause" if token.text in CLAUSE_ENDS else "skip"))
            else:
                out.append(((token.lemma_ or token.text).lower(), "word"))
        return [(lemma, kind) for lemma, kind in out if kind != "skip"]

    def _canonical(self, text: str, with_terms: bool = True) -> list[Token]:
        """The text's words after synonyms (and terms), with sentence, clause and negation marks."""
        raw = self._raw(text)
        tokens: list[Token] = []
        sentence = clause = 0
        i = 0
        while i < len(raw):
            lemma, kind = raw[i]
            if kind == "sentence":
                sentence, clause, i = sentence + 1, clause + 1, i + 1
                continue
            if kind == "clause" or lemma in self.vocabulary.clause_breaks:
                clause, i = clause + 1, i + 1
                continue
            words = self._words_from(raw, i)
            skip = self._match_at(words, self._not_negations)
            if skip:
                i += skip
                continue
            cue = self._match_at(words, self._negations)
            if cue:
                tokens.append(Token(NEGATION, i, sentence, clause, content=True, negation=True))
                i += cue
                continue
            size, canonical = self._synonym_at(words)
            if size:
                tokens.append(Token(canonical, i, sentence, clause, content=True))
                i += size
                continue
            tokens.append(Token(lemma, i, sentence, clause, content=lemma not in self.stop_words))
            i += 1
        return self._replace_terms(tokens) if with_terms else tokens

    @staticmethod
    def _words_from(raw: list[tuple[str, str]], start: int) -> list[str]:
        words = []
        for lemma, kind in raw[start:]:
            if kind != "word":
                break
            words.append(lemma)
        return words

    @staticmethod
    def _match_at(words: list[str], sequences: list[tuple[str, ...]]) -> int:
        return next((len(s) for s in sequences if tuple(words[:len(s)]) == s), 0)

    def people_words(self) -> PeopleWords:
        """The person words of ``_synonyms.yml`` by group, as the synonyms make them ("pupil" -> "child")."""
        groups: dict[str, frozenset[str]] = {}
        for group, words in self.vocabulary.people:
            canonical = {self._synonym_at(self._raw_lemmas(w))[1] or " ".join(self._raw_lemmas(w)) for w in words}
            groups[group] = frozenset(canonical)
        return PeopleWords(groups)

    def canonical_at(self, words: list[str]) -> tuple[int, str]:
        """(how many of ``words`` an everyday synonym spans, its canonical word), or (0, "")."""
        return self._synonym_at(words)

    def _synonym_at(self, words: list[str]) -> tuple[int, str]:
        for size in range(min(self._longest_synonym, len(words)), 0, -1):
            canonical = self._synonyms.get(tuple(words[:size]))
            if canonical is not None:
                return size, canonical
        return 0, ""

    def _replace_terms(self, tokens: list[Token]) -> list[Token]:
        """Replace the longest term phrase at each place (over content words, within a sentence)."""
        content = [t for t in tokens if t.content and not t.negation]
        replaced: dict[int, Token] = {}
        dropped: set[int] = set()
        i = 0
        while i < len(content):
            for size in range(min(self._longest_term, len(content) - i), 0, -1):
                window = content[i:i + size]
                if len({t.sentence for t in window}) > 1:
                    continue
                term = self._terms.get(tuple(t.lemma for t in window))
                if term:
                    first = window[0]
                    replaced[first.position] = Token(term, first.position, first.sentence, first.clause)
                    dropped.update(t.position for t in window[1:])
                    i += size
                    break
            else:
                i += 1
        return [replaced.get(t.position, t) for t in tokens if t.position not in dropped or not t.content]

    # -- matching ----------------------------------------------------------------------------

    def phrase(self, text: str) -> Phrase:
        """Prepare a key point phrase (its content words; empty if it has none)."""
        tokens = self._canonical(text)
        return Phrase(text, tuple(t.lemma for t in tokens if t.content), any(t.negation for t in tokens))

    def analyse(self, text: str) -> list[Token]:
        """An answer's canonical tokens (for matching several phrases against one answer)."""
        return self._canonical(text)

    def found(self, phrase: Phrase, tokens: list[Token]) -> bool:
        """Whether the phrase occurs in the analysed answer, in order and not negated."""
        if not phrase.lemmas:
            return False
        content = [t for t in tokens if t.content]
        lemmas = phrase.lemmas
        # A long phrase still counts with one inner word said differently ("give the child a
        # chance to talk" / "give the pupil space to talk"): its first and last words anchor it.
        shorter = [lemmas[:k] + lemmas[k + 1:] for k in range(1, len(lemmas) - 1)] if len(lemmas) >= LOOSE_FROM else []
        for occurrence in (o for variant in (lemmas, *shorter) for o in self._occurrences(variant, content)):
            if phrase.negated and len({t.clause for t in occurrence}) == 1:
                return True  # "not rely on appearances": the negation is part of the phrase, in one clause
            if not phrase.negated and not self._negated(occurrence, tokens):
                return True
        return False

    def matches(self, phrase: str, answer: str) -> bool:
        """Whether ``answer`` contains ``phrase`` (convenience for one pair)."""
        return self.found(self.phrase(phrase), self.analyse(answer))

    @staticmethod
    def _occurrences(lemmas: tuple[str, ...], content: list[Token]):
        span = len(lemmas) + MAX_GAP
        for start, first in enumerate(content):
            if first.lemma != lemmas[0]:
                continue
            found, at = [first], start
            for lemma in lemmas[1:]:
                at = next((k for k in range(at + 1, min(len(content), start + span))
                           if content[k].lemma == lemma and content[k].sentence == first.sentence), None)
                if at is None:
                    break
                found.append(content[at])
            if len(found) == len(lemmas):
                yield found

    @staticmethod
    def _negated(occurrence: list[Token], tokens: list[Token]) -> bool:
        first, last = occurrence[0], occurrence[-1]
        for cue in (t for t in tokens if t.negation and t.sentence == first.sentence):
            inside = first.position < cue.position < last.position
            before = cue.clause == first.clause and 0 < first.position - cue.position <= NEGATION_REACH
            if inside or before:
                return True
        after = [t for t in tokens if t.position > last.position and t.clause == last.clause][:3]
        auxiliaries = 0
        while auxiliaries < len(after) and after[auxiliaries].lemma in AUXILIARIES:
            auxiliaries += 1
        return 0 < auxiliaries < len(after) and after[auxiliaries].negation
