"""The assistant's fixed wording (``knowledge/messages.yml``) and the not-covered topics."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from bot.text.normalise import normalise
from bot.text.validation import ContentError, Problem, compile_patterns, read_mapping, reporter

REQUIRED_MESSAGES = (
    "immediate_danger", "danger_reminder", "opening_notice", "greet", "goodbye", "thanks", "help", "affirm", "deny",
    "not_covered", "not_english", "empty", "did_you_mean", "none_of_these", "none_of_these_reply",
    "more_unavailable", "no_previous_answer", "source_intro", "source_line", "related_prompt", "error",
    "agency_offer", "agency_set", "agency_general", "no_assurance_questions", "tailored", "tailored_more_button",
    "gap_not_covered", "gap_closest",
    "directory_ask_area", "directory_unknown_area", "directory_no_areas", "directory_found", "directory_what_needs",
    "directory_what_audience", "directory_what_age", "directory_what_ages", "directory_or", "directory_more_button",
    "directory_end", "directory_none", "directory_alternatives", "directory_alternative", "directory_wider_need",
    "directory_any_age", "directory_any_audience", "directory_any_need", "directory_show_alternative",
    "directory_service_offers", "directory_service_for", "directory_ages", "directory_ages_from",
    "directory_ages_up_to", "directory_service_refer", "directory_service_contact", "directory_service_phone",
    "directory_service_email", "directory_service_open", "directory_front_door", "directory_check",
    "unavailable", "too_long", "unreadable_request", "too_fast", "session_invalid",
    "reflection_button_stale", "reflection_button_ended", "feedback_thanks",
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
    data = read_mapping(path, str(path))
    problems: list[Problem] = []
    report = reporter(problems, str(path))
    raw = data.get("messages") or {}
    missing = [k for k in REQUIRED_MESSAGES if not str(raw.get(k) or "").strip()]
    if missing:
        report("messages", f"missing or empty: {', '.join(missing)}")
    texts = {k: " ".join(str(v).split()) for k, v in raw.items()}
    topics = []
    for index, item in enumerate(data.get("not_covered") or [], start=1):
        if not isinstance(item, dict) or not item.get("id") or not str(item.get("reply") or "").strip():
            report(f"not_covered[{index}]", "needs 'id', 'patterns' and 'reply'")
            continue
        patterns = compile_patterns(item.get("patterns"), f"not_covered[{index}].patterns", report)
        topics.append(NotCoveredTopic(item["id"], patterns, " ".join(str(item["reply"]).split())))
    if problems:
        raise ContentError(problems)
    return Messages(texts=texts, not_covered=tuple(topics))
