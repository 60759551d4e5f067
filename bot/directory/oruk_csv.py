"""Read an ORUK CSV datapackage folder (``services.csv``, ``organizations.csv``, ``service_areas.csv``, ...).

Exports are messy, so each table may be named in the singular or the plural; when both
are present the one ``datapackage.json`` names (else the plural) is read, with a warning.
A reference between two tables that are both in the folder must resolve (an error
otherwise); a reference to a table or record the folder does not carry is a warning.
"""

from __future__ import annotations

import json
from pathlib import Path

from bot.directory.oruk import OrukConverter, OrukParts, Progress, Term, schedule_text
from bot.directory.schema import ParsedService, Problems
from bot.directory.taxonomy import Taxonomy
from bot.directory.validate import FieldChecks, Table, column_key, decode, read_csv

# table -> file names it may have, plural first
TABLE_FILES = {
    "service": ("services.csv", "service.csv"),
    "organization": ("organizations.csv", "organization.csv", "organisations.csv", "organisation.csv"),
    "service_area": ("service_areas.csv", "service_area.csv"),
    "contact": ("contacts.csv", "contact.csv"),
    "phone": ("phones.csv", "phone.csv"),
    "schedule": ("schedules.csv", "schedule.csv"),
    "taxonomy_term": ("taxonomy_terms.csv", "taxonomy_term.csv"),
    "taxonomy": ("taxonomies.csv", "taxonomy.csv"),
    "attribute": ("attributes.csv", "attribute.csv"),
    "service_at_location": ("service_at_locations.csv", "service_at_location.csv"),
    "location": ("locations.csv", "location.csv"),
}
REQUIRED_COLUMNS = {
    "service": ("id", "name"),
    "organization": ("id", "name"),
    "service_area": ("service_id",),
    "contact": ("id",),
    "phone": ("id", "number"),
    "schedule": (),
    "taxonomy_term": ("id", "name"),
    "taxonomy": ("id",),
    "attribute": ("link_id", "taxonomy_term_id"),
    "service_at_location": ("service_id", "location_id"),
    "location": ("id",),
}


def is_package(folder: Path) -> bool:
    return any((folder / name).exists() for name in TABLE_FILES["service"])


def _datapackage_paths(folder: Path, problems: Problems) -> dict[str, str]:
    path = folder / "datapackage.json"
    if not path.exists():
        return {}
    try:
        resources = json.loads(path.read_bytes().decode("utf-8-sig")).get("resources", [])
        return {r["name"]: r["path"] for r in resources if isinstance(r, dict) and "name" in r and "path" in r}
    except (ValueError, AttributeError, TypeError):
        problems.warn("datapackage.json", "", "", "could not be read; table files are found by their usual names")
        return {}


def find_tables(folder: Path, problems: Problems) -> dict[str, Path]:
    """The file to read for each table present, warning when singular and plural files both exist."""
    named = _datapackage_paths(folder, problems)
    found = {}
    for table, names in TABLE_FILES.items():
        present = [n for n in names if (folder / n).is_file()]
        if not present:
            continue
        chosen = named.get(table) if named.get(table) in present else present[0]
        if len(present) > 1:
            why = "named in datapackage.json" if chosen == named.get(table) else "the plural form"
            others = ", ".join(n for n in present if n != chosen)
            problems.warn(chosen, "", "", f"{others} also present; read {chosen} ({why}) and ignored the other")
        found[table] = folder / chosen
    return found


def read_oruk_csv(
    folder: Path, problems: Problems, taxonomy: Taxonomy, area: str | None, progress: Progress | None = None,
) -> list[ParsedService]:
    """Parse and validate an ORUK CSV folder."""
    paths = find_tables(folder, problems)
    if "service" not in paths:
        problems.error(str(folder), "", "", "no services.csv (or service.csv) in this folder")
        return []
    tables: dict[str, Table] = {}
    for table, path in paths.items():
        text = decode(path.read_bytes(), path.name, problems)
        loaded = read_csv(text, path.name, problems, column_key) if text is not None else None
        if loaded is None:
            continue
        missing = [c for c in REQUIRED_COLUMNS[table] if c not in loaded.header]
        for column in missing:
            problems.error(path.name, "row 1", column, "required column is missing")
        if not missing:
            tables[table] = loaded
    if problems.errors:
        return []
    return _Package(tables, problems, taxonomy, area).services(progress)


class _Package:
    def __init__(self, tables: dict[str, Table], problems: Problems, taxonomy: Taxonomy, area: str | None):
        self.tables = tables
        self.problems = problems
        self.taxonomy = taxonomy
        self.area = area
        self.ids = {name: self._unique_ids(t) for name, t in tables.items() if "id" in t.header}

    def _unique_ids(self, table: Table) -> dict[str, int]:
        seen: dict[str, int] = {}
        checks = FieldChecks(table.file, self.problems)
        for number, row in table.rows:
            value = row.get("id", "")
            if not value:
                checks.error(f"row {number}", "id", "is required and must not be empty")
            elif value in seen:
                checks.error(f"row {number}", "id", f"duplicate id {value!r} (also row {seen[value]})")
            else:
                seen[value] = number
        return seen

    def rows(self, table: str):
        found = self.tables.get(table)
        return [] if found is None else [(found.file, number, row) for number, row in found.rows]

    def _resolve(self, file: str, number: int, field: str, value: str, target: str, strict: bool = True) -> bool:
        """Whether ``value`` names a row of ``target``; an error if both tables are here, else a warning."""
        if not value:
            return False
        if target in self.ids and value in self.ids[target]:
            return True
        names = TABLE_FILES[target][0]
        if strict and target in self.ids:
            self.problems.error(file, f"row {number}", field, f"{value!r} is not an id in {names}")
        else:
            self.problems.warn(file, f"row {number}", field, f"{value!r} is not in this package ({names}); left out")
        return False

    def services(self, progress: Progress | None) -> list[ParsedService]:
        parts: dict[str, OrukParts] = {sid: OrukParts() for sid in self.ids.get("service", {})}
        self._organisations(parts)
        self._areas(parts)
        self._phones(parts)
        self._schedules(parts)
        self._terms(parts)
        self._locations()
        if self.problems.errors:
            return []
        converter = OrukConverter(self.tables["service"].file, self.problems, self.taxonomy, self.area)
        parsed, rows = [], self.tables["service"].rows
        for index, (number, row) in enumerate(rows, start=1):
            if progress and index % 1000 == 0:
                progress("Checking services", index, len(rows))
            service = converter.convert(f"row {number}", row, parts.get(row.get("id", ""), OrukParts()), "service_areas.csv")
            if service:
                parsed.append(service)
        return parsed

    def _organisations(self, parts: dict[str, OrukParts]) -> None:
        names = {}
        for file, number, row in self.rows("organization"):
            names[row.get("id", "")] = FieldChecks(file, self.problems).text(f"row {number}", "name", row.get("name"), True)
            self._resolve(file, number, "parent_organization_id", row.get("parent_organization_id", ""), "organization",
                          strict=False)
        for file, number, row in self.rows("service"):
            service_id, org_id = row.get("id", ""), row.get("organization_id", "")
            resolved = bool(org_id) and self._resolve(file, number, "organization_id", org_id, "organization")
            if service_id in parts:
                parts[service_id].organisation_id = org_id
                parts[service_id].organisation = names.get(org_id, "") if resolved else ""

    def _areas(self, parts: dict[str, OrukParts]) -> None:
        for file, number, row in self.rows("service_area"):
            if self._resolve(file, number, "service_id", row.get("service_id", ""), "service"):
                parts[row["service_id"]].areas.append(row.get("name") or row.get("service_area") or "")

    def _phones(self, parts: dict[str, OrukParts]) -> None:
        contact_service = {}
        for file, number, row in self.rows("contact"):
            if self._resolve(file, number, "service_id", row.get("service_id", ""), "service"):
                contact_service[row["id"]] = row["service_id"]
        for file, number, row in self.rows("phone"):
            number_text = FieldChecks(file, self.problems).phone(f"row {number}", "number", row.get("number"))
            if not number_text and not row.get("number"):
                FieldChecks(file, self.problems).error(f"row {number}", "number", "is required and must not be empty")
            service_id = ""
            if self._resolve(file, number, "contact_id", row.get("contact_id", ""), "contact"):
                service_id = contact_service.get(row["contact_id"], "")
            if row.get("service_id") and self._resolve(file, number, "service_id", row["service_id"], "service"):
                service_id = row["service_id"]
            if service_id and number_text:
                parts[service_id].phones.append(number_text)

    def _schedules(self, parts: dict[str, OrukParts]) -> None:
        at_location = {}
        for file, number, row in self.rows("service_at_location"):
            if self._resolve(file, number, "service_id", row.get("service_id", ""), "service"):
                at_location[row.get("id", "")] = row["service_id"]
        for file, number, row in self.rows("schedule"):
            service_id = ""
            if row.get("service_id") and self._resolve(file, number, "service_id", row["service_id"], "service"):
                service_id = row["service_id"]
            elif row.get("service_at_location_id") and self._resolve(
                file, number, "service_at_location_id", row["service_at_location_id"], "service_at_location"
            ):
                service_id = at_location.get(row["service_at_location_id"], "")
            if service_id:
                parts[service_id].schedules.append(schedule_text(row))

    def _terms(self, parts: dict[str, OrukParts]) -> None:
        terms = {}
        for file, number, row in self.rows("taxonomy_term"):
            terms[row.get("id", "")] = Term(
                taxonomy=row.get("taxonomy", ""), id=row.get("id", ""), name=row.get("name", ""),
                term=row.get("term", ""), code=row.get("code", ""),
            )
            self._resolve(file, number, "taxonomy_id", row.get("taxonomy_id", ""), "taxonomy", strict=False)
            self._resolve(file, number, "parent_id", row.get("parent_id", ""), "taxonomy_term", strict=False)
        for file, number, row in self.rows("attribute"):
            term_id, link_id = row.get("taxonomy_term_id", ""), row.get("link_id", "")
            if not self._resolve(file, number, "taxonomy_term_id", term_id, "taxonomy_term"):
                continue
            if link_id in parts:
                parts[link_id].terms.append(terms[term_id])
            elif link_id:
                self.problems.warn(file, f"row {number}", "link_id",
                                   f"{link_id!r} is not a service in this package; the attribute is left out")

    def _locations(self) -> None:
        for file, number, row in self.rows("service_at_location"):
            self._resolve(file, number, "location_id", row.get("location_id", ""), "location")
