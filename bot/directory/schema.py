"""Plain data classes for the local service directory: services, and the problems found reading them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from bot.text import validation


@dataclass(frozen=True)
class Service:
    """One local service as practitioners see it (types and audiences are taxonomy ids)."""

    id: str
    name: str
    organisation: str = ""
    description: str = ""
    types: tuple[str, ...] = ()
    audiences: tuple[str, ...] = ()
    min_age: int | None = None
    max_age: int | None = None
    how_to_refer: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""
    opening_times: str = ""
    area: str = ""
    organisation_id: str = ""
    eligibility: str = ""
    languages: tuple[str, ...] = ()
    fees: str = ""
    address: str = ""
    last_modified: date | None = None
    assured_date: date | None = None

    @property
    def type_labels(self) -> tuple[str, ...]:
        from bot.directory.taxonomy import load_taxonomy

        taxonomy = load_taxonomy()
        return tuple(taxonomy.label(t) for t in self.types if t in taxonomy.types)

    @property
    def audience_labels(self) -> tuple[str, ...]:
        from bot.directory.taxonomy import load_taxonomy

        taxonomy = load_taxonomy()
        return tuple(taxonomy.audience_label(a) for a in self.audiences if a in taxonomy.audiences)

    def content(self) -> tuple:
        """Everything that makes two imports of this service the same, whatever its area."""
        return (
            self.name, self.organisation, self.description, self.types, self.audiences, self.min_age, self.max_age,
            self.how_to_refer, self.phone, self.email, self.website, self.opening_times, self.organisation_id,
            self.eligibility, self.languages, self.fees, self.address, self.last_modified, self.assured_date,
        )


@dataclass(frozen=True)
class Inference:
    """How an import worked out a service's types and audiences, and what it could not use, for the report."""

    types_from: str = ""  # "file" (stated or mapped terms), "keywords" (name or description), "" (none)
    audiences_from: str = ""  # "file", "type", "eligibility", "description", "ages", "" (not stated)
    unmapped_terms: tuple[str, ...] = ()  # taxonomy terms the file gives that map to no service type
    not_kept: tuple[str, ...] = ()  # fields the file gives that are not stored


@dataclass(frozen=True)
class ParsedService:
    """A validated service from an input file, with the areas it serves and where it was read."""

    service: Service
    areas: tuple[str, ...]
    where: str
    inference: Inference = Inference()


class Problem(validation.Problem):
    """One validation finding, located by file, row (a spreadsheet row, a line or a JSON path) and field."""

    @property
    def row(self) -> str:
        return self.place


class Problems:
    """Collects errors and warnings while an input is read."""

    def __init__(self) -> None:
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []
        self.left_out: list[tuple[str, str, str]] = []  # (file: row, id, status) of services not active

    def leave_out(self, file: str, row: str, service_id: str, status: str) -> None:
        self.left_out.append((f"{file}: {row}", service_id, status))

    def error(self, file: str, row: str, field: str, message: str) -> None:
        self.errors.append(Problem(file, row, field, message))

    def warn(self, file: str, row: str, field: str, message: str) -> None:
        self.warnings.append(Problem(file, row, field, message))


class DirectoryError(validation.ContentError):
    """Raised when a directory input does not validate; carries every problem found (errors and warnings)."""

    about = " in the directory input; nothing was imported"
    shown = 200

    def __init__(self, problems: list[Problem], warnings: list[Problem] | None = None):
        super().__init__(problems)
        self.warnings = warnings or []


@dataclass
class AreaChanges:
    """What an import changed in one area, by service id."""

    area: str
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def total(self) -> int:
        return len(self.added) + len(self.changed) + self.unchanged


@dataclass
class ImportReport:
    """The result of an import (or of a dry run, which changes nothing)."""

    source: str
    format: str
    services: int
    areas: list[AreaChanges]
    warnings: list[Problem]
    dry_run: bool = False
    seconds: float = 0.0
    inferred: list[tuple[str, Service, Inference]] = field(default_factory=list)  # (where, service, how)
    left_out: list[tuple[str, str, str]] = field(default_factory=list)  # (where, id, status) of inactive services

    def not_kept(self) -> dict[str, int]:
        """Each field the input gave but the directory does not store, with how many services gave it."""
        counts: dict[str, int] = {}
        for _, _, how in self.inferred:
            for name in how.not_kept:
                counts[name] = counts.get(name, 0) + 1
        return dict(sorted(counts.items()))

    def unmapped_terms(self) -> dict[str, int]:
        """Each taxonomy term that mapped to no service type, with how many services gave it."""
        counts: dict[str, int] = {}
        for _, _, how in self.inferred:
            for term in how.unmapped_terms:
                counts[term] = counts.get(term, 0) + 1
        return dict(sorted(counts.items()))
