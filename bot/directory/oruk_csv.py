"""Read an ORUK CSV datapackage folder (``services.csv``, ``organizations.csv``, ``service_areas.csv``, ...).

Exports are messy, so each table may be named in the singular or the plural; when both
are present the one ``datapackage.json`` names (else the plural) is read, with a warning.
A reference between two tables that are both in the folder must resolve (an error
otherwise); a reference to a table or record the folder does not carry is a warning.
"""

from __future__ import annotations

import json
from pathlib import Path

from bot.directory.oruk import OrukConverter, OrukParts, Progress, Term
from bot.directory.oruk_values import OrukValues
from bot.directory.schema import ParsedService, Problems
from bot.directory.taxonomy import Taxonomy
from bot.directory.textfile import read_file
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
    "address": ("addresses.csv", "address.csv"),
    "language": ("languages.csv", "language.csv"),
    "cost_option": ("cost_options.csv", "cost_option.csv"),
}
# ORUK tables the directory does not keep (the import says so).
NOT_READ = ("funding", "fundings", "programs", "program", "accessibility", "accessibilities", "required_documents",
            "required_document", "organization_identifiers", "organization_identifier", "service_capacities", "units",
            "metadata", "meta_table_descriptions")
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
    "address": (),
    "language": (),
    "cost_option": ("service_id",),
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
        problems.error(folder.name, "", "", "no services.csv (or service.csv) in this folder")
        return []
    ignored = sorted(f"{name}.csv" for name in NOT_READ if (folder / f"{name}.csv").is_file())
    if ignored:
        problems.warn(str(folder.name), "", "", f"{', '.join(ignored)}: not read (the directory does not keep them)")
    tables: dict[str, Table] = {}
    for table, path in paths.items():
        data = read_file(path, problems)
        text = decode(data, path.name, problems) if data is not None else None
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
        self.service_file = tables["service"].file
        self.converter = OrukConverter(self.service_file, problems, taxonomy, area)

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
        self._locations(parts)
        self._languages_and_costs(parts)
        if self.problems.errors:
            return []
        parsed, rows = [], self.tables["service"].rows
        for index, (number, row) in enumerate(rows, start=1):
            if progress and index % 1000 == 0:
                progress("Checking services", index, len(rows))
            service = self.converter.convert(f"row {number}", row, parts.get(row.get("id", ""), OrukParts()),
                                             "service_areas.csv")
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
                name = row.get("name") or row.get("service_area") or ""
                parts[row["service_id"]].areas.append((f"{file} row {number}: name", name))

    def _phones(self, parts: dict[str, OrukParts]) -> None:
        contact_service = {}
        for file, number, row in self.rows("contact"):
            if self._resolve(file, number, "service_id", row.get("service_id", ""), "service"):
                contact_service[row["id"]] = row["service_id"]
        checks = FieldChecks(self.tables["phone"].file, self.problems) if "phone" in self.tables else None
        for file, number, row in self.rows("phone"):
            number_text = checks.phone(f"row {number}", "number", row.get("number"))
            if not number_text and not row.get("number"):
                checks.error(f"row {number}", "number", "is required and must not be empty")
            service_id = ""
            if self._resolve(file, number, "contact_id", row.get("contact_id", ""), "contact"):
                service_id = contact_service.get(row["contact_id"], "")
            if row.get("service_id") and self._resolve(file, number, "service_id", row["service_id"], "service"):
                service_id = row["service_id"]
            if service_id and number_text:
                parts[service_id].phones.append(number_text)

    def _at_locations(self) -> dict[str, tuple[str, str]]:
        """service_at_location id -> (service id, location id)."""
        found = {}
        for file, number, row in self.rows("service_at_location"):
            if self._resolve(file, number, "service_id", row.get("service_id", ""), "service"):
                found[row.get("id", "")] = (row["service_id"], row.get("location_id", ""))
        return found

    def _schedules(self, parts: dict[str, OrukParts]) -> None:
        at_location = self._at_locations()
        for file, number, row in self.rows("schedule"):
            service_id = ""
            if row.get("service_id") and self._resolve(file, number, "service_id", row["service_id"], "service"):
                service_id = row["service_id"]
            elif row.get("service_at_location_id") and self._resolve(
                file, number, "service_at_location_id", row["service_at_location_id"], "service_at_location"
            ):
                service_id = at_location.get(row["service_at_location_id"], ("", ""))[0]
            if service_id:
                values = OrukValues(FieldChecks(file, self.problems))
                parts[service_id].schedules.append(values.schedule(f"row {number}", "", row))

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

    def _locations(self, parts: dict[str, OrukParts]) -> None:
        addresses: dict[str, list[tuple[str, dict]]] = {}
        for file, number, row in self.rows("address"):
            if self._resolve(file, number, "location_id", row.get("location_id", ""), "location"):
                addresses.setdefault(row["location_id"], []).append((f"{file} row {number}", row))
        locations = {row.get("id", ""): (file, number, row) for file, number, row in self.rows("location")}
        lines: dict[str, str] = {}
        for file, number, row in self.rows("service_at_location"):
            location_id = row.get("location_id", "")
            if not self._resolve(file, number, "location_id", location_id, "location"):
                continue
            if location_id not in lines:
                location_file, location_number, location = locations[location_id]
                values = OrukValues(FieldChecks(location_file, self.problems))
                lines[location_id] = values.location(f"row {location_number}", "", location, addresses.get(location_id, []))
            if lines[location_id] and row.get("service_id", "") in parts:
                parts[row["service_id"]].addresses.append(lines[location_id])

    def _languages_and_costs(self, parts: dict[str, OrukParts]) -> None:
        for file, number, row in self.rows("language"):
            service_id = row.get("service_id", "")
            if service_id and self._resolve(file, number, "service_id", service_id, "service"):
                name = OrukValues(FieldChecks(file, self.problems)).language(f"row {number}", "", row)
                target = parts[service_id]
                if name:
                    target.languages.append(name)
                elif "languages (without a name or code)" not in target.not_kept:
                    target.not_kept.append("languages (without a name or code)")
        for file, number, row in self.rows("cost_option"):
            if self._resolve(file, number, "service_id", row.get("service_id", ""), "service"):
                cost = OrukValues(FieldChecks(file, self.problems)).cost(f"row {number}", "", row)
                if cost:
                    parts[row["service_id"]].costs.append(cost)
