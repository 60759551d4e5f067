"""Score an area's services against a request: who they are for, the types asked for, the request's
own words in the services' text (``bot.directory.fulltext``, else LIKE), and closeness in meaning.

``Candidates.read`` takes the area's services that fit the request's age and audience (services
for people who cause harm never fit a search for a victim or a child, and the reverse);
``rank`` keeps those that match what was asked and orders them by relevance. Closeness in meaning
re-ranks at most ``RERANK`` of them, the best by their words.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
from sqlalchemy import and_, case, false, func, literal, not_, or_, select
from sqlalchemy.engine import Connection

from bot.directory import fulltext
from bot.directory.models import ServiceRow, ServiceTagRow
from bot.directory.validate import MAX_AGE
from bot.directory.vectors import service_text

RERANK = 200  # candidates re-ranked by meaning at most
FTS_LIMIT = 200
# A service of no type, or of unstated audience, counts as matching by meaning at this closeness.
MEANING_MATCH = 0.5
HARM_SIDE = frozenset({"adult_causing_harm", "young_person_causing_harm"})
VICTIM_SIDE = frozenset({"adult_victim", "child"})
AGE_SPAN = 24  # years: a service for a range this wide or wider fits an age asked about no better than any
_WEIGHTS = {"need": 3.0, "words": 1.5, "meaning": 2.5, "exact_audience": 0.4, "age_fit": 0.5}
SERVICES, TAGS = ServiceRow.__table__, ServiceTagRow.__table__
# closeness(candidates) -> cosine similarity of each with the request, NaN where not known yet
Closeness = Callable[[Sequence["Candidate"]], np.ndarray]


@dataclass(slots=True)
class Candidate:
    """A service of the area as the search sees it, with its scores once ranked (set in place: a search
    scores thousands of them)."""

    id: str
    name: str
    types: tuple[str, ...]
    audiences: tuple[str, ...]
    min_age: int | None
    max_age: int | None
    words: float = 0.0  # its text's match with the request's words, 0 to 1
    meaning: float = math.nan  # closeness in meaning to the request
    need: float = 0.0  # 1: a type asked for; 0.8: for the people the type asked for serves
    score: float = 0.0

    @property
    def unstated(self) -> bool:
        return not self.audiences


@dataclass(frozen=True)
class Wanted:
    """What the search is for, in the terms the ranking needs."""

    needs: tuple[str, ...] = ()
    harm_needs: bool = False  # every type asked for is a programme for people who cause harm
    age: tuple[int, int] | None = None
    audience: str | None = None
    words: tuple[str, ...] = ()
    described: tuple[str, ...] = ()
    by_meaning: bool = False  # closeness in meaning will be known (an encoder is there)

    @property
    def loose(self) -> bool:
        """Whether a service may match by its own words or meaning (not only by its type and audience)."""
        return bool(self.words or self.described or self.by_meaning)


def fits_audience(audiences: tuple[str, ...], audience: str | None) -> bool:
    """Whether a service's stated audiences allow a search for ``audience`` (unstated ones do, for now)."""
    if audience is None or not audiences:
        return True
    if audience in VICTIM_SIDE and set(audiences) & HARM_SIDE:
        return False  # never a course for people who cause harm in a search for a victim or a child
    return audience in audiences


def _conditions(area_id: int, wanted: Wanted) -> list:
    """The SQL form of what a candidate must be: in the area, of the age, for the audience (or not saying,
    when that can still match), and for a need asked: of the type (or, matching by words, of no type)."""
    s = SERVICES.c
    conditions = [s.area_id == area_id]
    if wanted.age is not None:
        low, high = wanted.age
        conditions += [or_(s.min_age.is_(None), s.min_age <= high), or_(s.max_age.is_(None), s.max_age >= low)]
    typed = s.id.in_(select(TAGS.c.service_id).where(
        TAGS.c.area_id == area_id, TAGS.c.kind == "type", TAGS.c.value.in_(list(wanted.needs)))) if wanted.needs else None
    if wanted.audience:
        stated = s.audiences.like(f"%,{wanted.audience},%")
        if wanted.audience in VICTIM_SIDE:
            stated = and_(stated, not_(s.audiences.like("%causing_harm%")))
        unstated = s.audiences == ""
        if not wanted.loose:
            unstated = and_(unstated, typed) if typed is not None else false()
        conditions.append(or_(stated, unstated))
    if typed is not None:
        options = [typed]
        if wanted.harm_needs:
            options.append(s.audiences.like("%causing_harm%"))
        if wanted.loose:
            options.append(s.types == "")
        conditions.append(or_(*options))
    return conditions


def read_candidates(conn: Connection, area_id: int, wanted: Wanted) -> list[Candidate]:
    """The area's services that may match the request (their ages and audiences fit; see ``_conditions``)."""
    s = SERVICES.c
    query = select(s.id, s.name, s.types, s.audiences, s.min_age, s.max_age).where(*_conditions(area_id, wanted))
    return [Candidate(row.id, row.name, tuple(filter(None, row.types.split(","))),
                      tuple(filter(None, row.audiences.split(","))), row.min_age, row.max_age)
            for row in conn.execute(query)]


def ordered_ids(conn: Connection, area_id: int, wanted: Wanted, limit: int) -> list[tuple[str, bool]]:
    """For a request by type, age and audience alone (nothing to read in services' words), the first
    ``limit`` matching services as ``rank`` would order them, worked out by the database:
    (id, whether its audience is unstated)."""
    s = SERVICES.c
    conditions = _conditions(area_id, wanted)
    terms = []
    if wanted.needs:
        typed = s.id.in_(select(TAGS.c.service_id).where(
            TAGS.c.area_id == area_id, TAGS.c.kind == "type", TAGS.c.value.in_(list(wanted.needs))))
        implied = case((s.audiences.like("%causing_harm%"), _WEIGHTS["need"] * 0.8), else_=0.0) \
            if wanted.harm_needs else literal(0.0)
        terms.append(case((typed, _WEIGHTS["need"]), else_=implied))
    if wanted.audience:
        terms.append(case((s.audiences == f",{wanted.audience},", _WEIGHTS["exact_audience"]), else_=0.0))
    if wanted.age is not None:
        span = func.coalesce(s.max_age, MAX_AGE) - func.coalesce(s.min_age, 0)
        terms.append(case((span < AGE_SPAN, _WEIGHTS["age_fit"] * (1.0 - span / float(AGE_SPAN))), else_=0.0))
    # No constant in ORDER BY: PostgreSQL reads an integer there as a column position, and refuses a float.
    order = [case((s.audiences == "", 1), else_=0)] if wanted.audience else []
    if terms:
        order.append(sum(terms[1:], terms[0]).desc())
    query = select(s.id, s.audiences).where(*conditions).order_by(*order, s.name, s.id).limit(limit)
    return [(row.id, not row.audiences) for row in conn.execute(query)]


def count(conn: Connection, area_id: int, wanted: Wanted) -> int:
    """How many services match a request by type, age and audience alone (a wider search's count)."""
    return conn.execute(select(func.count()).select_from(SERVICES).where(*_conditions(area_id, wanted))).scalar() or 0


def read_texts(conn: Connection, area_id: int, ids: Sequence[str], with_name: bool = True) -> dict[str, str]:
    """Services' own words (name, description, eligibility), by id: what their vectors are made of."""
    s = SERVICES.c
    found: dict[str, str] = {}
    for start in range(0, len(ids), 500):
        rows = conn.execute(select(s.id, s.name, s.description, s.eligibility).where(
            s.area_id == area_id, s.id.in_(list(ids[start:start + 500]))))
        found.update((row.id, service_text(row.name if with_name else "", row.description, row.eligibility))
                     for row in rows)
    return found


def word_scores(conn: Connection, area_id: int, words: Sequence[str], full_text: bool) -> dict[str, float]:
    """How well each service's own text matches the words (0 to 1, the best 1), by the full-text index
    (SQLite FTS5, PostgreSQL's text search) or else LIKE."""
    if not words:
        return {}
    if full_text:
        raw = fulltext.scores(conn, area_id, words, FTS_LIMIT)
    else:
        raw = _like_scores(conn, area_id, words)
    best = max(raw.values(), default=0.0)
    return {sid: score / best for sid, score in raw.items() if score > 0} if best > 0 else {}


def _like_scores(conn: Connection, area_id: int, words: Sequence[str]) -> dict[str, float]:
    """Without a full-text index (an SQLite built without FTS5): how many of the words each service's
    name, description or eligibility holds."""
    s = SERVICES.c
    text_ = s.name + " " + s.description + " " + s.eligibility
    likes = [text_.like(f"%{_stem(w)}%") for w in words]
    hits = sum((case((like, 1), else_=0) for like in likes), literal(0))
    query = select(s.id, hits.label("hits")).where(s.area_id == area_id, or_(*likes)).order_by(hits.desc()).limit(
        FTS_LIMIT)
    return {row.id: float(row.hits) for row in conn.execute(query)}


def _stem(word: str) -> str:
    """A word without a plural "s", and with LIKE's wildcards taken literally."""
    word = word[:-1] if len(word) > 4 and word.endswith("s") else word
    return word.replace("%", "").replace("_", "")


def rank(candidates: list[Candidate], wanted: Wanted, words: dict[str, float], described: frozenset[str] = frozenset(),
         closeness: Closeness | None = None) -> list[Candidate]:
    """The candidates that match what was asked, best first (services of unstated audience after the others).

    ``words`` scores each service's text against all the request's words (for ranking);
    ``described`` holds the services whose text holds the words describing a need no type names."""
    needs = frozenset(wanted.needs)
    for candidate in candidates:
        candidate.words = words.get(candidate.id, 0.0)
        _score(candidate, wanted, needs)
    candidates = sorted(candidates, key=lambda c: (-c.score, c.name, c.id))
    if closeness is not None and candidates:
        top = candidates[:RERANK]
        for candidate, meaning in zip(top, closeness(top), strict=True):
            candidate.meaning = float(meaning)
            _score(candidate, wanted, needs)
    kept = [c for c in candidates if _matches(c, wanted, described)]
    kept.sort(key=lambda c: (c.unstated and wanted.audience is not None, -c.score, c.name, c.id))
    return kept


def _score(candidate: Candidate, wanted: Wanted, needs: frozenset[str]) -> None:
    need = 0.0
    if needs and not needs.isdisjoint(candidate.types):
        need = 1.0
    elif wanted.harm_needs and not HARM_SIDE.isdisjoint(candidate.audiences):
        need = 0.8  # for people who cause harm, though not typed as a programme
    meaning = 0.0 if math.isnan(candidate.meaning) else max(0.0, candidate.meaning - 0.2)
    exact = 1.0 if wanted.audience and candidate.audiences == (wanted.audience,) else 0.0
    candidate.need = need
    candidate.score = (_WEIGHTS["need"] * need + _WEIGHTS["words"] * candidate.words + _WEIGHTS["meaning"] * meaning
                       + _WEIGHTS["exact_audience"] * exact + _WEIGHTS["age_fit"] * _age_fit(candidate, wanted))


def _age_fit(candidate: Candidate, wanted: Wanted) -> float:
    """For an age asked about, a service for a narrow range around it fits better than one for all ages."""
    if wanted.age is None:
        return 0.0
    span = (MAX_AGE if candidate.max_age is None else candidate.max_age) - (candidate.min_age or 0)
    return max(0.0, 1.0 - span / AGE_SPAN)


def _by_meaning(candidate: Candidate) -> bool:
    return not math.isnan(candidate.meaning) and candidate.meaning >= MEANING_MATCH


def _matches(candidate: Candidate, wanted: Wanted, described: frozenset[str]) -> bool:
    """Whether a candidate offers what was asked: a type asked for (or, for a service of no type, its
    words or meaning); a need described in words; or, for a group of people, a service that says
    it is for them. A service of unstated audience needs evidence that it offers what was asked."""
    evidence = candidate.words > 0 or _by_meaning(candidate)
    if wanted.needs:
        if candidate.need:
            return True
        return not candidate.types and evidence
    if wanted.described:
        return candidate.id in described or _by_meaning(candidate)
    if wanted.audience is not None and candidate.unstated:
        return evidence and bool(wanted.words)
    return True
