"""Words as practitioners type them: tokens without accents, typing slips, and which words are English.

Used to recognise place and service names typed with a slip ("Ambrige", "north demoshir",
"Ty Diogel" for "Tŷ Diogel"). A word that is itself English ("busy", "vale") is never taken
for a slip in a name: only words the English lemma table does not know are compared loosely.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from bot.text.normalise import normalise

_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def fold(text: str) -> str:
    """``normalise`` with accents removed: "Tŷ Diogel" and "ty diogel" agree."""
    decomposed = unicodedata.normalize("NFKD", normalise(text))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def tokens(text: str) -> list[str]:
    """Folded words, a possessive "'s" dropped ("Demoshire's" is "demoshire")."""
    return [t[:-2] if t.endswith("'s") else t.replace("'", "") for t in _TOKEN.findall(fold(text))]


def edits(a: str, b: str, limit: int) -> int:
    """The number of single-letter slips (insert, delete, change, swap two) between ``a`` and
    ``b``, or ``limit + 1`` when there are more than ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return min(previous[-1], limit + 1)


def allowed_slips(word: str) -> int:
    """How many slips a name word of this length may carry and still be recognised."""
    if len(word) < 5:
        return 0
    return 1 if len(word) <= 7 else 2


@lru_cache(maxsize=1)
def _lemma_table():
    from spacy.lookups import load_lookups

    table = load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup")
    return table, frozenset(table.values())


def is_english(word: str) -> bool:
    """Whether ``word`` (lower case) is an English word or a form of one, by spaCy's lemma table."""
    table, lemmas = _lemma_table()
    return word in lemmas or word in table


def slips(typed: str, name_word: str) -> int | None:
    """Slips between a typed word and a word of a name, or None when they are not the same word.

    Equal words match; otherwise the typed word must not be English and the name word must be
    long enough to recognise with the slips found.
    """
    if typed == name_word:
        return 0
    limit = allowed_slips(name_word)
    if not limit or len(typed) < 4 or is_english(typed):
        return None
    if typed[0] != name_word[0] and len(name_word) < 8:  # a short name's first letter is rarely mistyped
        return None
    found = edits(typed, name_word, limit)
    return found if found <= limit else None
