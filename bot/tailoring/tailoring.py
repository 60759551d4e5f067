"""Tailoring answers to who is asking and about whom: the joint inspection's learning for the
practitioner's agency, the Panel's age-stage impacts for an age named in the question, and the
Key Assurance Questions for a named agency.
"""

from __future__ import annotations

import re
from typing import Callable, Mapping

from bot.dialogue.render import Renderer
from bot.dialogue.types import Message, Turn
from bot.knowledge.answering import Answering
from bot.knowledge.schema import Entry, VocabularyItem

AGENCY_SOURCE = "jtai2017"  # per-agency learning comes from the joint inspection
AGE_TOPIC = "age_impacts"
ADDENDUM_SENTENCES = 2
SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+")
OTHER = "other"


class Tailoring:
    """Agency and age-stage add-ons over the knowledge entries."""

    def __init__(self, agencies: Mapping[str, VocabularyItem], age_stages: Mapping[str, VocabularyItem],
                 answering: Answering, renderer: Renderer):
        self.agencies = agencies
        self.age_stages = age_stages
        self.answering = answering
        self.entries = answering.entries
        self.render = renderer

    def family(self, agency: str | None) -> set[str]:
        """The agency and, for a health role, health in general ('other' gets nothing)."""
        item = self.agencies.get(agency or "")
        if item is None or item.id == OTHER:
            return set()
        return {item.id, "health"} if item.group == "health" else {item.id}

    @staticmethod
    def agency_of(turn: Turn) -> str | None:
        """The agency for this turn: one named in the message, else the practitioner's own."""
        named = turn.entity_values("agency")
        return named[0] if named else turn.state.tailoring.agency

    def addenda(self, entry: Entry, agency: str | None, age_stage: str | None) -> tuple[Message, ...]:
        """After an answer about ``entry``: what the inspection found for the agency and the
        Panel's impact for the age stage, unless the answer is already about them."""
        added = []
        item, wanted = self.agencies.get(agency or ""), self.family(agency)
        if item is not None and wanted and not wanted & set(entry.agencies):
            match = self.closest_tagged(entry, "agencies", wanted, lambda e: e.citations[0].source == AGENCY_SOURCE)
            if match is not None:
                added.append(self.addendum(match, item.label))
        stage = self.age_stages.get(age_stage or "")
        if stage is not None and stage.id not in entry.age_stages:
            match = self.closest_tagged(entry, "age_stages", {stage.id}, lambda e: e.topic == AGE_TOPIC)
            if match is not None:
                added.append(self.addendum(match, stage.label.lower(), kind="age_stage"))
        return tuple(added)

    def closest_tagged(self, entry: Entry, field: str, wanted: set[str],
                       suitable: Callable[[Entry], bool]) -> Entry | None:
        """The entry tagged with one of ``wanted`` that is closest to ``entry``'s subject."""
        candidates = [e for e in self.entries.values() if wanted & set(getattr(e, field)) and suitable(e)]
        return self.answering.closest(" ".join([entry.title, *entry.keywords[:12]]), candidates, field)

    def addendum(self, entry: Entry, name: str, kind: str = "agency") -> Message:
        citations = self.render.citations(entry.all_citations)
        summary = " ".join(SENTENCE_SPLIT.split(entry.answer)[:ADDENDUM_SENTENCES])
        text = self.render.with_sources([self.render.text("tailored", name=name, summary=summary)], citations)
        custom = {"type": "tailored", "for": kind, "entry_id": entry.id, "title": entry.title, "citations": citations}
        button = self.render.entry_button(entry.id, self.render.text("tailored_more_button", title=entry.title))
        return Message(text, (button,), custom)
