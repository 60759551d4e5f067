"""The local-services replies: a page of services with "More services", nothing found (with the
wider searches that do find some and the front door), and the question "which area?".

Each reply carries the directory state after it: the area (remembered for the conversation) and
the search that "more" continues, or the request waiting for its area.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Engine

from bot.dialogue.render import Renderer
from bot.dialogue.state import DirectorySearch, DirectoryState
from bot.dialogue.types import Button, Message, Reply, Turn
from bot.directory.query import Request, Result, find_services
from bot.directory.render import alternative_text, request_text, service_text
from bot.directory.taxonomy import Taxonomy

LOCAL_SERVICES = "ask_local_services"  # the intent, and the area buttons' payload
ASK_MORE = "ask_more"
PAGE_SIZE = 3
KIND = "directory"  # the kind of every reply here


def search_for(request: Request, offset: int = 0) -> DirectorySearch:
    """The state that keeps ``request`` (to page on from ``offset``, or to wait for its area)."""
    return DirectorySearch(request.area, request.needs, request.age, request.audience, offset)


def request_for(search: DirectorySearch) -> Request:
    return Request(search.area, search.needs, search.age, search.audience)


def _json_age(age: Any) -> Any:
    return list(age) if isinstance(age, tuple) else age


class DirectoryReplies:
    """Builds the directory's replies from the store's results and the project's wording."""

    def __init__(self, engine: Engine, renderer: Renderer, taxonomy: Taxonomy):
        self.engine = engine
        self.render = renderer
        self.taxonomy = taxonomy

    def services(self, turn: Turn, request: Request, offset: int = 0) -> Reply:
        """A page of the services that match ``request`` in its area, or what to try instead."""
        result = find_services(self.engine, request.area, request.needs, request.age, request.audience,
                               offset=offset, limit=PAGE_SIZE)
        if not result.total:
            return self._nothing_found(turn, request, result)
        say = self.render.text
        header = say("directory_found", area=result.area, what=self._what(request), total=result.total,
                     first=offset + 1, last=result.next_offset)
        messages = [Message(header, custom=self._custom("directory_results", request, result))]
        messages += [Message(service_text(s, say), custom={"type": "directory_service", "service_id": s.id,
                                                            "area": s.area})
                     for s in result.services]
        search: DirectorySearch | None = None
        if result.has_more:
            search = search_for(Request(result.area, request.needs, request.age, request.audience), result.next_offset)
            messages[-1] = messages[-1].with_(buttons=(self.render.button(say("directory_more_button"), ASK_MORE),))
        else:
            messages.append(Message(say("directory_end", area=result.area), custom={"type": "directory_end"}))
        messages[-1] = messages[-1].with_(text=f"{messages[-1].text}\n{say('directory_check')}")
        return self._reply(turn, messages, result.area, search)

    def _nothing_found(self, turn: Turn, request: Request, result: Result) -> Reply:
        say = self.render.text
        described = [(a, alternative_text(a, say, self.taxonomy)) for a in result.alternatives]
        lines = [say("directory_none", area=result.area, what=self._what(request))]
        search: DirectorySearch | None = None
        buttons: tuple[Button, ...] = ()
        if described:
            lines.append(say("directory_alternatives"))
            lines += [say("directory_alternative", description=text, total=a.total) for a, text in described]
            best = result.alternatives[0]
            search = search_for(Request(result.area, best.needs, best.age, best.audience))
            buttons = (self.render.button(say("directory_show_alternative"), ASK_MORE),)
        if result.front_door is not None:
            lines.append(say("directory_front_door", area=result.area))
            lines.append(service_text(result.front_door, say))
        lines.append(say("directory_check"))
        custom = self._custom("directory_none", request, result)
        custom["alternatives"] = [{"kind": a.kind, "description": text, "total": a.total} for a, text in described]
        return self._reply(turn, [Message("\n".join(lines), buttons, custom)], result.area, search)

    def ask_area(self, turn: Turn, request: Request, prompt: str, names: list[str]) -> Reply:
        """``prompt`` with the loaded areas as buttons; the request waits for the area chosen."""
        buttons = tuple(self.render.button(name, LOCAL_SERVICES, area=name) for name in names)
        message = Message(prompt, buttons, {"type": "directory_ask_area", "areas": list(names)})
        return self._reply(turn, [message], turn.state.directory.area, search_for(request))

    def no_areas(self, turn: Turn) -> Reply:
        message = self.render.say("directory_no_areas", kind=KIND)
        return self._reply(turn, [message], turn.state.directory.area, None)

    @staticmethod
    def _reply(turn: Turn, messages: list[Message], area: str | None, search: DirectorySearch | None) -> Reply:
        state = turn.state.with_(directory=DirectoryState(area=area, search=search))
        return Reply(KIND, tuple(messages), state)

    def _what(self, request: Request) -> str:
        return request_text(request, self.render.text, self.taxonomy)

    @staticmethod
    def _custom(kind: str, request: Request, result: Result) -> dict[str, Any]:
        return {"type": kind, "area": result.area, "needs": list(request.needs), "age": _json_age(request.age),
                "audience": request.audience, "total": result.total, "offset": result.offset}
