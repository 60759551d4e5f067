""""Was this useful?" under a guidance answer: a vote is counted and thanked for.

The widget's yes and no buttons send ``/affirm{"feedback": "<entry id>"}`` or ``/deny{...}``
(``Renderer.feedback`` writes them; ``bot/web/payloads.py`` lets only known entry ids through).
A vote is stored as the entry id and the vote in the insight counters table, kind
``answer_feedback``, key ``<entry id>|yes`` or ``<entry id>|no``, and nothing else: no text, no
conversation. It changes no state, so a vote in the middle of the reflection or a scenario is
never read as an answer there.
"""

from __future__ import annotations

import logging
from typing import Callable, Collection

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.dialogue.handler import Chain
from bot.dialogue.render import FEEDBACK_ENTITY, FEEDBACK_VOTES, Renderer
from bot.dialogue.types import Message, Reply, Turn
from bot.insight.counters import count
from bot.insight.events import ANSWER_FEEDBACK as FEEDBACK_KIND  # every kind is named there

log = logging.getLogger(__name__)

SEPARATOR = "|"
_VOTE_OF = {intent: vote for vote, intent in FEEDBACK_VOTES.items()}


def feedback_key(entry_id: str, vote: str) -> str:
    return f"{entry_id}{SEPARATOR}{vote}"


def database_counter(engine: Engine) -> Callable[[str, str], None]:
    """Counts votes in the insight counters table of ``engine``'s database."""

    def counter(entry_id: str, vote: str) -> None:
        count(engine, FEEDBACK_KIND, feedback_key(entry_id, vote))

    return counter


class FeedbackHandler:
    """A "Was this useful?" button: the vote counted, a short thanks, the state unchanged."""

    answers_questions = False

    def __init__(self, renderer: Renderer, counter: Callable[[str, str], None],
                 entries: Collection[str] | None = None):
        self.render = renderer
        self.counter = counter
        self.entries = renderer.entries if entries is None else entries

    def check(self, turn: Turn) -> tuple[str, str] | None:
        voted = turn.entity_values(FEEDBACK_ENTITY)
        vote = _VOTE_OF.get(turn.intent or "")
        if not turn.is_payload or not voted or vote is None or voted[0] not in self.entries:
            return None
        return voted[0], vote

    def handle(self, turn: Turn, claim: tuple[str, str], chain: Chain) -> Reply:
        entry_id, vote = claim
        try:
            self.counter(entry_id, vote)
        except SQLAlchemyError:  # a counting failure never costs the user the reply
            log.exception("could not count a vote on an answer")
        custom = {"type": "feedback_thanks", "entry_id": entry_id, "vote": vote}
        return Reply("feedback", (Message(self.render.text("feedback_thanks"), custom=custom),), turn.state)
