"""Tailoring in the conversation: the practitioner saying which agency they work in, the Key
Assurance Questions for a named agency, "and for teenagers?" read against the last answer,
and the add-ons and the one-time offer that follow answers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

from bot.dialogue.handler import Chain
from bot.dialogue.types import Message, Reply, Turn
from bot.knowledge.schema import Entry
from bot.tailoring.tailoring import AGENCY_SOURCE, OTHER, Tailoring
from bot.text.normalise import normalise
from bot.text.validation import ContentError, Problem, compile_patterns, read_yaml, reporter

INFORM_AGENCY = "inform_agency"
GENERIC_HEALTH = "health"  # offered roles are specific; "health (other)" is for free text
TAG_FIELDS = {"age_stage": "age_stages", "agency": "agencies"}


@dataclass(frozen=True)
class TailoringSettings:
    """``knowledge/tailoring.yml``: the words and ids tailoring reads."""

    statement_filler: frozenset[str]
    assurance_term: str
    assurance_heading: str
    assurance_fallback_entry: str
    context_max_words: int
    self_description: tuple[re.Pattern, ...]


def load_tailoring_settings(path: Path) -> TailoringSettings:
    """Read and check ``tailoring.yml``; each problem names the file, the key and why."""
    problems: list[Problem] = []
    report = reporter(problems, Path(path).name)
    data = read_yaml(Path(path), report)
    if problems:
        raise ContentError(problems)
    data = data if isinstance(data, dict) else {}
    filler = data.get("statement_filler")
    if not isinstance(filler, list) or not all(isinstance(w, str) for w in filler):
        report("statement_filler", "must be a list of words")
    for key in ("assurance_term", "assurance_heading", "assurance_fallback_entry"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            report(key, "is required and must be text")
    self_description = compile_patterns(data.get("self_description"), "self_description", report)
    words = data.get("context_max_words")
    if not isinstance(words, int) or isinstance(words, bool) or words < 1:
        report("context_max_words", "must be a whole number of at least 1")
    if problems:
        raise ContentError(problems)
    return TailoringSettings(frozenset(filler), data["assurance_term"], data["assurance_heading"],
                             data["assurance_fallback_entry"], data["context_max_words"], self_description)


class AgencyStatementHandler:
    """"I'm a health visitor", "probation", an offer button: remember the agency for the
    conversation and show, for the last answer, what it adds. A message that names an agency
    but asks something ("KAQs for probation?") is left to the handlers after this one."""

    answers_questions = False

    def __init__(self, tailoring: Tailoring, settings: TailoringSettings):
        self.tailoring = tailoring
        self.settings = settings

    def check(self, turn: Turn) -> bool | None:
        return True if turn.intent == INFORM_AGENCY and self._only_says_who(turn) else None

    def _only_says_who(self, turn: Turn) -> bool:
        if turn.is_payload:
            return True
        if "?" in turn.text or turn.analysis is None:
            return False
        analyse = self.tailoring.answering.index.analyse
        named = {w for m in turn.analysis.mentions for w in analyse(m.text).lemmas}
        leftover = [w for w in turn.analysis.lemmas if w not in named and w not in self.settings.statement_filler]
        return len(leftover) <= 1

    def handle(self, turn: Turn, claim: bool, chain: Chain) -> Reply:
        t, render = self.tailoring, self.tailoring.render
        named = turn.entity_values("agency")
        agency = t.agencies.get(named[0] if named else OTHER) or t.agencies.get(OTHER)
        if agency is None or not t.family(agency.id):
            state = turn.state.with_(tailoring=replace(turn.state.tailoring, agency=OTHER))
            return Reply("agency_set", (render.say("agency_general", kind="agency_set"),), state)
        state = turn.state.with_(tailoring=replace(turn.state.tailoring, agency=agency.id))
        messages = (render.say("agency_set", agency=agency.label),)
        last = t.entries.get(turn.state.last_entry_id or "")
        if last is not None:
            messages += t.addenda(last, agency.id, None)
        return Reply("agency_set", messages, state)


class AssuranceHandler:
    """Key Assurance Questions for a named agency, or that agency's findings when it has none."""

    answers_questions = True

    def __init__(self, tailoring: Tailoring, settings: TailoringSettings):
        self.tailoring = tailoring
        self.settings = settings

    def check(self, turn: Turn) -> str | None:
        analysis = turn.analysis
        if analysis is None or self.settings.assurance_term not in analysis.ids():
            return None
        named = analysis.ids("agency")
        if not named or not self.tailoring.family(named[0]) or named[0] not in self.tailoring.agencies:
            return None
        return named[0]

    def handle(self, turn: Turn, agency_id: str, chain: Chain) -> Reply:
        t, render = self.tailoring, self.tailoring.render
        family = t.family(agency_id)
        with_questions = [
            e for e in t.entries.values()
            if family & set(e.agencies)
            and any(self.settings.assurance_heading in render.cite(c)["citation"] for c in e.citations)
        ]
        if with_questions:
            best = t.answering.closest(turn.text, with_questions, "agencies")
            return self._entry(turn, best)
        label = t.agencies[agency_id].label
        intro = render.say("no_assurance_questions", agency=label)
        fallback = t.entries.get(self.settings.assurance_fallback_entry) or next(iter(t.entries.values()))
        findings = t.closest_tagged(fallback, "agencies", family, lambda e: e.citations[0].source == AGENCY_SOURCE)
        if findings is None:
            return Reply("not_covered", (intro,), turn.state)
        return self._entry(turn, findings).prepend(intro)

    def _entry(self, turn: Turn, entry: Entry) -> Reply:
        message = self.tailoring.render.entry(entry)
        return Reply("assurance", (message,), turn.state.with_(last_entry_id=entry.id))


class InContextHandler:
    """'And for teenagers?', 'what about police?': a short message that names an age stage or
    agency is read against the last answer, and answered from entries tagged with it."""

    answers_questions = True

    def __init__(self, tailoring: Tailoring, settings: TailoringSettings):
        self.tailoring = tailoring
        self.settings = settings

    def check(self, turn: Turn) -> Entry | None:
        t = self.tailoring
        last = t.entries.get(turn.state.last_entry_id or "")
        analysis = turn.analysis
        if last is None or analysis is None or len(analysis.lemmas) > self.settings.context_max_words:
            return None
        tags = [(m.label, m.id) for m in analysis.mentions if m.label in TAG_FIELDS]
        if not tags:
            return None
        label, value = tags[0]
        field = TAG_FIELDS[label]
        query = f"{last.title} {' '.join(last.keywords)} {turn.text}"
        hits = t.answering.index.search(query, limit=len(t.entries))
        tagged = [h.entry for h in hits if value in getattr(h.entry, field) and h.entry.id != last.id]
        # "What about the police?" after an inspection finding: the same document's finding for
        # the police before anything else tagged with them.
        same_source = [e for e in tagged if e.citations[0].source == last.citations[0].source]
        return (same_source or tagged or [None])[0]

    def handle(self, turn: Turn, entry: Entry, chain: Chain) -> Reply:
        t = self.tailoring
        age_stages = turn.entity_values("age_stage")
        messages = (t.render.entry(entry), *t.addenda(entry, t.agency_of(turn), age_stages[0] if age_stages else None))
        return Reply("in_context", messages, turn.state.with_(last_entry_id=entry.id))


class TailoringFinisher:
    """After an answer from the search: the add-ons for the agency and the age stage."""

    def __init__(self, tailoring: Tailoring):
        self.tailoring = tailoring

    def finish(self, turn: Turn, reply: Reply) -> Reply:
        entry = self.tailoring.entries.get(reply.state.last_entry_id or "")
        if reply.kind != "answer" or entry is None:
            return reply
        age_stages = turn.entity_values("age_stage")
        return reply.append(*self.tailoring.addenda(entry, self.tailoring.agency_of(turn),
                                                    age_stages[0] if age_stages else None))


class SelfDescriptionFinisher:
    """"I'm a health visitor - what is MARAC?": the agency a practitioner describes themselves
    with is remembered, whatever else the message asks. An agency named any other way
    ("what should we ask probation?") never becomes theirs."""

    def __init__(self, tailoring: Tailoring, settings: TailoringSettings):
        self.tailoring = tailoring
        self.settings = settings

    def finish(self, turn: Turn, reply: Reply) -> Reply:
        agency = self.described(turn)
        if agency is None or reply.state.tailoring.agency == agency:
            return reply
        return reply.with_(state=reply.state.with_(tailoring=replace(reply.state.tailoring, agency=agency)))

    def described(self, turn: Turn) -> str | None:
        if turn.analysis is None or turn.is_payload:
            return None
        text = normalise(turn.text)
        for mention in turn.analysis.mentions:
            before = text[:mention.start].rstrip()
            if mention.label == "agency" and mention.id in self.tailoring.agencies and any(
                    pattern.search(before) for pattern in self.settings.self_description):
                return mention.id
        return None


class AgencyOfferFinisher:
    """Once per conversation, after an answer (never instead of one), offer to tailor answers."""

    def __init__(self, tailoring: Tailoring):
        self.tailoring = tailoring

    def finish(self, turn: Turn, reply: Reply) -> Reply:
        tailoring = reply.state.tailoring
        named = turn.entity_values("agency")
        if reply.kind != "answer" or tailoring.agency or named or tailoring.offered or not self.tailoring.agencies:
            return reply
        render = self.tailoring.render
        buttons = tuple(render.button(item.label, INFORM_AGENCY, agency=item.id)
                        for item in self.tailoring.agencies.values() if item.id != GENERIC_HEALTH)
        offer = Message(render.text("agency_offer"), buttons, {"type": "agency_offer"})
        state = reply.state.with_(tailoring=replace(tailoring, offered=True))
        return reply.append(offer).with_(state=state)
