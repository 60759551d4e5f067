"""Find local services for a practitioner's request, and read the request from their words.

``parse_request`` turns "any support for a 7 year old in Salford?" into a ``Request``;
``find_services`` returns a page of matching services, and when nothing matches, the
nearest wider searches that would find something and the area's children's social care
front door.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol, Union

from sqlalchemy import bindparam, case, func, or_, select
from sqlalchemy.engine import Engine

from bot.directory.models import AreaRow, ServiceRow, ServiceTagRow
from bot.directory.schema import Service
from bot.directory.store import ensure_schema, service_from_row
from bot.directory.taxonomy import Taxonomy, load_taxonomy
from bot.directory.validate import MAX_AGE
from bot.text.normalise import normalise

Age = Union[int, tuple[int, int]]
ADULT = 18
FRONT_DOOR = "front_door"


class FindsAreas(Protocol):
    def find(self, text: str) -> str | None: ...


@dataclass(frozen=True)
class Request:
    """What a practitioner asked for: area, needs (service type ids), age (years or a range), audience id."""

    area: str | None = None
    needs: tuple[str, ...] = ()
    age: Age | None = None
    audience: str | None = None


@dataclass(frozen=True)
class Alternative:
    """A wider search that finds services when the asked-for one finds none."""

    kind: str  # "wider_need", "any_age", "any_audience" or "any_need"
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

    @property
    def has_more(self) -> bool:
        return self.offset + len(self.services) < self.total

    @property
    def next_offset(self) -> int:
        return self.offset + len(self.services)


def _age_bounds(age: Age | None) -> tuple[int, int] | None:
    if age is None:
        return None
    if isinstance(age, int):
        return age, age
    low, high = age
    return int(low), int(high)


SERVICES, AREAS, TAGS = ServiceRow.__table__, AreaRow.__table__, ServiceTagRow.__table__


def _conditions(area_id, needs: bool, age: bool, audience: bool) -> list:
    """WHERE clauses for one query shape; values come as bound parameters (see ``_params``)."""
    s = SERVICES.c
    conditions = [s.area_id == area_id]
    if needs:
        tagged = select(TAGS.c.service_id).where(
            TAGS.c.area_id == area_id, TAGS.c.kind == "type", TAGS.c.value.in_(bindparam("needs", expanding=True))
        )
        conditions.append(s.id.in_(tagged))
    if age:
        conditions.append(or_(s.min_age.is_(None), s.min_age <= bindparam("age_high")))
        conditions.append(or_(s.max_age.is_(None), s.max_age >= bindparam("age_low")))
    if audience:
        conditions.append(or_(s.audiences == "", s.audiences.like(bindparam("audience_like"))))
        conditions.append(or_(s.min_age.is_(None), s.min_age < bindparam("audience_below")))
    return conditions


def _age_span(min_age: int | None, max_age: int | None) -> int:
    """How wide a service's age range is (no limits: the widest); the SQL below orders by the same."""
    return (MAX_AGE if max_age is None else max_age) - (0 if min_age is None else min_age)


@dataclass(frozen=True)
class _Statements:
    count: object
    page: object


@lru_cache(maxsize=16)
def _statements(needs: bool, age: bool, audience: bool) -> _Statements:
    """The statements for one query shape, built once: building SQL costs more than running it here."""
    area_id = bindparam("area_id")
    conditions = _conditions(area_id, needs, age, audience)
    order = [SERVICES.c.name, SERVICES.c.id]
    if age:
        # For "a 15 year old", a service for ages 13 to 17 comes before one for all ages.
        order.insert(0, func.coalesce(SERVICES.c.max_age, MAX_AGE) - func.coalesce(SERVICES.c.min_age, 0))
    if audience:
        order.insert(0, case((SERVICES.c.audiences.like(bindparam("audience_like")), 0), else_=1))
    page_ids = (
        select(SERVICES.c.id).where(*conditions).order_by(*order)
        .offset(bindparam("offset")).limit(bindparam("limit")).scalar_subquery()
    )
    page = (
        select(SERVICES, AREAS.c.name.label("area_name")).join(AREAS, AREAS.c.id == SERVICES.c.area_id)
        .where(SERVICES.c.area_id == area_id, SERVICES.c.id.in_(page_ids))
    )
    return _Statements(select(func.count()).select_from(SERVICES).where(*conditions), page)


def _params(area_id: int, needs: tuple[str, ...], age: Age | None, audience: str | None, offset=0, limit=3) -> dict:
    params: dict = {"area_id": area_id, "offset": offset, "limit": limit}
    if needs:
        params["needs"] = list(needs)
    bounds = _age_bounds(age)
    if bounds:
        params["age_low"], params["age_high"] = bounds
    if audience:
        params["audience_like"] = f"%,{audience},%"
        # a child with no age given still should not be sent to adult-only services
        params["audience_below"] = ADULT if audience == "child" and not bounds else MAX_AGE + 1
    return params


def _shape(needs, age, audience) -> _Statements:
    return _statements(bool(needs), age is not None, bool(audience))


def _area_key(area: str) -> str:
    return " ".join(area.split()).casefold()


def _area(conn, area: str | None):
    if not area:
        return None
    return conn.execute(select(AREAS.c.id, AREAS.c.name).where(AREAS.c.key == _area_key(area))).first()


def _count(conn, area, needs, age, audience) -> int:
    return conn.execute(_shape(needs, age, audience).count, _params(area, needs, age, audience)).scalar() or 0


def _page(conn, area, needs, age, audience, offset: int, limit: int) -> list[Service]:
    """A page of services in query order."""
    statements = _shape(needs, age, audience)
    params = _params(area, needs, age, audience, offset, limit)
    services = [service_from_row(row, row.area_name) for row in conn.execute(statements.page, params)]
    return sorted(services, key=lambda s: (bool(audience) and audience not in s.audiences,
                                           _age_span(s.min_age, s.max_age) if age is not None else 0, s.name, s.id))


def find_services(
    engine: Engine, area: str | None, needs=(), age: Age | None = None, audience: str | None = None,
    offset: int = 0, limit: int = 3,
) -> Result:
    """Services in ``area`` offering any of ``needs`` (all services when empty), for ``age`` and ``audience``.

    Services that do not say who they are for, or give no age limits, count as matching.
    Services listing the audience come first, then by name. When none match, ``alternatives``
    holds the wider searches that would find some and ``front_door`` the area's children's
    social care front door (if listed).
    """
    ensure_schema(engine)
    needs, offset = tuple(needs), max(offset, 0)
    with engine.connect() as conn:
        area_row = _area(conn, area)
        if area_row is None:
            return Result(area=area, services=[], total=0, offset=offset, limit=limit, area_known=False)
        total = _count(conn, area_row.id, needs, age, audience)
        if total:
            services = _page(conn, area_row.id, needs, age, audience, offset, limit)
            return Result(area=area_row.name, services=services, total=total, offset=offset, limit=limit)
        return Result(
            area=area_row.name, services=[], total=0, offset=offset, limit=limit,
            alternatives=_alternatives(conn, area_row.id, needs, age, audience, load_taxonomy()),
            front_door=_front_door(conn, area_row.id),
        )


def _alternatives(
    conn, area_id: int, needs: tuple[str, ...], age: Age | None, audience: str | None, taxonomy: Taxonomy,
) -> list[Alternative]:
    """The wider searches, nearest first, that find services (``bot.directory.render`` words them)."""
    tries = []
    wider = taxonomy.broader(needs) if needs else ()
    if wider:
        tries.append(("wider_need", wider, age, audience))
    if age is not None:
        tries.append(("any_age", needs, None, audience))
    if audience:
        tries.append(("any_audience", needs, age, None))
    if needs:
        tries.append(("any_need", (), age, audience))
    found = []
    for kind, try_needs, try_age, try_audience in tries:
        total = _count(conn, area_id, try_needs, try_age, try_audience)
        if total:
            found.append(Alternative(kind, try_needs, try_age, try_audience, total))
    return found


def _front_door(conn, area_id: int) -> Service | None:
    found = _page(conn, area_id, (FRONT_DOOR,), None, None, 0, 1)
    return found[0] if found else None


def front_door(engine: Engine, area: str) -> Service | None:
    """The children's social care front door / MASH listed for ``area``, if any."""
    ensure_schema(engine)
    with engine.connect() as conn:
        area_row = _area(conn, area)
        return _front_door(conn, area_row.id) if area_row else None


# --- reading a request -------------------------------------------------------------------

_NUMBERS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen".split()
)}
_NUMBER = r"(\d{1,2}|" + "|".join(_NUMBERS) + r")"
_AGE_PATTERNS = (
    re.compile(r"\b" + _NUMBER + r"\s*-?\s*(?:(?:years?|yrs?)\s*-?\s*olds?|yo|y/o)\b"),
    re.compile(r"\baged?\s+" + _NUMBER + r"\b"),
    re.compile(r"\b" + _NUMBER + r"\s*-?\s*months?\s*-?\s*olds?\b"),
)


class _RequestReader:
    """Phrase matching on lemmas for needs, audiences and age words from the taxonomy file."""

    def __init__(self, taxonomy: Taxonomy):
        from spacy.matcher import PhraseMatcher

        from bot.nlp.pipeline import build_nlp

        self.taxonomy = taxonomy
        self.nlp = build_nlp([])
        self.nlp.remove_pipe("entity_ruler")  # the project's lemmatizer only; phrases are matched below
        self.matcher = PhraseMatcher(self.nlp.vocab, attr="LEMMA")
        self.ages: dict[str, tuple[int, int]] = {}
        for t in taxonomy.types.values():
            self._add(f"need:{t.id}", (*t.keywords, t.label))
        for a in taxonomy.audiences.values():
            self._add(f"audience:{a.id}", (*a.synonyms, a.label))
        for word in taxonomy.ages:
            key = f"age:{word.min}-{word.max}"
            self.ages[key] = (word.min, word.max)
            self._add(key, (word.phrase,))

    def _add(self, key: str, phrases) -> None:
        self.matcher.add(key, [self.nlp(normalise(p)) for p in phrases])

    def read(self, text: str) -> tuple[tuple[str, ...], str | None, Age | None]:
        from spacy.util import filter_spans

        doc = self.nlp(normalise(text)[:2000])
        matches = [(self.nlp.vocab.strings[key], doc[start:end]) for key, start, end in self.matcher(doc)]
        found: dict[str, list[str]] = {"need": [], "audience": [], "age": []}
        for kind, values in found.items():
            mine = [(label.split(":", 1)[1], span) for label, span in matches if label.startswith(kind + ":")]
            kept = {(span.start, span.end) for span in filter_spans([span for _, span in mine])}
            for value, span in sorted(mine, key=lambda m: m[1].start):
                if (span.start, span.end) in kept and value not in values:
                    values.append(value)
        age = _number_age(doc.text)
        if age is None and found["age"]:
            age = self.ages[f"age:{found['age'][0]}"]
        audience = found["audience"][0] if found["audience"] else None
        return self.taxonomy.ordered(found["need"]), audience, age


def _number_age(text: str) -> Age | None:
    for index, pattern in enumerate(_AGE_PATTERNS):
        match = pattern.search(text)
        if match:
            value = match.group(1)
            years = int(value) if value.isdigit() else _NUMBERS[value]
            return 0 if index == 2 else years
    return None


@lru_cache(maxsize=2)
def _reader(taxonomy: Taxonomy) -> _RequestReader:
    return _RequestReader(taxonomy)


def parse_request(text: str, areas_matcher: FindsAreas | None = None, taxonomy: Taxonomy | None = None) -> Request:
    """The area (through ``areas_matcher``), needs, age and audience named in ``text``.

    "perpetrator programme near Leeds" gives need ``perpetrator_programme``; "for mum" the
    ``adult_victim`` audience; "a 7 year old" age 7 and the ``child`` audience; "teenager"
    the age range (13, 17).
    """
    needs, audience, age = _reader(taxonomy or load_taxonomy()).read(text)
    if age is not None:
        # An age under 18 names the child ("a 10 year old who saw dad hit mum"), whoever else is mentioned.
        low = age if isinstance(age, int) else age[0]
        audience = "child" if low < ADULT else audience
    area = areas_matcher.find(text) if areas_matcher is not None else None
    return Request(area=area, needs=needs, age=age, audience=audience)
