"""Plain data classes for knowledge content, as read and validated from the YAML files, and the
one place citations are checked (``check_citation``) and written out (``cite``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from bot.text.validation import Report


@dataclass(frozen=True)
class Section:
    """One heading of a source document."""

    id: str
    title: str
    parent: str | None = None


@dataclass(frozen=True)
class Source:
    """A source document and its sections, with the short name used in citations."""

    id: str
    citation: str
    title: str
    publisher: str
    date: str
    licence: str
    style: str
    sections: tuple[Section, ...]

    def section(self, section_id: str) -> Section | None:
        return next((s for s in self.sections if s.id == section_id), None)

    def cite(self, section_id: str) -> str:
        """Render "<citation>, <section>" in the source's citation style (the one place that does)."""
        section = self.section(section_id)
        if section is None:
            raise KeyError(f"{self.id} has no section {section_id!r}")
        titles = [section.title]
        if section.parent:
            parent = self.section(section.parent)
            if parent is not None:
                titles.insert(0, parent.title)
        if self.style == "quoted":
            rendered = ", ".join(f"'{t}'" for t in titles)
        else:
            rendered = ", ".join(titles)
        return f"{self.citation}, {rendered}"


@dataclass(frozen=True)
class Citation:
    """A pointer from an entry to a section of a source."""

    source: str
    section: str


@dataclass(frozen=True)
class Step:
    """One step of an ordered checklist, with the source section that supports it."""

    text: str
    citation: Citation


@dataclass(frozen=True)
class Entry:
    """One piece of guidance: a short answer, where it comes from, and how people ask for it."""

    id: str
    topic: str
    title: str
    questions: tuple[str, ...]
    answer: str
    citations: tuple[Citation, ...]
    keywords: tuple[str, ...] = ()
    detail: str = ""
    agencies: tuple[str, ...] = ()
    age_stages: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    steps: tuple[Step, ...] = ()

    @property
    def all_citations(self) -> tuple[Citation, ...]:
        """The entry's citations, then those of its steps, each once."""
        return tuple(dict.fromkeys(self.citations + tuple(step.citation for step in self.steps)))


@dataclass(frozen=True)
class Term:
    """A domain term: a canonical id, its entity label and the ways people write it."""

    id: str
    label: str
    name: str
    synonyms: tuple[str, ...] = ()

    @property
    def phrases(self) -> tuple[str, ...]:
        return (self.name, *self.synonyms)


@dataclass(frozen=True)
class VocabularyItem:
    """A member of a fixed vocabulary (an agency or an age stage)."""

    id: str
    label: str
    synonyms: tuple[str, ...] = ()
    group: str | None = None
    years: tuple[int, int] | None = None  # an age stage's ages in whole years: "a 7 year old" is primary


@dataclass(frozen=True)
class Topic:
    """A question family: the intents that ask about it and the label shown to users."""

    id: str
    label: str
    intents: tuple[str, ...] = ()


@dataclass
class Knowledge:
    """Everything the knowledge folder holds, validated."""

    sources: dict[str, Source]
    entries: dict[str, Entry]
    topics: dict[str, Topic]
    agencies: dict[str, VocabularyItem]
    age_stages: dict[str, VocabularyItem]
    terms: list[Term] = field(default_factory=list)

    def topic_for_intent(self, intent: str) -> str | None:
        for topic in self.topics.values():
            if intent in topic.intents:
                return topic.id
        return None


def cite(sources: Mapping[str, Source], citation: Citation) -> str:
    """A citation as readers see it: "<source>, <section>", in its source's style."""
    return sources[citation.source].cite(citation.section)


def check_citation(raw: Any, at: str, sources: Mapping[str, Source] | None, report: Report,
                   parts: bool = True) -> Citation | None:
    """The citation ``{source, section}`` in ``raw`` (the field ``at``), reporting one that is missing or
    names a source or section ``sources`` lacks (at ``at.source`` / ``at.section``; at ``at`` if not ``parts``).

    None when ``raw`` is no citation; ``sources`` None skips the look-up.
    """
    if not isinstance(raw, dict) or not raw.get("source") or not raw.get("section"):
        report(at, "needs a citation with 'source' and 'section'")
        return None
    citation = Citation(str(raw["source"]), str(raw["section"]))
    source = None if sources is None else sources.get(citation.source)
    if sources is not None and source is None:
        report(f"{at}.source" if parts else at, f"unknown source '{citation.source}' (see knowledge/sources.yml)")
    elif source is not None and source.section(citation.section) is None:
        report(f"{at}.section" if parts else at,
               f"source '{citation.source}' has no section '{citation.section}'")
    return citation
