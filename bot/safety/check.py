"""The immediate-danger check that runs on every message before anything else is decided."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from bot.text.normalise import normalise
from bot.text.validation import ContentError, Problem, compile_patterns, read_mapping, reporter


@dataclass(frozen=True)
class DangerCheck:
    """Compiled danger and negation patterns from ``knowledge/safety.yml``."""

    danger: tuple[re.Pattern, ...]
    negation: tuple[re.Pattern, ...]

    def matches(self, text: str) -> bool:
        """True when ``text`` describes a present, immediate danger."""
        cleaned = normalise(text or "")
        for pattern in self.negation:
            cleaned = pattern.sub(" ", cleaned)
        return any(pattern.search(cleaned) for pattern in self.danger)


@lru_cache(maxsize=4)
def load_danger_check(path: Path) -> DangerCheck:
    """Read and compile the safety patterns once per process."""
    data = read_mapping(path, str(path))
    problems: list[Problem] = []
    report = reporter(problems, str(path))
    check = DangerCheck(
        danger=compile_patterns(data.get("danger"), "danger", report),
        negation=compile_patterns(data.get("negation"), "negation", report, required=False),
    )
    if problems:
        raise ContentError(problems)
    return check
