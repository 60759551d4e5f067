"""Who a service is for, worked out at import (the rules are in docs/directory-model.md, section 2).

In order: what the file states; else the service types' default audiences; else cue phrases in
the eligibility text (then the name and description); else a maximum age under 18 means a
child. Victim and causing-harm audiences are then fitted to the service's ages.
"""

from __future__ import annotations

from typing import Iterable

from bot.directory.taxonomy import Taxonomy, _keyword_regex
from bot.text.normalise import normalise

ADULT = 18
ADULT_VICTIM, CHILD = "adult_victim", "child"
ADULT_HARM, YOUNG_HARM = "adult_causing_harm", "young_person_causing_harm"
CAUSING_HARM = (ADULT_HARM, YOUNG_HARM)
# The single code the template and exports used before issue 14, and its old label.
LEGACY_CAUSING_HARM = frozenset({"person_causing_harm", "person causing harm", "people who cause harm"})


def fit_to_ages(audiences: Iterable[str], min_age: int | None, max_age: int | None) -> set[str]:
    """Adult audiences of an under-18s service become their young counterparts (unless the service is also
    for children, whose ages they are); an adult causing-harm audience of a service that starts under 18
    gains the young one."""
    fitted = set(audiences)
    under_18_only = max_age is not None and max_age < ADULT
    if ADULT_HARM in fitted and under_18_only:
        fitted = (fitted - {ADULT_HARM}) | {YOUNG_HARM}
    elif ADULT_HARM in fitted and min_age is not None and min_age < ADULT:
        fitted.add(YOUNG_HARM)
    if YOUNG_HARM in fitted and min_age is not None and min_age >= ADULT:
        fitted = (fitted - {YOUNG_HARM}) | {ADULT_HARM}
    if ADULT_VICTIM in fitted and under_18_only and CHILD not in fitted:  # with a child, the ages are the child's
        fitted = (fitted - {ADULT_VICTIM}) | {CHILD}
    return fitted


def legacy_audiences(min_age: int | None, max_age: int | None) -> set[str]:
    """What the old "person causing harm" means for a service with these ages."""
    return fit_to_ages({ADULT_HARM}, min_age, max_age)


class AudienceRules:
    """The taxonomy's type defaults and eligibility cues, ready to apply to many services."""

    def __init__(self, taxonomy: Taxonomy):
        self.taxonomy = taxonomy
        self._cues = {a.id: _keyword_regex(a.eligibility_cues) for a in taxonomy.audiences.values()}
        self._cues = {audience: rx for audience, rx in self._cues.items() if rx is not None}
        self._defaults: dict[tuple[str, ...], frozenset[str]] = {}

    def infer(
        self, stated: Iterable[str], types: tuple[str, ...], min_age: int | None, max_age: int | None,
        eligibility: str = "", name: str = "", description: str = "",
    ) -> tuple[tuple[str, ...], str]:
        """The service's audiences (taxonomy order) and the rule that gave them."""
        found, source = set(stated), "file"
        if not found:
            found, source = set(self._type_defaults(types)), "type"
        if not found and eligibility:
            found, source = self._from_text(eligibility), "eligibility"
        if not found:
            found, source = self._from_text(f"{name}\n{description}"), "description"
        if not found and max_age is not None and max_age < ADULT:
            found, source = {CHILD}, "ages"
        if not found:
            return (), ""
        if source != "file":
            found = fit_to_ages(found, min_age, max_age)
        return self.taxonomy.ordered_audiences(found), source

    def _type_defaults(self, types: tuple[str, ...]) -> frozenset[str]:
        cached = self._defaults.get(types)
        if cached is None:
            union = {a for t in types if t in self.taxonomy.types for a in self.taxonomy.types[t].audiences}
            harm = union & set(CAUSING_HARM)
            cached = self._defaults[types] = frozenset(harm or union)  # a programme for people who cause harm is only for them
        return cached

    def _from_text(self, text: str) -> set[str]:
        if not text.strip():
            return set()
        words = " ".join(text.lower().split()) if text.isascii() else normalise(text)
        found = {audience for audience, rx in self._cues.items() if rx.search(words)}
        harm = found & set(CAUSING_HARM)
        return harm or found
