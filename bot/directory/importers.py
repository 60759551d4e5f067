"""Recognise a directory input (ORUK JSON, ORUK CSV folder, or the CSV template) and read it into services.

``read_directory`` validates everything and raises ``DirectoryError`` with every problem,
or returns the services with any warnings. ``read_services_data`` does the same for ORUK
service objects already fetched (the pages of a feed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bot.directory.cleaning import MAX_AREA, normalise_area
from bot.directory.oruk import Progress
from bot.directory.oruk_csv import TABLE_FILES, is_package, read_oruk_csv
from bot.directory.oruk_json import read_oruk_data, read_oruk_json
from bot.directory.schema import DirectoryError, ParsedService, Problem, Problems
from bot.directory.taxonomy import Taxonomy, load_taxonomy
from bot.directory.template import read_template
from bot.directory.textfile import read_file
from bot.directory.validate import decode

ORUK_JSON, ORUK_CSV, TEMPLATE, ORUK_API = "ORUK JSON", "ORUK CSV", "CSV template", "ORUK API"


@dataclass(frozen=True)
class ReadResult:
    """Validated services from one input, with the warnings found and the services left out as not active."""

    format: str
    services: list[ParsedService]
    warnings: list[Problem]
    left_out: list[tuple[str, str, str]] = field(default_factory=list)


def detect_format(path: Path) -> str:
    """The input format from the path: a folder of ORUK tables, a ``.json`` file, or a ``.csv`` template."""
    if path.is_dir():
        return ORUK_CSV
    if path.name.lower() in TABLE_FILES["service"] and is_package(path.parent):
        return ORUK_CSV
    if path.suffix.lower() == ".json":
        return ORUK_JSON
    return TEMPLATE


def checked_area(area: str | None, problems: Problems) -> str | None:
    """The ``--area`` option as an area name (normalised), or None; an unusable one is an error."""
    if area is None:
        return None
    name = normalise_area(area)
    if not name:
        problems.error("--area", "", "", "is empty (or only invisible characters): give the area's name")
    elif len(name) > MAX_AREA:
        problems.error("--area", "", "", f"is {len(name)} characters long; an area name has at most {MAX_AREA}")
    return name or None


def read_directory(
    path: Path, area: str | None = None, taxonomy: Taxonomy | None = None, progress: Progress | None = None,
) -> ReadResult:
    """Read and validate a directory input; raises DirectoryError listing every problem."""
    path = Path(path)
    taxonomy = taxonomy or load_taxonomy()
    problems = Problems()
    area = checked_area(area, problems)
    if not path.exists():
        raise DirectoryError([Problem(str(path), "", "", "no such file or folder")])
    fmt = detect_format(path)
    if problems.errors:
        services = []
    elif fmt == ORUK_CSV:
        folder = path if path.is_dir() else path.parent
        services = read_oruk_csv(folder, problems, taxonomy, area, progress)
    else:
        data = read_file(path, problems)
        text = decode(data, path.name, problems) if data is not None else None
        reader = read_oruk_json if fmt == ORUK_JSON else read_template
        services = reader(text, path.name, problems, taxonomy, area, progress) if text is not None else []
    return _result(fmt, services, path.name, problems)


def read_services_data(
    items: list[tuple[str, object]], source: str, problems: Problems, area: str | None = None,
    taxonomy: Taxonomy | None = None, progress: Progress | None = None,
) -> ReadResult:
    """Validate ORUK service objects fetched from a feed; raises DirectoryError listing every problem."""
    area = checked_area(area, problems)
    services = [] if problems.errors else read_oruk_data(items, source, problems, taxonomy or load_taxonomy(), area,
                                                          progress)
    return _result(ORUK_API, services, source, problems)


def _result(fmt: str, services: list[ParsedService], name: str, problems: Problems) -> ReadResult:
    _check_unique(services, name, problems)
    if not problems.errors and not services:
        left = f" ({len(problems.left_out)} not active)" if problems.left_out else ""
        problems.error(name, "", "", f"no active services to import{left}")
    if problems.errors:
        raise DirectoryError(problems.errors, problems.warnings)
    return ReadResult(format=fmt, services=services, warnings=problems.warnings, left_out=problems.left_out)


def _check_unique(services: list[ParsedService], file: str, problems: Problems) -> None:
    """One record per service: JSON has no table to check ids in, so a repeated id is caught here."""
    seen: dict[str, str] = {}
    for parsed in services:
        service_id = parsed.service.id
        if service_id in seen:
            problems.error(file, parsed.where, "id", f"duplicate id {service_id!r} (also {seen[service_id]})")
        else:
            seen[service_id] = parsed.where
