"""The words a partnership reads for the ids the counters keep: entry titles with their source
citation, topic labels, what a gap kind is, service types, scenario titles, the directory's areas.

Everything is read from the project's own content and the knowledge store, so a report never
shows an id where a title exists, and an id the content no longer has is shown as it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml
from sqlalchemy.engine import Engine

AGE_BANDS = {"0-4": "aged 0 to 4", "5-11": "aged 5 to 11", "12-17": "aged 12 to 17", "18+": "aged 18 or over",
             "any": "any age"}
NOT_COVERED_HOW = {
    "gap": "{What} (the sources give none)",
    "known": "{What} (a question known not to be covered)",
    "out_of_scope": "Outside what the guidance covers",
    "no_match": "Nothing in the sources came close",
}
MORE_CITATIONS = " and {n} more"
NEEDS = {"any": "any service", "described": "a need described in words no service type names"}


@dataclass(frozen=True)
class EntryLabel:
    title: str
    topic: str
    citation: str


@dataclass
class Labels:
    """Titles for ids; every lookup falls back to the id itself."""

    entries: dict[str, EntryLabel] = field(default_factory=dict)
    topics: dict[str, str] = field(default_factory=dict)
    gap_kinds: dict[str, str] = field(default_factory=dict)
    service_types: dict[str, str] = field(default_factory=dict)
    scenarios: dict[str, str] = field(default_factory=dict)
    areas: tuple[str, ...] = ()

    def entry(self, entry_id: str) -> EntryLabel:
        return self.entries.get(entry_id) or EntryLabel(entry_id, "", "")

    def topic(self, topic_id: str) -> str:
        return self.topics.get(topic_id, topic_id)

    def not_covered(self, how: str, what: str) -> str:
        words = self.gap_kinds.get(what) or what.replace("-", " ").replace("_", " ")
        return NOT_COVERED_HOW.get(how, how).format(What=words[:1].upper() + words[1:])

    def need(self, need: str) -> str:
        return NEEDS.get(need) or " and ".join(self.service_types.get(t, t) for t in need.split("+"))

    @staticmethod
    def age_band(band: str) -> str:
        return AGE_BANDS.get(band, band)

    def scenario(self, scenario_id: str) -> str:
        return self.scenarios.get(scenario_id, scenario_id)


def load_labels(engine: Engine, knowledge_dir: Path) -> Labels:
    """The labels from the knowledge store behind ``engine`` and the knowledge folder."""
    from bot.directory.store import area_names
    from bot.directory.taxonomy import load_taxonomy
    from bot.knowledge.loader import load_topics
    from bot.knowledge.schema import cite
    from bot.knowledge.store import read_entries, read_sources

    sources = read_sources(engine)
    entries = {e.id: EntryLabel(e.title, e.topic, _citation(cite(sources, c) for c in e.citations))
               for e in read_entries(engine)}
    topics = {t.id: t.label for t in load_topics(knowledge_dir).values()}
    gaps = _yaml(knowledge_dir / "gaps.yml")
    gap_kinds = {k["id"]: k["what"] for k in gaps.get("kinds") or [] if isinstance(k, dict) and "id" in k}
    taxonomy = load_taxonomy()
    return Labels(entries, topics, gap_kinds, {t.id: t.label for t in taxonomy.types.values()},
                  scenario_titles(knowledge_dir), tuple(area_names(engine)))


def _citation(citations) -> str:
    """The entry's first citation (its main source), and how many more it has."""
    cited = list(dict.fromkeys(citations))
    return cited[0] + (MORE_CITATIONS.format(n=len(cited) - 1) if len(cited) > 1 else "") if cited else ""


def scenario_titles(knowledge_dir: Path) -> dict[str, str]:
    """Each scenario's id and title (files starting with "_" are settings, not scenarios)."""
    titles = {}
    for path in sorted((knowledge_dir / "scenarios").glob("[!_]*.yml")):
        raw = _yaml(path)
        if raw.get("id"):
            titles[str(raw["id"])] = str(raw.get("title") or raw["id"])
    return titles


def _yaml(path: Path) -> dict:
    """A content file already validated by its own loader (``bot content validate``): only its ids and titles are read."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None
    return raw if isinstance(raw, dict) else {}
