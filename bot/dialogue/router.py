"""The router: one ordered list of handlers decides who takes each turn.

The router analyses the text once, asks each handler in order whether the turn is theirs,
and lets the first that claims it reply. It applies the finishers, adds the opening notice
once per conversation, and holds the only catch-all for errors: the chat never goes silent,
and a message that describes immediate danger still gets the 999 message when something fails.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable, Sequence

from bot.dialogue.handler import Finisher, Handler
from bot.dialogue.render import Renderer
from bot.dialogue.types import Reply, Turn

log = logging.getLogger(__name__)

# Logged (with the traceback, never the message text) when the catch-all fires; the test suite
# fails any test during which this line appears.
CATCH_ALL = "router catch-all: a turn failed"
MAX_TEXT = 2000  # longer messages are cut before analysis; the 999 check sees the whole text


@dataclass
class _Chain:
    """The ``Chain`` a handler at ``position`` is lent."""

    router: "Router"
    position: int

    def answer(self, turn: Turn) -> Reply:
        return self.router._run(turn, self.router.answering, 0)

    def rest(self, turn: Turn) -> Reply:
        return self.router._run(turn, self.router.handlers, self.position + 1)


class Router:
    """Routes each turn through an explicit, ordered list of handlers."""

    def __init__(
        self,
        handlers: Sequence[Handler],
        renderer: Renderer,
        analyse: Callable[[str], object],
        is_danger: Callable[[str], bool],
        after_answer: Sequence[Finisher] = (),
        after_turn: Sequence[Finisher] = (),
    ):
        self.handlers = tuple(handlers)
        self.answering = tuple(h for h in handlers if h.answers_questions)
        self.renderer = renderer
        self.analyse = analyse
        self.is_danger = is_danger
        self.after_answer = tuple(after_answer)
        self.after_turn = tuple(after_turn)

    def respond(self, turn: Turn) -> Reply:
        """The reply to one user message (never empty, never an exception)."""
        try:
            turn = turn.with_(analysis=self.analyse(turn.text.strip()[:MAX_TEXT]))
            reply = self._run(turn, self.handlers, 0)
            for finisher in self.after_turn:
                reply = finisher.finish(turn, reply)
            reply = self._forget_finished_search(turn, reply)
        except Exception:  # the one catch-all: the chat must never go silent
            log.exception(CATCH_ALL)
            reply = self._failed(turn)
        return self._with_notice(turn, reply)

    def _run(self, turn: Turn, handlers: Sequence[Handler], start: int) -> Reply:
        for position in range(start, len(handlers)):
            handler = handlers[position]
            claim = handler.check(turn)
            if claim is None:
                continue
            chain = _Chain(self, self.handlers.index(handler))
            reply = handler.handle(turn, claim, chain)
            if handler.answers_questions:
                for finisher in self.after_answer:
                    reply = finisher.finish(turn, reply)
            return reply
        raise LookupError("no handler took the turn: the last handler must take every turn")

    @staticmethod
    def _forget_finished_search(turn: Turn, reply: Reply) -> Reply:
        """"More" continues the latest listing only: any other reply ends the directory search."""
        before, after = turn.state.directory, reply.state.directory
        if before.search is not None and after.search is before.search:
            return reply.with_(state=reply.state.with_(directory=after.__class__(area=after.area)))
        return reply

    def _failed(self, turn: Turn) -> Reply:
        messages = []
        if self.is_danger(turn.text) or turn.intent == "immediate_danger":
            messages.append(self.renderer.say("immediate_danger"))
        messages.append(self.renderer.say("error"))
        return Reply("error", tuple(messages), turn.state, danger=len(messages) > 1)

    def _with_notice(self, turn: Turn, reply: Reply) -> Reply:
        """The opening notice once per conversation: after the 999 message, else first."""
        if turn.state.notice_given:
            return reply
        notice = self.renderer.say("opening_notice")
        position = 1 if reply.danger else 0
        messages = (*reply.messages[:position], notice, *reply.messages[position:])
        return reply.with_(messages=messages, state=reply.state.with_(notice_given=True))
