"""Turning outcomes into what the user sees: fixed wording, cited entries, buttons.

The one place that writes "Source:" lines, citation payloads and button payloads. Wording
comes from ``knowledge/messages.yml`` (``Messages``); entries and sources from the store.
A citation payload carries what the widget's source panel shows: the document's full title,
publisher, date, licence and the section heading (``knowledge/sources.yml``; no web addresses).
A guidance answer carries the payloads of its "Was this useful?" buttons (``bot/feedback``).
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from bot.dialogue.types import Button, Message, payload
from bot.dialogue.wording import Messages
from bot.knowledge.schema import Citation, Entry, Source, cite

CHOOSE_ENTRY = "choose_entry"
MAX_RELATED = 3
# A vote on an answer: /affirm{"feedback": "<entry id>"} (useful) or /deny{...} (not useful).
FEEDBACK_ENTITY = "feedback"
FEEDBACK_VOTES = {"yes": "affirm", "no": "deny"}


def citation_payload(sources: Mapping[str, Source], citation: Citation) -> dict[str, str]:
    """A citation as the widget receives it: source and section ids, the readable form, and the
    document's details for the source panel (title, publisher, date, licence, section heading)."""
    source = sources[citation.source]
    section = source.section(citation.section)
    headings = [section.title] if section is not None else []
    parent = source.section(section.parent) if section is not None and section.parent else None
    if parent is not None:
        headings.insert(0, parent.title)
    return {"source": citation.source, "section": citation.section, "citation": cite(sources, citation),
            "title": source.title, "publisher": source.publisher, "date": source.date,
            "licence": source.licence, "section_title": ": ".join(headings)}


class Renderer:
    """Builds messages from the project's wording, entries and sources."""

    def __init__(self, messages: Messages, sources: Mapping[str, Source], entries: Mapping[str, Entry]):
        self.messages = messages
        self.sources = sources
        self.entries = entries

    # -- wording ---------------------------------------------------------------------------

    def text(self, key: str, **values: Any) -> str:
        """The wording ``key`` from messages.yml, with ``{placeholders}`` filled in."""
        return self.messages[key].format(**values) if values else self.messages[key]

    def say(self, key: str, kind: str | None = None, buttons: Iterable[Button] = (), **values: Any) -> Message:
        """One fixed message; its ``custom.type`` is ``kind`` (default: the key)."""
        return Message(self.text(key, **values), tuple(buttons), {"type": kind or key})

    # -- citations -----------------------------------------------------------------------------

    def cite(self, citation: Citation) -> dict[str, str]:
        """A citation as the widget receives it (``citation_payload``)."""
        return citation_payload(self.sources, citation)

    def citations(self, citations: Iterable[Citation]) -> list[dict[str, str]]:
        return [self.cite(c) for c in dict.fromkeys(citations)]

    @staticmethod
    def with_sources(lines: Iterable[str], citations: Iterable[Mapping[str, str]]) -> str:
        """Text lines then one "Source:" line per citation, one line break apart (Rasa's REST
        channel splits a text at blank lines, and the sources belong to their message)."""
        return "\n".join([*lines, *(f"Source: {c['citation']}" for c in citations)])

    # -- entries and buttons -----------------------------------------------------------------------

    @staticmethod
    def button(title: str, intent: str, **entities: str) -> Button:
        return Button(title, payload(intent, **entities))

    def entry_button(self, entry_id: str, title: str | None = None) -> Button:
        return self.button(title or self.entries[entry_id].title, CHOOSE_ENTRY, entry_id=entry_id)

    def related_buttons(self, entry: Entry) -> tuple[Button, ...]:
        return tuple(self.entry_button(r) for r in entry.related[:MAX_RELATED] if r in self.entries)

    def entry(self, entry: Entry, body: str | None = None, with_steps: bool = True) -> Message:
        """An entry as a cited message: its answer (or ``body``), numbered steps, sources."""
        citations = self.citations(entry.all_citations)
        lines = [body or entry.answer]
        custom: dict[str, Any] = {"type": "guidance", "entry_id": entry.id, "title": entry.title,
                                  "citations": citations, "feedback": self.feedback(entry.id)}
        if with_steps and entry.steps:
            steps = [{"text": step.text, **self.cite(step.citation)} for step in entry.steps]
            lines += [f"{number}. {s['text']} ({s['citation']})" for number, s in enumerate(steps, start=1)]
            custom["steps"] = steps
        return Message(self.with_sources(lines, citations), self.related_buttons(entry), custom)

    @staticmethod
    def feedback(entry_id: str) -> dict[str, str]:
        """The payloads of "Was this useful?" yes and no for an answer from ``entry_id``."""
        return {vote: payload(intent, **{FEEDBACK_ENTITY: entry_id}) for vote, intent in FEEDBACK_VOTES.items()}
