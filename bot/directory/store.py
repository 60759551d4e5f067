"""Keep local service directories in the database: import (all or nothing), list, export to ORUK JSON.

Directory tables have their own metadata (``bot.directory.models``) and are created on
demand, so they share the knowledge database without touching its tables. Use an engine
from ``bot.knowledge.store.make_engine``. Every change bumps a generation number that
``bot.directory.areas.AreaMatcher`` watches.
"""

from __future__ import annotations

import gc
import hashlib
import time
import weakref
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.directory.importers import read_directory
from bot.directory.models import AreaRow, DirectoryBase, DirectoryMetaRow, ServiceRow, ServiceTagRow
from bot.directory.oruk import Progress
from bot.directory.schema import AreaChanges, ImportReport, ParsedService, Service
from bot.directory.taxonomy import AUDIENCE_TAXONOMY, TYPE_TAXONOMY, load_taxonomy
from bot.directory.template import slug

DEMO_DIRECTORY = "demoshire.json"
GENERATION = "generation"
_CHUNK = 5000
_ready: "weakref.WeakSet[Engine]" = weakref.WeakSet()


def ensure_schema(engine: Engine) -> None:
    """Create the directory tables if they are missing (once per engine)."""
    if engine not in _ready:
        DirectoryBase.metadata.create_all(engine)
        _ready.add(engine)


def fingerprint(service: Service) -> str:
    return hashlib.md5(repr(service.content()).encode("utf-8")).hexdigest()


def import_directory(
    engine: Engine, path: Path | str, area: str | None = None, dry_run: bool = False, progress: Progress | None = None,
) -> ImportReport:
    """Validate ``path`` and replace the services of every area it covers, in one transaction.

    ``area`` names the area for services the file gives none. ``progress(stage, done, total)``
    is called now and then on large inputs. Raises ``DirectoryError`` (nothing changed) when
    the input does not validate. With ``dry_run`` the database is only read.
    """
    started = time.perf_counter()
    with _collector_paused():
        return _import(engine, Path(path), area, dry_run, progress, started)


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


def _import(engine: Engine, path: Path, area: str | None, dry_run: bool, progress: Progress | None,
            started: float) -> ImportReport:
    result = read_directory(path, area=area, progress=progress)
    incoming = _by_area(result.services)
    ensure_schema(engine)
    report = ImportReport(
        source=str(path), format=result.format, services=len({p.service.id for p in result.services}),
        areas=[], warnings=result.warnings, dry_run=dry_run,
    )
    with Session(engine, future=True) as session, session.begin():
        areas = {row.key: row for row in session.scalars(select(AreaRow).where(AreaRow.key.in_(list(incoming))))}
        saved, total = 0, sum(len(services) for _, services in incoming.values())
        for key, (name, services) in incoming.items():
            before = _fingerprints(session, areas.get(key))
            changes = _changes(name, before, services)
            report.areas.append(changes)
            if dry_run:
                continue
            area_row = _area_row(session, areas.get(key), key, name, path.name)
            saved = _replace_services(session, area_row.id, services, saved, total, progress)
        if not dry_run:
            _bump_generation(session)
    report.seconds = time.perf_counter() - started
    return report


def _by_area(parsed: list[ParsedService]) -> dict[str, tuple[str, dict[str, Service]]]:
    areas: dict[str, tuple[str, dict[str, Service]]] = {}
    for item in parsed:
        for name in item.areas:
            _, services = areas.setdefault(name.casefold(), (name, {}))
            services[item.service.id] = item.service
    return areas


def _fingerprints(session: Session, area: AreaRow | None) -> dict[str, str]:
    if area is None:
        return {}
    rows = session.execute(select(ServiceRow.id, ServiceRow.fingerprint).where(ServiceRow.area_id == area.id))
    return dict(rows.all())


def _changes(name: str, before: dict[str, str], services: dict[str, Service]) -> AreaChanges:
    changes = AreaChanges(area=name)
    for service_id, service in services.items():
        if service_id not in before:
            changes.added.append(service_id)
        elif before[service_id] != fingerprint(service):
            changes.changed.append(service_id)
        else:
            changes.unchanged += 1
    changes.removed = sorted(set(before) - set(services))
    return changes


def _area_row(session: Session, row: AreaRow | None, key: str, name: str, source: str) -> AreaRow:
    if row is None:
        row = AreaRow(key=key, name=name, source=source, imported_at=datetime.utcnow())
        session.add(row)
    else:
        row.name, row.source, row.imported_at = name, source, datetime.utcnow()
    session.flush()
    return row


def _replace_services(
    session: Session, area_id: int, services: dict[str, Service], saved: int, total: int, progress: Progress | None,
) -> int:
    session.execute(delete(ServiceTagRow).where(ServiceTagRow.area_id == area_id))
    session.execute(delete(ServiceRow).where(ServiceRow.area_id == area_id))
    batch = list(services.values())
    for start in range(0, len(batch), _CHUNK):
        chunk = batch[start:start + _CHUNK]
        session.execute(insert(ServiceRow.__table__), [_service_values(area_id, s) for s in chunk])
        tags = [
            {"area_id": area_id, "service_id": s.id, "kind": kind, "value": value, "position": i}
            for s in chunk
            for kind, values in (("type", s.types),)
            for i, value in enumerate(values)
        ]
        if tags:
            session.execute(insert(ServiceTagRow.__table__), tags)
        saved += len(chunk)
        if progress:
            progress("Saving services", saved, total)
    return saved


def _service_values(area_id: int, s: Service) -> dict:
    return {
        "area_id": area_id, "id": s.id, "name": s.name, "organisation": s.organisation,
        "organisation_id": s.organisation_id, "description": s.description, "min_age": s.min_age,
        "max_age": s.max_age, "how_to_refer": s.how_to_refer, "phone": s.phone, "email": s.email,
        "website": s.website, "opening_times": s.opening_times, "fingerprint": fingerprint(s),
        "audiences": f",{','.join(s.audiences)}," if s.audiences else "", "types": ",".join(s.types),
    }


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


def remove_area(engine: Engine, name: str) -> int:
    """Remove an area and its services; returns how many services went (0 if the area is unknown)."""
    ensure_schema(engine)
    with Session(engine, future=True) as session, session.begin():
        area = session.scalar(select(AreaRow).where(AreaRow.key == " ".join(name.split()).casefold()))
        if area is None:
            return 0
        count = session.scalar(select(func.count()).select_from(ServiceRow).where(ServiceRow.area_id == area.id)) or 0
        session.execute(delete(ServiceTagRow).where(ServiceTagRow.area_id == area.id))
        session.execute(delete(ServiceRow).where(ServiceRow.area_id == area.id))
        session.execute(delete(AreaRow).where(AreaRow.id == area.id))
        _bump_generation(session)
        return count


def count_services(engine: Engine) -> int:
    ensure_schema(engine)
    with Session(engine, future=True) as session:
        return session.scalar(select(func.count()).select_from(ServiceRow)) or 0


def service_from_row(row, area: str) -> Service:
    """A Service from a services-table row (ORM object or result row) and its area name."""
    return Service(
        id=row.id, name=row.name, organisation=row.organisation, description=row.description,
        types=tuple(t for t in row.types.split(",") if t), audiences=tuple(a for a in row.audiences.split(",") if a),
        min_age=row.min_age, max_age=row.max_age,
        how_to_refer=row.how_to_refer, phone=row.phone, email=row.email, website=row.website,
        opening_times=row.opening_times, area=area, organisation_id=row.organisation_id,
    )


def read_services(engine: Engine, area: str | None = None) -> list[Service]:
    """Every stored service (one per area it serves), by area then name."""
    ensure_schema(engine)
    with Session(engine, future=True) as session:
        query = select(ServiceRow, AreaRow.name).join(AreaRow, AreaRow.id == ServiceRow.area_id)
        if area:
            query = query.where(AreaRow.key == " ".join(area.split()).casefold())
        rows = session.execute(query.order_by(AreaRow.name, ServiceRow.name, ServiceRow.id)).all()
        return [service_from_row(row, area_name) for row, area_name in rows]


def export_oruk(engine: Engine, area: str | None = None) -> list[dict]:
    """Stored services as ORUK 3.0 full-service objects (one per service id, listing every area it serves).

    Types and audiences are written as attributes in this project's own taxonomies and how to
    refer as ``application_process`` (an HSDS field the UK profile leaves out), so a
    re-import gives the same services.
    """
    merged: dict[str, tuple[Service, list[str]]] = {}
    for service in read_services(engine, area):
        merged.setdefault(service.id, (service, []))[1].append(service.area)
    return [_oruk_service(service, areas) for service, areas in merged.values()]


def _oruk_service(s: Service, areas: list[str]) -> dict:
    taxonomy = load_taxonomy()
    data: dict = {"id": s.id, "name": s.name, "description": s.description, "url": s.website, "email": s.email,
                  "status": "active", "minimum_age": s.min_age, "maximum_age": s.max_age}
    if s.how_to_refer:
        data["application_process"] = s.how_to_refer
    if s.organisation:
        data["organization"] = {"id": s.organisation_id or slug(s.organisation), "name": s.organisation}
    elif s.organisation_id:
        data["organization_id"] = s.organisation_id
    data["service_areas"] = [{"id": f"{s.id}:{slug(a)}", "name": a} for a in areas]
    if s.phone:
        data["contacts"] = [{"id": f"{s.id}:contact", "phones": [{"id": f"{s.id}:phone", "number": s.phone}]}]
    if s.opening_times:
        data["schedules"] = [{"id": f"{s.id}:schedule", "description": s.opening_times}]
    terms = [(TYPE_TAXONOMY, t, taxonomy.label(t)) for t in s.types if t in taxonomy.types]
    terms += [(AUDIENCE_TAXONOMY, a, taxonomy.audience_label(a)) for a in s.audiences if a in taxonomy.audiences]
    data["attributes"] = [
        {"id": f"{s.id}:{code}", "link_type": "service", "taxonomy_term": {
            "id": f"{scheme}:{code}", "name": label, "description": label, "taxonomy": scheme, "term": code}}
        for scheme, code, label in terms
    ]
    return {k: v for k, v in data.items() if v not in (None, "")}


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
