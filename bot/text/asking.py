"""Where a message asks: practitioners write the case first and the question last."""

from __future__ import annotations

import re

SENTENCE_END = re.compile(r"(?<=[.?!])\s+|\n+")
CLAUSE_BREAK = re.compile(r"\s*[:;]\s+|\s+[-–—]+\s+")
ASKS = re.compile(r"(?i)(what|which|who|whom|whose|when|where|why|how|is|are|was|were|do|does|did|can|could|should|"
                  r"would|will|has|have|had|any|tell me|explain|describe|list|give me)\b")


def sentence_clauses(text: str) -> list[str]:
    """The clauses of the sentence that asks: the last with a question mark, else the last."""
    sentences = [s for s in SENTENCE_END.split(text.strip()) if s.strip()]
    sentence = ([s for s in sentences if "?" in s] or sentences or [""])[-1]
    return [c.strip() for c in CLAUSE_BREAK.split(sentence) if c.strip()]


def asking_clauses(text: str) -> list[str]:
    """The clauses of the sentence that asks that ask something: "Jane Smith at 12 Acacia
    Avenue: is this conflict or abuse?" asks only after the colon; "did the panel look at DART -
    any figures?" asks in both parts."""
    clauses = sentence_clauses(text)
    asking = [c for c in clauses if "?" in c or ASKS.match(c)]
    return asking or clauses[-1:]


def asking_part(text: str) -> str:
    """The asking clauses as one text ("" for an empty message)."""
    return " ".join(asking_clauses(text))
