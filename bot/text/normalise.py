"""One spelling of user and content text for matching: lower case, straight quotes, single spaces.

Plain Python (no spaCy), so that loaders, the CLI and the danger check can use it cheaply.
"""

from __future__ import annotations

import re
import unicodedata

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})
# Cyrillic letters that look Latin (pasted or autocorrected text): "mara\u0441" is "marac".
_LOOKALIKES = str.maketrans("\u0430\u0441\u0435\u043e\u0440\u0445\u0443\u0456", "aceopxyi")
_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Lower-case, straighten quotes and dashes, and collapse white space."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    if any("\u0400" <= ch <= "\u04ff" for ch in text) and any("a" <= ch <= "z" for ch in text.lower()):
        text = text.translate(_LOOKALIKES)  # only in mixed text: leave real Cyrillic alone
    return _SPACES.sub(" ", text).strip().lower()
