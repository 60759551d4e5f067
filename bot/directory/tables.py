"""Create the directory tables, and bring a database made before issue 14 up to date.

The upgrade is a small migration run once per engine: the service columns added since
(eligibility, languages, fees, address, dates, the owning import) are added with their
defaults, the old single "person causing harm" audience becomes the adult or young person
one by the service's ages, and the full-text index is built over the rows already there.
"""

from __future__ import annotations

import weakref

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

from bot.directory import fulltext
from bot.directory.models import DirectoryBase, ServiceRow
from bot.directory.taxonomy import load_taxonomy

_ready: "weakref.WeakSet[Engine]" = weakref.WeakSet()
ADDED_COLUMNS = ("eligibility", "languages", "fees", "address", "last_modified", "assured_date", "source", "origin",
                 "shared")
LEGACY_AUDIENCE = ",person_causing_harm,"


def ensure_schema(engine: Engine) -> None:
    """Create the directory tables (and the FTS5 index on SQLite) if missing, upgrading old ones (once per engine)."""
    if engine in _ready:
        return
    with engine.begin() as conn:
        had_services = inspect(conn).has_table(ServiceRow.__tablename__)
        if had_services:
            _add_columns(conn)
        DirectoryBase.metadata.create_all(conn)
        had_index = fulltext.exists(conn)
        if fulltext.create(conn) and not had_index and had_services:
            fulltext.rebuild(conn, load_taxonomy())
        _upgrade_audiences(conn)
    _ready.add(engine)


def _add_columns(conn: Connection) -> None:
    present = {column["name"] for column in inspect(conn).get_columns(ServiceRow.__tablename__)}
    table = ServiceRow.__table__
    for name in ADDED_COLUMNS:
        if name in present:
            continue
        column = table.c[name]
        kind = column.type.compile(dialect=conn.dialect)
        default = column.default.arg if column.default is not None else None
        clause = "" if default is None else f" NOT NULL DEFAULT {_literal(default)}"
        conn.exec_driver_sql(f"ALTER TABLE {table.name} ADD COLUMN {name} {kind}{clause}")


def _literal(value) -> str:
    if isinstance(value, bool):
        return "0" if not value else "1"
    return "'" + str(value).replace("'", "''") + "'"


def _upgrade_audiences(conn: Connection) -> None:
    """Rows stored with the old code: adult, young person or both, by their ages (as the import now does)."""
    old = conn.execute(text("SELECT count(*) FROM directory_services WHERE audiences LIKE :old"),
                       {"old": f"%{LEGACY_AUDIENCE}%"}).scalar()
    if not old:
        return
    for condition, codes in (
        ("max_age IS NOT NULL AND max_age < 18", ",young_person_causing_harm,"),
        ("min_age IS NOT NULL AND min_age < 18", ",adult_causing_harm,young_person_causing_harm,"),
        ("1 = 1", ",adult_causing_harm,"),
    ):
        conn.execute(text(f"UPDATE directory_services SET audiences = replace(audiences, :old, :new) "
                          f"WHERE audiences LIKE :like AND {condition}"),
                     {"old": LEGACY_AUDIENCE, "new": codes, "like": f"%{LEGACY_AUDIENCE}%"})
