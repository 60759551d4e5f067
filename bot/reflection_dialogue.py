"""The guided 'conflict or abuse?' reflection as a dialogue: offering it, asking one question
at a time, handling answers, commands and questions asked on the way, and the summary.

A mixin of ``Assistant`` (it uses the assistant's knowledge search, citations and wording);
the reflection's content and reasoning live in ``bot.reflection.model``.
"""

from __future__ import annotations

from bot.dialogue.types import BotMessage, Reply, Turn, button_payload

START_REFLECTION = "start_reflection"


class ReflectionDialogue:
    """Reflection turns for ``Assistant``; see ``bot.reflection.model`` for the data and logic."""

    def _reflecting(self, turn: Turn) -> bool:
        state = turn.reflection
        return (
            self.reflection is not None and isinstance(state, dict) and state.get("id") == self.reflection.id
            and "step" in state and not self.reflection.finished(state)
        )

    def _reflection_offered(self, turn: Turn) -> bool:
        state = turn.reflection
        return self.reflection is not None and isinstance(state, dict) and state.get("offered") is True

    def _answer_offer(self, turn: Turn, handler) -> Reply:
        """A typed "yes" to "shall we go through the indicators?" starts; anything else moves on."""
        answer = self.reflection.parse_answer(turn.text, turn.intent) if len(turn.text.split()) <= 4 else None
        if answer == "yes":
            return self._start_reflection()
        reply = self._unreadable(turn) or handler(turn)
        if not reply.reflection_changed:
            reply.reflection, reply.reflection_changed = None, True
        return reply

    def _orientation(self) -> Reply:
        """One or two cited sentences, then the offer to go through the indicators together."""
        r = self.reflection
        citations = [self.cite(c) for c in r.orientation_citations]
        text = "\n".join([r.orientation] + [f"Source: {c['citation']}" for c in citations])
        custom = {"type": "guidance", "entry_id": r.entry, "title": r.title, "citations": citations}
        buttons = [
            {"title": r.texts["start_button"], "payload": button_payload(START_REFLECTION)},
            {"title": r.texts["skip_button"], "payload": button_payload("choose_entry", entry_id=r.entry)},
        ]
        offer = BotMessage(r.texts["offer"], buttons=buttons, custom={"type": "reflection_offer"})
        return Reply("answer", [BotMessage(text, custom=custom), offer], entry_id=r.entry,
                     reflection={"id": r.id, "offered": True}, reflection_changed=True)

    def _start_reflection(self) -> Reply:
        state = self.reflection.start()
        intro = BotMessage(self.reflection.texts["intro"], custom={"type": "reflection_intro"})
        return Reply("reflection", [intro, self._reflection_question(state)], reflection=state, reflection_changed=True)

    def _reflection_question(self, state: dict, prefix: str = "") -> BotMessage:
        r = self.reflection
        question = r.current(state)
        number, total = state["step"] + 1, len(r.questions)
        text = f"{prefix}\n" if prefix else ""
        text += f"Question {number} of {total}: {question.text}"
        payloads = {"yes": "yes", "no": "no", "not_sure": "not sure", "back": "go back", "stop": "stop"}
        keys = ["yes", "no", "not_sure"] + (["back"] if number > 1 else []) + ["stop"]
        buttons = [{"title": r.buttons[k], "payload": payloads[k]} for k in keys]
        custom = {"type": "reflection_question", "question_id": question.id, "number": number, "of": total}
        return BotMessage(text, buttons=buttons, custom=custom)

    def _reflection_turn(self, turn: Turn) -> Reply:
        """One message while the reflection is under way: an answer, a command, or a question."""
        r, state = self.reflection, turn.reflection

        def asking(new_state: dict, prefix: str = "", before: list[BotMessage] | None = None) -> Reply:
            messages = (before or []) + [self._reflection_question(new_state, prefix)]
            return Reply("reflection", messages, reflection=new_state, reflection_changed=True)

        if turn.intent == START_REFLECTION:
            return self._start_reflection()
        command = r.command(turn.text)
        if command == "stop":
            stopped = BotMessage(r.texts["stopped"], custom={"type": "reflection_stopped"})
            return Reply("reflection", [stopped], reflection=None, reflection_changed=True)
        if command == "restart":
            return self._start_reflection()
        if command == "back":
            if state.get("step", 0) == 0:
                return asking(state, r.texts["back_at_start"])
            return asking(r.back(state))
        answer = r.parse_answer(turn.text, turn.intent)
        if answer is not None:
            new_state = r.record(state, answer)
            if r.finished(new_state):
                return self._reflection_summary(new_state)
            return asking(new_state)
        # Not an answer: a question asked on the way is answered, then the reflection resumes.
        aside = self._answer(Turn(text=turn.text, intent=turn.intent, confidence=turn.confidence,
                                  entities=turn.entities, agency=turn.agency, agency_offered=True))
        if aside.kind in {"answer", "not_covered"}:
            return asking(state, r.texts["resume"], before=aside.messages)
        return asking(state, r.texts["not_understood"])

    def _reflection_summary(self, state: dict) -> Reply:
        r = self.reflection
        lines = r.summary_lines(state, lambda c: self.cite(c)["citation"])
        citations = [self.cite(c) for c in r.citations(state)]
        lines += [f"Source: {c['citation']}" for c in citations]
        custom = {
            "type": "reflection_summary",
            "indicators": [q.id for q in r.questions if state["answers"].get(q.id) is not None
                           and q.outcomes[state["answers"][q.id]].kind == "indicator"],
            "unclear": [q.id for q in r.questions if state["answers"].get(q.id) is not None
                        and q.outcomes[state["answers"][q.id]].kind in {"gap", "unclear"}],
            "citations": citations,
        }
        messages = [BotMessage("\n".join(lines), custom=custom)]
        if state.get("danger"):
            messages.insert(0, BotMessage(self.messages["immediate_danger"], custom={"type": "immediate_danger"}))
        return Reply("reflection_summary", messages, reflection=None, reflection_changed=True,
                     danger=bool(state.get("danger")))
