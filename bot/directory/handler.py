"""Local services in the conversation: "what is available locally?", the area question, pages of
services with "more", and an honest reply with alternatives when nothing matches.

``check`` reads the request from the message once and hands it to ``handle`` in the claim.
Area names come from the loaded directory through ``AreaMatcher``, which notices imports made
while the assistant runs; the words that make a message a request for local services are in
``knowledge/directory/requests.yml``; the wording in ``knowledge/messages.yml``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Callable

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.dialogue.handler import Chain
from bot.dialogue.render import Renderer
from bot.dialogue.types import Message, Reply, Turn
from bot.directory.areas import AreaMatcher
from bot.directory.query import Request, parse_request
from bot.directory.replies import ASK_MORE, LOCAL_SERVICES, DirectoryReplies, request_for
from bot.directory.requests import RequestWords, load_request_words
from bot.directory.taxonomy import Taxonomy, load_taxonomy

log = logging.getLogger(__name__)

MAX_SHORT_TOKENS = 3  # "more please" pages on; a message with more content words is a question
# What a claim asks ``handle`` to do.
SEARCH = "search"  # list services for the request (asking for the area when it has none)
MORE = "more"  # the next page of the kept search
KNOWLEDGE = "knowledge"  # taken for "local services" but asks for none: answer from the knowledge


@dataclass(frozen=True)
class DirectoryClaim:
    """What the handler took the turn for, with the request read from the message."""

    action: str
    request: Request = Request()
    offset: int = 0
    unknown_place: str | None = None  # a place named that the directory does not hold


class DirectoryHandler:
    """Requests for local services, typed or through the area and "More services" buttons.

    ``local_guidance(text)`` gives the cited knowledge entry on knowing the local offer that
    best matches ``text`` (or None); it comes before the question "which area?".
    """

    answers_questions = True

    def __init__(self, engine: Engine, renderer: Renderer, local_guidance: Callable[[str], Message | None],
                 areas: AreaMatcher | None = None, words: RequestWords | None = None,
                 taxonomy: Taxonomy | None = None):
        self.areas = areas or AreaMatcher(engine)
        self.words = words or load_request_words()
        self.taxonomy = taxonomy or load_taxonomy()
        self.local_guidance = local_guidance
        self.render = renderer
        self.replies = DirectoryReplies(engine, renderer, self.taxonomy)

    # -- is the turn ours? -----------------------------------------------------------------------

    def check(self, turn: Turn) -> DirectoryClaim | None:
        search = turn.state.directory.search
        if turn.intent == ASK_MORE and search is not None and search.area and not self._is_question(turn):
            return DirectoryClaim(MORE, request_for(search), search.offset)
        if turn.is_payload:
            return self._area_chosen(turn) if turn.intent == LOCAL_SERVICES else None
        if turn.intent == LOCAL_SERVICES:
            return self._asked(turn)
        return self._local_request(turn)

    def _area_chosen(self, turn: Turn) -> DirectoryClaim:
        """An area button: carry on with the request that was waiting for the area."""
        search = turn.state.directory.search
        waiting = request_for(search) if search is not None else Request()
        chosen = turn.entity_values("area")
        return DirectoryClaim(SEARCH, replace(waiting, area=chosen[0] if chosen else turn.state.directory.area))

    def _asked(self, turn: Turn) -> DirectoryClaim:
        """Typed, and the intent model took it for "local services": unless it asks for none."""
        text = turn.text
        request = self._read(text, self.areas.find(text))
        unknown = None if request.area else self.words.unknown_place(text)
        words = self.words
        if (request.area or unknown or words.is_local(text) or words.asks_for_services(text)
                or (request.needs and words.asks_whether_any(text))):
            return self._search(turn, request, unknown)
        return DirectoryClaim(KNOWLEDGE)

    def _local_request(self, turn: Turn) -> DirectoryClaim | None:
        """Whatever the intent: services in a known area, near an unknown place, or nearby (the
        remembered area) for a need or a group of people."""
        text, words = turn.text, self.words
        try:
            area = self.areas.find(text)
        except SQLAlchemyError:  # a directory problem must not stop knowledge answers
            log.exception("could not read the directory's areas")
            return None
        if area is not None:
            request = self._read(text, area)
            named = request.needs or request.audience or request.age is not None or words.asks_for_help(text)
            return self._search(turn, request, None) if named else None
        unknown = words.unknown_place(text)
        if unknown and (words.is_local(text) or words.asks_for_services(text)):
            return self._search(turn, self._read(text, None), unknown)
        if turn.state.directory.area and words.is_local(text):
            request = self._read(text, None)
            return self._search(turn, request, None) if request.needs or request.audience else None
        return None

    def _read(self, text: str, area: str | None) -> Request:
        return replace(parse_request(text, None, self.taxonomy), area=area)

    @staticmethod
    def _search(turn: Turn, request: Request, unknown: str | None) -> DirectoryClaim:
        if request.area is None and unknown is None:
            request = replace(request, area=turn.state.directory.area)  # the area asked about before
        return DirectoryClaim(SEARCH, request, unknown_place=unknown)

    @staticmethod
    def _is_question(turn: Turn) -> bool:
        """Too many content words for "more": the message is a question of its own."""
        analysis = turn.analysis
        if analysis is None:
            return False
        tokens = {*analysis.lemmas, *((m.label, m.id) for m in analysis.mentions)}
        return len(tokens) > MAX_SHORT_TOKENS

    # -- the reply ---------------------------------------------------------------------------------

    def handle(self, turn: Turn, claim: DirectoryClaim, chain: Chain) -> Reply:
        if claim.action == KNOWLEDGE:
            return chain.answer(turn.with_(intent=None))
        if claim.action == MORE:
            return self.replies.services(turn, claim.request, claim.offset)
        request, names = claim.request, self.areas.names()
        if claim.unknown_place:
            prompt = self.render.text("directory_unknown_area", area=claim.unknown_place)
            return self.replies.ask_area(turn, request, prompt, names)
        if not names:
            return self._with_guidance(turn, request, self.replies.no_areas(turn))
        if request.area not in names:
            prompt = self.render.text("directory_ask_area")
            return self._with_guidance(turn, request, self.replies.ask_area(turn, request, prompt, names))
        return self.replies.services(turn, request)

    def _with_guidance(self, turn: Turn, request: Request, reply: Reply) -> Reply:
        """Before asking for the area: the cited entry on knowing the local offer, when one fits."""
        if turn.is_payload:
            return reply
        word = self.words.guidance_words.get(request.audience or "")
        guidance = self.local_guidance(f"{turn.text} {word}" if word else turn.text)
        if guidance is None:
            return reply
        state = reply.state.with_(last_entry_id=guidance.custom.get("entry_id"))
        return reply.prepend(guidance).with_(state=state)
