"""Deciding how to answer a question from the knowledge store: answer, "did you mean", or an
honest "not covered", from the search evidence and the NLU intent.

The thresholds were tuned on eval/questions.yml (see benchmarks): coverage is the share of
the question's informative (IDF-weighted) words an entry explains, score is BM25.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Mapping

from bot.dialogue.wording import Messages
from bot.knowledge.schema import Entry
from bot.knowledge.search import Hit, SearchIndex
from bot.knowledge.semantic import SemanticIndex

if TYPE_CHECKING:
    from bot.nlp.pipeline import Analysis

ANSWER_COVERAGE = 0.5
WEAK_COVERAGE = 0.15
SUGGEST_COVERAGE = 0.25
MIN_SCORE = 5.0
STRONG_SCORE = 10.0
QUESTION_MATCH = 0.3  # weighted Jaccard with one of the entry's own questions
TOPIC_BONUS_CONFIDENCE = 0.35
# How much a confident intent's topic lifts its entries in the ranking: a tie-breaker, not a vote.
# Intent topics are broad ("practice" holds 41 of 99 entries); at 0.3 a confident topic outranked
# the entry both lexical and semantic signals chose (eval/questions.yml 149 -> 150 of 160 at 0.2).
TOPIC_BONUS = 0.2
TOPIC_CONFIDENCE = 0.5  # NLU confidence at which the intent's topic counts as agreement
OVERRULE_COVERAGE = 0.4  # search evidence that overrules a confident "out of scope" intent
OVERRULE_MATCH = 0.45
MAX_SHORT_TOKENS = 3  # small talk and follow-ups have at most this many content words
SEARCH_LIMIT = 10
# The semantic signal (fitted on eval/questions.yml with intents left out: correct answers 137 ->
# 148 of 166, wrong answers 15 -> 7): its weight in the ranking, and the closeness in meaning
# that is enough to answer, or to offer "did you mean", on its own.
MEANING_WEIGHT = 0.5
MEANING_ANSWER = 0.6
MEANING_SUGGEST = 0.5
MEANING_OVERRULE = 0.65  # closeness that overrules a confident "out of scope" reading


@dataclass(frozen=True)
class Decision:
    """What to do with a question: ``kind`` is "answer", "suggest" or "none"; ``hits`` ranked."""

    kind: str
    hits: tuple[Hit, ...] = ()

    @property
    def best(self) -> Entry:
        return self.hits[0].entry


class Answering:
    """The knowledge search plus the rules for when its best hit is good enough to give."""

    def __init__(self, index: SearchIndex, entries: Mapping[str, Entry], intent_topics: Mapping[str, str],
                 messages: Messages, semantic: SemanticIndex | None = None):
        self.index = index
        self.entries = entries
        self.intent_topics = intent_topics
        self.messages = messages
        self.semantic = semantic

    def rank(self, text: str, intent: str | None, confidence: float, analysis: "Analysis | None" = None) -> list[Hit]:
        """Search hits re-ordered with a bonus for entries in the intent's topic."""
        topic = self.intent_topics.get(intent or "")
        hits = self.index.search(text, limit=len(self.entries), analysis=analysis)
        if self.semantic is not None:
            hits = self._with_meaning(text, hits)
        if not hits:
            return []
        top = max(hit.score for hit in hits) or 1.0

        def combined(hit: Hit) -> float:
            # An unsure intent guess is noise: only a reasonably confident one moves the ranking.
            agrees = topic and hit.entry.topic == topic and confidence >= TOPIC_BONUS_CONFIDENCE
            bonus = TOPIC_BONUS * confidence if agrees else 0.0
            lexical = 0.4 * hit.score / top + 0.3 * hit.coverage + 0.3 * hit.question_match
            return lexical + MEANING_WEIGHT * hit.meaning + bonus

        return sorted(hits, key=lambda h: (-combined(h), h.entry.id))[:SEARCH_LIMIT]

    def _with_meaning(self, text: str, hits: list[Hit]) -> list[Hit]:
        """Every entry as a hit with its closeness in meaning; entries no word matched included."""
        closeness = self.semantic.closeness(text)
        lexical = {hit.entry.id: hit for hit in hits}
        return [replace(lexical.get(entry_id) or Hit(self.entries[entry_id], 0.0, 0.0), meaning=meaning)
                for entry_id, meaning in closeness.items() if entry_id in self.entries]

    def decide(self, hits: list[Hit], intent: str | None, confidence: float) -> Decision:
        """Answer, suggest (did you mean) or none, from the best hit and the NLU intent.

        Long, chatty questions leave many words unmatched, so coverage alone undersells a good
        match: a strong BM25 score, a close match with one of the entry's own questions, or the
        NLU intent agreeing with the entry's topic also count as evidence.
        """
        if not hits:
            return Decision("none")
        best = hits[0]
        topic = self.intent_topics.get(intent or "")
        agrees = topic is not None and best.entry.topic == topic and confidence >= TOPIC_CONFIDENCE
        if (
            (best.coverage >= ANSWER_COVERAGE and best.score >= MIN_SCORE)
            or best.question_match >= QUESTION_MATCH
            or (best.score >= STRONG_SCORE and best.coverage >= WEAK_COVERAGE)
            or (agrees and best.coverage >= WEAK_COVERAGE and best.score >= MIN_SCORE)
            or best.meaning >= MEANING_ANSWER
        ):
            return Decision("answer", tuple(hits))
        if intent != "out_of_scope" and (
            (best.coverage >= SUGGEST_COVERAGE and best.score >= MIN_SCORE / 2) or best.meaning >= MEANING_SUGGEST
        ):
            return Decision("suggest", tuple(hits))
        return Decision("none", tuple(hits))

    def question(self, text: str, intent: str | None, confidence: float, analysis: "Analysis | None" = None) -> Decision:
        """The decision for a question, after the topics the sources are known not to cover."""
        if self.messages.not_covered_topic(text) is not None:
            return Decision("none")
        return self.decide(self.rank(text, intent, confidence, analysis), intent, confidence)

    def clearly_answerable(self, text: str, analysis: "Analysis | None" = None) -> bool:
        """The search has such strong evidence that a confident 'out of scope' guess from NLU is
        overruled ("how do schools find out about police call-outs?")."""
        if not text.strip() or self.messages.not_covered_topic(text) is not None:
            return False
        hits = self.rank(text, None, 0.0, analysis)
        if not hits:
            return False
        best = hits[0]
        return ((best.coverage >= OVERRULE_COVERAGE and best.score >= STRONG_SCORE)
                or best.question_match >= OVERRULE_MATCH or best.meaning >= MEANING_OVERRULE)

    def is_question(self, text: str, analysis: "Analysis | None" = None) -> bool:
        """Too many content words for small talk or a follow-up: treat the message as a question."""
        return len(self.index.query_tokens(text, analysis)) > MAX_SHORT_TOKENS

    def not_covered_text(self, text: str) -> str:
        """The honest reply: a specific one for a known uncovered topic, else the general one."""
        topic = self.messages.not_covered_topic(text)
        return topic.reply if topic else self.messages["not_covered"]

    def best_in_topic(self, text: str, topic: str) -> Entry | None:
        """The entry of ``topic`` the search ranks highest for ``text``, if any matches at all."""
        hits = self.index.search(text, limit=len(self.entries))
        return next((hit.entry for hit in hits if hit.entry.topic == topic), None)

    def closest(self, text: str, candidates: list[Entry], tie_field: str) -> Entry | None:
        """The candidate the search ranks highest for ``text`` (ties: fewer ``tie_field`` tags, then id)."""
        if not candidates:
            return None
        ranked = {hit.entry.id: hit.score for hit in self.index.search(text, limit=len(self.entries))}
        return max(candidates, key=lambda e: (ranked.get(e.id, 0.0), -len(getattr(e, tie_field)), e.id))
