"""The local-services replies: a page of services with "More services", services asked for by name,
nothing found (with the wider searches that do find some and the front door), and the questions
"which area?" and "did you mean ...?".

Each reply carries the directory state after it: the area (remembered for the conversation) and
the search "more" continues (with the ranked services' ids when the state can keep them), or the
request waiting for its area. Searches that find nothing are counted (``bot.directory.insight``).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Sequence

from sqlalchemy.engine import Engine

from bot.dialogue.render import Renderer
from bot.dialogue.state import DirectorySearch, DirectoryState
from bot.dialogue.types import Button, Message, Reply, Turn
from bot.directory.insight import count_nothing_found
from bot.directory.query import Request, Result, Searcher
from bot.directory.render import (
    CardOptions,
    Say,
    alternative_text,
    count_text,
    load_wording,
    request_text,
    service_text,
    stale_after_months,
)
from bot.directory.schema import Service
from bot.directory.taxonomy import Taxonomy

LOCAL_SERVICES = "ask_local_services"  # the intent, and the area buttons' payload
ASK_MORE = "ask_more"
PAGE_SIZE = 3
KEPT = 60  # ranked service ids a search keeps for "more" (beyond them, the search runs again)
KIND = "directory"  # the kind of every reply here


def search_for(request: Request, offset: int = 0, ranked: Sequence[str] = ()) -> DirectorySearch:
    """The state that keeps ``request`` (to page on from ``offset``, or to wait for its area), with
    the ranked services' ids."""
    return DirectorySearch(request.area, request.needs, request.age, request.audience, offset,
                           services=tuple(ranked[:KEPT]))


def request_for(search: DirectorySearch) -> Request:
    return Request(search.area, search.needs, search.age, search.audience)


def ranked_of(search: DirectorySearch) -> tuple[str, ...]:
    return tuple(getattr(search, "services", ()) or ())


def _json_age(age: Any) -> Any:
    return list(age) if isinstance(age, tuple) else age


class DirectoryReplies:
    """Builds the directory's replies from the searcher's results and the directory's wording."""

    def __init__(self, engine: Engine, renderer: Renderer, taxonomy: Taxonomy, searcher: Searcher | None = None,
                 say: Say | None = None):
        self.engine = engine
        self.render = renderer
        self.taxonomy = taxonomy
        self.searcher = searcher or Searcher(engine, taxonomy)
        self.say = say or load_wording()

    def _card(self, service: Service) -> Message:
        text = service_text(service, self.say, CardOptions(date.today(), stale_after_months()))
        return Message(text, custom={"type": "directory_service", "service_id": service.id, "area": service.area})

    def services(self, turn: Turn, request: Request, offset: int = 0) -> Reply:
        """A page of the services that match ``request`` in its area, or what to try instead."""
        result = self.searcher.search(request, offset=offset, limit=PAGE_SIZE)
        if not result.total:
            return self._nothing_found(turn, request, result)
        return self._page(turn, request.structural(), result, result.ranked)

    def more(self, turn: Turn, search: DirectorySearch) -> Reply:
        """The next page of a kept search: its ranked services, or the search run again."""
        ranked, request = ranked_of(search), request_for(search)
        if not ranked or search.offset >= len(ranked):
            return self.services(turn, request, search.offset)
        services = self.searcher.page(request.area or "", ranked[search.offset:search.offset + PAGE_SIZE])
        result = Result(request.area, services, len(ranked), search.offset, PAGE_SIZE)
        return self._page(turn, request, result, ranked)

    def _page(self, turn: Turn, request: Request, result: Result, ranked: Sequence[str]) -> Reply:
        say, offset = self.say, result.offset
        what = self._what(request)
        if offset or result.has_more:
            header = say("found", area=result.area, what=what, total=result.total, first=offset + 1,
                         last=result.next_offset)
        else:
            header = say("found_all", area=result.area, what=what, total=result.total)
        messages = [Message(header, custom=self._custom("directory_results", request, result))]
        messages += [self._card(s) for s in result.services]
        search: DirectorySearch | None = None
        if result.has_more:
            search = search_for(Request(result.area, request.needs, request.age, request.audience), result.next_offset,
                                ranked)
            messages[-1] = messages[-1].with_(buttons=(self.render.button(say("more_button"), ASK_MORE),))
        else:
            messages.append(Message(say("end", area=result.area), custom={"type": "directory_end"}))
        messages[-1] = messages[-1].with_(text=f"{messages[-1].text}\n{say('check')}")
        return self._reply(turn, messages, result.area, search)

    def named(self, turn: Turn, services: list[Service]) -> Reply:
        """The services a message named, each as a card."""
        say = self.say
        header = Message(say("found_by_name", count=count_text(len(services), say)),
                         custom={"type": "directory_results", "area": services[0].area, "needs": [], "age": None,
                                 "audience": None, "total": len(services), "offset": 0})
        cards = [self._card(s) for s in services]
        cards[-1] = cards[-1].with_(text=f"{cards[-1].text}\n{say('check')}")
        area = services[0].area if len({s.area for s in services}) == 1 else turn.state.directory.area
        return self._reply(turn, [header, *cards], area, None)

    def _nothing_found(self, turn: Turn, request: Request, result: Result) -> Reply:
        say = self.say
        if result.area_known and result.area:
            count_nothing_found(self.engine, result.area, request.needs, result.described, request.age)
        described = [(a, alternative_text(a, say, self.taxonomy)) for a in result.alternatives]
        structural = request.structural()
        if result.described:
            lines = [say("none_described", area=result.area)]
        else:
            lines = [say("none", area=result.area, what=self._what(structural))]
        search: DirectorySearch | None = None
        buttons: tuple[Button, ...] = ()
        if described:
            lines.append(say("alternatives"))
            lines += [say("alternative", description=text, count=count_text(a.total, say)) for a, text in described]
            best = result.alternatives[0]
            search = search_for(Request(result.area, best.needs, best.age, best.audience))
            buttons = (self.render.button(say("show_alternative"), ASK_MORE),)
        if result.front_door is not None:
            lines.append(say("front_door", area=result.area))
            lines.append(service_text(result.front_door, say, CardOptions(date.today(), stale_after_months())))
        lines.append(say("check"))
        custom = self._custom("directory_none", structural, result)
        custom["alternatives"] = [{"kind": a.kind, "description": text, "total": a.total} for a, text in described]
        return self._reply(turn, [Message("\n".join(lines), buttons, custom)], result.area, search)

    def not_listed_anywhere(self, turn: Turn, names: list[str]) -> Reply:
        """A need told in words that no loaded area lists a service for (counted for each area)."""
        for name in names:
            count_nothing_found(self.engine, name, (), True, None)
        text = "\n".join([self.say("none_described_anywhere", areas=", ".join(names)), self.say("check")])
        message = Message(text, custom={"type": "directory_none", "area": None, "needs": [], "age": None,
                                        "audience": None, "total": 0, "offset": 0, "alternatives": []})
        return self._reply(turn, [message], turn.state.directory.area, None)

    def ask_area(self, turn: Turn, request: Request, prompt: str, names: list[str],
                 suggested: Sequence[str] = ()) -> Reply:
        """``prompt`` with the loaded areas as buttons (``suggested`` ones first); the request waits
        for the area chosen."""
        ordered = [*suggested, *(n for n in names if n not in suggested)]
        buttons = tuple(self.render.button(name, LOCAL_SERVICES, area=name) for name in ordered)
        message = Message(prompt, buttons, {"type": "directory_ask_area", "areas": list(ordered)})
        waiting = Request(None, request.needs, request.age, request.audience)
        return self._reply(turn, [message], turn.state.directory.area, search_for(waiting))

    def no_areas(self, turn: Turn) -> Reply:
        message = Message(self.say("no_areas"), custom={"type": KIND})
        return self._reply(turn, [message], turn.state.directory.area, None)

    @staticmethod
    def _reply(turn: Turn, messages: list[Message], area: str | None, search: DirectorySearch | None) -> Reply:
        state = turn.state.with_(directory=DirectoryState(area=area, search=search))
        return Reply(KIND, tuple(messages), state)

    def _what(self, request: Request) -> str:
        return request_text(request, self.say, self.taxonomy)

    @staticmethod
    def _custom(kind: str, request: Request, result: Result) -> dict[str, Any]:
        return {"type": kind, "area": result.area, "needs": list(request.needs), "age": _json_age(request.age),
                "audience": request.audience, "total": result.total, "offset": result.offset}
