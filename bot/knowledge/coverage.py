"""Which entries cite each section of each source: every section must be answerable."""

from __future__ import annotations

from dataclasses import dataclass

from bot.knowledge.schema import Knowledge


@dataclass(frozen=True)
class SectionCoverage:
    """One section of a source and the entries that cite it."""

    source: str
    section: str
    citation: str
    entries: tuple[str, ...]


def section_coverage(knowledge: Knowledge) -> list[SectionCoverage]:
    """Every section of every source, in document order, with the ids of the entries citing it."""
    citing: dict[tuple[str, str], list[str]] = {}
    for entry in knowledge.entries.values():
        for citation in entry.all_citations:
            citing.setdefault((citation.source, citation.section), []).append(entry.id)
    return [
        SectionCoverage(source.id, section.id, source.cite(section.id), tuple(sorted(citing.get((source.id, section.id), []))))
        for source in knowledge.sources.values()
        for section in source.sections
    ]


def uncovered_sections(knowledge: Knowledge) -> list[SectionCoverage]:
    return [row for row in section_coverage(knowledge) if not row.entries]
