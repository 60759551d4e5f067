"""Answers from the knowledge store in the conversation: questions, entries chosen with a
button, small talk, "tell me more" and "what's the source?", and honest "not covered" replies.
"""

from __future__ import annotations

from bot.dialogue.handler import Chain
from bot.dialogue.render import Renderer
from bot.dialogue.types import Message, Reply, Turn
from bot.insight.events import Insight, trying
from bot.knowledge.answering import MAX_SHORT_TOKENS, Answering, Decision
from bot.knowledge.gaps import Gap, Gaps
from bot.knowledge.schema import Entry

MAX_SUGGESTIONS = 3
OUT_OF_SCOPE_CONFIDENCE = 0.6
SMALL_TALK_CONFIDENCE = 0.9
# Small-talk intents and the wording that answers each.
SMALL_TALK = {
    "greet": "greet", "goodbye": "goodbye", "thanks": "thanks", "help": "help",
    "affirm": "affirm", "deny": "deny", "none_of_these": "none_of_these_reply",
}
FOLLOW_UPS = {"ask_more", "ask_source"}
RETAILORED = {"agency", "age_stage"}  # mentions that ask for the last topic again, for that agency or age stage
NAMED_LABELS = {"intervention", "law"}  # known programmes and laws a question may name


class KnowledgeTalk:
    """Replies built from entries and wording, shared by the knowledge handlers."""

    def __init__(self, answering: Answering, renderer: Renderer, gaps: Gaps | None = None, insight: Insight | None = None):
        self.answering = answering
        self.render = renderer
        self.gaps = gaps
        self.insight = insight  # counts answers and "not covered" for the LSCP's report (ids only)

    def answered(self, turn: Turn, entry: Entry, kind: str, body: str | None = None, steps: bool | None = None) -> Reply:
        """An entry given as the answer (or chosen with a button), counted by topic and entry."""
        if self.insight is not None:
            self.insight.answered(entry.topic, entry.id)
        return self.entry(turn, entry, kind, body, steps)

    def entry(self, turn: Turn, entry: Entry, kind: str, body: str | None = None, steps: bool | None = None) -> Reply:
        message = self.render.entry(entry, body, with_steps=body is None if steps is None else steps)
        return Reply(kind, (message,), turn.state.with_(last_entry_id=entry.id))

    def say(self, turn: Turn, kind: str, text: str) -> Reply:
        return Reply(kind, (Message(text, custom={"type": kind}),), turn.state)

    def not_covered(self, turn: Turn, how: str = "no_match") -> Reply:
        """The honest reply, counted by how the sources fell short (a known question by its id)."""
        if self.insight is not None:
            known = self.answering.messages.not_covered_topic(turn.text)
            self.insight.not_covered("known" if known is not None else how, known.id if known is not None else None)
        return self.say(turn, "not_covered", self.answering.not_covered_text(turn.text))

    def decided(self, turn: Turn, decision: Decision) -> Reply:
        closest = decision.best if decision.hits else None
        gap = self._gap(turn, closest if decision.kind != "none" else None)
        if gap is not None:
            return self.gap(turn, gap, closest)
        if decision.kind == "answer":
            return self.answered(turn, decision.best, "answer", body=self._answer_with_detail(turn, decision.best),
                                 steps=True)
        if decision.kind == "suggest":
            return self.did_you_mean(turn, decision)
        return self.not_covered(turn)

    def _answer_with_detail(self, turn: Turn, entry: Entry) -> str | None:
        """The answer, and the sentence of its detail that answers this question if one does better."""
        semantic = self.answering.semantic
        extra = semantic.detail_for(turn.text, entry.id) if semantic is not None else None
        return f"{entry.answer} {extra}" if extra else None

    def _gap(self, turn: Turn, entry: Entry | None) -> Gap | None:
        if self.gaps is None:
            return None
        named = [m.text for m in turn.analysis.mentions if m.label in NAMED_LABELS] if turn.analysis else []
        return self.gaps.find(turn.text, entry, named)

    def gap(self, turn: Turn, gap: Gap, closest: Entry | None) -> Reply:
        """The sources do not give what the question asks: say so, name the kind of thing in the
        project's words, and offer the closest entry."""
        if self.insight is not None:
            self.insight.not_covered("gap", gap.kind, closest.topic if closest is not None else None)
        buttons = ()
        if closest is not None:
            buttons = (self.render.entry_button(closest.id, self.render.text("gap_closest", title=closest.title)),)
        message = Message(self.render.text("gap_not_covered", what=gap.what), buttons,
                          {"type": "not_covered", "gap": gap.kind})
        return Reply("not_covered", (message,), turn.state)

    def did_you_mean(self, turn: Turn, decision: Decision) -> Reply:
        ids = list(dict.fromkeys(hit.entry.id for hit in decision.hits))[:MAX_SUGGESTIONS]
        buttons = (*(self.render.entry_button(i) for i in ids),
                   self.render.button(self.render.text("none_of_these"), "none_of_these"))
        return Reply("did_you_mean", (self.render.say("did_you_mean", buttons=buttons),), turn.state)


class UnreadableHandler:
    """Messages with no words to work with: empty, symbols only, or another script."""

    answers_questions = True

    def __init__(self, talk: KnowledgeTalk):
        self.talk = talk

    def check(self, turn: Turn) -> str | None:
        text = turn.text.strip()
        if turn.entity_values("entry_id") or turn.is_payload:
            return None
        if not any(ch.isalpha() for ch in text):
            return "empty"
        if not any(ch.isascii() and ch.isalpha() for ch in text):
            return "not_english"
        return None

    def handle(self, turn: Turn, key: str, chain: Chain) -> Reply:
        return Reply(key, (self.talk.render.say(key),), turn.state)


class ChosenEntryHandler:
    """An entry chosen with a button (related topics, "did you mean", "More: ...")."""

    answers_questions = True

    def __init__(self, talk: KnowledgeTalk):
        self.talk = talk

    def check(self, turn: Turn) -> Entry | None:
        chosen = turn.entity_values("entry_id")
        return self.talk.answering.entries.get(chosen[0]) if chosen else None

    def handle(self, turn: Turn, entry: Entry, chain: Chain) -> Reply:
        return self.talk.answered(turn, entry, "chosen")


class SmallTalkHandler:
    """Greetings, thanks, goodbye, help, yes and no, when the message is not really a question."""

    answers_questions = False

    def __init__(self, talk: KnowledgeTalk):
        self.talk = talk

    def check(self, turn: Turn) -> str | None:
        key = SMALL_TALK.get(turn.intent or "")
        if key is None or self.talk.answering.is_question(turn.text, turn.analysis):
            return None
        return key

    def handle(self, turn: Turn, key: str, chain: Chain) -> Reply:
        if turn.confidence < SMALL_TALK_CONFIDENCE:
            # "is the family safer now they've separated?" can look like "no": a question the
            # knowledge store answers well wins over an unsure small-talk guess.
            with trying(self.talk.insight) as tried:
                answer = chain.answer(turn)
            if answer.kind == "answer":
                tried.keep()
                return answer
        return Reply("small_talk", (self.talk.render.say(key, kind="small_talk"),), turn.state)


class FollowUpHandler:
    """"Tell me more" and "what's the source?" about the last answer."""

    answers_questions = False

    def __init__(self, talk: KnowledgeTalk):
        self.talk = talk

    def check(self, turn: Turn) -> bool | None:
        if turn.intent not in FOLLOW_UPS or self.talk.answering.is_question(turn.text, turn.analysis):
            return None
        if turn.intent != "ask_source" and turn.analysis and any(m.label in RETAILORED for m in turn.analysis.mentions):
            return None  # "and schools?" asks for the last topic for schools, not for more of the same answer
        return True

    def handle(self, turn: Turn, claim: bool, chain: Chain) -> Reply:
        talk = self.talk
        entry = talk.answering.entries.get(turn.state.last_entry_id or "")
        if entry is None:
            # Nothing to follow up: maybe NLU misread a question ("is it going to snow?").
            with trying(talk.insight) as tried:
                reply = chain.answer(turn)
            if reply.kind == "answer" or len(turn.text.split()) > MAX_SHORT_TOKENS + 2:
                tried.keep()
                return reply
            return talk.say(turn, "no_context", talk.render.text("no_previous_answer"))
        if turn.intent == "ask_source":
            return self._sources(turn, entry)
        if not entry.detail:
            message = talk.render.say("more_unavailable", kind="no_more", buttons=talk.render.related_buttons(entry))
            return Reply("no_more", (message,), turn.state)
        return talk.entry(turn, entry, "more", body=entry.detail)

    def _sources(self, turn: Turn, entry: Entry) -> Reply:
        render = self.talk.render
        citations = render.citations(entry.all_citations)
        # Each document once, with the sections cited from it (its citations without the
        # document's short name); the Source lines, which the widget shows as citations, follow.
        sections: dict[str, list[str]] = {}
        for c in citations:
            name = render.sources[c["source"]].citation
            sections.setdefault(c["source"], []).append(c["citation"].removeprefix(f"{name}, "))
        lines = [render.text("source_intro")]
        for source_id, cited in sections.items():
            source = render.sources[source_id]
            lines.append(render.text("source_line", citation=source.citation, title=source.title,
                                     publisher=source.publisher, date=source.date, sections="; ".join(cited)))
        custom = {"type": "sources", "entry_id": entry.id, "citations": citations}
        return Reply("source", (Message(render.with_sources(lines, citations), custom=custom),), turn.state)


class NotCoveredHandler:
    """A confident "out of scope" reading gets the honest reply, unless the search has strong
    evidence that the sources answer it after all."""

    answers_questions = False

    def __init__(self, talk: KnowledgeTalk):
        self.talk = talk

    def check(self, turn: Turn) -> bool | None:
        if turn.intent != "out_of_scope" or turn.confidence < OUT_OF_SCOPE_CONFIDENCE:
            return None
        return None if self.talk.answering.clearly_answerable(turn.text, turn.analysis) else True

    def handle(self, turn: Turn, claim: bool, chain: Chain) -> Reply:
        return self.talk.not_covered(turn, "out_of_scope")


class KnownGapHandler:
    """Questions the sources are known not to answer (knowledge/messages.yml ``not_covered``):
    a specific honest reply, before any nearby entry can be taken for an answer."""

    answers_questions = True

    def __init__(self, talk: KnowledgeTalk):
        self.talk = talk

    def check(self, turn: Turn) -> bool | None:
        return True if self.talk.answering.messages.not_covered_topic(turn.text) is not None else None

    def handle(self, turn: Turn, claim: bool, chain: Chain) -> Reply:
        return self.talk.not_covered(turn)


class AnswerHandler:
    """Every question no handler before took: answer, "did you mean", or "not covered"."""

    answers_questions = True

    def __init__(self, talk: KnowledgeTalk):
        self.talk = talk

    def check(self, turn: Turn) -> Decision:
        return self.talk.answering.question(turn.text, turn.intent, turn.confidence, turn.analysis)

    def handle(self, turn: Turn, decision: Decision, chain: Chain) -> Reply:
        return self.talk.decided(turn, decision)
