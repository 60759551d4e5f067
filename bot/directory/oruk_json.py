"""Read ORUK 3.0 JSON: a ``/services`` page (paginated ``contents``), a list of full services, or one service.

Nothing in a file can end in a traceback: invalid JSON, nesting too deep for Python, numbers
too long to read, NaN or Infinity, and a key given twice in one object are all located problems.
"""

from __future__ import annotations

import json

from bot.directory.oruk import OrukConverter, OrukParts, Progress, Term
from bot.directory.schema import ParsedService, Problems
from bot.directory.taxonomy import Taxonomy
from bot.directory.validate import FieldChecks, shown


def parse_json(text: str, file: str, problems: Problems):
    """The JSON document in ``text``, or None after recording why it cannot be read."""
    repeated: list[str] = []

    def pairs(items: list) -> dict:
        found = dict(items)
        if len(found) != len(items) and len(repeated) < 5:
            keys = [k for k, _ in items]
            repeated.extend(sorted({k for k in keys if keys.count(k) > 1}))
        return found

    def constant(name: str):
        raise ValueError(f"{name} is not a JSON number")

    try:
        data = json.loads(text, object_pairs_hook=pairs, parse_constant=constant)
    except json.JSONDecodeError as exc:
        problems.error(file, f"line {exc.lineno}", "", f"not valid JSON: {exc.msg} (column {exc.colno})")
        return None
    except RecursionError:
        problems.error(file, "", "", "not readable JSON: nested too deeply (lists or objects inside each other "
                                     "hundreds of levels down)")
        return None
    except ValueError as exc:
        message = "a number has too many digits" if "digits" in str(exc) else str(exc)
        problems.error(file, "", "", f"not valid JSON: {message}")
        return None
    for key in dict.fromkeys(repeated):
        problems.error(file, "", key, "an object gives this key twice; only one value can be kept, so give it once")
    return None if repeated else data


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
    if isinstance(total_pages, int) and not isinstance(total_pages, bool) and total_pages > 1:
        number = page.get("page_number", "?")
        problems.warn(
            file, "", "total_pages",
            f"this is page {shown(number)} of {total_pages}: only this page's services are loaded; export every page, "
            "or import the feed's address (bot directory import https://.../services)",
        )


def read_oruk_json(
    text: str, file: str, problems: Problems, taxonomy: Taxonomy, area: str | None, progress: Progress | None = None,
) -> list[ParsedService]:
    """Parse and validate ORUK JSON text."""
    data = parse_json(text, file, problems)
    if data is None:
        return []
    return read_oruk_data(service_items(data, file, problems), file, problems, taxonomy, area, progress)


def read_oruk_data(
    items: list[tuple[str, object]], file: str, problems: Problems, taxonomy: Taxonomy, area: str | None,
    progress: Progress | None = None,
) -> list[ParsedService]:
    """Validate service objects already parsed (from a file, or the pages of a feed)."""
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
        self.values = self.converter.values
        self._warned: set[str] = set()

    def _objects(self, row: str, raw: dict, key: str, path: str = "") -> list[tuple[str, dict]]:
        value = raw.get(key)
        where = f"{path}.{key}" if path else key
        if value is None:
            return []
        if not isinstance(value, list):
            self.checks.error(row, where, "must be a list")
            return []
        found = []
        for i, item in enumerate(value):
            if isinstance(item, dict):
                found.append((f"{where}[{i}]", item))
            else:
                self.checks.error(row, f"{where}[{i}]", "must be an object")
        return found

    def _warn_once(self, row: str, field: str, key: str, message: str) -> None:
        if key not in self._warned:
            self._warned.add(key)
            self.checks.warn(row, field, message)

    def read(self, row: str, raw: dict) -> ParsedService | None:
        parts = OrukParts()
        self._organisation(row, raw, parts)
        for path, area in self._objects(row, raw, "service_areas"):
            name = area.get("name") if area.get("name") not in (None, "") else area.get("service_area")
            parts.areas.append((f"{path}.name", "" if name is None else name))
        for path, contact in self._objects(row, raw, "contacts"):
            for phone_path, phone in self._objects(row, contact, "phones", path):
                parts.phones.append(self.checks.phone(row, f"{phone_path}.number", phone.get("number")))
        for path, phone in self._objects(row, raw, "phones"):
            parts.phones.append(self.checks.phone(row, f"{path}.number", phone.get("number")))
        for path, schedule in self._objects(row, raw, "schedules"):
            parts.schedules.append(self.values.schedule(row, path, schedule))
        self._locations(row, raw, parts)
        for path, language in self._objects(row, raw, "languages"):
            name = self.values.language(row, path, language)
            if name:
                parts.languages.append(name)
            elif "languages (without a name or code)" not in parts.not_kept:
                parts.not_kept.append("languages (without a name or code)")
        for path, cost in self._objects(row, raw, "cost_options"):
            parts.costs.append(self.values.cost(row, path, cost))
        self._terms(row, raw, parts)
        return self.converter.convert(row, raw, parts)

    def _organisation(self, row: str, raw: dict, parts: OrukParts) -> None:
        organisation = raw.get("organization")
        if isinstance(organisation, dict):
            parts.organisation = self.checks.text(row, "organization.name", organisation.get("name"), required=True)
            parts.organisation_id = self.checks.identifier(row, "organization.id", organisation.get("id"), required=False)
            parent = organisation.get("parent_organization_id")
            if parent:
                self._warn_once(row, "organization.parent_organization_id", f"org:{parent}",
                                f"parent organisation {shown(parent)} is not in the file (left out)")
        elif organisation is not None:
            self.checks.error(row, "organization", "must be an object with the organisation's id and name")
        elif raw.get("organization_id"):
            parts.organisation_id = self.checks.identifier(row, "organization_id", raw["organization_id"])
            self._warn_once(row, "organization_id", f"org:{parts.organisation_id}",
                            f"organisation {shown(parts.organisation_id)} is not in the file, so its name is unknown")

    def _locations(self, row: str, raw: dict, parts: OrukParts) -> None:
        for path, at_location in self._objects(row, raw, "service_at_locations"):
            location = at_location.get("location")
            if location is None:
                continue
            if not isinstance(location, dict):
                self.checks.error(row, f"{path}.location", "must be an object")
                continue
            addresses = self._objects(row, location, "addresses", f"{path}.location")
            line = self.values.location(row, f"{path}.location", location, addresses)
            if line:
                parts.addresses.append(line)

    def _terms(self, row: str, raw: dict, parts: OrukParts) -> None:
        for path, attribute in self._objects(row, raw, "attributes"):
            term = attribute.get("taxonomy_term")
            if not isinstance(term, dict):
                self.checks.error(row, f"{path}.taxonomy_term", "must be an object with the term's id and name")
                continue
            values = {k: self.checks.text(row, f"{path}.taxonomy_term.{k}", term.get(k), limit=300)
                      for k in ("taxonomy", "id", "name", "term", "code")}
            parts.terms.append(Term(**values))
            if term.get("parent_id"):
                self._warn_once(row, f"{path}.taxonomy_term.parent_id", f"term:{term['parent_id']}",
                                f"parent term {shown(term['parent_id'])} is not in the file (left out)")
