"""Open Referral UK (ORUK 3.0) services as directory services: the part shared by the JSON and CSV readers.

Both readers gather what surrounds a service (organisation, areas, phones, schedules, taxonomy
terms, locations, languages, cost options) into ``OrukParts`` and hand the flat service fields
to ``OrukConverter.convert``, which validates them, infers types and audiences and notes what
it could not keep.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from bot.directory.audiences import LEGACY_CAUSING_HARM, AudienceRules, legacy_audiences
from bot.directory.cleaning import MAX_AREA, area_key, normalise_area
from bot.directory.oruk_values import OrukValues
from bot.directory.schema import Inference, ParsedService, Problems, Service
from bot.directory.taxonomy import AUDIENCE_TAXONOMY, TYPE_TAXONOMY, Taxonomy
from bot.directory.validate import FieldChecks

Progress = Callable[[str, int, int], None]
LONG_AREA = 60
# Service fields read into the directory (directly, or through the parts); any other field a
# file fills in is listed in the import report as not kept.
KEPT_FIELDS = frozenset({
    "id", "name", "status", "description", "minimum_age", "maximum_age", "email", "url", "application_process",
    "eligibility_description", "fees", "fees_description", "last_modified", "assured_date", "organization",
    "organization_id", "service_areas", "contacts", "phones", "schedules", "attributes", "service_at_locations",
    "languages", "cost_options",
})


@dataclass(frozen=True)
class Term:
    """A taxonomy term attached to a service."""

    taxonomy: str = ""
    id: str = ""
    name: str = ""
    term: str = ""
    code: str = ""

    @property
    def shown(self) -> str:
        return self.name or self.term or self.code or self.id


@dataclass
class OrukParts:
    """What an ORUK file says about a service outside its own fields."""

    organisation: str = ""
    organisation_id: str = ""
    areas: list[tuple[str, str]] = field(default_factory=list)  # (field path, name)
    phones: list[str] = field(default_factory=list)
    schedules: list[str] = field(default_factory=list)
    terms: list[Term] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)  # one display line per physical location
    languages: list[str] = field(default_factory=list)
    costs: list[str] = field(default_factory=list)
    not_kept: list[str] = field(default_factory=list)


def map_term(term: Term, taxonomy: Taxonomy) -> tuple[frozenset[str], str, bool, str]:
    """The types a term maps to, the audience it names, whether it is the legacy causing-harm audience,
    and its name when it maps to nothing."""
    key = term.term or term.id.rsplit(":", 1)[-1]
    if term.taxonomy == TYPE_TAXONOMY and key in taxonomy.types:
        return frozenset({key}), "", False, ""
    if term.taxonomy == AUDIENCE_TAXONOMY and key in taxonomy.audiences:
        return frozenset(), key, False, ""
    if term.taxonomy == AUDIENCE_TAXONOMY and key in LEGACY_CAUSING_HARM:
        return frozenset(), "", True, ""
    mapped = frozenset(taxonomy.types_for_terms([term.name, term.term, term.code]))
    if not mapped and term.taxonomy not in (TYPE_TAXONOMY, AUDIENCE_TAXONOMY):
        # a term that is not one of the types' ORUK terms may still name one ("Health visiting")
        mapped = frozenset(taxonomy.types_for_text(term.name or term.term))
    return mapped, "", False, "" if mapped else term.shown


class OrukConverter:
    """Turns flat ORUK service fields plus their parts into parsed services, recording problems."""

    def __init__(self, file: str, problems: Problems, taxonomy: Taxonomy, default_area: str | None):
        self.checks = FieldChecks(file, problems)
        self.values = OrukValues(self.checks)
        self.taxonomy = taxonomy
        self.rules = AudienceRules(taxonomy)
        self.default_area = default_area
        self._long_areas: set[str] = set()
        self._terms: dict[Term, tuple[frozenset[str], str, bool, str]] = {}
        self._ordered: dict[frozenset[str], tuple[str, ...]] = {}
        self._area_names: dict[str, tuple[str, str]] = {}

    def _map_terms(self, terms: list[Term]) -> tuple[set[str], set[str], bool, list[str]]:
        """Types, audiences, whether the legacy causing-harm audience was given, and the terms that map to nothing."""
        types, audiences, legacy, unmapped = set(), set(), False, []
        for term in terms:
            found = self._terms.get(term)
            if found is None:
                found = self._terms[term] = map_term(term, self.taxonomy)
            types |= found[0]
            audiences |= {found[1]} - {""}
            legacy = legacy or found[2]
            if found[3] and found[3] not in unmapped:
                unmapped.append(found[3])
        return types, audiences, legacy, unmapped

    def _order(self, types: set[str]) -> tuple[str, ...]:
        key = frozenset(types)
        if key not in self._ordered:
            self._ordered[key] = self.taxonomy.ordered(key)
        return self._ordered[key]

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
        eligibility = c.text(row, "eligibility_description", raw.get("eligibility_description"))
        fees = self.values.fees(row, raw, parts.costs)
        address = c.text(row, "service_at_locations", parts.addresses[0], limit=500) if parts.addresses else ""
        last_modified = c.date(row, "last_modified", raw.get("last_modified"))
        assured_date = c.date(row, "assured_date", raw.get("assured_date"))
        areas = self._areas(row, parts.areas, area_field)
        if len(c.problems.errors) > errors_before:
            return None
        if status != "active":
            c.problems.leave_out(c.file, row, service_id, status)
            return None
        types, stated, legacy, unmapped = self._map_terms(parts.terms)
        types_from = "file" if types else ""
        if not types:
            types = set(self.taxonomy.types_for_text(name, description))
            types_from = "keywords" if types else ""
        if legacy:
            stated |= legacy_audiences(min_age, max_age)
        ordered_types = self._order(types)
        audiences, audiences_from = self.rules.infer(stated, ordered_types, min_age, max_age, eligibility, name, description)
        service = Service(
            id=service_id, name=name, organisation=parts.organisation, description=description, types=ordered_types,
            audiences=audiences, min_age=min_age, max_age=max_age, how_to_refer=how_to_refer,
            phone=next((p for p in parts.phones if p), ""), email=email, website=website,
            opening_times="; ".join(dict.fromkeys(s for s in parts.schedules if s)),
            organisation_id=parts.organisation_id, eligibility=eligibility, languages=tuple(dict.fromkeys(parts.languages)),
            fees=fees, address=address, last_modified=last_modified, assured_date=assured_date,
        )
        not_kept = [k for k, v in raw.items() if k not in KEPT_FIELDS and v not in (None, "", [], {})]
        if len(parts.addresses) > 1:
            not_kept.append("service_at_locations (2nd and later locations)")
        how = Inference(types_from, audiences_from, tuple(unmapped), tuple(sorted({*not_kept, *parts.not_kept})))
        return ParsedService(service=service, areas=areas, where=row, inference=how)

    def _areas(self, row: str, named: list[tuple[str, str]], area_field: str) -> tuple[str, ...]:
        found: dict[str, str] = {}
        errors = len(self.checks.problems.errors)
        for path, value in named:
            if isinstance(value, str) and not value.strip():
                continue
            known = self._area_names.get(value) if isinstance(value, str) else None
            if known is None:
                area = self._area(row, path, value)
                known = (area, area_key(area)) if area else None
                if known and isinstance(value, str) and len(self._area_names) < 10_000:
                    self._area_names[value] = known  # exports repeat a few area names on every service
            if known:
                found.setdefault(known[1], known[0])
        if not found and self.default_area:
            return (self.default_area,)
        reported = any(p.place == row and p.field.startswith(area_field) for p in self.checks.problems.errors)
        if not found and len(self.checks.problems.errors) == errors and not reported:
            self.checks.error(row, area_field, "the service has no service area: give one, or import with --area NAME")
        for area in found.values():
            if len(area) > LONG_AREA and area not in self._long_areas:
                self._long_areas.add(area)
                self.checks.warn(row, area_field, f"area name is {len(area)} characters long; practitioners name "
                                                  "areas in chat, so a short place name works better")
        return tuple(found.values())

    def _area(self, row: str, path: str, value) -> str:
        if isinstance(value, str) and self.default_area and len(normalise_area(value)) > MAX_AREA:
            # a service area described in prose ("available to all residents of ..."): --area names it
            self.checks.warn(row, path, f"is not an area name ({len(normalise_area(value))} characters); the service "
                                        f"is put in {self.default_area!r} (--area)")
            return self.default_area
        return self.checks.area(row, path, value)
