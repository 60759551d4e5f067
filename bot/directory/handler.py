"""Local services in the conversation: "what is available locally?", the area question (answered
with a bare name, a slip or a part of one), "did you mean ...?", places without a directory,
services asked for by name, pages of services with "more", and an honest reply with
alternatives when nothing matches.

``check`` reads the request from the message once and hands it to ``handle`` in the claim.
Area and service names come from the loaded directory (``AreaMatcher``, ``ServiceNames``), which
notice imports made while the assistant runs; the words that make a message a request for local
services are in ``knowledge/directory/requests.yml``; the wording in ``knowledge/directory/wording.yml``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.dialogue.handler import Chain
from bot.dialogue.render import Renderer
from bot.dialogue.types import Message, Reply, Turn
from bot.directory.areas import AreaMatch, AreaMatcher
from bot.directory.asked import AskedReader
from bot.directory.names import ServiceNames
from bot.directory.query import Request, Searcher, read_request
from bot.directory.reading import RequestReader
from bot.directory.render import load_wording
from bot.directory.replies import ASK_MORE, LOCAL_SERVICES, DirectoryReplies, request_for
from bot.directory.requests import RequestWords, load_request_words
from bot.directory.spelling import is_english, tokens
from bot.directory.taxonomy import Taxonomy, load_taxonomy
from bot.directory.vectors import ServiceVectors

if TYPE_CHECKING:
    from bot.nlp.encoder import SentenceEncoder

log = logging.getLogger(__name__)

MAX_SHORT_TOKENS = 3  # "more please" pages on; a message with more content words is a question
MAX_BARE_WORDS = 3  # "Borchester", "north demoshire pls": a short answer to "which area?"
MAX_SHORT_REQUEST = 4  # content words of a terse request ("refuge leeds", "what's in my patch?")
MAX_REQUEST = 8  # content words of a request naming only who it is for ("Leeds - anything for the kids?")
VECTORS_FILE = "directory_services.npz"
# What a claim asks ``handle`` to do.
SEARCH = "search"  # list services for the request (asking for the area when it has none)
MORE = "more"  # the next page of the kept search
NAMED = "named"  # the services the message names
CHECK_AREA = "check_area"  # "did you mean ...?"
KNOWLEDGE = "knowledge"  # taken for "local services" but asks for none: answer from the knowledge


@dataclass(frozen=True)
class DirectoryClaim:
    """What the handler took the turn for, with the request read from the message."""

    action: str
    request: Request = Request()
    unknown_place: str | None = None  # a place named that the directory does not hold
    suggested: tuple[str, ...] = ()  # areas a slip may mean
    named: tuple = ()  # services named


class DirectoryHandler:
    """Requests for local services, typed or through the area and "More services" buttons.

    ``local_guidance(text)`` gives the cited knowledge entry on knowing the local offer that
    best matches ``text`` (or None); it comes before the question "which area?". With an
    ``encoder``, who a request is about is also read by meaning when its words do not say, and
    services are re-ranked by closeness in meaning (vectors kept under ``vectors_dir``).
    """

    answers_questions = True

    def __init__(self, engine: Engine, renderer: Renderer, local_guidance: Callable[[str], Message | None],
                 areas: AreaMatcher | None = None, words: RequestWords | None = None,
                 taxonomy: Taxonomy | None = None, encoder: "SentenceEncoder | None" = None,
                 vectors_dir: Path | None = None):
        self.areas = areas or AreaMatcher(engine)
        self.names = ServiceNames(engine)
        self.words = words or load_request_words()
        self.taxonomy = taxonomy or load_taxonomy()
        self.local_guidance = local_guidance
        self.render = renderer
        self.say = load_wording()
        self.reader = RequestReader(self.taxonomy, self.words, AskedReader(self.words.asked, encoder))
        vectors = None
        if encoder is not None:
            vectors = ServiceVectors(encoder, Path(vectors_dir) / VECTORS_FILE if vectors_dir else None)
        searcher = Searcher(engine, self.taxonomy, vectors, self.reader)
        self.replies = DirectoryReplies(engine, renderer, self.taxonomy, searcher, self.say)

    # -- is the turn ours? -----------------------------------------------------------------------

    def check(self, turn: Turn) -> DirectoryClaim | None:
        search = turn.state.directory.search
        if turn.intent == ASK_MORE and search is not None and search.area and not self._is_question(turn):
            return DirectoryClaim(MORE, request_for(search))
        if turn.is_payload:
            return self._area_chosen(turn) if turn.intent == LOCAL_SERVICES else None
        try:
            match = self.areas.match(turn.text)
        except SQLAlchemyError:  # a directory problem must not stop knowledge answers
            log.exception("could not read the directory's areas")
            return None
        place = self._place(turn.text, match)
        if self._asks_the_knowledge(turn.text, match, place):
            return None
        if match is not None and place is None and not match.sure:
            return self._unsure(turn, match)
        area = match.area if match is not None and place is None else None
        if search is not None and search.area is None:  # the area question was asked
            answered = self._answering_area(turn, area, place)
            if answered is not None:
                return answered
        named = self._named(turn, match)
        if named is not None:
            return named
        if turn.intent == LOCAL_SERVICES:
            return self._asked(turn, area, match, place)
        return self._local_request(turn, area, match, place)

    def _asks_the_knowledge(self, text: str, match: AreaMatch | None, place: str | None) -> bool:
        """A process the sources do not cover ("does local connection apply to her homeless
        application?"), asked without naming where services are wanted: the knowledge's honest
        reply, not a directory search ("forced marriage support in Ambridge Vale" stays here)."""
        if self.render.messages.not_covered_topic(text) is None or match is not None:
            return False
        return not (place and self.words.place_after(text, place)) and not self.words.asks_for_services(text)

    def _place(self, text: str, match: AreaMatch | None) -> str | None:
        """A place named that is not a loaded area: a known place (which a loaded area's name typed
        with a slip never hides: "Salford" is not "Stafford"), else a capitalised name after "in",
        "near"..."""
        known = self.words.known_place(text)
        if known is not None and (match is None or (not match.exact and set(tokens(known)) & set(match.words))):
            return known
        if match is None:
            return self.words.capitalised_place(text)
        return None

    def _unsure(self, turn: Turn, match: AreaMatch) -> DirectoryClaim | None:
        """A name like a loaded area's: "did you mean ...?" when the message asks for services."""
        request = self._read(turn.text, None, match)
        waiting = turn.state.directory.search is not None and turn.state.directory.search.area is None
        if waiting or turn.intent == LOCAL_SERVICES or self._asks(turn.text, request) or self._bare(turn.text, match):
            return DirectoryClaim(CHECK_AREA, self._with_waiting(turn, request), suggested=(match.area, *match.others))
        return None

    def _area_chosen(self, turn: Turn) -> DirectoryClaim:
        """An area button: carry on with the request that was waiting for the area."""
        search = turn.state.directory.search
        waiting = request_for(search) if search is not None else Request()
        chosen = turn.entity_values("area")
        return DirectoryClaim(SEARCH, replace(waiting, area=chosen[0] if chosen else turn.state.directory.area))

    def _answering_area(self, turn: Turn, area: str | None, place: str | None) -> DirectoryClaim | None:
        """After "which area?": an area named (with or without more words), a place without a
        directory, or a short reply that can only be a place's name."""
        if area is not None:
            return DirectoryClaim(SEARCH, self._with_waiting(turn, self._read(turn.text, area, self.areas.match(turn.text))))
        if place is not None:
            return DirectoryClaim(SEARCH, self._with_waiting(turn, self._read(turn.text, None)), unknown_place=place)
        typed = tokens(turn.text)
        if 0 < len(typed) <= MAX_BARE_WORDS and not any(is_english(w) or w.isdigit() for w in typed):
            return DirectoryClaim(SEARCH, self._with_waiting(turn, Request()),
                                  unknown_place=" ".join(turn.text.split()).strip(" .?!").title())
        return None

    def _named(self, turn: Turn, match: AreaMatch | None) -> DirectoryClaim | None:
        """The message is a service's name (and perhaps its area): "Ty Diogel"."""
        leave_out = set(match.words) if match is not None else set()
        generic = self.words.generic_words
        words = [w for w in tokens(turn.text) if w not in leave_out and w not in generic and len(w) > 1
                 and w not in _FILLER]
        try:
            found = self.names.find(words, match.area if match is not None else turn.state.directory.area)
        except SQLAlchemyError:
            log.exception("could not read the directory's service names")
            return None
        return DirectoryClaim(NAMED, named=tuple(found)) if found else None

    def _asked(self, turn: Turn, area: str | None, match: AreaMatch | None, place: str | None) -> DirectoryClaim:
        """Typed, and the intent model took it for "local services": unless it asks for none."""
        text, words = turn.text, self.words
        request = self._read(text, area, match)
        if place is not None and words.place_is_origin(text, place):
            place = None  # "came to us from Manchester": where she came from, not where help is wanted
        if (area or place or words.is_local(text) or words.asks_for_services(text)
                or ((request.needs or request.described) and words.asks_whether_any(text))):
            return self._search(turn, request, place)
        return DirectoryClaim(KNOWLEDGE)

    def _local_request(self, turn: Turn, area: str | None, match: AreaMatch | None,
                       place: str | None) -> DirectoryClaim | None:
        """Whatever the intent: services in a known area, near a place without a directory, or
        nearby (the remembered area), when the message asks for them."""
        text, words = turn.text, self.words
        if area is not None:
            request = self._read(text, area, match)
            if self._asks(text, request) or self._bare(text, match):
                return self._search(turn, request, None)
            return None
        if place is not None:
            request = self._read(text, None)
            # "services in Leeds" asks for services; "Leeds children's service Harbour" may not
            after, asks_any = words.place_after(text, place), words.asks_whether_any(text)
            if (words.is_local(text) or (after and words.asks_for_services(text))
                    or (request.needs and (after or asks_any or self._short(turn)))
                    or ((request.audience or request.described) and asks_any and self._short(turn, MAX_REQUEST))):
                return self._search(turn, request, place)
            return None
        if words.is_local(text):
            request = self._read(text, None)
            named = request.needs or request.audience or request.age is not None or request.described
            if (request.needs or words.asks_for_services(text)
                    or (named and (self._requesting(text) or words.asks_for_help(text)))
                    or (words.asks_generally(text) and self._short(turn))):
                return self._search(turn, request, None)
        return None

    def _requesting(self, text: str) -> bool:
        """"any ...?", "is there ...?", "what's there ...?": the shape of a request for services."""
        return self.words.asks_whether_any(text) or self.words.asks_generally(text)

    @staticmethod
    def _short(turn: Turn, most: int = MAX_SHORT_REQUEST) -> bool:
        """Few words of its own ("what's in my patch?", "refuge leeds"): not a question about something else."""
        analysis = turn.analysis
        return analysis is not None and len(analysis.lemmas) <= most

    def _asks(self, text: str, request: Request) -> bool:
        """Whether the message asks for something a directory lists."""
        return bool(request.needs or request.audience or request.age is not None or request.described
                    or self.words.asks_for_help(text))

    def _bare(self, text: str, match: AreaMatch | None) -> bool:
        """The message is an area's name and little else ("Ambridge Vale", "north demoshire pls")."""
        if match is None:
            return False
        rest = [w for w in tokens(text) if w not in match.words]
        return len(rest) <= 2 and all(w in _FILLER or w in self.words.generic_words for w in rest)

    def _read(self, text: str, area: str | None, match: AreaMatch | None = None) -> Request:
        leave_out = frozenset(tokens(area or "")) | frozenset(match.words if match is not None else ())
        return read_request(text, area, leave_out, self.reader, self.taxonomy)

    @staticmethod
    def _with_waiting(turn: Turn, request: Request) -> Request:
        """The request, completed by the one waiting for its area (what this message does not say)."""
        search = turn.state.directory.search
        if search is None or search.area is not None:
            return request
        return replace(request, needs=request.needs or search.needs,
                       age=request.age if request.age is not None else search.age,
                       audience=request.audience or search.audience)

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
        tokens_ = {*analysis.lemmas, *((m.label, m.id) for m in analysis.mentions)}
        return len(tokens_) > MAX_SHORT_TOKENS

    # -- the reply ---------------------------------------------------------------------------------

    def handle(self, turn: Turn, claim: DirectoryClaim, chain: Chain) -> Reply:
        if claim.action == KNOWLEDGE:
            return chain.answer(turn.with_(intent=None))
        if claim.action == MORE:
            search = turn.state.directory.search
            assert search is not None  # a MORE claim is made only for a kept search
            return self.replies.more(turn, search)
        if claim.action == NAMED:
            services = [s for n in claim.named for s in self.replies.searcher.page(n.area, [n.id])]
            return self.replies.named(turn, services)
        request, names = claim.request, self.areas.names()
        if claim.action == CHECK_AREA:
            prompt = self.say("did_you_mean", area=" or ".join(claim.suggested))
            return self.replies.ask_area(turn, request, prompt, names, claim.suggested)
        if claim.unknown_place:
            # A place from the places file is named as the file writes it; anything else that was
            # typed is not said back ("that area"): a reply never repeats the user's own words.
            known = self.words.known_place(claim.unknown_place)
            prompt = self.say("unknown_area", area=known) if known else self.say("unknown_area_unnamed")
            return self.replies.ask_area(turn, request, prompt, names)
        if not names:
            return self._with_guidance(turn, request, self.replies.no_areas(turn))
        if request.area not in names:
            if request.described and not request.needs and not self._listed_anywhere(request, names):
                # the area would not change the answer, and once asked the words would be gone
                return self.replies.not_listed_anywhere(turn, names)
            prompt = self.say("ask_area")
            return self._with_guidance(turn, request, self.replies.ask_area(turn, request, prompt, names))
        return self.replies.services(turn, request)

    def _listed_anywhere(self, request: Request, names: list[str]) -> bool:
        """Whether any loaded area lists a service for a need told in words."""
        return any(self.replies.searcher.search(replace(request, area=name), limit=1).total for name in names)

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


# Words that may come with a bare area or service name: "Ambridge Vale please", "tell me about Hope House".
_FILLER = frozenset({"please", "pls", "plz", "thanks", "thank", "ta", "ok", "okay", "its", "in", "the", "area", "council",
                     "for", "about", "me", "tell", "info", "on", "i", "m", "im", "we", "re", "based", "yes", "yeah",
                     "a", "of", "and", "details", "contact", "number", "phone", "show", "find", "service"})
