"""Read the one-sheet CSV template for partnerships without ORUK (columns documented in ``directories/README.md``)."""

from __future__ import annotations

import re

from bot.directory.audiences import LEGACY_CAUSING_HARM, AudienceRules, legacy_audiences
from bot.directory.cleaning import area_key
from bot.directory.oruk import LONG_AREA, Progress
from bot.directory.schema import Inference, ParsedService, Problems, Service
from bot.directory.taxonomy import Taxonomy
from bot.directory.validate import FieldChecks, Table, header_key, read_csv, shown
from bot.text.normalise import normalise

# column -> header spellings accepted (compared after lower-casing and turning _ and - into spaces)
COLUMNS = {
    "id": ("id", "service id"),
    "name": ("name", "service name", "service"),
    "organisation": ("organisation", "organization", "provider", "organisation name", "organization name"),
    "description": ("description", "what it offers", "about"),
    "areas": ("areas", "area", "service areas", "service area"),
    "service types": ("service types", "service type", "types", "type", "categories", "category"),
    "minimum age": ("minimum age", "min age", "age from"),
    "maximum age": ("maximum age", "max age", "age to"),
    "who it is for": ("who it is for", "who is it for", "who it's for", "audience", "audiences", "for"),
    "phone": ("phone", "telephone", "phone number", "tel"),
    "email": ("email", "e mail", "email address"),
    "website": ("website", "web site", "web", "url"),
    "how to refer": ("how to refer", "referral", "referrals", "how to access"),
    "opening times": ("opening times", "opening hours", "hours"),
    "eligibility": ("eligibility", "eligibility criteria", "criteria", "who can use it"),
    "languages": ("languages", "language", "languages spoken"),
    "fees": ("fees", "fee", "cost", "costs", "charges", "price"),
    "address": ("address", "venue", "location", "where"),
    "last checked": ("last checked", "date checked", "checked", "assured date", "assured"),
    "last updated": ("last updated", "date updated", "updated", "last modified"),
    "status": ("status",),
}
REQUIRED = ("name", "organisation", "description", "areas")
_ALIASES = {header_key(alias): column for column, aliases in COLUMNS.items() for alias in aliases}
_LIST_SPLIT = re.compile(r"\s*[;|,]\s*")
_AREA_SPLIT = re.compile(r"\s*[;|]\s*")
_SLUG = re.compile(r"[^a-z0-9]+")


def split_list(value: str, pattern: re.Pattern = _LIST_SPLIT) -> list[str]:
    return [v for v in pattern.split(value.strip()) if v]


def slug(text: str) -> str:
    return _SLUG.sub("-", text.lower()).strip("-")


def read_template(
    text: str, file: str, problems: Problems, taxonomy: Taxonomy, area: str | None, progress: Progress | None = None,
) -> list[ParsedService]:
    """Parse and validate template CSV text."""
    table = read_csv(text, file, problems)
    if table is None:
        return []
    columns = _columns(table, problems)
    if columns is None:
        return []
    if not table.rows and not problems.errors:
        problems.error(file, "", "", "the file has a header but no services")
        return []
    reader = _TemplateRows(file, problems, taxonomy, area)
    parsed = []
    for index, (number, raw) in enumerate(table.rows, start=1):
        if progress and index % 1000 == 0:
            progress("Checking services", index, len(table.rows))
        row = {column: raw.get(header, "") for header, column in columns.items()}
        service = reader.read(f"row {number}", row)
        if service:
            parsed.append(service)
    return parsed


def _columns(table: Table, problems: Problems) -> dict[str, str] | None:
    """Map each header to its template column; None when a required column is missing."""
    columns = {}
    for header in table.header:
        column = _ALIASES.get(header)
        if column is None:
            if header:
                problems.warn(table.file, "row 1", header, "is not a template column and is ignored")
            continue
        if column in columns.values():
            problems.error(table.file, "row 1", header, f"is a second '{column}' column")
        columns[header] = column
    missing = [c for c in REQUIRED if c not in columns.values()]
    for column in missing:
        problems.error(table.file, "row 1", column, f"required column is missing (the header has: {', '.join(table.header)})")
    return None if missing else columns


class _TemplateRows:
    def __init__(self, file: str, problems: Problems, taxonomy: Taxonomy, area: str | None):
        self.checks = FieldChecks(file, problems)
        self.taxonomy = taxonomy
        self.rules = AudienceRules(taxonomy)
        self.area = area
        self.seen: dict[str, str] = {}
        self._comma_areas: set[str] = set()

    def read(self, row: str, raw: dict[str, str]) -> ParsedService | None:
        c = self.checks
        errors_before = len(c.problems.errors)
        name = c.text(row, "name", raw.get("name"), required=True)
        organisation = c.text(row, "organisation", raw.get("organisation"), required=True)
        description = c.text(row, "description", raw.get("description"), required=True)
        min_age, max_age = c.age_range(row, ("minimum age", "maximum age"), raw.get("minimum age"), raw.get("maximum age"))
        phone = c.phone(row, "phone", raw.get("phone"))
        email = c.email(row, "email", raw.get("email"))
        website = c.website(row, "website", raw.get("website"))
        if not (raw.get("phone") or raw.get("email") or raw.get("website")):
            c.error(row, "phone", "give at least one way to make contact: phone, email or website")
        status = c.status(row, "status", raw.get("status"), missing_warning=False)
        types = self._types(row, raw.get("service types", ""))
        stated, legacy = self._audiences(row, raw.get("who it is for", ""))
        areas = self._areas(row, raw.get("areas", ""))
        service_id = self._id(row, raw.get("id", ""), name, organisation)
        eligibility = c.text(row, "eligibility", raw.get("eligibility"))
        details = {
            "how_to_refer": c.text(row, "how to refer", raw.get("how to refer")),
            "opening_times": c.text(row, "opening times", raw.get("opening times")),
            "languages": tuple(dict.fromkeys(c.text(row, "languages", n, limit=100) for n in split_list(raw.get("languages", "")))),
            "fees": c.text(row, "fees", raw.get("fees")),
            "address": c.text(row, "address", raw.get("address")),
            "assured_date": c.date(row, "last checked", raw.get("last checked")),
            "last_modified": c.date(row, "last updated", raw.get("last updated")),
        }
        if len(c.problems.errors) > errors_before:
            return None
        if status != "active":
            c.problems.leave_out(c.file, row, service_id, status)
            return None
        types_from = "file" if types else ""
        if not types:
            types = self.taxonomy.types_for_text(name, description)
            types_from = "keywords" if types else ""
        if legacy:
            stated |= legacy_audiences(min_age, max_age)
        audiences, audiences_from = self.rules.infer(stated, types, min_age, max_age, eligibility, name, description)
        service = Service(
            id=service_id, name=name, organisation=organisation, description=description, types=types,
            audiences=audiences, min_age=min_age, max_age=max_age, phone=phone, email=email, website=website,
            organisation_id=slug(organisation), eligibility=eligibility, **details,
        )
        return ParsedService(service=service, areas=areas, where=row, inference=Inference(types_from, audiences_from))

    def _types(self, row: str, value: str) -> tuple[str, ...]:
        found = []
        for name in split_list(value):
            type_id = self.taxonomy.type_for_name(name)
            if type_id is None:
                self.checks.error(
                    row, "service types", f"unknown service type {name[:60]!r} (use: {', '.join(self.taxonomy.types)})"
                )
            else:
                found.append(type_id)
        return self.taxonomy.ordered(found)

    def _audiences(self, row: str, value: str) -> tuple[set[str], bool]:
        """The audiences named, and whether the old "person causing harm" was (its meaning depends on the ages)."""
        found, legacy = set(), False
        for name in split_list(value):
            if normalise(name) in LEGACY_CAUSING_HARM:
                legacy = True
                continue
            audience = self.taxonomy.audience_for_name(name)
            if audience is None:
                allowed = ", ".join(a.label for a in self.taxonomy.audiences.values())
                self.checks.error(row, "who it is for", f"unknown group {name[:60]!r} (use: {allowed})")
            else:
                found.add(audience)
        return found, legacy

    def _areas(self, row: str, value: str) -> tuple[str, ...]:
        found: dict[str, str] = {}
        errors = len(self.checks.problems.errors)
        for part in split_list(value, _AREA_SPLIT):
            area = self.checks.area(row, "areas", part)
            if area:
                found.setdefault(area_key(area), area)
            if "," in area and area not in self._comma_areas:
                self._comma_areas.add(area)
                self.checks.warn(row, "areas", f"{area!r} is read as one area name (it has a comma); separate "
                                               "several areas with ';'")
        if not found and self.area:
            return (self.area,)
        if not found and len(self.checks.problems.errors) == errors:
            self.checks.error(row, "areas", "is required: name the area(s) served, or import with --area NAME"
                              if not value.strip() else f"{shown(value)} holds no area name (only markup or "
                              "invisible characters)")
        for area in found.values():
            if len(area) > LONG_AREA:
                self.checks.warn(row, "areas", f"area name is {len(area)} characters long; practitioners name "
                                               "areas in chat, so a short place name works better")
        return tuple(found.values())

    def _id(self, row: str, value: str, name: str, organisation: str) -> str:
        given = value.strip()
        service_id = self.checks.identifier(row, "id", given, required=False) if given else ""
        if given and not service_id:
            return ""
        service_id = service_id or slug(f"{organisation} {name}")[:200]
        if service_id in self.seen:
            hint = "" if given else " (same name and organisation; add an id column to tell them apart)"
            field = "id" if given else "name"
            self.checks.error(row, field, f"duplicate service {service_id!r}, also {self.seen[service_id]}{hint}")
        elif service_id:
            self.seen[service_id] = row
        return service_id
