"""Whether a message asks for local services, and the words that read it, from
``knowledge/directory/requests.yml`` and the places in ``knowledge/directory/places.yml``.

The files are read and their patterns compiled once per process; every problem (a pattern that
does not compile, a missing list) is reported with the file, the key and why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

from bot.config import PROJECT_ROOT
from bot.directory.spelling import fold, is_english
from bot.text.normalise import normalise
from bot.text.validation import ContentError, Problem, Report, compile_patterns, read_yaml, reporter

REQUESTS_FILE = PROJECT_ROOT / "knowledge" / "directory" / "requests.yml"
PLACES_FILE = PROJECT_ROOT / "knowledge" / "directory" / "places.yml"
PATTERN_LISTS = ("local_words", "service_words", "existence", "help_words", "general_questions")
WORD_LISTS = ("generic_words", "provision_words")
ASKED_LISTS = ("young", "adult", "partners", "people", "harm_acts", "harm_uses", "harm_states", "change", "behaviour",
               "harmed", "target_before")
AUDIENCES = ("adult_victim", "child", "adult_causing_harm", "young_person_causing_harm")
# A capitalised name of up to three words ("Leeds", "North Demoshire"), read as typed.
_PLACE_NAME = r"((?:[A-Z][a-z'\-]+)(?:\s+[A-Z][a-z'\-]+){0,2})"


class RequestWordsError(ContentError):
    """The request words file does not validate; carries every problem found."""

    about = " in the local-services request words"


@dataclass(frozen=True)
class AskedWords:
    """The words ``bot.directory.asked`` reads who a request is about with (lemmas, lower case)."""

    young: frozenset[str]
    adult: frozenset[str]
    partners: frozenset[str]
    people: frozenset[str]
    harm_acts: frozenset[str]
    harm_uses: frozenset[str]
    harm_states: frozenset[str]
    change: frozenset[str]
    behaviour: frozenset[str]
    harmed: frozenset[str]
    target_before: frozenset[str]
    examples: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class RequestWords:
    """The compiled heuristics: what makes a message local, a request for services, or a place."""

    place: re.Pattern
    place_words: re.Pattern
    not_places: frozenset[str]
    known_places: re.Pattern | None
    place_names: Mapping[str, str]  # folded name -> the name as shown
    local_words: tuple[re.Pattern, ...]
    service_words: tuple[re.Pattern, ...]
    existence: tuple[re.Pattern, ...]
    help_words: tuple[re.Pattern, ...]
    general_questions: tuple[re.Pattern, ...]
    guidance_words: Mapping[str, str]
    generic_words: frozenset[str]
    provision_words: frozenset[str]
    asked: AskedWords

    def unknown_place(self, text: str) -> str | None:
        """A place named in ``text``: one of the known places ("refuge leeds"), else a capitalised
        name after "in", "near"... ("near Borchester"). Whether the directory holds it is for the
        caller to know."""
        return self.known_place(text) or self.capitalised_place(text)

    def known_place(self, text: str) -> str | None:
        """A place from the places file named in ``text`` (any case), as the file writes it."""
        if self.known_places is None:
            return None
        for match in self.known_places.finditer(fold(text)):
            name = self.place_names[" ".join(match.group(1).replace("-", " ").split())]
            # "Reading", "Bury": a place that is also an English word counts only when capitalised
            if " " in name or not is_english(name.lower()) or re.search(rf"\b{re.escape(name)}\b", text):
                return name
        return None

    def capitalised_place(self, text: str) -> str | None:
        """A capitalised name after one of the place words ("near Leeds"), read as typed."""
        for match in self.place.finditer(text):
            named = match.group(1).split()
            words = [w for w in named if w not in self.not_places]
            if words and words[0] == named[0]:
                return " ".join(words)
        return None

    def place_after(self, text: str, place: str) -> bool:
        """Whether ``place`` comes after one of the place words ("refuges in Leeds")."""
        name = r"[\s-]+".join(re.escape(w) for w in fold(place).replace("-", " ").split())
        return bool(re.search(self.place_words.pattern + r"\s+" + name, fold(text)))

    def place_is_origin(self, text: str, place: str) -> bool:
        """Whether ``place`` is where someone came from ("mum came to us from Manchester"), which
        says nothing about where services are wanted."""
        name = r"[\s-]+".join(re.escape(w) for w in fold(place).replace("-", " ").split())
        return bool(re.search(r"\b(?:from|out of|fled|left)\s+" + name, fold(text)))

    def asks_generally(self, text: str) -> bool:
        """"what's there?", "what have we got?": a question that names nothing in particular."""
        return _any(self.general_questions, text)

    def is_local(self, text: str) -> bool:
        return _any(self.local_words, text)

    def asks_for_services(self, text: str) -> bool:
        return _any(self.service_words, text)

    def asks_whether_any(self, text: str) -> bool:
        return _any(self.existence, text)

    def asks_for_help(self, text: str) -> bool:
        return _any(self.help_words, text)


def _any(patterns: tuple[re.Pattern, ...], text: str) -> bool:
    cleaned = normalise(text)
    return any(p.search(cleaned) for p in patterns)


def parse_request_words(data: Any, file: str, places: Any = None) -> RequestWords:
    """The heuristics from the YAML mapping (and the places file's); raises ``RequestWordsError``
    listing every problem."""
    problems: list[Problem] = []
    report = reporter(problems, file)
    data = data if isinstance(data, dict) else {}
    spots = data.get("places")
    if not isinstance(spots, dict):
        report("places", "must be a mapping with 'after' and 'not_places'")
        spots = {}
    after = _words(spots.get("after"), "places.after", report)
    if not after and isinstance(spots.get("after"), list):
        report("places.after", "name at least one word")
    not_places = _words(spots.get("not_places") or [], "places.not_places", report)
    guidance = data.get("guidance_words") or {}
    if not isinstance(guidance, dict) or not all(isinstance(v, str) and v.strip() for v in guidance.values()):
        report("guidance_words", "must map audience ids to words")
        guidance = {}
    lists = {key: compile_patterns(data.get(key), key, report) for key in PATTERN_LISTS}
    words = {key: frozenset(_phrases(data.get(key), key, report)) for key in WORD_LISTS}
    asked = _asked(data.get("asked_about"), report)
    known, names = _known_places(places, report)
    if problems:
        raise RequestWordsError(problems)
    return RequestWords(
        place=re.compile(r"\b(?:" + "|".join(re.escape(w) for w in after) + r")\s+" + _PLACE_NAME),
        place_words=re.compile(r"\b(?:" + "|".join(re.escape(w.lower()) for w in after) + r")"),
        not_places=frozenset(not_places), known_places=known, place_names=names, guidance_words=dict(guidance),
        asked=asked, local_words=lists["local_words"], service_words=lists["service_words"],
        existence=lists["existence"], help_words=lists["help_words"], general_questions=lists["general_questions"],
        generic_words=words["generic_words"], provision_words=words["provision_words"],
    )


def _asked(raw: Any, report: Report) -> AskedWords:
    if not isinstance(raw, dict):
        report("asked_about", "must be a mapping of word lists and examples")
        raw = {}
    lists = {key: frozenset(normalise(p) for p in _phrases(raw.get(key), f"asked_about.{key}", report))
             for key in ASKED_LISTS}
    examples = raw.get("examples") or {}
    if not isinstance(examples, dict) or set(examples) - set(AUDIENCES):
        report("asked_about.examples", f"must map audiences ({', '.join(AUDIENCES)}) to example requests")
        examples = {}
    kept = {key: _phrases(value, f"asked_about.examples.{key}", report) for key, value in examples.items()}
    return AskedWords(examples=kept, **lists)


def _known_places(raw: Any, report: Report) -> tuple[re.Pattern | None, dict[str, str]]:
    if raw is None:
        return None, {}
    names = _phrases(raw.get("places") if isinstance(raw, dict) else None, "places.yml: places", report)
    folded = {" ".join(fold(n).replace("-", " ").split()): n for n in names}
    if not folded:
        return None, {}
    parts = sorted(folded, key=len, reverse=True)
    body = "|".join(r"[\s-]+".join(re.escape(w) for w in name.split()) for name in parts)
    return re.compile(r"(?<![\w-])(" + body + r")(?![\w-])"), folded


def _phrases(raw: Any, key: str, report: Report) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(w, str) and w.strip() for w in raw):
        report(key, "must be a list of words or phrases")
        return ()
    return tuple(dict.fromkeys(w.strip() for w in raw))


def _words(raw: Any, key: str, report: Report) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(w, str) and w.strip() and " " not in w.strip() for w in raw):
        report(key, "must be a list of single words")
        return ()
    return tuple(w.strip() for w in raw)


@lru_cache(maxsize=4)
def load_request_words(path: Path = REQUESTS_FILE, places: Path | None = PLACES_FILE) -> RequestWords:
    """The heuristics from ``path`` (and the places in ``places``), read and compiled once per process."""
    path = Path(path)
    problems: list[Problem] = []
    data = read_yaml(path, reporter(problems, path.name))
    known = read_yaml(Path(places), reporter(problems, Path(places).name)) if places is not None else None
    if problems:
        raise RequestWordsError(problems)
    return parse_request_words(data, path.name, known)
