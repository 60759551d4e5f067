"""The assistant's fixed wording (``knowledge/messages.yml``) and the not-covered topics."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from bot.nlp.pipeline import normalise
from bot.safety.check import compile_patterns

REQUIRED_MESSAGES = (
    "immediate_danger", "opening_notice", "greet", "goodbye", "thanks", "help", "affirm", "deny",
    "not_covered", "not_english", "empty", "did_you_mean", "none_of_these", "none_of_these_reply",
    "more_unavailable", "no_previous_answer", "source_intro", "related_prompt", "error",
    "agency_offer", "agency_set", "agency_general", "no_assurance_questions",
    "directory_ask_area", "directory_unknown_area", "directory_no_areas", "directory_found", "directory_what_needs",
    "directory_what_audience", "directory_what_age", "directory_more_button", "directory_end", "directory_none",
    "directory_alternatives", "directory_show_alternative", "directory_front_door", "directory_check",
)


@dataclass(frozen=True)
class NotCoveredTopic:
    """A question the sources do not answer, recognised by patterns, with its honest reply."""

    id: str
    patterns: tuple[re.Pattern, ...]
    reply: str

    def matches(self, text: str) -> bool:
        cleaned = normalise(text)
        return any(p.search(cleaned) for p in self.patterns)


@dataclass(frozen=True)
class Messages:
    """Fixed wording, keyed by name, plus the not-covered topics."""

    texts: dict[str, str]
    not_covered: tuple[NotCoveredTopic, ...]

    def __getitem__(self, key: str) -> str:
        return self.texts[key]

    def not_covered_topic(self, text: str) -> NotCoveredTopic | None:
        return next((t for t in self.not_covered if t.matches(text)), None)


@lru_cache(maxsize=4)
def load_messages(path: Path) -> Messages:
    """Read and check ``messages.yml``: every required message present and non-empty."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    raw = data.get("messages") or {}
    missing = [k for k in REQUIRED_MESSAGES if not str(raw.get(k) or "").strip()]
    if missing:
        raise ValueError(f"{path}: messages: missing or empty: {', '.join(missing)}")
    texts = {k: " ".join(str(v).split()) for k, v in raw.items()}
    topics = []
    for index, item in enumerate(data.get("not_covered") or [], start=1):
        if not isinstance(item, dict) or not item.get("id") or not str(item.get("reply") or "").strip():
            raise ValueError(f"{path}: not_covered[{index}]: needs 'id', 'patterns' and 'reply'")
        patterns = compile_patterns(item.get("patterns"), Path(path), f"not_covered[{index}].patterns")
        topics.append(NotCoveredTopic(item["id"], patterns, " ".join(str(item["reply"]).split())))
    return Messages(texts=texts, not_covered=tuple(topics))
