"""Local services as a dialogue: "what is available locally?", the area question, pages of
services with "more", and an honest reply with alternatives when nothing matches.

A mixin of ``Assistant``. The directory itself (import, query, area names) lives in
``bot.directory``; the wording is in ``knowledge/messages.yml``. Area names come from the
loaded directory through ``AreaMatcher``, which notices imports made while the assistant
runs, so a new area is recognised without retraining or restarting.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace

from bot.directory.areas import AreaMatcher
from bot.directory.query import Request, Result, find_services, parse_request
from bot.directory.render import age_text, service_text
from bot.directory.taxonomy import load_taxonomy
from bot.dialogue.types import BotMessage, Reply, Turn, button_payload

log = logging.getLogger(__name__)

LOCAL_SERVICES = "ask_local_services"
PAGE_SIZE = 3
LOCAL_TOPIC = "local_support"  # the knowledge topic whose entries explain knowing the local offer
# "near Leeds", "in Salford": a capitalised place name the directory may not hold.
PLACE = re.compile(r"\b(?:in|near|around|for|across|covering)\s+((?:[A-Z][a-z'\-]+)(?:\s+[A-Z][a-z'\-]+){0,2})")
# Words that make a request local when the area is already known ("any local refuge?").
LOCAL_WORDS = re.compile(r"\b(local|locally|near|nearby|nearest|round here|around here|in (my|our|the) area|my patch|"
                         r"our patch|in this area)\b")
# Words that ask for services at all; without them (or an area) a question the classifier
# took for "local services" ("will an anger management course deal with the DA?") is
# answered from the knowledge instead.
SERVICE_WORDS = re.compile(r"\b(available|services?|refer (him|her|them|to|on)|referral to|where can|where do i|"
                           r"who can (help|support)|on offer|signpost|provision|providers?|groups? for|near me)\b")
# Asking whether a kind of service exists: "any refuge space?", "is there a perpetrator programme?"
EXISTENCE = re.compile(r"^(any|anything|anyone|is there|are there)\b|\b(is there an?|are there any|do you know any|"
                       r"need an?|looking for an?)\b")
NOT_PLACES = {"I", "DA", "DV", "CSC", "MASH", "MARAC", "IDVA", "Mum", "Dad", "Mother", "Father", "The", "My", "Our"}


class DirectoryDialogue:
    """Local-services turns for ``Assistant``; see ``bot.directory`` for the data and queries."""

    areas: AreaMatcher | None = None

    def local_services(self, turn: Turn) -> Reply:
        """Entry point for ``ask_local_services`` (typed, or an area button)."""
        return self._guarded(turn, self._local_services)

    def _is_local_request(self, turn: Turn) -> bool:
        """The message asks for services in a place the directory holds ("refuge in Demoshire?")."""
        if self.areas is None or (turn.text or "").startswith("/"):
            return False
        try:
            area = self.areas.find(turn.text or "")
        except Exception:  # a directory problem must not stop knowledge answers
            log.exception("could not read the directory's areas")
            return False
        request = parse_request(turn.text, None)
        if area is None:
            lowered = turn.text.lower()
            # "perpetrator programme near Leeds?": a place the directory lacks, asked about as local.
            if self._unknown_place(turn.text) and (LOCAL_WORDS.search(lowered) or SERVICE_WORDS.search(lowered)):
                return True
            # The area is remembered and the message asks for a kind of service nearby.
            return bool(turn.area and LOCAL_WORDS.search(lowered) and (request.needs or request.audience))
        return bool(request.needs or request.audience or request.age is not None
                    or re.search(r"\b(service|services|support|help|available|refer|offer)\b", turn.text.lower()))

    def _local_services(self, turn: Turn) -> Reply:
        if self.areas is None:
            return self._answer(turn)
        text = turn.text or ""
        pending = turn.directory or {}
        if text.startswith("/"):
            # An area button: carry on with the request that was waiting for the area.
            request = Request(needs=tuple(pending.get("needs") or ()), age=_age(pending.get("age")),
                              audience=pending.get("audience"))
            chosen = turn.entity_values("area")
            area = chosen[0] if chosen else turn.area
        else:
            request = parse_request(text, self.areas)
            lowered = text.lower().strip()
            if not (request.area or self._unknown_place(text) or LOCAL_WORDS.search(lowered)
                    or SERVICE_WORDS.search(lowered) or (request.needs and EXISTENCE.search(lowered))):
                return self._answer(replace(turn, intent=None))
            area = request.area
            if area is None:
                unknown = self._unknown_place(text)
                if unknown:
                    return self._ask_area(request, self.messages["directory_unknown_area"].format(area=unknown))
                area = turn.area
        names = self.areas.names()
        if not names:
            return self._with_guidance(turn, self._text_reply("directory", self.messages["directory_no_areas"]))
        if area is None or area not in names:
            return self._with_guidance(turn, self._ask_area(request, self.messages["directory_ask_area"]))
        return self._services_page(Request(area, request.needs, request.age, request.audience), 0)

    def _more_services(self, turn: Turn) -> Reply:
        """The next page of the last search (or the suggested wider search when it found none)."""
        state = turn.directory or {}
        request = Request(state.get("area"), tuple(state.get("needs") or ()), _age(state.get("age")),
                          state.get("audience"))
        return self._services_page(request, int(state.get("offset") or 0))

    def _services_page(self, request: Request, offset: int) -> Reply:
        result = find_services(self.directory_engine, request.area, request.needs, request.age, request.audience,
                               offset=offset, limit=PAGE_SIZE)
        if not result.total:
            return self._nothing_found(request, result)
        what = self._what(request)
        header = self.messages["directory_found"].format(
            area=result.area, what=what, total=result.total, first=offset + 1, last=result.next_offset)
        messages = [BotMessage(header, custom=self._custom("directory_results", request, result))]
        for service in result.services:
            messages.append(BotMessage(service_text(service), custom={
                "type": "directory_service", "service_id": service.id, "area": service.area}))
        state = None
        if result.has_more:
            messages[-1].buttons = [{"title": self.messages["directory_more_button"],
                                     "payload": button_payload("ask_more")}]
            state = _state(request, result.next_offset)
        else:
            messages.append(BotMessage(self.messages["directory_end"].format(area=result.area),
                                       custom={"type": "directory_end"}))
        messages[-1].text += "\n" + self.messages["directory_check"]
        return Reply("directory", messages, area=result.area, directory=state, directory_changed=True)

    def _nothing_found(self, request: Request, result: Result) -> Reply:
        lines = [self.messages["directory_none"].format(area=result.area, what=self._what(request))]
        state, buttons = None, []
        if result.alternatives:
            lines.append(self.messages["directory_alternatives"])
            lines += [f"- {a.description}: {a.total}" for a in result.alternatives]
            best = result.alternatives[0]
            state = _state(Request(result.area, best.needs, best.age, best.audience), 0)
            buttons = [{"title": self.messages["directory_show_alternative"], "payload": button_payload("ask_more")}]
        if result.front_door is not None:
            lines.append(self.messages["directory_front_door"].format(area=result.area))
            lines.append(service_text(result.front_door))
        lines.append(self.messages["directory_check"])
        custom = self._custom("directory_none", request, result)
        custom["alternatives"] = [{"kind": a.kind, "description": a.description, "total": a.total}
                                  for a in result.alternatives]
        message = BotMessage("\n".join(lines), buttons=buttons, custom=custom)
        return Reply("directory", [message], area=result.area, directory=state, directory_changed=True)

    def _ask_area(self, request: Request, prompt: str) -> Reply:
        names = self.areas.names()
        buttons = [{"title": name, "payload": button_payload(LOCAL_SERVICES, area=name)} for name in names]
        message = BotMessage(prompt, buttons=buttons, custom={"type": "directory_ask_area", "areas": names})
        pending = {"needs": list(request.needs), "age": _json_age(request.age), "audience": request.audience}
        return Reply("directory", [message], directory=pending, directory_changed=True)

    def _with_guidance(self, turn: Turn, reply: Reply) -> Reply:
        """Before asking for the area: the cited entry on knowing the local offer, when it fits."""
        text = turn.text or ""
        if parse_request(text, None).audience == "child":
            text += " children"  # "where can I send him?" about a 10 year old: the children's entry
        try:
            hits = self.index.search(text, limit=len(self.entries))
        except Exception:
            log.exception("could not rank local-support guidance")
            return reply
        local = [h for h in hits if h.entry.topic == LOCAL_TOPIC]
        if local and not (turn.text or "").startswith("/"):
            guidance = self._entry_reply(local[0].entry)
            reply.messages[:0] = guidance.messages
            reply.entry_id = guidance.entry_id
        return reply

    def _unknown_place(self, text: str) -> str | None:
        """A place named in the message ("near Leeds") that the directory does not hold."""
        for match in PLACE.finditer(text):
            words = [w for w in match.group(1).split() if w not in NOT_PLACES]
            if words and words[0] == match.group(1).split()[0]:
                return " ".join(words)
        return None

    def _what(self, request: Request) -> str:
        taxonomy = load_taxonomy()
        parts = []
        if request.needs:
            parts.append(self.messages["directory_what_needs"].format(
                needs=" or ".join(taxonomy.label(n) for n in request.needs)))
        if request.audience:
            parts.append(self.messages["directory_what_audience"].format(
                audience=taxonomy.audience_label(request.audience)))
        if request.age is not None:
            low, high = (request.age, request.age) if isinstance(request.age, int) else request.age
            parts.append(self.messages["directory_what_age"].format(
                age=str(low) if low == high else age_text(low, high).removeprefix("ages ")))
        return "".join(" " + p for p in parts)

    @staticmethod
    def _custom(kind: str, request: Request, result: Result) -> dict:
        return {"type": kind, "area": result.area, "needs": list(request.needs), "age": _json_age(request.age),
                "audience": request.audience, "total": result.total, "offset": result.offset}


def _state(request: Request, offset: int) -> dict:
    return {"area": request.area, "needs": list(request.needs), "age": _json_age(request.age),
            "audience": request.audience, "offset": offset}


def _json_age(age):
    return list(age) if isinstance(age, tuple) else age


def _age(raw):
    if isinstance(raw, list) and len(raw) == 2:
        return tuple(int(x) for x in raw)
    return int(raw) if isinstance(raw, (int, float)) else None
