"""The domestic-abuse service taxonomy (``knowledge/directory/taxonomy.yml``) and how services are mapped to it.

A service's types come from its taxonomy terms when they map, else from keywords in its
name (or, failing that, its description). Unmapped services keep an empty type list and
are still listed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable

import yaml

from bot.config import PROJECT_ROOT
from bot.text.normalise import normalise

TAXONOMY_FILE = PROJECT_ROOT / "knowledge" / "directory" / "taxonomy.yml"
# Our own taxonomy names, used when exporting so a re-import maps types and audiences exactly.
TYPE_TAXONOMY = "dasg-domestic-abuse-service-type"
AUDIENCE_TAXONOMY = "dasg-audience"


@dataclass(frozen=True)
class ServiceType:
    """One kind of service in the taxonomy."""

    id: str
    label: str
    keywords: tuple[str, ...]
    weak_keywords: tuple[str, ...]
    oruk_terms: tuple[str, ...]
    broader: tuple[str, ...]
    audiences: tuple[str, ...] = ()  # who a service of this type is for, unless the directory says


@dataclass(frozen=True)
class Audience:
    """One group a service is for."""

    id: str
    label: str
    synonyms: tuple[str, ...]
    eligibility_cues: tuple[str, ...] = ()  # phrases in a service's own text that say it is for this group


@dataclass(frozen=True)
class AgeWord:
    """A word that stands for an age range ("teenager" is 13 to 17)."""

    phrase: str
    min: int
    max: int


def _keyword_regex(phrases: Iterable[str]) -> re.Pattern | None:
    parts = sorted({r"\s+".join(re.escape(w) for w in normalise(p).split()) for p in phrases}, key=len, reverse=True)
    return re.compile(r"(?<![\w])(?:" + "|".join(parts) + r")(?:s|es)?(?![\w])") if parts else None


class Taxonomy:
    """Service types, audiences and age words, with the lookups importers and the query parser need."""

    def __init__(self, types: list[ServiceType], audiences: list[Audience], ages: list[AgeWord]):
        self.types = {t.id: t for t in types}
        self.audiences = {a.id: a for a in audiences}
        self.ages = ages
        self._strong = {t.id: _keyword_regex(t.keywords) for t in types}
        self._weak = {t.id: _keyword_regex(t.weak_keywords) for t in types}
        self._term_keys: dict[str, str] = {}
        self._terms = {normalise(term): t.id for t in types for term in (*t.oruk_terms, t.id, t.label)}
        self._audience_names = {
            normalise(name): a.id for a in audiences for name in (a.id, a.id.replace("_", " "), a.label, *a.synonyms)
        }
        self._type_names = {normalise(name): t.id for t in types for name in (t.id, t.id.replace("_", " "), t.label)}

    def label(self, type_id: str) -> str:
        return self.types[type_id].label

    def audience_label(self, audience_id: str) -> str:
        return self.audiences[audience_id].label

    def type_for_name(self, text: str) -> str | None:
        """The type named by its id or label (the template's "service types" column)."""
        return self._type_names.get(normalise(text)) or self._terms.get(normalise(text))

    def audience_for_name(self, text: str) -> str | None:
        """The audience named by its id, label or a synonym (the template's "who it is for" column)."""
        return self._audience_names.get(normalise(text))

    def types_for_terms(self, terms: Iterable[str]) -> tuple[str, ...]:
        """Types for taxonomy term names/codes; terms that map to nothing are ignored."""
        found = {self._terms.get(self._term_key(t)) for t in terms if t} - {None}
        return self.ordered(found)

    def _term_key(self, term: str) -> str:
        # Exports repeat the same few terms for every service: normalise each once.
        key = self._term_keys.get(term)
        if key is None:
            key = self._term_keys[term] = normalise(term)
        return key

    def types_for_text(self, name: str, description: str = "") -> tuple[str, ...]:
        """Types whose keywords occur in the name, or else in the description."""
        for text in (normalise(name), normalise(description)):
            if not text:
                continue
            found = {tid for tid, rx in self._strong.items() if rx and rx.search(text)}
            if found:
                return self.ordered(found)
        text = normalise(f"{name} {description}")
        return self.ordered({tid for tid, rx in self._weak.items() if rx and rx.search(text)})

    def ordered(self, type_ids: Iterable[str]) -> tuple[str, ...]:
        wanted = set(type_ids)
        return tuple(tid for tid in self.types if tid in wanted)

    def ordered_audiences(self, audience_ids: Iterable[str]) -> tuple[str, ...]:
        wanted = set(audience_ids)
        return tuple(aid for aid in self.audiences if aid in wanted)

    def broader(self, type_ids: Iterable[str]) -> tuple[str, ...]:
        """The wider types to suggest when nothing of ``type_ids`` is listed."""
        given = set(type_ids)
        return self.ordered({b for tid in given for b in self.types[tid].broader} - given)


def _strings(raw: dict, key: str) -> tuple[str, ...]:
    value = raw.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError(f"{key} must be a list of texts")
    return tuple(value)


def parse_taxonomy(data: dict) -> Taxonomy:
    """Build a taxonomy from the YAML mapping; raises ValueError naming the bad item."""
    types, audiences, ages = [], [], []
    for raw in data.get("types") or []:
        try:
            types.append(ServiceType(
                id=raw["id"], label=raw["label"], keywords=_strings(raw, "keywords"),
                weak_keywords=_strings(raw, "weak_keywords"), oruk_terms=_strings(raw, "oruk_terms"),
                broader=_strings(raw, "broader"), audiences=_strings(raw, "audiences"),
            ))
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"type {raw!r:.60}: {exc}") from exc
    ids = {t.id for t in types}
    for t in types:
        unknown = set(t.broader) - ids
        if unknown:
            raise ValueError(f"type {t.id}: broader names unknown types {sorted(unknown)}")
    for raw in data.get("audiences") or []:
        audiences.append(Audience(id=raw["id"], label=raw["label"], synonyms=_strings(raw, "synonyms"),
                                  eligibility_cues=_strings(raw, "eligibility_cues")))
    for t in types:
        unknown = set(t.audiences) - {a.id for a in audiences}
        if unknown:
            raise ValueError(f"type {t.id}: audiences names unknown audiences {sorted(unknown)}")
    for raw in data.get("ages") or []:
        ages.append(AgeWord(phrase=str(raw["phrase"]), min=int(raw["min"]), max=int(raw["max"])))
    if not types or not audiences:
        raise ValueError("the taxonomy needs 'types' and 'audiences'")
    return Taxonomy(types, audiences, ages)


@lru_cache(maxsize=4)
def load_taxonomy(path: Path = TAXONOMY_FILE) -> Taxonomy:
    """The taxonomy from its YAML file, read once per process."""
    return parse_taxonomy(yaml.safe_load(Path(path).read_text(encoding="utf-8")))
