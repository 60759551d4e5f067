"""Reading a typed choice at a choice step: its number, its label, or words only one label has."""

from __future__ import annotations

from bot.scenarios.matching import Matcher
from bot.scenarios.schema import Choice, Step
from bot.text.normalise import normalise


def choice_from_text(step: Step, text: str, matcher: Matcher) -> Choice | None:
    """The option a trainee typed: "2", the label or id, part of the label ("share it"), or words
    that are in exactly one label ("partner agencies"); None when it is none or several."""
    cleaned = normalise(text or "").strip(" .!")
    if cleaned.isdigit() and 0 < int(cleaned) <= len(step.choices):
        return step.choices[int(cleaned) - 1]
    exact = next((c for c in step.choices if normalise(c.label).strip(" .!") == cleaned or c.id == cleaned), None)
    if exact is not None or not cleaned:
        return exact
    within = [c for c in step.choices if cleaned in normalise(c.label)]
    if len(within) == 1:
        return within[0]
    words = set(matcher.phrase(cleaned).lemmas)
    if not words:
        return None
    having = [c for c in step.choices if words <= set(matcher.phrase(c.label).lemmas)]
    return having[0] if len(having) == 1 else None
