"""Directory text made safe and comparable: markup removed completely, invisible characters dropped,
Unicode composed, and area names normalised into one lookup key.

Directory text reaches practitioners' screens, so nothing that looks like markup survives:
tags (also nested, or written as entities), and the whole content of ``script`` and ``style``.
"""

from __future__ import annotations

import html
import re
import unicodedata

MAX_AREA = 80

# zero-width and joiner characters, bidirectional controls, soft hyphen, BOM, invisible operators
_INVISIBLE = re.compile("[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
                        "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_HIDDEN_ELEMENT = re.compile(
    r"<\s*(script|style|iframe|object|embed|noscript|template|svg|math|head|title)\b[^>]*>.*?(?:<\s*/\s*\1\s*>|\Z)",
    re.IGNORECASE | re.DOTALL,
)
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_TAG = re.compile(r"</?[A-Za-z!?][^<>]*>")
_BREAK = re.compile(r"<\s*(?:br|/p|/li|/div|/h[1-6]|/tr)\s*/?>", re.IGNORECASE)
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
_MD_LINK = re.compile(r"\[([^\]]*)\]\(([^)]*)\)")
# printable ASCII without '<', '&' and ']' (nothing to clean but the ends: the common case)
_SIMPLE = re.compile(r"[ -%'-;=?-\\^-~]*")
_MAX_ROUNDS = 8


def plain_text(value: str) -> str:
    """Directory text as plain text: markup and entities removed, markdown links spelled out,
    invisible and control characters dropped, Unicode in composed form (NFC), spaces tidied."""
    if _SIMPLE.fullmatch(value) and "  " not in value:
        return value.strip()
    value = unicodedata.normalize("NFC", _INVISIBLE.sub("", value))
    if "<" in value or "&" in value:
        value = _strip_markup(value)
    if "](" in value:
        value = _MD_LINK.sub(lambda m: f"{m.group(1)} ({m.group(2)})" if m.group(1) else m.group(2), value)
    value = _CONTROL.sub("", value)
    lines = (_SPACES.sub(" ", line).strip() for line in value.replace("\r", "\n").split("\n"))
    return "\n".join(line for line in lines if line)


def _strip_markup(value: str) -> str:
    """Remove markup until none is left: tags hidden as entities ("&amp;lt;b&amp;gt;") or inside
    other tags ("<scr<b>ipt>") come out in later rounds; a '<' that still starts a tag goes last."""
    for _ in range(_MAX_ROUNDS):
        before = value
        value = _COMMENT.sub("", value)
        value = _HIDDEN_ELEMENT.sub("", value)
        value = _TAG.sub("", _BREAK.sub("\n", value))
        value = _INVISIBLE.sub("", html.unescape(value))
        if value == before:
            break
    return _TAG_START.sub("", value)


def one_line(value: str) -> str:
    """Plain text on one line (names, ids, areas)."""
    return " ".join(plain_text(value).split())


def normalise_area(name: str) -> str:
    """An area name as stored and shown: plain text, NFC, invisible characters removed, spaces collapsed."""
    return one_line(name)


def area_key(name: str) -> str:
    """The key two spellings of one area share: compatibility forms folded (NFKC) and case folded."""
    return unicodedata.normalize("NFKC", normalise_area(name)).casefold()


def has_invisible(value: str) -> bool:
    """Whether ``value`` holds characters a reader cannot see (other than spaces)."""
    return bool(_INVISIBLE.search(value) or _CONTROL.search(value.replace("\n", "").replace("\t", "")))
