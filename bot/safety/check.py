"""The immediate-danger check that runs on every message before anything else is decided."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from bot.nlp.pipeline import normalise


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


def compile_patterns(raw: list, path: Path, key: str) -> tuple[re.Pattern, ...]:
    if not isinstance(raw, list) or not all(isinstance(p, str) for p in raw):
        raise ValueError(f"{path}: '{key}' must be a list of regular expressions")
    compiled = []
    for index, pattern in enumerate(raw, start=1):
        try:
            compiled.append(re.compile(pattern, re.IGNORECASE))
        except re.error as exc:
            raise ValueError(f"{path}: {key}[{index}]: invalid regular expression: {exc}") from exc
    return tuple(compiled)


@lru_cache(maxsize=4)
def load_danger_check(path: Path) -> DangerCheck:
    """Read and compile the safety patterns once per process."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    return DangerCheck(
        danger=compile_patterns(data.get("danger"), path, "danger"),
        negation=compile_patterns(data.get("negation", []), path, "negation"),
    )
