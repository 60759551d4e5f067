"""Read the one-sheet CSV template for partnerships without ORUK (columns documented in ``directories/README.md``)."""

from __future__ import annotations

import re

from bot.directory.oruk import LONG_AREA, Progress
from bot.directory.schema import ParsedService, Problems, Service
from bot.directory.taxonomy import Taxonomy
from bot.directory.validate import FieldChecks, Table, header_key, read_csv

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
}
REQUIRED = ("name", "organisation", "description", "areas")
_ALIASES = {header_key(alias): column for column, aliases in COLUMNS.items() for alias in aliases}
_LIST_SPLIT = re.compile(r"\s*[;|,]\s*")
_SLUG = re.compile(r"[^a-z0-9]+")


def split_list(value: str) -> list[str]:
    return [v for v in _LIST_SPLIT.split(value.strip()) if v]


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
    if not table.rows:
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
        self.area = area
        self.seen: dict[str, str] = {}

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
        types = self._types(row, raw.get("service types", ""))
        audiences = self._audiences(row, raw.get("who it is for", ""))
        areas = self._areas(row, raw.get("areas", ""))
        service_id = self._id(row, raw.get("id", ""), name, organisation)
        if len(c.problems.errors) > errors_before:
            return None
        service = Service(
            id=service_id, name=name, organisation=organisation, description=description,
            types=types or self.taxonomy.types_for_text(name, description), audiences=audiences,
            min_age=min_age, max_age=max_age, how_to_refer=c.text(row, "how to refer", raw.get("how to refer")),
            phone=phone, email=email, website=website, opening_times=c.text(row, "opening times", raw.get("opening times")),
            organisation_id=slug(organisation),
        )
        return ParsedService(service=service, areas=areas, where=row)

    def _types(self, row: str, value: str) -> tuple[str, ...]:
        found = []
        for name in split_list(value):
            type_id = self.taxonomy.type_for_name(name)
            if type_id is None:
                self.checks.error(
                    row, "service types", f"unknown service type {name!r} (use: {', '.join(self.taxonomy.types)})"
                )
            else:
                found.append(type_id)
        return self.taxonomy.ordered(found)

    def _audiences(self, row: str, value: str) -> tuple[str, ...]:
        found = []
        for name in split_list(value):
            audience = self.taxonomy.audience_for_name(name)
            if audience is None:
                allowed = ", ".join(a.label for a in self.taxonomy.audiences.values())
                self.checks.error(row, "who it is for", f"unknown group {name!r} (use: {allowed})")
            else:
                found.append(audience)
        return self.taxonomy.ordered_audiences(found)

    def _areas(self, row: str, value: str) -> tuple[str, ...]:
        areas = tuple(dict.fromkeys(" ".join(a.split()) for a in split_list(value)))
        if not areas and self.area:
            return (self.area,)
        if not areas:
            self.checks.error(row, "areas", "is required: name the area(s) served, or import with --area NAME")
        for area in areas:
            if len(area) > LONG_AREA:
                self.checks.error(row, "areas", f"{area[:40]!r}... is not an area name ({len(area)} characters)")
        return areas

    def _id(self, row: str, value: str, name: str, organisation: str) -> str:
        service_id = value.strip() or slug(f"{organisation} {name}")
        if service_id in self.seen:
            hint = "" if value.strip() else " (same name and organisation; add an id column to tell them apart)"
            field = "id" if value.strip() else "name"
            self.checks.error(row, field, f"duplicate service {service_id!r}, also {self.seen[service_id]}{hint}")
        elif service_id:
            self.seen[service_id] = row
        return service_id
