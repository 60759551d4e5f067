"""Open Referral UK (ORUK 3.0) services as directory services: the part shared by the JSON and CSV readers.

Both readers gather what surrounds a service (organisation, areas, phones, schedules,
taxonomy terms) into ``OrukParts`` and hand the flat service fields to ``to_parsed``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from bot.directory.schema import ParsedService, Problems, Service
from bot.directory.taxonomy import AUDIENCE_TAXONOMY, TYPE_TAXONOMY, Taxonomy
from bot.directory.validate import FieldChecks, plain_text

LONG_AREA = 60
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Term:
    """A taxonomy term attached to a service."""

    taxonomy: str = ""
    id: str = ""
    name: str = ""
    term: str = ""
    code: str = ""


@dataclass
class OrukParts:
    """What an ORUK file says about a service outside its own fields."""

    organisation: str = ""
    organisation_id: str = ""
    areas: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    schedules: list[str] = field(default_factory=list)
    terms: list[Term] = field(default_factory=list)


def schedule_text(raw: dict) -> str:
    """A schedule as one line: its description, else its days and hours."""
    description = plain_text(str(raw.get("description") or ""))
    if description:
        return description
    days = str(raw.get("byday") or "").strip()
    opens, closes = str(raw.get("opens_at") or "")[:5], str(raw.get("closes_at") or "")[:5]
    hours = f"{opens}-{closes}" if opens and closes else opens or closes
    return " ".join(p for p in (days, hours) if p)


def map_terms(terms: list[Term], taxonomy: Taxonomy) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Service types and audiences for the terms: our own taxonomies exactly, others through ``oruk_terms``."""
    types, audiences, names = set(), set(), []
    for term in terms:
        key = term.term or term.id.rsplit(":", 1)[-1]
        if term.taxonomy == TYPE_TAXONOMY and key in taxonomy.types:
            types.add(key)
        elif term.taxonomy == AUDIENCE_TAXONOMY and key in taxonomy.audiences:
            audiences.add(key)
        else:
            names += [term.name, term.term, term.code]
    types.update(taxonomy.types_for_terms(names))
    return taxonomy.ordered(types), taxonomy.ordered_audiences(audiences)


class OrukConverter:
    """Turns flat ORUK service fields plus their parts into parsed services, recording problems."""

    def __init__(self, file: str, problems: Problems, taxonomy: Taxonomy, default_area: str | None):
        self.checks = FieldChecks(file, problems)
        self.taxonomy = taxonomy
        self.default_area = default_area
        self._long_areas: set[str] = set()

    def convert(self, row: str, raw: dict, parts: OrukParts, area_field: str = "service_areas") -> ParsedService | None:
        c = self.checks
        errors_before = len(c.problems.errors)
        service_id = c.identifier(row, "id", raw.get("id"))
        name = c.text(row, "name", raw.get("name"), required=True)
        status = c.status(row, "status", raw.get("status"))
        description = c.text(row, "description", raw.get("description"))
        min_age, max_age = c.age_range(row, ("minimum_age", "maximum_age"), raw.get("minimum_age"), raw.get("maximum_age"))
        email = c.email(row, "email", raw.get("email"))
        website = c.website(row, "url", raw.get("url"))
        how_to_refer = c.text(row, "application_process", raw.get("application_process"))
        areas = self._areas(row, parts.areas, area_field)
        if len(c.problems.errors) > errors_before:
            return None
        if status != "active":
            c.warn(row, "status", f"is {status!r}: the service is not loaded")
            return None
        types, audiences = map_terms(parts.terms, self.taxonomy)
        if not types:
            types = self.taxonomy.types_for_text(name, description)
        service = Service(
            id=service_id, name=name, organisation=parts.organisation, description=description, types=types,
            audiences=audiences, min_age=min_age, max_age=max_age, how_to_refer=how_to_refer,
            phone=next((p for p in parts.phones if p), ""), email=email, website=website,
            opening_times="; ".join(dict.fromkeys(s for s in parts.schedules if s)),
            organisation_id=parts.organisation_id,
        )
        return ParsedService(service=service, areas=areas, where=row)

    def _areas(self, row: str, names: list[str], area_field: str) -> tuple[str, ...]:
        areas = tuple(dict.fromkeys(" ".join(plain_text(n).split()) for n in names if n and n.strip()))
        if not areas and self.default_area:
            return (self.default_area,)
        if not areas:
            self.checks.error(row, area_field, "the service has no service area: give one, or import with --area NAME")
        for area in areas:
            if len(area) > LONG_AREA and area not in self._long_areas:
                self._long_areas.add(area)
                self.checks.warn(
                    row, area_field,
                    f"area name is {len(area)} characters long; practitioners name areas in chat, so a short place "
                    "name works better",
                )
        return areas
