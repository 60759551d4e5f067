"""Recognise a directory input (ORUK JSON, ORUK CSV folder, or the CSV template) and read it into services.

``read_directory`` validates everything and raises ``DirectoryError`` with every problem,
or returns the services with any warnings.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.directory.oruk import Progress
from bot.directory.oruk_csv import TABLE_FILES, is_package, read_oruk_csv
from bot.directory.oruk_json import read_oruk_json
from bot.directory.schema import DirectoryError, ParsedService, Problem, Problems
from bot.directory.taxonomy import Taxonomy, load_taxonomy
from bot.directory.template import read_template
from bot.directory.validate import decode

ORUK_JSON, ORUK_CSV, TEMPLATE = "ORUK JSON", "ORUK CSV", "CSV template"


@dataclass(frozen=True)
class ReadResult:
    """Validated services from one input, with the warnings found."""

    format: str
    services: list[ParsedService]
    warnings: list[Problem]


def detect_format(path: Path) -> str:
    """The input format from the path: a folder of ORUK tables, a ``.json`` file, or a ``.csv`` template."""
    if path.is_dir():
        return ORUK_CSV
    if path.name.lower() in TABLE_FILES["service"] and is_package(path.parent):
        return ORUK_CSV
    if path.suffix.lower() == ".json":
        return ORUK_JSON
    return TEMPLATE


def read_directory(
    path: Path, area: str | None = None, taxonomy: Taxonomy | None = None, progress: Progress | None = None,
) -> ReadResult:
    """Read and validate a directory input; raises DirectoryError listing every problem."""
    path = Path(path)
    taxonomy = taxonomy or load_taxonomy()
    area = " ".join(area.split()) if area else None
    problems = Problems()
    if not path.exists():
        raise DirectoryError([Problem(str(path), "", "", "no such file or folder")])
    fmt = detect_format(path)
    if fmt == ORUK_CSV:
        folder = path if path.is_dir() else path.parent
        services = read_oruk_csv(folder, problems, taxonomy, area, progress)
    else:
        text = decode(path.read_bytes(), path.name, problems)
        reader = read_oruk_json if fmt == ORUK_JSON else read_template
        services = reader(text, path.name, problems, taxonomy, area, progress) if text is not None else []
    _check_unique_per_area(services, path.name, problems)
    if not problems.errors and not services:
        problems.error(path.name, "", "", "no active services to import")
    if problems.errors:
        raise DirectoryError(problems.errors, problems.warnings)
    return ReadResult(format=fmt, services=services, warnings=problems.warnings)


def _check_unique_per_area(services: list[ParsedService], file: str, problems: Problems) -> None:
    """JSON has no table to check ids in, so a repeated service id in one area is caught here."""
    seen: dict[tuple[str, str], str] = {}
    for parsed in services:
        for area in parsed.areas:
            key = (area.casefold(), parsed.service.id)
            if key in seen and seen[key] != parsed.where:
                problems.error(file, parsed.where, "id", f"duplicate id {parsed.service.id!r} (also {seen[key]})")
            seen.setdefault(key, parsed.where)
