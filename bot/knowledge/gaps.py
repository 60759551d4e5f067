"""What a question asks that the chosen entry does not say: the check before an answer is given.

A question close to an entry in words can still ask for something the sources never give: a
timescale, a cost, a local form, a legal test, another nation's law, or a programme they do
not name. ``Gaps.find`` returns the kind of thing missing (named with the project's own words
from ``knowledge/gaps.yml``), so the assistant can say plainly that its sources do not cover it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from bot.knowledge.schema import Entry
from bot.text.asking import asking_clauses, asking_part, sentence_clauses
from bot.text.normalise import normalise
from bot.text.validation import ContentError, Problem, compile_patterns, read_yaml, reporter

UNKNOWN_NAME = "unknown-name"
_CAPITALISED = re.compile(r"(?<=[a-z,;] )[A-Z][A-Za-z'’]+")  # capitalised after a lower-case word: a name
WORD = re.compile(r"[A-Za-z][A-Za-z'’]*")
NAME_JOINERS = {"of", "and", "for", "the", "&"}  # "Migrant Victims of ...", "Safe and Together"
MIN_ACRONYM = 3  # two-letter capitals (PC, SW, HV, DS) are roles and shorthand, not names
# "NSPCC's DART programme - was it in the review?": the question asks about the named programme
# through "it"; a clause before the question counts when it names a programme, scheme or law
# (not a family: "Jane Smith at 4 Elm Road - is it abuse?").
REFERS_BACK = re.compile(r"(?i)\b(it|they|them)\b")
NAMES_A_THING = re.compile(r"(?i)\b(programmes?|programs?|projects?|schemes?|models?|initiatives?|toolkits?|courses?|"
                           r"groups?|groupwork|pathways?|interventions?|frameworks?|evaluations?|stud(y|ies)|acts?|laws?)\b")


class GapsError(ContentError):
    about = " in the gaps file"


@dataclass(frozen=True)
class GapKind:
    """A kind of thing the sources do not give, how questions ask for it, what would answer it."""

    id: str
    what: str
    asks: tuple[re.Pattern, ...]
    answered_by: tuple[re.Pattern, ...]
    asking_only: bool = False  # look for ``asks`` only where the message asks, not in its case detail
    # What the question names that the entry must name too, as (pattern with one group, the
    # entry pattern with {} for the escaped group): "section 31" is not answered by "section 1".
    subjects: tuple[tuple[re.Pattern, str], ...] = ()

    def answered(self, question: str, entry_text: str) -> bool:
        """Whether an entry with this (normalised) text answers what the question asks of this kind."""
        if not any(p.search(entry_text) for p in self.answered_by):
            return False
        named = {(template, match.group(1)) for pattern, template in self.subjects for match in pattern.finditer(question)}
        return all(re.search(template.replace("{}", re.escape(value)), entry_text, re.IGNORECASE) for template, value in named)


@dataclass(frozen=True)
class Gap:
    """What the question asks that the entry does not cover."""

    kind: str
    what: str


class Gaps:
    """Checks a question against the entry chosen to answer it, and the names against everything
    the knowledge mentions."""

    def __init__(self, kinds: tuple[GapKind, ...], names_what: str, context_before: Iterable[str],
                 roles_after: Iterable[str], not_names: Iterable[str], known_text: str):
        self.kinds = kinds
        self.names_what = names_what
        self.context_before = tuple(sorted({normalise(c) for c in context_before}, key=len, reverse=True))
        self.roles_after = {normalise(r) for r in roles_after}
        self.not_names = {n.lower() for n in not_names}
        self.known_text = f" {normalise(known_text)} "
        # Words the knowledge itself writes as names ("Barnardo's", "Wales"): a name made of them
        # ("Barnardo's Wales") is the knowledge's, although the phrase is not in it as such.
        self.known_names = {_bare(m.group()).lower() for m in _CAPITALISED.finditer(known_text)}

    def find(self, question: str, entry: Entry | None, named: Iterable[str] = ()) -> Gap | None:
        """The first thing ``question`` asks that ``entry`` (None: no entry) does not answer.

        ``named``: the programmes and laws the project knows that the question names; an
        unknown name beside one of them ("the KCL evaluation of For Baby's Sake") qualifies a
        known subject rather than being the subject.
        """
        text, asking = normalise(question), normalise(asking_part(question))
        entry_text = normalise(entry_text_of(entry)) if entry is not None else ""
        for kind in self.kinds:
            searched = asking if kind.asking_only else text
            if any(p.search(searched) for p in kind.asks) and not kind.answered(text, entry_text):
                return Gap(kind.id, kind.what)
        unknown = self.unknown_names(question)
        inside = " ".join(normalise(n) for n in unknown)
        if unknown and not any(normalise(n) not in inside for n in named):
            return Gap(UNKNOWN_NAME, self.names_what)
        return None

    def unknown_names(self, question: str) -> list[str]:
        """Names in the question's asking sentence that the knowledge never mentions; none when
        the sentence also names something the knowledge knows ("IPC's evaluation of Barnardo's
        programme" asks about Barnardo's programme)."""
        asking = asking_clauses(question)
        if any(REFERS_BACK.search(clause) for clause in asking):
            asking = [c for c in sentence_clauses(question) if c not in asking and NAMES_A_THING.search(c)] + asking
        phrases = [name for clause in asking for name in self._names(clause)]
        unknown = [p for p in phrases if not self._known(p)]
        return unknown if len(unknown) == len(phrases) else []

    def _known(self, phrase: str) -> bool:
        words = [_bare(w) for w in phrase.split()]
        if self._in_knowledge(phrase) or self._in_knowledge(" ".join(words)):
            return True
        # "JTAI KAQs", "Barnardo's Wales": names the knowledge knows, one by one.
        return all(w.lower() in self.known_names or (w.isupper() and self._in_knowledge(w)) or w.lower() in NAME_JOINERS
                   for w in words)

    def _in_knowledge(self, text: str) -> bool:
        return f" {normalise(text)} " in self.known_text

    def _names(self, sentence: str) -> list[str]:
        words = list(WORD.finditer(sentence))
        names, current = [], []
        for index, match in enumerate(words):
            word = match.group()
            if self._is_name_word(word, first=index == 0):
                if not current and self._after_context(sentence[:match.start()]):
                    continue
                current.append(word)
                following = words[index + 1].group().lower() if index + 1 < len(words) else ""
                if following in self.roles_after:  # "CAMHS nurse": who is asking
                    current = []
            elif current and word.lower() in NAME_JOINERS and index + 1 < len(words) \
                    and self._is_name_word(words[index + 1].group(), first=False):
                current.append(word)
            else:
                names += self._keep(current)
                current = []
        return names + self._keep(current)

    def _is_name_word(self, word: str, first: bool) -> bool:
        if word.lower() in self.not_names:
            return False
        letters = _bare(word).replace("'", "").replace("’", "")
        if letters.isupper():
            return len(letters) >= MIN_ACRONYM
        return word[0].isupper() and not first

    @staticmethod
    def _keep(words: list[str]) -> list[str]:
        return [" ".join(words)] if words else []

    def _after_context(self, before: str) -> bool:
        """The words before a name say where the asker is ("based in Cardiff"), not what they ask."""
        tail = normalise(before).rstrip(" -,")
        return any(tail == c or tail.endswith(" " + c) for c in self.context_before)


def _bare(word: str) -> str:
    """A word without its possessive or plural ending on an acronym ("PCC's", "IDVAs")."""
    word = re.sub(r"['’]s$", "", word)
    return word[:-1] if len(word) > 2 and word.endswith("s") and word[:-1].isupper() else word


def entry_text_of(entry: Entry) -> str:
    return " ".join([entry.title, *entry.questions, *entry.keywords, entry.answer, entry.detail,
                     *(step.text for step in entry.steps)])


def load_gaps(path: Path, known_text: str) -> Gaps:
    """Read and check ``gaps.yml``; every problem names the file, the kind and the field."""
    problems: list[Problem] = []
    path = Path(path)
    data = read_yaml(path, reporter(problems, path.name))
    if problems:
        raise GapsError(problems)
    data = data if isinstance(data, dict) else {}
    kinds = []
    for index, raw in enumerate(data.get("kinds") or [], start=1):
        raw = raw if isinstance(raw, dict) else {}
        report = reporter(problems, path.name, f"kinds[{index}] {raw.get('id') or ''}".strip())
        for key in ("id", "what"):
            if not isinstance(raw.get(key), str) or not raw[key].strip():
                report(key, "is required and must be text")
        asks = compile_patterns(raw.get("asks"), "asks", report)
        answered_by = compile_patterns(raw.get("answered_by"), "answered_by", report, required=False)
        where = raw.get("where", "anywhere")
        if where not in ("anywhere", "asking"):
            report("where", f"must be 'anywhere' or 'asking', not {where!r}")
        kinds.append(GapKind(str(raw.get("id")), str(raw.get("what")), asks, answered_by, asking_only=where == "asking",
                             subjects=_subjects(raw.get("subjects"), report)))
    if not kinds:
        problems.append(Problem(path.name, "", "kinds", "give at least one kind"))
    names = data.get("unknown_names") if isinstance(data.get("unknown_names"), dict) else {}
    report = reporter(problems, path.name, "unknown_names")
    if not isinstance(names.get("what"), str) or not names["what"].strip():
        report("what", "is required and must be text")
    for key in ("context_before", "roles_after", "not_names"):
        if not isinstance(names.get(key), list) or not all(isinstance(w, str) for w in names[key]):
            report(key, "must be a list of words")
    if problems:
        raise GapsError(problems)
    return Gaps(tuple(kinds), names["what"], names["context_before"], names["roles_after"], names["not_names"],
                known_text)


def _subjects(raw, report) -> tuple[tuple[re.Pattern, str], ...]:
    """``subjects``: each a ``find`` pattern with one group and an ``in_entry`` pattern with {}."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        report("subjects", "must be a list of {find, in_entry}")
        return ()
    subjects = []
    for number, item in enumerate(raw, start=1):
        item = item if isinstance(item, dict) else {}
        found = compile_patterns([item.get("find")] if isinstance(item.get("find"), str) else None,
                                 f"subjects[{number}].find", report)
        template = item.get("in_entry")
        if found and found[0].groups != 1:
            report(f"subjects[{number}].find", "must have exactly one group (the thing the entry must name)")
        elif not isinstance(template, str) or "{}" not in template:
            report(f"subjects[{number}].in_entry", "must be a pattern with {} where the found text goes")
        elif found:
            try:
                re.compile(template.replace("{}", "x"))
            except re.error as exc:
                report(f"subjects[{number}].in_entry", f"invalid regular expression ({exc})")
                continue
            subjects.append((found[0], template))
    return tuple(subjects)


def known_text_of(knowledge_texts: Iterable[str]) -> str:
    """Everything the knowledge mentions, as one text to look names up in."""
    return " | ".join(knowledge_texts)
