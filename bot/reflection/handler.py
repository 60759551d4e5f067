"""The guided 'conflict or abuse?' reflection in the conversation: the offer after the
orientation answer, one question at a time, answers, commands, questions asked on the way,
and the summary. The content and reasoning live in ``bot.reflection.model``; reading a typed
answer against its question lives in ``bot.reflection.reading``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from bot.dialogue.handler import Chain
from bot.dialogue.render import Renderer
from bot.dialogue.state import ConversationState, ReflectionState
from bot.dialogue.types import Button, Message, Reply, Turn
from bot.insight.events import Insight, trying
from bot.reflection.model import Question, Reflection
from bot.reflection.reading import AnswerReader, Sensitivity, Similarity
from bot.text.normalise import normalise

if TYPE_CHECKING:
    from bot.nlp.pipeline import TextAnalyser

START_REFLECTION = "start_reflection"
MAX_OFFER_WORDS = 4  # "yes please, go on" answers the offer; a longer message is something else
# Replies to a question asked on the way that are worth showing before the reflection resumes.
ASIDE_KINDS = {"answer", "chosen", "in_context", "assurance", "orientation", "not_covered"}
# What the command buttons send: the typed words the command patterns read.
BUTTON_WORDS = {"yes": "yes", "no": "no", "not_sure": "not sure", "back": "go back", "stop": "stop"}
BUTTON_ANSWERS = {BUTTON_WORDS[answer] for answer in ("yes", "no", "not_sure")}
# An answer button names the question it belongs to: /affirm{"question": "fear", "answer": "yes"};
# one pressed after the reflection moved on (or ended) is not taken as an answer (bot/web/payloads.py).
ANSWER_INTENTS = {"yes": "affirm", "no": "deny", "not_sure": "deny"}
QUESTION_ENTITY, ANSWER_ENTITY = "question", "answer"
ENDED = "ended"  # the claim on an answer button when no reflection is under way


class ReflectionTalk:
    """The reflection's messages and its reading of answers, shared by its handlers.

    ``analyser`` gives the lemmas (default: the analyser of the configured knowledge folder);
    ``similarity(text, candidates)`` is a sentence encoder's cosine (``reading.encoder_similarity``),
    else lemma overlap is used; ``sensitivity`` overrides the thresholds that go with it;
    ``insight`` counts offers, starts, summaries and stops for the LSCP's report (no answers).
    """

    def __init__(self, reflection: Reflection, renderer: Renderer, analyser: "TextAnalyser",
                 similarity: Similarity | None = None, sensitivity: Sensitivity | None = None,
                 insight: Insight | None = None):
        self.reflection = reflection
        self.render = renderer
        self.reader = AnswerReader(reflection.reading, analyser, similarity, sensitivity)
        self.insight = insight

    def counted(self, event: str) -> None:
        if self.insight is not None:
            self.insight.reflection(event)

    def start(self, turn: Turn) -> Reply:
        self.counted("started")
        state = self.reflection.start()
        intro = Message(self.reflection.texts["intro"], custom={"type": "reflection_intro"})
        return self.asking(turn, state, before=(intro,))

    def question(self, state: ReflectionState, prefix: str = "") -> Message:
        r = self.reflection
        question = r.current(state)
        number, total = (state.step or 0) + 1, len(r.questions)
        text = f"{prefix}\n" if prefix else ""
        text += r.texts["question"].format(number=number, total=total, question=question.text)
        answers = tuple(self.render.button(r.buttons[k], ANSWER_INTENTS[k], question=question.id, answer=k)
                        for k in ANSWER_INTENTS)
        # The commands send their words (no payload intent): the command patterns read them.
        commands = (["back"] if number > 1 else []) + ["stop"]
        buttons = answers + tuple(Button(r.buttons[k], BUTTON_WORDS[k]) for k in commands)
        custom = {"type": "reflection_question", "question_id": question.id, "number": number, "of": total}
        return Message(text, buttons, custom)

    def stale_button(self, turn: Turn, state: ReflectionState | None) -> Reply:
        """An answer button from an earlier question: said so, and the current question asked again
        (or, with no reflection under way, how to start one); nothing is recorded."""
        if state is None or not self.reflection.under_way(state):
            ended = Message(self.render.text("reflection_button_ended"), custom={"type": "reflection_stale_button"})
            return Reply("reflection", (ended,), turn.state)
        return self.asking(turn, state, self.render.text("reflection_button_stale"))

    def noted(self, question: Question, answer: str) -> Message:
        """The one line that confirms how an answer was read, so a misreading can be put right."""
        custom = {"type": "reflection_noted", "question_id": question.id, "answer": answer}
        return Message(self.reflection.noted(question, answer), custom=custom)

    def asking(self, turn: Turn, state: ReflectionState, prefix: str = "", before: tuple[Message, ...] = ()) -> Reply:
        messages = (*before, self.question(state, prefix))
        return Reply("reflection", messages, turn.state.with_(reflection=state))

    def orientation(self, state: ConversationState) -> Reply:
        """One or two cited sentences, then the offer to go through the indicators together."""
        r, render = self.reflection, self.render
        citations = render.citations(r.orientation_citations)
        custom = {"type": "guidance", "entry_id": r.entry, "title": r.title, "citations": citations}
        buttons = (render.button(r.texts["start_button"], START_REFLECTION),
                   render.entry_button(r.entry, r.texts["skip_button"]))
        offer = Message(r.texts["offer"], buttons, {"type": "reflection_offer"})
        self.counted("offered")
        orientation = Message(render.with_sources([r.orientation], citations), custom=custom)
        return Reply("orientation", (orientation, offer), state.with_(reflection=r.offered()))

    def summary(self, turn: Turn, state: ReflectionState) -> Reply:
        r = self.reflection
        self.counted("finished")
        lines = r.summary_lines(state, lambda c: self.render.cite(c)["citation"])
        citations = self.render.citations(r.citations(state))
        kinds = {q.id: q.outcomes[state.answers[q.id]].kind for q in r.questions if q.id in state.answers}
        custom = {
            "type": "reflection_summary",
            "indicators": [q for q, kind in kinds.items() if kind == "indicator"],
            "unclear": [q for q, kind in kinds.items() if kind in {"gap", "unclear"}],
            "citations": citations,
        }
        messages: tuple[Message, ...] = (Message(self.render.with_sources(lines, citations), custom=custom),)
        if state.danger:
            messages = (self.render.say("immediate_danger"), *messages)
        return Reply("reflection_summary", messages, turn.state.with_(reflection=None), danger=state.danger)


class ReflectionHandler:
    """Every message while the reflection is under way: an answer, a command or a question."""

    answers_questions = False

    def __init__(self, talk: ReflectionTalk):
        self.talk = talk
        self.reflection = talk.reflection

    def check(self, turn: Turn) -> ReflectionState | str | None:
        state = turn.state.reflection
        if self.reflection.under_way(state):
            return state
        return ENDED if button_answer(turn) is not None else None

    def handle(self, turn: Turn, state: ReflectionState | str, chain: Chain) -> Reply:
        r, talk = self.reflection, self.talk
        if not isinstance(state, ReflectionState):  # an answer button, with no reflection under way
            return talk.stale_button(turn, None)
        if turn.danger == "sure":
            # The 999 message comes first (safety); the reflection keeps its place and its
            # summary repeats the 999 line.
            return talk.asking(turn, replace(state, danger=True), r.texts["resume"])
        pressed = button_answer(turn)
        if pressed is not None:
            return self._button(turn, state, *pressed)
        if turn.intent == START_REFLECTION:
            return talk.start(turn)
        command = r.command(turn.text)
        if command == "stop":
            talk.counted("stopped")
            stopped = Message(r.texts["stopped"], custom={"type": "reflection_stopped"})
            return Reply("reflection", (stopped,), turn.state.with_(reflection=None))
        if command == "restart":
            return talk.start(turn)
        if command == "back":
            if not state.step:
                return talk.asking(turn, state, r.texts["back_at_start"])
            return talk.asking(turn, r.back(state))
        question = r.current(state)
        reading = talk.reader.read(turn.text, question.means, turn.intent, question.text)
        if reading.answer is not None:
            new_state = r.record(state, reading.answer)
            if r.finished(new_state):
                # No question is left to correct it before: the summary follows directly.
                return talk.summary(turn, new_state)
            # Words that were read are confirmed before the next question, so a misreading can be
            # put right with "go back"; a button's own words ("yes", "not sure") need no reading.
            if normalise(turn.text) in BUTTON_ANSWERS:
                return talk.asking(turn, new_state)
            return talk.asking(turn, new_state, before=(talk.noted(question, reading.answer),))
        if reading.answer_like:
            # An answer, but not a clear one (hedged both ways, or close to a yes and a no): ask.
            return talk.asking(turn, state, r.texts["not_understood"])
        # Not an answer: a question asked on the way is answered, then the reflection resumes.
        tailoring = replace(turn.state.tailoring, offered=True)
        with trying(talk.insight) as tried:
            aside = chain.answer(turn.with_(state=turn.state.with_(reflection=None, tailoring=tailoring)))
        if aside.kind in ASIDE_KINDS:
            tried.keep()
            return talk.asking(turn, state, r.texts["resume"], before=aside.messages)
        return talk.asking(turn, state, r.texts["not_understood"])

    def _button(self, turn: Turn, state: ReflectionState, question_id: str, answer: str) -> Reply:
        """An answer button: recorded if it belongs to the question being asked, else ignored."""
        r = self.reflection
        current = r.current(state)
        if current is None or current.id != question_id or answer not in current.outcomes:
            return self.talk.stale_button(turn, state)
        new_state = r.record(state, answer)
        return self.talk.summary(turn, new_state) if r.finished(new_state) else self.talk.asking(turn, new_state)


def button_answer(turn: Turn) -> tuple[str, str] | None:
    """The question and answer an answer button carries (None for anything typed)."""
    questions, answers = turn.entity_values(QUESTION_ENTITY), turn.entity_values(ANSWER_ENTITY)
    if not turn.is_payload or not questions or not answers or answers[0] not in ANSWER_INTENTS:
        return None
    return questions[0], answers[0]


class ReflectionOfferHandler:
    """The message after "shall we go through the indicators together?": a short yes starts
    the reflection; anything else is handled as usual and the offer lapses."""

    answers_questions = False

    def __init__(self, talk: ReflectionTalk):
        self.talk = talk

    def check(self, turn: Turn) -> ReflectionState | None:
        state = turn.state.reflection
        return state if state is not None and not state.started and state.id == self.talk.reflection.id else None

    def handle(self, turn: Turn, state: ReflectionState, chain: Chain) -> Reply:
        short = len(turn.text.split()) <= MAX_OFFER_WORDS
        reflection = self.talk.reflection
        if (short and reflection.parse_answer(turn.text, turn.intent) == "yes") or reflection.command(turn.text) == "accept":
            return self.talk.start(turn)
        return chain.rest(turn.with_(state=turn.state.with_(reflection=None)))


class ReflectionStartHandler:
    """"Let's go through the indicators" (typed, or the offer's button) starts the reflection."""

    answers_questions = True

    def __init__(self, talk: ReflectionTalk):
        self.talk = talk

    def check(self, turn: Turn) -> bool | None:
        return True if turn.intent == START_REFLECTION else None

    def handle(self, turn: Turn, claim: bool, chain: Chain) -> Reply:
        return self.talk.start(turn)


class OrientationFinisher:
    """An answer that is the reflection's own entry becomes one or two cited sentences and the
    offer to go through the indicators together."""

    def __init__(self, talk: ReflectionTalk):
        self.talk = talk

    def finish(self, turn: Turn, reply: Reply) -> Reply:
        if reply.kind != "answer" or reply.state.last_entry_id != self.talk.reflection.entry:
            return reply
        return self.talk.orientation(reply.state)


class ReflectionRequestHandler:
    """"Can we go through it?" about a couple's rows, whatever NLU made of it: the cited
    orientation and the offer, so a short "yes" starts the reflection."""

    answers_questions = True

    def __init__(self, talk: ReflectionTalk):
        self.talk = talk

    def check(self, turn: Turn) -> bool | None:
        return True if self.talk.reflection.is_request(turn.text) else None

    def handle(self, turn: Turn, claim: bool, chain: Chain) -> Reply:
        return self.talk.orientation(turn.state.with_(last_entry_id=self.talk.reflection.entry))
