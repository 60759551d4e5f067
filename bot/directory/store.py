"""Keep local service directories in the database: import (all or nothing), list, remove, read.

Directory tables have their own metadata (``bot.directory.models``) and are made by the
migrations (``bot/db``; ``bot.directory.tables`` checks them), so they share the knowledge
database without touching its tables. Use an engine from ``bot.knowledge.store.make_engine``. Every change bumps a
generation number that ``bot.directory.areas.AreaMatcher`` watches. What is stored and how
to read it: docs/directory-model.md.
"""

from __future__ import annotations

import gc
import time
import weakref
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.directory import fulltext, writer
from bot.directory.cleaning import area_key, normalise_area
from bot.directory.export import oruk_services
from bot.directory.importers import ReadResult, read_directory
from bot.directory.models import AreaRow, DirectoryMetaRow, ServiceRow, ServiceTagRow
from bot.directory.oruk import Progress
from bot.directory.schema import ImportReport, Service
from bot.directory.tables import ensure_schema
from bot.directory.writer import fingerprint

__all__ = [
    "DEMO_AREAS", "DEMO_DIRECTORY", "area_key", "area_names", "count_services", "demo_warning", "ensure_default_directory",
    "ensure_schema", "export_oruk", "fingerprint", "generation", "has_full_text", "import_directory", "import_result",
    "list_areas", "normalise_area", "read_services", "remove_area", "service_from_row",
]

DEMO_DIRECTORY = "demoshire.json"
DEMO_AREAS = ("Demoshire", "North Demoshire")  # the areas of directories/demoshire.json
GENERATION = "generation"
DIRECTORY_LOCK = 4_871_204  # PostgreSQL advisory lock key of directory changes
_full_text: "weakref.WeakKeyDictionary[Engine, bool]" = weakref.WeakKeyDictionary()


def has_full_text(engine: Engine) -> bool:
    """Whether the full-text index (SQLite FTS5, PostgreSQL's search vector) is there to query (else search with LIKE)."""
    ensure_schema(engine)
    if engine not in _full_text:
        _full_text[engine] = fulltext.has_index(engine)
    return _full_text[engine]


def import_directory(
    engine: Engine, path: Path | str, area: str | None = None, dry_run: bool = False, progress: Progress | None = None,
) -> ImportReport:
    """Validate ``path`` (a file, an ORUK CSV folder, or an ORUK API's ``https://.../services`` address) and
    replace what it replaces (docs/directory-model.md, section 5), in one transaction.

    ``area`` names the area for services the input gives none. ``progress(stage, done, total)``
    is called now and then on large inputs. Raises ``DirectoryError`` (nothing changed) when
    the input does not validate. With ``dry_run`` the database is only read.
    """
    started = time.perf_counter()
    if str(path).startswith(("http://", "https://")):
        from bot.directory.feeds import read_feed

        result, origin = read_feed(str(path), area=area, progress=progress), str(path)
    else:
        with _collector_paused():
            result, origin = read_directory(Path(path), area=area, progress=progress), Path(path).name
    return import_result(engine, result, origin, dry_run, progress, started)


def import_result(
    engine: Engine, result: ReadResult, origin: str, dry_run: bool = False, progress: Progress | None = None,
    started: float | None = None,
) -> ImportReport:
    """Store services already read and validated (``origin`` names the file or address in reports)."""
    started = time.perf_counter() if started is None else started
    ensure_schema(engine)
    report = ImportReport(
        source=origin, format=result.format, services=len(result.services), areas=[], warnings=result.warnings,
        dry_run=dry_run, inferred=[(p.where, p.service, p.inference) for p in result.services],
        left_out=result.left_out,
    )
    with _collector_paused(), Session(engine, future=True) as session, session.begin():
        _one_change_at_a_time(session)
        plan = writer.plan_import(session, result.services, origin)
        report.areas = writer.changes(plan)
        if not dry_run:
            writer.apply(session, plan, progress)
            _bump_generation(session)
    report.seconds = time.perf_counter() - started
    return report


@contextmanager
def _collector_paused():
    """Pause Python's cycle collector: an import makes millions of small acyclic objects, and its
    passes over them cost about a third of the import time. Reference counting still frees them."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _one_change_at_a_time(session: Session) -> None:
    """PostgreSQL: an import or removal waits for one already under way (a feed refresh beside a
    `bot directory import`), as SQLite's single writer does, so each plans from the rows the last
    one left rather than failing on its keys. The lock ends with the transaction."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": DIRECTORY_LOCK})


def _bump_generation(session: Session) -> None:
    done = session.execute(
        update(DirectoryMetaRow).where(DirectoryMetaRow.key == GENERATION).values(value=DirectoryMetaRow.value + 1)
    )
    if not done.rowcount:
        session.add(DirectoryMetaRow(key=GENERATION, value=1))


def generation(engine: Engine) -> int:
    """A number that changes whenever any directory content changes."""
    ensure_schema(engine)
    with Session(engine, future=True) as session:
        return session.scalar(select(DirectoryMetaRow.value).where(DirectoryMetaRow.key == GENERATION)) or 0


def list_areas(engine: Engine) -> list[tuple[str, int]]:
    """Every loaded area with its number of services, by name."""
    ensure_schema(engine)
    with Session(engine, future=True) as session:
        rows = session.execute(
            select(AreaRow.name, func.count(ServiceRow.id))
            .join(ServiceRow, ServiceRow.area_id == AreaRow.id, isouter=True)
            .group_by(AreaRow.id, AreaRow.name)
            .order_by(AreaRow.name)
        )
        return [(name, count) for name, count in rows.all()]


def area_names(engine: Engine) -> list[str]:
    """The names of the areas that have at least one service."""
    return [name for name, count in list_areas(engine) if count]


def demo_warning(engine: Engine) -> str | None:
    """The warning to show when the fictional Demoshire directory is loaded beside real areas, else None."""
    names = [name for name, count in list_areas(engine) if count]
    demo = {area_key(a) for a in DEMO_AREAS}
    fictional = [n for n in names if area_key(n) in demo]
    real = [n for n in names if area_key(n) not in demo]
    if not fictional or not real:
        return None
    removes = "; ".join(f'bot directory remove "{n}" --yes' for n in fictional)
    return (f"Warning: the fictional demonstration directory ({', '.join(fictional)}) is loaded beside real areas "
            f"({', '.join(real)}); its invented services could be offered to practitioners. Remove it: {removes}")


def remove_area(engine: Engine, name: str) -> int:
    """Remove an area and its services; returns how many services went (0 if the area is unknown)."""
    ensure_schema(engine)
    with Session(engine, future=True) as session, session.begin():
        _one_change_at_a_time(session)
        area = session.scalar(select(AreaRow).where(AreaRow.key == area_key(name)))
        if area is None:
            return 0
        count = session.scalar(select(func.count()).select_from(ServiceRow).where(ServiceRow.area_id == area.id)) or 0
        conn = session.connection()
        if fulltext.exists(conn):
            fulltext.remove(conn, "area_id = :area", {"area": area.id})
        session.execute(delete(ServiceTagRow).where(ServiceTagRow.area_id == area.id))
        session.execute(delete(ServiceRow).where(ServiceRow.area_id == area.id))
        session.execute(delete(AreaRow).where(AreaRow.id == area.id))
        _bump_generation(session)
        return count


def count_services(engine: Engine) -> int:
    ensure_schema(engine)
    with Session(engine, future=True) as session:
        return session.scalar(select(func.count()).select_from(ServiceRow)) or 0


def _date(value) -> date | None:
    """A DATE column's value (SQLAlchemy gives a date; raw SQL on SQLite gives its ISO text)."""
    return date.fromisoformat(value) if isinstance(value, str) and value else value or None


def service_from_row(row, area: str) -> Service:
    """A Service from a services-table row (ORM object or result row) and its area name."""
    return Service(
        id=row.id, name=row.name, organisation=row.organisation, description=row.description,
        types=tuple(t for t in row.types.split(",") if t), audiences=tuple(a for a in row.audiences.split(",") if a),
        min_age=row.min_age, max_age=row.max_age,
        how_to_refer=row.how_to_refer, phone=row.phone, email=row.email, website=row.website,
        opening_times=row.opening_times, area=area, organisation_id=row.organisation_id,
        eligibility=row.eligibility, languages=tuple(n for n in row.languages.split(", ") if n), fees=row.fees,
        address=row.address, last_modified=_date(row.last_modified), assured_date=_date(row.assured_date),
    )


def read_services(engine: Engine, area: str | None = None) -> list[Service]:
    """Every stored service (one per area it serves), by area then name."""
    ensure_schema(engine)
    with Session(engine, future=True) as session:
        query = select(ServiceRow, AreaRow.name).join(AreaRow, AreaRow.id == ServiceRow.area_id)
        if area:
            query = query.where(AreaRow.key == area_key(area))
        rows = session.execute(query.order_by(AreaRow.name, ServiceRow.name, ServiceRow.id)).all()
        return [service_from_row(row, area_name) for row, area_name in rows]


def export_oruk(engine: Engine, area: str | None = None) -> list[dict]:
    """Stored services as ORUK 3.0 full-service objects (one per service id, listing every area it serves)."""
    return oruk_services(read_services(engine, area))


def ensure_default_directory(engine: Engine, settings=None) -> ImportReport | None:
    """Load the fictional demonstration directory (Demoshire) when no services are loaded; return
    its report, or None.

    For ``bot run`` only, which says when it did so. The assistant itself never loads it: a
    database it is given, a production one included, holds only what an LSCP imported.
    """
    if count_services(engine):
        return None
    if settings is None:
        from bot.config import load_settings

        settings = load_settings()
    return import_directory(engine, Path(settings.directories_dir) / DEMO_DIRECTORY)
