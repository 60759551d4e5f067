"""Write one validated import into the directory tables, in the caller's transaction.

Which stored rows an import replaces follows docs/directory-model.md, section 5: everything
it imported before, and in its home areas (where it lists a service serving only that area)
the rows other imports made there as home rows. Other imports' services spanning into its
areas stay. An id that a still-loaded service with another name uses is refused before
anything is written.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, bindparam, delete, select, text
from sqlalchemy.orm import Session

from bot.directory import fulltext
from bot.directory.cleaning import area_key
from bot.directory.models import AreaRow, ServiceRow, ServiceTagRow
from bot.directory.oruk import Progress
from bot.directory.schema import AreaChanges, DirectoryError, ParsedService, Problem, Service
from bot.directory.taxonomy import load_taxonomy

_CHUNK = 5000


def fingerprint(service: Service) -> str:
    return hashlib.md5(repr(service.content()).encode("utf-8")).hexdigest()


@dataclass
class _Stored:
    """A stored row as the plan sees it."""

    area_key: str
    area_name: str
    id: str
    name: str
    source: str
    origin: str
    shared: bool
    fingerprint: str


@dataclass
class Plan:
    """What an import will do: per area the incoming services, and the stored rows it replaces."""

    source: str
    origin: str
    names: dict[str, str] = field(default_factory=dict)  # area key -> name as imported
    incoming: dict[str, dict[str, tuple[Service, str]]] = field(default_factory=dict)  # key -> id -> (service, where)
    home: set[str] = field(default_factory=set)
    replaced: list[_Stored] = field(default_factory=list)
    takeovers: list[_Stored] = field(default_factory=list)


def plan_import(session: Session, parsed: list[ParsedService], origin: str) -> Plan:
    """Group the services by area, find the import's home areas, and the stored rows it replaces."""
    names, incoming, home = {}, {}, set()
    for item in parsed:
        keys = [area_key(name) for name in item.areas]
        if len(set(keys)) == 1:
            home.add(keys[0])
        for key, name in zip(keys, item.areas, strict=True):
            names.setdefault(key, name)
            incoming.setdefault(key, {})[item.service.id] = (item.service, item.where)
    basis = sorted(home) if home else ["(shared)", *sorted(incoming)]
    source = hashlib.sha1("\n".join(basis).encode("utf-8")).hexdigest()[:32]
    plan = Plan(source=source, origin=origin, names=names, incoming=incoming, home=home)
    _classify(plan, _stored(session))
    return plan


def _stored(session: Session) -> list[_Stored]:
    s = ServiceRow
    rows = session.execute(
        select(AreaRow.key, AreaRow.name, s.id, s.name, s.source, s.origin, s.shared, s.fingerprint)
        .join(AreaRow, AreaRow.id == s.area_id)
    )
    return [_Stored(*row) for row in rows]


def _classify(plan: Plan, stored: list[_Stored]) -> None:
    survivors: dict[str, list[_Stored]] = {}
    for row in stored:
        if row.source == plan.source or (row.area_key in plan.home and not row.shared):
            plan.replaced.append(row)
        else:
            survivors.setdefault(row.id, []).append(row)
    problems = []
    for key, services in plan.incoming.items():
        for service_id, (service, where) in services.items():
            for row in survivors.get(service_id, ()):
                if row.name.casefold() != service.name.casefold():
                    origin = row.origin or "an earlier import"
                    problems.append(Problem(plan.origin, where, "id", (
                        f"{service_id!r} is already the id of {row.name!r} in {row.area_name} (from {origin}); "
                        "an id names one service across the directory, so give this one its own")))
                    break
                if row.area_key == key:
                    plan.takeovers.append(row)
    if problems:
        raise DirectoryError(problems)
    plan.replaced += plan.takeovers


def changes(plan: Plan) -> list[AreaChanges]:
    """Per area, what the import adds, changes and removes (areas it covers, then areas it only leaves)."""
    before: dict[str, dict[str, str]] = {}
    names = dict(plan.names)
    for row in plan.replaced:
        before.setdefault(row.area_key, {})[row.id] = row.fingerprint
        names.setdefault(row.area_key, row.area_name)
    report = []
    for key in [*plan.incoming, *(k for k in before if k not in plan.incoming)]:
        old, new = before.get(key, {}), plan.incoming.get(key, {})
        area = AreaChanges(area=names[key])
        for service_id, (service, _) in new.items():
            if service_id not in old:
                area.added.append(service_id)
            elif old[service_id] != fingerprint(service):
                area.changed.append(service_id)
            else:
                area.unchanged += 1
        area.removed = sorted(set(old) - set(new))
        report.append(area)
    return report


def apply(session: Session, plan: Plan, progress: Progress | None = None) -> None:
    """Replace the planned rows with the incoming services, keeping the tags and the full-text index in step."""
    areas = _area_rows(session, plan)
    conn = session.connection()
    index = fulltext.exists(conn)
    home_ids = sorted(areas[key].id for key in plan.home if key in areas)
    params = {"source": plan.source}
    pairs = [(areas[row.area_key].id, row.id) for row in plan.takeovers if row.area_key in areas]
    _delete(session, home_ids, params, pairs, index)
    total, saved = sum(len(s) for s in plan.incoming.values()), 0
    # Plain DB-API parameters: at 100,000 services SQLAlchemy's per-row parameter handling costs
    # a fifth of the import.
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    service_sql = f"INSERT INTO directory_services ({', '.join(COLUMNS)}) VALUES ({', '.join([mark] * len(COLUMNS))})"
    tag_sql = ("INSERT INTO directory_service_tags (area_id, service_id, kind, value, position) "
               f"VALUES ({', '.join([mark] * 5)})")
    for key, services in plan.incoming.items():
        area_id, shared = areas[key].id, key not in plan.home
        batch = [service for service, _ in services.values()]
        for start in range(0, len(batch), _CHUNK):
            chunk = batch[start:start + _CHUNK]
            conn.exec_driver_sql(service_sql, [_values(area_id, s, plan, shared) for s in chunk])
            tags = [(area_id, s.id, "type", value, i) for s in chunk for i, value in enumerate(s.types)]
            if tags:
                conn.exec_driver_sql(tag_sql, tags)
            saved += len(chunk)
            if progress:
                progress("Saving services", saved, total)
    if index:
        fulltext.add(conn, "source = :source", params, load_taxonomy())
    _drop_empty_areas(session, [row.area_key for row in plan.replaced])


def _area_rows(session: Session, plan: Plan) -> dict[str, AreaRow]:
    keys = list(plan.incoming) + [row.area_key for row in plan.replaced]
    areas = {row.key: row for row in session.scalars(select(AreaRow).where(AreaRow.key.in_(set(keys))))}
    now = datetime.utcnow()
    for key, name in plan.names.items():
        row = areas.get(key)
        if row is None:
            row = areas[key] = AreaRow(key=key, name=name, source=plan.origin, imported_at=now)
            session.add(row)
        elif key in plan.home:
            row.name, row.source, row.imported_at = name, plan.origin, now
    session.flush()
    return areas


def _replaced(home_ids: list[int], prefix: str = "") -> str:
    """SQL selecting the rows an import replaces: its own, and the home rows of its home areas."""
    own = f"{prefix}source = :source"
    if not home_ids:
        return own
    return f"({own} OR (NOT {prefix}shared AND {prefix}area_id IN ({', '.join(map(str, home_ids))})))"


def _delete(session: Session, home_ids: list[int], params: dict, pairs: list[tuple[int, str]], index: bool) -> None:
    conn = session.connection()
    if index:
        fulltext.remove(conn, _replaced(home_ids), params)
        for area_id, service_id in pairs:
            fulltext.remove(conn, "area_id = :pair_area AND id = :pair_id", {"pair_area": area_id, "pair_id": service_id})
    conn.execute(text(
        "DELETE FROM directory_service_tags WHERE EXISTS (SELECT 1 FROM directory_services s WHERE "
        "s.area_id = directory_service_tags.area_id AND s.id = directory_service_tags.service_id AND "
        f"{_replaced(home_ids, 's.')})"), params)
    conn.execute(text(f"DELETE FROM directory_services WHERE {_replaced(home_ids)}"), params)
    if pairs:
        t, s = ServiceTagRow.__table__.c, ServiceRow.__table__.c
        values = [{"a": a, "i": i} for a, i in pairs]
        conn.execute(delete(ServiceTagRow.__table__).where(and_(t.area_id == bindparam("a"), t.service_id == bindparam("i"))),
                     values)
        conn.execute(delete(ServiceRow.__table__).where(and_(s.area_id == bindparam("a"), s.id == bindparam("i"))), values)


def _drop_empty_areas(session: Session, keys: list[str]) -> None:
    """An area the import left with no services (its only rows were this import's) is no longer listed."""
    if keys:
        has_services = select(ServiceRow.id).where(ServiceRow.area_id == AreaRow.id).exists()
        session.execute(delete(AreaRow).where(AreaRow.key.in_(set(keys)), ~has_services),
                        execution_options={"synchronize_session": False})


COLUMNS = (
    "area_id", "id", "name", "organisation", "organisation_id", "description", "min_age", "max_age", "how_to_refer",
    "phone", "email", "website", "opening_times", "fingerprint", "audiences", "types", "eligibility", "languages", "fees",
    "address", "last_modified", "assured_date", "source", "origin", "shared",
)


def _values(area_id: int, s: Service, plan: Plan, shared: bool) -> tuple:
    """A services row in COLUMNS order (dates as ISO text, as SQLAlchemy's Date type stores them on SQLite)."""
    return (
        area_id, s.id, s.name, s.organisation, s.organisation_id, s.description, s.min_age, s.max_age, s.how_to_refer,
        s.phone, s.email, s.website, s.opening_times, fingerprint(s),
        f",{','.join(s.audiences)}," if s.audiences else "", ",".join(s.types), s.eligibility, ", ".join(s.languages),
        s.fees, s.address, s.last_modified.isoformat() if s.last_modified else None,
        s.assured_date.isoformat() if s.assured_date else None, plan.source, plan.origin, shared,
    )
