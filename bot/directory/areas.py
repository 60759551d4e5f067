"""Recognise the loaded areas' names in text as practitioners type them, keeping up with imports.

"services in NORTH DEMOSHIRE", "north demoshir" (a slip), "Ambridge" (part of "Ambridge Vale")
and "Ambrige" are all found. A match is *sure* when the name is typed as it is, or so close that
it can only be that area; otherwise the caller asks "did you mean ...?". The matcher re-reads the
directory's generation number at most every ``recheck_seconds`` and rebuilds its index when it
has changed, so a newly imported area is recognised without retraining or restarting.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine

from bot.directory.spelling import is_english, slips, tokens
from bot.directory.store import area_names
from bot.directory.watch import DirectoryWatch

RECHECK_SECONDS = 5.0
MAX_TEXT = 2000
SURE_SLIPS = 1  # a name typed with more slips than this gets "did you mean ...?"
# Words of area names that do not tell one area from another. A name typed without its
# ending ("Ambridge" for "Ambridge Vale") is still sure; without a qualifier ("Demoshire" when
# only "North Demoshire" is loaded) it is a "did you mean?".
ENDINGS = frozenset({"vale", "valley", "city", "county", "borough", "district", "council", "metropolitan", "royal",
                     "and", "of", "the", "upon", "on", "in", "le", "by", "under", "with", "area"})
QUALIFIERS = frozenset({"north", "south", "east", "west", "northern", "southern", "eastern", "western", "central",
                        "mid", "upper", "lower", "greater", "great", "little", "new", "old", "st", "saint", "high"})


@dataclass(frozen=True)
class AreaMatch:
    """An area named in a text: ``sure`` unless the caller should ask "did you mean ...?"."""

    area: str
    sure: bool
    exact: bool  # every word of the name, as it is spelt
    words: tuple[str, ...]  # the typed words that named it (folded)
    others: tuple[str, ...] = ()  # other areas the words could equally mean


@dataclass(frozen=True)
class _Name:
    area: str
    words: tuple[str, ...]

    @property
    def distinctive(self) -> frozenset[int]:
        return frozenset(i for i, w in enumerate(self.words) if w not in ENDINGS and w not in QUALIFIERS)


@dataclass(frozen=True)
class _Fit:
    """How one area's name lines up with a run of typed words."""

    name: _Name
    start: int  # typed words [start, end) matched name words [first, first + end - start)
    end: int
    first: int
    slips: int

    @property
    def missing(self) -> tuple[str, ...]:
        matched = range(self.first, self.first + self.end - self.start)
        return tuple(w for i, w in enumerate(self.name.words) if i not in matched)

    @property
    def exact(self) -> bool:
        return not self.slips and not self.missing

    @property
    def sure(self) -> bool:
        matched = set(range(self.first, self.first + self.end - self.start))
        return (self.name.distinctive <= matched and self.slips <= SURE_SLIPS
                and all(w in ENDINGS for w in self.missing))

    @property
    def rank(self) -> tuple:
        return (self.exact, self.sure, self.end - self.start, -len(self.missing), -self.slips)


class AreaMatcher:
    """Finds loaded areas' names in text (any case, with slips, longest first) from the directory database."""

    def __init__(self, engine: Engine, recheck_seconds: float = RECHECK_SECONDS):
        self.engine = engine
        self._watch = DirectoryWatch(engine, self._rebuild, recheck_seconds)
        self._names: list[str] = []
        self._index: list[_Name] = []

    def refresh(self, force: bool = False) -> bool:
        """Rebuild from the database if the directory changed; returns whether it rebuilt."""
        return self._watch.refresh(force)

    def _rebuild(self) -> None:
        names = area_names(self.engine)
        self._index = [_Name(name, tuple(tokens(name))) for name in names if tokens(name)]
        self._names = names

    def names(self) -> list[str]:
        """The loaded areas' names, sorted."""
        self.refresh()
        return list(self._names)

    def find(self, text: str) -> str | None:
        """The area ``text`` surely names, or None."""
        match = self.match(text)
        return match.area if match is not None and match.sure else None

    def match(self, text: str) -> AreaMatch | None:
        """The area ``text`` most likely names (the longest, closest fit), sure or not, or None."""
        self.refresh()
        typed = tokens(text[:MAX_TEXT])
        fits = [fit for name in self._index for fit in _fits(name, typed)]
        if not fits:
            return None
        best = max(fits, key=lambda f: (f.rank, -f.start))
        rivals = sorted({f.name.area for f in fits if f.rank == best.rank and f.name.area != best.name.area
                         and f.start < best.end and best.start < f.end})
        return AreaMatch(best.name.area, best.sure and not rivals, best.exact, tuple(typed[best.start:best.end]),
                         tuple(rivals))


def _fits(name: _Name, typed: list[str]) -> list[_Fit]:
    """Every run of typed words that lines up with the whole name, or with a part of it holding a word
    of the name that is no English word."""
    words, found = name.words, []
    for start in range(len(typed)):
        for first in range(len(words)):
            length, total = 0, 0
            while start + length < len(typed) and first + length < len(words):
                slip = slips(typed[start + length], words[first + length])
                if slip is None:
                    break
                total, length = total + slip, length + 1
            if not length:
                continue
            fit = _Fit(name, start, start + length, first, total)
            covered = set(range(first, first + length))
            if fit.exact or (not fit.missing and covered & name.distinctive):
                found.append(fit)
            elif any(not is_english(words[i]) for i in covered & name.distinctive):
                found.append(fit)  # part of a name, by a word no English text uses ("Wexcombe", not "Moor")
    return found
