"""Whether a message asks for local services, by the words in ``knowledge/directory/requests.yml``.

The file is read and its patterns compiled once per process; every problem (a pattern that
does not compile, a missing list) is reported with the file, the key and why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

from bot.config import PROJECT_ROOT
from bot.text.normalise import normalise
from bot.text.validation import ContentError, Problem, Report, compile_patterns, read_yaml, reporter

REQUESTS_FILE = PROJECT_ROOT / "knowledge" / "directory" / "requests.yml"
PATTERN_LISTS = ("local_words", "service_words", "existence", "help_words")
# A capitalised name of up to three words ("Leeds", "North Demoshire"), read as typed.
_PLACE_NAME = r"((?:[A-Z][a-z'\-]+)(?:\s+[A-Z][a-z'\-]+){0,2})"


class RequestWordsError(ContentError):
    """The request words file does not validate; carries every problem found."""

    about = " in the local-services request words"


@dataclass(frozen=True)
class RequestWords:
    """The compiled heuristics: what makes a message local, a request for services, or a place."""

    place: re.Pattern
    not_places: frozenset[str]
    local_words: tuple[re.Pattern, ...]
    service_words: tuple[re.Pattern, ...]
    existence: tuple[re.Pattern, ...]
    help_words: tuple[re.Pattern, ...]
    guidance_words: Mapping[str, str]

    def unknown_place(self, text: str) -> str | None:
        """A capitalised place named in ``text`` ("near Leeds"); whether the directory holds it is
        for the caller to know."""
        for match in self.place.finditer(text):
            named = match.group(1).split()
            words = [w for w in named if w not in self.not_places]
            if words and words[0] == named[0]:
                return " ".join(words)
        return None

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


def parse_request_words(data: Any, file: str) -> RequestWords:
    """The heuristics from the YAML mapping; raises ``RequestWordsError`` listing every problem."""
    problems: list[Problem] = []
    report = reporter(problems, file)
    data = data if isinstance(data, dict) else {}
    places = data.get("places")
    if not isinstance(places, dict):
        report("places", "must be a mapping with 'after' and 'not_places'")
        places = {}
    after = _words(places.get("after"), "places.after", report)
    if not after and isinstance(places.get("after"), list):
        report("places.after", "name at least one word")
    not_places = _words(places.get("not_places") or [], "places.not_places", report)
    guidance = data.get("guidance_words") or {}
    if not isinstance(guidance, dict) or not all(isinstance(v, str) and v.strip() for v in guidance.values()):
        report("guidance_words", "must map audience ids to words")
        guidance = {}
    lists = {key: compile_patterns(data.get(key), key, report) for key in PATTERN_LISTS}
    if problems:
        raise RequestWordsError(problems)
    return RequestWords(
        place=re.compile(r"\b(?:" + "|".join(re.escape(w) for w in after) + r")\s+" + _PLACE_NAME),
        not_places=frozenset(not_places), guidance_words=dict(guidance), **lists,
    )


def _words(raw: Any, key: str, report: Report) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(w, str) and w.strip() and " " not in w.strip() for w in raw):
        report(key, "must be a list of single words")
        return ()
    return tuple(w.strip() for w in raw)


@lru_cache(maxsize=4)
def load_request_words(path: Path = REQUESTS_FILE) -> RequestWords:
    """The heuristics from ``path``, read and compiled once per process."""
    path = Path(path)
    problems: list[Problem] = []
    data = read_yaml(path, reporter(problems, path.name))
    if problems:
        raise RequestWordsError(problems)
    return parse_request_words(data, path.name)
