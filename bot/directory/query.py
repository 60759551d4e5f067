"""Find local services for a practitioner's request.

``parse_request`` turns "any support for a 7 year old in Salford?" into a ``Request``; ``search``
returns a page of the services that match it, best first, and when nothing matches, the wider
searches that would find something and the area's children's social care front door.
``find_services`` is the same search by type, age and audience alone (the CLI, benchmarks).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Protocol, Sequence, Union, runtime_checkable

import numpy as np
from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine

from bot.directory import search as scoring
from bot.directory.cleaning import area_key
from bot.directory.models import AreaRow, ServiceRow
from bot.directory.reading import RequestReader, age_of, audience_of, default_reader
from bot.directory.schema import Service
from bot.directory.spelling import fold, tokens
from bot.directory.store import ensure_schema, has_full_text, service_from_row
from bot.directory.taxonomy import Taxonomy, load_taxonomy
from bot.directory.vectors import ServiceVectors

if TYPE_CHECKING:
    from bot.directory.areas import AreaMatch

Age = Union[int, tuple[int, int]]
FRONT_DOOR = "front_door"
KEPT = 60  # ranked ids a search returns at least (a conversation keeps them for "more")
SIDES_KEPT = 5000  # services' own words read for who they are for, kept by text


class FindsAreas(Protocol):
    def find(self, text: str) -> str | None: ...


@runtime_checkable
class MatchesAreas(Protocol):
    def match(self, text: str) -> AreaMatch | None: ...


@dataclass(frozen=True)
class Request:
    """What a practitioner asked for: area, needs (service type ids), age (years or a range), audience id,
    and, for ranking only (never shown or kept), the message and its words."""

    area: str | None = None
    needs: tuple[str, ...] = ()
    age: Age | None = None
    audience: str | None = None
    words: tuple[str, ...] = ()  # content words, matched against services' own text
    described: tuple[str, ...] = ()  # words describing a need that no service type names
    text: str = ""  # the message, for closeness in meaning

    def structural(self) -> "Request":
        """The request by type, age and audience alone (what a conversation keeps between turns)."""
        return Request(self.area, self.needs, self.age, self.audience)


@dataclass(frozen=True)
class Alternative:
    """A wider search that finds services when the asked-for one finds none."""

    kind: str  # "wider_need", "any_age", "any_audience", "any_need" or "all_services"
    needs: tuple[str, ...]
    age: Age | None
    audience: str | None
    total: int


@dataclass(frozen=True)
class Result:
    """A page of matching services, how many match in all, and (when none do) what would."""

    area: str | None
    services: list[Service]
    total: int
    offset: int = 0
    limit: int = 3
    area_known: bool = True
    alternatives: list[Alternative] = field(default_factory=list)
    front_door: Service | None = None
    ranked: tuple[str, ...] = ()  # every matching service's id, best first
    described: bool = False  # the request described a need in words that no service type names

    @property
    def has_more(self) -> bool:
        return self.offset + len(self.services) < self.total

    @property
    def next_offset(self) -> int:
        return self.offset + len(self.services)


def _bounds(age: Age | None) -> tuple[int, int] | None:
    if age is None:
        return None
    return (age, age) if isinstance(age, int) else (int(age[0]), int(age[1]))


def _area(conn: Connection, area: str | None):
    if not area:
        return None
    return conn.execute(select(AreaRow.id, AreaRow.name).where(AreaRow.key == area_key(area))).first()


def _wanted(request: Request, taxonomy: Taxonomy) -> scoring.Wanted:
    implied = {a for n in request.needs if n in taxonomy.types for a in taxonomy.types[n].audiences}
    return scoring.Wanted(
        needs=request.needs, harm_needs=bool(implied) and implied <= scoring.HARM_SIDE, age=_bounds(request.age),
        audience=request.audience, words=request.words, described=request.described)


class Searcher:
    """Runs searches over one database, with meaning vectors when an encoder is available."""

    def __init__(self, engine: Engine, taxonomy: Taxonomy | None = None, vectors: ServiceVectors | None = None,
                 reader: RequestReader | None = None):
        self.engine = engine
        self.taxonomy = taxonomy or load_taxonomy()
        self.vectors = vectors
        self.reader = reader
        self._sides: dict[str, str | None] = {}

    def search(self, request: Request, offset: int = 0, limit: int = 3) -> Result:
        """A page of the services matching ``request`` in its area (best first), or what to try instead."""
        ensure_schema(self.engine)
        offset = max(offset, 0)
        with self.engine.connect() as conn:
            area_row = _area(conn, request.area)
            if area_row is None:
                return Result(area=request.area, services=[], total=0, offset=offset, limit=limit, area_known=False)
            ranked, total = self._ranked(conn, area_row.id, request, max(KEPT, offset + limit))
            if total:
                services = self._services(conn, area_row, ranked[offset:offset + limit])
                return Result(area_row.name, services, total, offset, limit, ranked=tuple(ranked[:KEPT]),
                              described=bool(request.described))
            return Result(
                area=area_row.name, services=[], total=0, offset=offset, limit=limit,
                alternatives=self._alternatives(conn, area_row.id, request), front_door=self._front_door(conn, area_row),
                described=bool(request.described and not request.needs),
            )

    def page(self, area: str, ids: Sequence[str]) -> list[Service]:
        """The services ``ids`` of ``area``, in that order (a kept search's next page)."""
        ensure_schema(self.engine)
        with self.engine.connect() as conn:
            area_row = _area(conn, area)
            return self._services(conn, area_row, ids) if area_row is not None else []

    def _ranked(self, conn: Connection, area_id: int, request: Request, window: int = KEPT) -> tuple[list[str], int]:
        """The matching services' ids, best first (at least the first ``window`` of them), and how many match."""
        closeness = self._closeness(conn, area_id, request.text) if request.text else None
        wanted = replace(_wanted(request, self.taxonomy), by_meaning=closeness is not None)
        if not wanted.loose:  # by type, age and audience alone: the database orders and counts
            first = scoring.ordered_ids(conn, area_id, wanted, window)
            total = scoring.count(conn, area_id, wanted) if len(first) == window else len(first)
            other = self._other_side(conn, area_id, [sid for sid, unstated in first if unstated], request.audience)
            return [sid for sid, _ in first if sid not in other], total - len(other)
        candidates = scoring.read_candidates(conn, area_id, wanted)
        if not candidates:
            return [], 0
        full_text = has_full_text(self.engine)
        scores = scoring.word_scores(conn, area_id, wanted.words, full_text)
        described: frozenset[str] = frozenset()
        if request.described:
            hits = scoring.word_scores(conn, area_id, request.described, full_text)
            described = frozenset(sid for sid, score in hits.items() if score > 0)
        ranked = scoring.rank(candidates, wanted, scores, described, closeness)
        other = self._other_side(conn, area_id, [c.id for c in ranked if c.unstated], request.audience)
        return [c.id for c in ranked if c.id not in other], len(ranked) - len(other)

    def _closeness(self, conn: Connection, area_id: int, text: str) -> scoring.Closeness | None:
        """Closeness in meaning of candidates to ``text`` (their words are read only for the ones re-ranked)."""
        if self.vectors is None:
            return None
        vectors, query = self.vectors, self.vectors.query(text)

        def closeness(candidates: Sequence[scoring.Candidate]) -> np.ndarray:
            texts = scoring.read_texts(conn, area_id, [c.id for c in candidates])
            return vectors.closeness(query, [texts.get(c.id, c.name) for c in candidates])

        return closeness

    def _other_side(self, conn: Connection, area_id: int, unstated: list[str], audience: str | None) -> set[str]:
        """Of services that do not say who they are for, those whose own words say it is the other side
        ("a course for fathers who have been violent" in a search for a mother). The first ``RERANK``
        are read; the rest rank last and stay."""
        if not audience or not unstated:
            return set()
        texts = scoring.read_texts(conn, area_id, unstated[:scoring.RERANK], with_name=False)
        harm = audience in scoring.HARM_SIDE
        return {sid for sid, text in texts.items()
                if (side := self._side_of(text)) is not None and (side in scoring.HARM_SIDE) != harm}

    def _side_of(self, text: str) -> str | None:
        if text not in self._sides:
            reader = self.reader or default_reader(self.taxonomy)
            if len(self._sides) >= SIDES_KEPT:
                self._sides.clear()
            self._sides[text] = reader.who_for(text)
        return self._sides[text]

    def _services(self, conn: Connection, area_row, ids: Sequence[str]) -> list[Service]:
        if not ids:
            return []
        rows = conn.execute(select(ServiceRow).where(ServiceRow.area_id == area_row.id, ServiceRow.id.in_(list(ids))))
        found = {row.id: service_from_row(row, area_row.name) for row in rows}
        return [found[i] for i in ids if i in found]

    def _count(self, conn: Connection, area_id: int, request: Request) -> int:
        return scoring.count(conn, area_id, _wanted(request.structural(), self.taxonomy))

    def _alternatives(self, conn: Connection, area_id: int, request: Request) -> list[Alternative]:
        """The wider searches, nearest first, that find services (``bot.directory.render`` words them)."""
        tries = []
        wider = self.taxonomy.broader(request.needs) if request.needs else ()
        if wider:
            tries.append(("wider_need", replace(request, needs=wider)))
        if request.described and not request.needs:  # a need no type names: only "anything else" is wider
            kind = "any_need" if request.audience or request.age is not None else "all_services"
            tries = [(kind, replace(request, described=()))]
        if request.age is not None and not request.described:
            tries.append(("any_age", replace(request, age=None)))
        if request.audience and not request.described:
            tries.append(("any_audience", replace(request, audience=None)))
        if request.needs:
            tries.append(("any_need", replace(request, needs=())))
        found = []
        for kind, wider_request in tries:
            total = self._count(conn, area_id, wider_request)
            if total:
                found.append(Alternative(kind, wider_request.needs, wider_request.age, wider_request.audience, total))
        return found

    def _front_door(self, conn: Connection, area_row) -> Service | None:
        ids, _ = self._ranked(conn, area_row.id, Request(area_row.name, (FRONT_DOOR,)), window=1)
        return self._services(conn, area_row, ids[:1])[0] if ids else None


def find_services(
    engine: Engine, area: str | None, needs=(), age: Age | None = None, audience: str | None = None,
    offset: int = 0, limit: int = 3,
) -> Result:
    """Services in ``area`` offering any of ``needs`` (all services when empty), for ``age`` and ``audience``.

    Services of no age limits count as matching any age. For an audience, only services for it
    (or, for a type asked for, of unstated audience, after the others). When none match,
    ``alternatives`` holds the wider searches that would find some and ``front_door`` the area's
    children's social care front door (if listed).
    """
    return Searcher(engine).search(Request(area, tuple(needs), age, audience), offset, limit)


def front_door(engine: Engine, area: str) -> Service | None:
    """The children's social care front door / MASH listed for ``area``, if any."""
    ensure_schema(engine)
    searcher = Searcher(engine)
    with engine.connect() as conn:
        area_row = _area(conn, area)
        return searcher._front_door(conn, area_row) if area_row is not None else None


def parse_request(text: str, areas_matcher: FindsAreas | None = None, taxonomy: Taxonomy | None = None) -> Request:
    """The area (through ``areas_matcher``), needs, age, audience and words of ``text``.

    "perpetrator programme near Leeds" gives need ``perpetrator_programme`` (for adults who cause
    harm); "for mum" the ``adult_victim`` audience; "a 7 year old" age 7 and the ``child`` audience;
    "teenager" the age range (13, 17).
    """
    match, area = None, None
    if isinstance(areas_matcher, MatchesAreas):
        match = areas_matcher.match(text)
        area = match.area if match is not None and match.sure else None
    elif areas_matcher is not None:
        area = areas_matcher.find(text)
    typed: frozenset[str] = frozenset(match.words) if match is not None and area else frozenset()
    return read_request(text, area, frozenset(tokens(area or "")) | typed, taxonomy=taxonomy)


def read_request(text: str, area: str | None, leave_out: frozenset[str] = frozenset(),
                 reader: RequestReader | None = None, taxonomy: Taxonomy | None = None) -> Request:
    """The request in ``text`` for ``area``; ``leave_out`` are the words that named the area (as typed),
    which neither match services' text nor count towards closeness in meaning."""
    taxonomy = taxonomy or load_taxonomy()
    text = _without(text, leave_out)
    reading = (reader or default_reader(taxonomy)).read(text, leave_out)
    return Request(area=area, needs=reading.needs, age=age_of(reading), audience=audience_of(reading, taxonomy),
                   words=reading.words, described=reading.described, text=text)


def _without(text: str, words: frozenset[str]) -> str:
    """``text`` without ``words`` (the area's name, and the "in", "near"... before it): every service of
    the area shares the name, and it parts words that belong together ("a boy in Wexcombe who hits")."""
    if not words:
        return text
    name = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    pattern = re.compile(r"(?:\b(?:in|near|around|across|covering|at)\s+)?(?:\b(?:" + name + r")(?:'s)?\b\s*)+")
    return " ".join(pattern.sub(" ", fold(text)).split())
