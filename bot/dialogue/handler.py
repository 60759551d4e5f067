"""The shape every feature handler has, and what the router lends a handler while it works.

A handler is asked two things, in the router's order: ``check`` (is this turn mine? return a
claim, any object but None, to take it) and ``handle`` (the reply, given the claim). A handler
never imports another feature's handler: when it needs a question answered on the way (mid-
reflection, mid-scenario) or the rest of the chain after it (after the 999 message), it asks
the ``Chain`` the router passes in.
"""

from __future__ import annotations

from typing import Any, Protocol

from bot.dialogue.types import Reply, Turn


class Chain(Protocol):
    """What the router lends a handler during ``handle``."""

    def answer(self, turn: Turn) -> Reply:
        """Answer ``turn`` as a question (the answering handlers only: no flows, no small talk)."""

    def rest(self, turn: Turn) -> Reply:
        """The reply the handlers after this one give to ``turn``."""


class Handler(Protocol):
    """One feature's part of the conversation."""

    # True for handlers that answer questions: ``Chain.answer`` runs only these, and answer
    # finishers (tailoring, the reflection's orientation) see their replies.
    answers_questions: bool

    def check(self, turn: Turn) -> Any | None:
        """A claim on the turn (passed back to ``handle``), or None to let the next handler look."""

    def handle(self, turn: Turn, claim: Any, chain: Chain) -> Reply:
        """The reply to a turn this handler claimed."""


class Finisher(Protocol):
    """A step applied to a reply after a handler gave it (tailoring add-ons, offers)."""

    def finish(self, turn: Turn, reply: Reply) -> Reply:
        """``reply``, or a changed copy of it."""
