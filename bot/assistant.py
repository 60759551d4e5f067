"""Dialogue logic: turn one user message (with its NLU result) into the assistant's replies.

Plain Python with no Rasa imports; the rasa-sdk actions in ``actions/`` are thin wrappers
that build a ``Turn`` from the tracker and send the ``Reply`` messages.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from pathlib import Path

from sqlalchemy.engine import Engine

from bot.config import Settings, load_settings
from bot.directory.areas import AreaMatcher
from bot.directory.store import ensure_default_directory
from bot.knowledge.loader import load_topics, load_vocabulary
from bot.knowledge.schema import Citation, Entry, Source, VocabularyItem
from bot.knowledge.search import Hit, SearchIndex
from bot.knowledge.store import make_engine, read_entries, read_sources
from bot.dialogue.wording import Messages, load_messages
from bot.nlp.pipeline import analyser_for
from bot.reflection.model import Reflection, load_reflection
from bot.reflection_dialogue import START_REFLECTION, ReflectionDialogue
from bot.dialogue.types import BotMessage, Reply, Turn, button_payload
from bot.safety.check import DangerCheck, load_danger_check
from bot.scenario_dialogue import ScenarioDialogue
from bot.directory_dialogue import LOCAL_SERVICES, DirectoryDialogue

log = logging.getLogger(__name__)

MAX_TEXT = 2000  # longer messages are cut before analysis; the 999 check sees the whole text
# Answer thresholds (tuned on eval/questions.yml; see benchmarks): coverage is the share of
# the question's informative (IDF-weighted) words an entry explains, score is BM25.
ANSWER_COVERAGE = 0.5
WEAK_COVERAGE = 0.15
SUGGEST_COVERAGE = 0.25
MIN_SCORE = 5.0
STRONG_SCORE = 10.0
QUESTION_MATCH = 0.3  # weighted Jaccard with one of the entry's own questions
TOPIC_BONUS_CONFIDENCE = 0.35
TOPIC_CONFIDENCE = 0.5  # NLU confidence at which the intent's topic counts as agreement
ADDENDUM_SENTENCES = 2
AGENCY_SOURCE = "jtai2017"  # per-agency learning comes from the joint inspection
AGE_TOPIC = "age_impacts"
GENERIC_HEALTH = "health"
AGENCY_FILLER = {"work", "job", "role", "currently", "actually", "change", "move", "agency", "team", "based", "sector"}
ASSURANCE_TERM = "kaq"  # the term id of "key assurance questions" in terms.yml
ASSURANCE_HEADING = "Key Assurance Questions"
SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+")
CONTEXT_MAX_WORDS = 4  # "and for teenagers?" is a follow-up; a longer message is a new question
TAG_FIELDS = {"age_stage": "age_stages", "agency": "agencies"}
OVERRULE_COVERAGE = 0.4  # search evidence that overrules a confident "out of scope" intent
OVERRULE_MATCH = 0.45
SURE_DANGER = 0.9  # NLU confidence above which a danger message gets only the 999 message
MAX_SHORT_TOKENS = 3  # small talk and follow-ups have at most this many content words
OUT_OF_SCOPE_CONFIDENCE = 0.6
MAX_BUTTONS = 3
SMALL_TALK_CONFIDENCE = 0.9
SMALL_TALK = {
    "greet": "greet", "goodbye": "goodbye", "thanks": "thanks", "help": "help",
    "affirm": "affirm", "deny": "deny", "none_of_these": "none_of_these_reply",
}


class Assistant(ReflectionDialogue, ScenarioDialogue, DirectoryDialogue):
    """Answers practitioners from the knowledge store, safely and honestly."""

    def __init__(
        self,
        entries: list[Entry],
        sources: dict[str, Source],
        topics: dict,
        messages: Messages,
        danger: DangerCheck,
        index: SearchIndex,
        agencies: dict[str, VocabularyItem] | None = None,
        age_stages: dict[str, VocabularyItem] | None = None,
        reflection: Reflection | None = None,
        knowledge_dir: Path | None = None,
        scenarios_dir: Path | None = None,
        directory_engine: Engine | None = None,
    ):
        if not entries:
            raise RuntimeError("The knowledge store is empty: run `bot knowledge load` first.")
        self.entries = {e.id: e for e in entries}
        self.sources = sources
        self.intent_topics = {intent: t.id for t in topics.values() for intent in t.intents}
        self.messages = messages
        self.danger = danger
        self.index = index
        self.agencies = agencies or {}
        self.age_stages = age_stages or {}
        self.reflection = reflection
        self.knowledge_dir = knowledge_dir
        self.scenarios_dir = scenarios_dir
        self.directory_engine = directory_engine
        self.areas = AreaMatcher(directory_engine) if directory_engine is not None else None

    @classmethod
    def from_settings(cls, settings: Settings) -> "Assistant":
        engine = make_engine(settings.database_url)
        entries = read_entries(engine)
        try:
            ensure_default_directory(engine, settings)  # the demonstration directory, if none is loaded
        except Exception:  # answers from the knowledge store must not depend on the directory
            log.exception("could not load the default service directory")
        analyser = analyser_for(settings.knowledge_dir)
        _, agencies, age_stages = load_vocabulary(settings.knowledge_dir)
        sources = read_sources(engine)
        return cls(
            entries=entries,
            sources=sources,
            topics=load_topics(settings.knowledge_dir),
            messages=load_messages(settings.messages_file),
            danger=load_danger_check(settings.safety_file),
            index=SearchIndex(entries, analyser),
            agencies=agencies,
            age_stages=age_stages,
            reflection=load_reflection(settings.reflection_file, tuple(sources.items())),
            knowledge_dir=settings.knowledge_dir,
            scenarios_dir=settings.scenarios_dir,
            directory_engine=engine,
        )

    # -- entry points, one per action ------------------------------------------------

    def immediate_danger(self, turn: Turn) -> Reply:
        """The 999 message first; then guidance if the message was also an answerable question.

        A message the safety patterns match, or that NLU is sure describes danger, gets only the
        999 message. When only an unsure NLU guess said "danger" (a question about a frightened
        child, say), the 999 message still comes first and the usual reply follows it.
        """
        if self._playing(turn):
            return self._guarded(turn, self.answer_question)  # part of the exercise: see _guarded
        messages = [BotMessage(self.messages["immediate_danger"], custom={"type": "immediate_danger"})]
        pattern_match = self.danger.matches(turn.text)
        sure_danger = turn.intent == "immediate_danger" and (pattern_match or turn.confidence >= SURE_DANGER)
        if self._reflecting(turn):
            if pattern_match or sure_danger:
                # 999 first; the reflection keeps its place and its summary repeats the 999 line.
                state = {**turn.reflection, "danger": True}
                messages.append(self._reflection_question(state, prefix=self.reflection.texts["resume"]))
                reply = Reply("immediate_danger", messages, danger=True, reflection=state, reflection_changed=True)
            else:
                # An unsure guess ("yeah he controls the money"): 999 first, then carry on.
                reply = self._reflection_turn(turn)
                reply.messages[:0] = messages
                reply.danger = True
            return self._finish(turn, reply)
        entry_id = None
        if not sure_danger:
            try:
                follow = self._answer(turn)
            except Exception:  # the 999 message must go out whatever else fails
                log.exception("failed to add guidance after the 999 message")
                follow = None
            if follow is not None and follow.kind not in {"empty", "not_english", "error"}:
                messages += follow.messages
                entry_id = follow.entry_id
        return self._finish(turn, Reply("immediate_danger", messages, entry_id=entry_id, danger=True))

    def answer_question(self, turn: Turn) -> Reply:
        return self._guarded(turn, self._answer)

    def not_covered(self, turn: Turn) -> Reply:
        def handle(t: Turn) -> Reply:
            if t.confidence < OUT_OF_SCOPE_CONFIDENCE or self._clearly_answerable(t):
                return self._answer(t)
            return self._text_reply("not_covered", self._not_covered_text(t.text))
        return self._guarded(turn, handle)

    def small_talk(self, turn: Turn) -> Reply:
        def handle(t: Turn) -> Reply:
            key = SMALL_TALK.get(t.intent or "")
            if key is None or self._is_question(t):
                return self._answer(t)
            if t.confidence < SMALL_TALK_CONFIDENCE:
                # "is the family safer now they've separated?" can look like "no": a question the
                # knowledge store answers well wins over an unsure small-talk guess.
                answer = self._answer(t)
                if answer.kind == "answer":
                    return answer
            return self._text_reply("small_talk", self.messages[key])
        return self._guarded(turn, handle)

    def follow_up(self, turn: Turn) -> Reply:
        def handle(t: Turn) -> Reply:
            entry = self.entries.get(t.last_entry_id or "")
            if self._is_question(t):
                return self._answer(t)
            if t.intent == "ask_more" and t.directory and t.directory.get("area"):
                return self._more_services(t)
            if entry is None:
                # Nothing to follow up: maybe NLU misread a question ("is it going to snow?").
                reply = self._answer(t)
                if reply.kind == "answer" or len(t.text.split()) > MAX_SHORT_TOKENS + 2:
                    return reply
                return self._text_reply("no_context", self.messages["no_previous_answer"])
            if t.intent == "ask_source":
                return self._source_reply(entry)
            if not entry.detail:
                reply = self._text_reply("no_more", self.messages["more_unavailable"], entry_id=entry.id)
                reply.messages[0].buttons = self._related_buttons(entry)
                return reply
            return self._entry_reply(entry, entry.detail, kind="more")
        return self._guarded(turn, handle)

    def set_agency(self, turn: Turn) -> Reply:
        """Remember the practitioner's agency and show, for the last answer, what it adds."""
        def handle(t: Turn) -> Reply:
            if not self._is_agency_statement(t):
                # "KAQs for probation?" names an agency but asks something: answer it.
                return self._answer(t)
            named = t.entity_values("agency")
            agency = self.agencies.get(named[0] if named else "other") or self.agencies.get("other")
            if agency is None or not self._agency_family(agency.id):
                reply = self._text_reply("agency_set", self.messages["agency_general"])
                reply.agency = "other"
                return reply
            reply = self._text_reply("agency_set", self.messages["agency_set"].format(agency=agency.label))
            reply.agency = agency.id
            last = self.entries.get(t.last_entry_id or "")
            if last is not None:
                self._tailor(reply, last, Turn(text="", agency=agency.id))
            return reply
        return self._guarded(turn, handle)

    # -- the shared pieces ----------------------------------------------------------------

    def _guarded(self, turn: Turn, handler) -> Reply:
        """Run the danger check first, whatever the intent; then the handler.

        The one exception is a training scenario under way: its case text and the trainee's
        answers describe violence as part of the exercise, and every step already carries the
        999 reminder, so the message goes to the scenario.
        """
        playing = self._playing(turn)
        if not playing and (self.danger.matches(turn.text) or turn.intent == "immediate_danger"):
            return self.immediate_danger(turn)
        try:
            if playing:
                reply = self._scenario_turn(turn)
            elif (resumed := self._paused_scenario_command(turn)) is not None:
                reply = resumed
            elif self._reflecting(turn):
                reply = self._reflection_turn(turn)
            elif self._reflection_offered(turn):
                reply = self._answer_offer(turn, handler)
            else:
                reply = self._unreadable(turn) or handler(turn)
        except Exception:  # the chat must never go silent
            log.exception("failed to answer %r", turn.intent)
            reply = self._text_reply("error", self.messages["error"])
        if turn.directory and not reply.directory_changed:
            reply.directory, reply.directory_changed = None, True  # "more" now means the new answer
        return self._finish(turn, reply)

    def _finish(self, turn: Turn, reply: Reply) -> Reply:
        """Add the opening notice once per conversation: after the 999 message, else first."""
        if not turn.notice_given:
            notice = BotMessage(self.messages["opening_notice"], custom={"type": "opening_notice"})
            position = 1 if reply.danger else 0
            reply.messages.insert(position, notice)
            turn.notice_given = True
        return reply

    def _clearly_answerable(self, turn: Turn) -> bool:
        """The knowledge search has such strong evidence that a confident 'out of scope' guess
        from NLU is overruled ("how do schools find out about police call-outs?")."""
        text = (turn.text or "").strip()
        if not text or self.messages.not_covered_topic(text) is not None:
            return False
        hits = self.rank(text, None, 0.0)
        if not hits:
            return False
        best = hits[0]
        return (best.coverage >= OVERRULE_COVERAGE and best.score >= STRONG_SCORE) or best.question_match >= OVERRULE_MATCH

    def _is_agency_statement(self, turn: Turn) -> bool:
        """"I'm a health visitor", "probation", a button: the message only says who is asking."""
        text = (turn.text or "").strip()
        if text.startswith("/"):
            return True
        if "?" in text:
            return False
        analysis = self.index.analyse(text)
        named = {w for m in analysis.mentions for w in self.index.analyse(m.text).lemmas}
        leftover = [lemma for lemma in analysis.lemmas if lemma not in named and lemma not in AGENCY_FILLER]
        return len(leftover) <= 1

    def _is_question(self, turn: Turn) -> bool:
        """Too many content words for small talk or a follow-up: treat the message as a question."""
        return len(self.index.query_tokens(turn.text or "")) > MAX_SHORT_TOKENS

    def _unreadable(self, turn: Turn) -> Reply | None:
        """A reply for messages with no words to work with: empty, symbols only, or another script."""
        text = (turn.text or "").strip()
        if turn.entity_values("entry_id") or text.startswith("/"):
            return None
        if not any(ch.isalpha() for ch in text):
            return self._text_reply("empty", self.messages["empty"])
        if not any(ch.isascii() and ch.isalpha() for ch in text):
            return self._text_reply("not_english", self.messages["not_english"])
        return None

    def _answer(self, turn: Turn) -> Reply:
        chosen = turn.entity_values("entry_id")
        if chosen and chosen[0] in self.entries:
            return self._entry_reply(self.entries[chosen[0]])
        if turn.intent == START_REFLECTION and self.reflection is not None:
            return self._start_reflection()
        if self.areas is not None and (turn.intent == LOCAL_SERVICES or self._is_local_request(turn)):
            return self._local_services(turn)
        unreadable = self._unreadable(turn)
        if unreadable is not None:
            return unreadable
        text = turn.text.strip()[:MAX_TEXT]
        if self.messages.not_covered_topic(text) is not None:
            return self._text_reply("not_covered", self._not_covered_text(text))
        assurance = self._assurance_questions(turn)
        if assurance is not None:
            return assurance
        in_context = self._in_context(turn)
        if in_context is not None:
            return self._tailor(self._entry_reply(in_context), in_context, turn)
        hits = self.rank(text, turn.intent, turn.confidence)
        decision = self.decide(hits, turn.intent, turn.confidence)
        if decision == "answer":
            if self.reflection is not None and hits[0].entry.id == self.reflection.entry:
                return self._orientation()
            return self._offer_agency(self._tailor(self._entry_reply(hits[0].entry), hits[0].entry, turn), turn)
        if decision == "suggest":
            return self._did_you_mean(hits)
        return self._text_reply("not_covered", self._not_covered_text(text))

    def _tailor(self, reply: Reply, entry: Entry, turn: Turn) -> Reply:
        """After the answer, add the joint inspection's learning for the practitioner's agency and
        the Panel's age-stage impact for an age named in the question, unless the answer is
        already about them."""
        agency = self.agencies.get(turn.agency or "")
        wanted = self._agency_family(turn.agency)
        if agency is not None and wanted and not wanted & set(entry.agencies):
            match = self._closest_tagged(entry, "agencies", wanted, lambda e: e.citations[0].source == AGENCY_SOURCE)
            if match is not None:
                reply.messages.append(self._addendum(match, agency.label, "agency"))
        stage = self.age_stages.get(turn.age_stage or "")
        if stage is not None and stage.id not in entry.age_stages:
            match = self._closest_tagged(entry, "age_stages", {stage.id}, lambda e: e.topic == AGE_TOPIC)
            if match is not None:
                reply.messages.append(self._addendum(match, stage.label, "age_stage"))
        return reply

    def _offer_agency(self, reply: Reply, turn: Turn) -> Reply:
        """Once per conversation, after an answer (never instead of one), offer to tailor answers."""
        if turn.agency or turn.agency_offered or not self.agencies:
            return reply
        buttons = [
            {"title": item.label, "payload": button_payload("inform_agency", agency=item.id)}
            for item in self.agencies.values()
            if item.id != GENERIC_HEALTH  # the roles are offered; "health (other)" is for free text
        ]
        reply.messages.append(BotMessage(self.messages["agency_offer"], buttons=buttons, custom={"type": "agency_offer"}))
        reply.agency_offered = True
        turn.agency_offered = True
        return reply

    def _assurance_questions(self, turn: Turn) -> Reply | None:
        """Key Assurance Questions for a named agency, or that agency's findings when there are none."""
        analysis = self.index.analyse(turn.text)
        named = analysis.ids("agency")
        if ASSURANCE_TERM not in analysis.ids() or not named:
            return None
        family = self._agency_family(named[0])
        agency = self.agencies.get(named[0])
        if not family or agency is None:
            return None
        with_questions = [
            e for e in self.entries.values()
            if family & set(e.agencies) and any(ASSURANCE_HEADING in self.cite(c)["citation"] for c in e.citations)
        ]
        if with_questions:
            ranked = {h.entry.id: h.score for h in self.index.search(turn.text, limit=len(self.entries))}
            best = max(with_questions, key=lambda e: (ranked.get(e.id, 0.0), -len(e.agencies), e.id))
            return self._entry_reply(best)
        findings = self._closest_tagged(
            self.entries.get("jtai-assurance-questions") or next(iter(self.entries.values())), "agencies", family,
            lambda e: e.citations[0].source == AGENCY_SOURCE,
        )
        intro = BotMessage(self.messages["no_assurance_questions"].format(agency=agency.label),
                           custom={"type": "no_assurance_questions"})
        if findings is None:
            return Reply("not_covered", [intro])
        reply = self._entry_reply(findings)
        reply.messages.insert(0, intro)
        return reply

    def _agency_family(self, agency: str | None) -> set[str]:
        """The agency and, for a health role, health in general ('other' gets nothing)."""
        item = self.agencies.get(agency or "")
        if item is None or item.id == "other":
            return set()
        return {item.id, "health"} if item.group == "health" else {item.id}

    def _closest_tagged(self, entry: Entry, field: str, wanted: set[str], suitable) -> Entry | None:
        """The entry tagged with one of ``wanted`` that is closest to ``entry``'s subject."""
        candidates = [e for e in self.entries.values() if wanted & set(getattr(e, field)) and suitable(e)]
        if not candidates:
            return None
        query = " ".join([entry.title, *entry.keywords[:12]])
        ranked = {hit.entry.id: hit.score for hit in self.index.search(query, limit=len(self.entries))}
        return max(candidates, key=lambda e: (ranked.get(e.id, 0.0), -len(getattr(e, field)), e.id))

    def _addendum(self, entry: Entry, name: str, kind: str) -> BotMessage:
        citations = self.citations(entry)
        sentences = SENTENCE_SPLIT.split(entry.answer)
        summary = " ".join(sentences[:ADDENDUM_SENTENCES])
        lines = [f"For {name.lower() if kind == 'age_stage' else name}: {summary}"]
        lines += [f"Source: {c['citation']}" for c in citations]
        custom = {"type": "tailored", "for": kind, "entry_id": entry.id, "title": entry.title, "citations": citations}
        button = {"title": f"More: {entry.title}", "payload": button_payload("choose_entry", entry_id=entry.id)}
        return BotMessage("\n".join(lines), buttons=[button], custom=custom)

    def _in_context(self, turn: Turn) -> Entry | None:
        """'And for teenagers?', 'what about police?': a short message that names an age stage or
        agency is read against the last answer, and answered from entries tagged with it."""
        last = self.entries.get(turn.last_entry_id or "")
        if last is None:
            return None
        analysis = self.index.analyse(turn.text)
        tags = [(m.label, m.id) for m in analysis.mentions if m.label in TAG_FIELDS]
        if not tags or len(analysis.lemmas) > CONTEXT_MAX_WORDS:
            return None
        label, value = tags[0]
        field = TAG_FIELDS[label]
        hits = self.index.search(f"{last.title} {' '.join(last.keywords)} {turn.text}", limit=len(self.entries))
        tagged = [h.entry for h in hits if value in getattr(h.entry, field) and h.entry.id != last.id]
        return tagged[0] if tagged else None

    def rank(self, text: str, intent: str | None, confidence: float) -> list[Hit]:
        """Search hits re-ordered with a bonus for entries in the intent's topic."""
        topic = self.intent_topics.get(intent or "")
        hits = self.index.search(text, limit=10)
        if not hits:
            return []
        top = hits[0].score

        def combined(hit: Hit) -> float:
            # An unsure intent guess is noise: only a reasonably confident one moves the ranking.
            agrees = topic and hit.entry.topic == topic and confidence >= TOPIC_BONUS_CONFIDENCE
            bonus = 0.3 * confidence if agrees else 0.0
            return 0.4 * hit.score / top + 0.3 * hit.coverage + 0.3 * hit.question_match + bonus

        return sorted(hits, key=lambda h: (-combined(h), h.entry.id))

    def decide(self, hits: list[Hit], intent: str | None, confidence: float) -> str:
        """'answer', 'suggest' (did you mean) or 'none', from the best hit and the NLU intent.

        Long, chatty questions leave many words unmatched, so coverage alone undersells a good
        match: a strong BM25 score, a close match with one of the entry's own questions, or the
        NLU intent agreeing with the entry's topic also count as evidence.
        """
        if not hits:
            return "none"
        best = hits[0]
        topic = self.intent_topics.get(intent or "")
        agrees = topic is not None and best.entry.topic == topic and confidence >= TOPIC_CONFIDENCE
        if (
            (best.coverage >= ANSWER_COVERAGE and best.score >= MIN_SCORE)
            or best.question_match >= QUESTION_MATCH
            or (best.score >= STRONG_SCORE and best.coverage >= WEAK_COVERAGE)
            or (agrees and best.coverage >= WEAK_COVERAGE and best.score >= MIN_SCORE)
        ):
            return "answer"
        if intent != "out_of_scope" and best.coverage >= SUGGEST_COVERAGE and best.score >= MIN_SCORE / 2:
            return "suggest"
        return "none"

    def _not_covered_text(self, text: str) -> str:
        topic = self.messages.not_covered_topic(text or "")
        return topic.reply if topic else self.messages["not_covered"]

    def _text_reply(self, kind: str, text: str, entry_id: str | None = None) -> Reply:
        return Reply(kind, [BotMessage(text, custom={"type": kind})], entry_id=entry_id)

    def cite(self, citation: Citation) -> dict:
        source = self.sources[citation.source]
        return {"source": citation.source, "section": citation.section, "citation": source.cite(citation.section)}

    def citations(self, entry: Entry) -> list[dict]:
        return [self.cite(c) for c in entry.all_citations]

    def _entry_reply(self, entry: Entry, body: str | None = None, kind: str = "answer") -> Reply:
        citations = self.citations(entry)
        # One line break only: Rasa's REST channel splits a text at blank lines into separate
        # messages, and the Source lines belong to the answer's message.
        lines = [body or entry.answer]
        if kind == "answer" and entry.steps:
            lines += [
                f"{number}. {step.text} ({self.cite(step.citation)['citation']})"
                for number, step in enumerate(entry.steps, start=1)
            ]
        lines += [f"Source: {c['citation']}" for c in citations]
        custom = {"type": "guidance", "entry_id": entry.id, "title": entry.title, "citations": citations}
        if kind == "answer" and entry.steps:
            custom["steps"] = [{"text": step.text, **self.cite(step.citation)} for step in entry.steps]
        message = BotMessage("\n".join(lines), buttons=self._related_buttons(entry), custom=custom)
        return Reply(kind, [message], entry_id=entry.id)

    def _related_buttons(self, entry: Entry) -> list[dict]:
        return [
            {"title": self.entries[r].title, "payload": button_payload("choose_entry", entry_id=r)}
            for r in entry.related[:MAX_BUTTONS]
            if r in self.entries
        ]

    def _source_reply(self, entry: Entry) -> Reply:
        citations = self.citations(entry)
        lines = [self.messages["source_intro"]]
        for c in citations:
            source = self.sources[c["source"]]
            lines.append(f"- {c['citation']}: {source.title} ({source.publisher}, {source.date}).")
        lines += [f"Source: {c['citation']}" for c in citations]
        custom = {"type": "sources", "entry_id": entry.id, "citations": citations}
        return Reply("source", [BotMessage("\n".join(lines), custom=custom)], entry_id=entry.id)

    def _did_you_mean(self, hits: list[Hit]) -> Reply:
        seen, buttons = set(), []
        for hit in hits:
            if hit.entry.id in seen:
                continue
            seen.add(hit.entry.id)
            buttons.append({"title": hit.entry.title, "payload": button_payload("choose_entry", entry_id=hit.entry.id)})
            if len(buttons) == MAX_BUTTONS:
                break
        buttons.append({"title": self.messages["none_of_these"], "payload": button_payload("none_of_these")})
        message = BotMessage(self.messages["did_you_mean"], buttons=buttons, custom={"type": "did_you_mean"})
        return Reply("did_you_mean", [message])


@lru_cache(maxsize=1)
def get_assistant() -> Assistant:
    """The process-wide assistant, built on first use from the environment's settings."""
    return Assistant.from_settings(load_settings())
