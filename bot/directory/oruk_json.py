"""Read ORUK 3.0 JSON: a ``/services`` page (paginated ``contents``), a list of full services, or one service."""

from __future__ import annotations

import json

from bot.directory.oruk import OrukConverter, OrukParts, Progress, Term, schedule_text
from bot.directory.schema import ParsedService, Problems
from bot.directory.taxonomy import Taxonomy
from bot.directory.validate import FieldChecks


def service_items(data, file: str, problems: Problems) -> list[tuple[str, object]]:
    """The service objects in a JSON document, each with its path; records a problem for a wrong shape."""
    if isinstance(data, dict) and "contents" in data:
        contents = data["contents"]
        if not isinstance(contents, list):
            problems.error(file, "", "contents", "must be a list of services")
            return []
        _check_pages(data, file, problems)
        return [(f"contents[{i}]", item) for i, item in enumerate(contents)]
    if isinstance(data, list):
        return [(f"[{i}]", item) for i, item in enumerate(data)]
    if isinstance(data, dict) and "id" in data and "name" in data:
        return [("service", data)]
    problems.error(
        file, "", "",
        "wrong JSON shape: expected a /services page (an object with 'contents'), a list of services, or one service",
    )
    return []


def _check_pages(page: dict, file: str, problems: Problems) -> None:
    total_pages = page.get("total_pages")
    if isinstance(total_pages, int) and total_pages > 1:
        number = page.get("page_number", "?")
        problems.warn(
            file, "", "total_pages",
            f"this is page {number} of {total_pages}: only this page's services are loaded; export every page",
        )


def read_oruk_json(
    text: str, file: str, problems: Problems, taxonomy: Taxonomy, area: str | None, progress: Progress | None = None,
) -> list[ParsedService]:
    """Parse and validate ORUK JSON text."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        problems.error(file, f"line {exc.lineno}", "", f"not valid JSON: {exc.msg} (column {exc.colno})")
        return []
    items = service_items(data, file, problems)
    if not items and not problems.errors:
        problems.error(file, "", "", "the file lists no services")
    reader = _JsonServices(file, problems, taxonomy, area)
    parsed = []
    for number, (path, item) in enumerate(items, start=1):
        if progress and number % 1000 == 0:
            progress("Checking services", number, len(items))
        if not isinstance(item, dict):
            problems.error(file, path, "", f"expected a service object, not {type(item).__name__}")
            continue
        service = reader.read(path, item)
        if service:
            parsed.append(service)
    return parsed


class _JsonServices:
    def __init__(self, file: str, problems: Problems, taxonomy: Taxonomy, area: str | None):
        self.checks = FieldChecks(file, problems)
        self.converter = OrukConverter(file, problems, taxonomy, area)
        self._warned: set[str] = set()

    def _objects(self, row: str, raw: dict, key: str) -> list[tuple[str, dict]]:
        value = raw.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.checks.error(row, key, "must be a list")
            return []
        found = []
        for i, item in enumerate(value):
            if isinstance(item, dict):
                found.append((f"{key}[{i}]", item))
            else:
                self.checks.error(row, f"{key}[{i}]", "must be an object")
        return found

    def _warn_once(self, row: str, field: str, key: str, message: str) -> None:
        if key not in self._warned:
            self._warned.add(key)
            self.checks.warn(row, field, message)

    def read(self, row: str, raw: dict) -> ParsedService | None:
        parts = OrukParts()
        organisation = raw.get("organization")
        if isinstance(organisation, dict):
            parts.organisation = self.checks.text(row, "organization.name", organisation.get("name"), required=True)
            parts.organisation_id = str(organisation.get("id") or "")
            parent = organisation.get("parent_organization_id")
            if parent:
                self._warn_once(row, "organization.parent_organization_id", f"org:{parent}",
                                f"parent organisation {parent!r} is not in the file (left out)")
        elif organisation is not None:
            self.checks.error(row, "organization", "must be an object with the organisation's id and name")
        elif raw.get("organization_id"):
            parts.organisation_id = str(raw["organization_id"])
            self._warn_once(row, "organization_id", f"org:{parts.organisation_id}",
                            f"organisation {parts.organisation_id!r} is not in the file, so its name is unknown")
        for path, area in self._objects(row, raw, "service_areas"):
            parts.areas.append(self.checks.text(row, f"{path}.name", area.get("name") or area.get("service_area")))
        for path, contact in self._objects(row, raw, "contacts"):
            for phone_path, phone in self._objects(row, contact, "phones"):
                parts.phones.append(self.checks.phone(row, f"{path}.{phone_path}.number", phone.get("number")))
        for path, phone in self._objects(row, raw, "phones"):
            parts.phones.append(self.checks.phone(row, f"{path}.number", phone.get("number")))
        for _, schedule in self._objects(row, raw, "schedules"):
            parts.schedules.append(schedule_text(schedule))
        for path, attribute in self._objects(row, raw, "attributes"):
            term = attribute.get("taxonomy_term")
            if not isinstance(term, dict):
                self.checks.error(row, f"{path}.taxonomy_term", "must be an object with the term's id and name")
                continue
            parts.terms.append(Term(**{k: str(term.get(k) or "") for k in ("taxonomy", "id", "name", "term", "code")}))
            if term.get("parent_id"):
                self._warn_once(row, f"{path}.taxonomy_term.parent_id", f"term:{term['parent_id']}",
                                f"parent term {term['parent_id']!r} is not in the file (left out)")
        return self.converter.convert(row, raw, parts)
