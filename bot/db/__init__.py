"""The project's own tables (knowledge, directory, counters) under Alembic migrations: upgrade and check.

``upgrade`` runs the migrations in ``bot/db/migrations`` programmatically (no alembic.ini).
``bot db upgrade`` and ``bot run`` call it. Stores call ``ensure_current``: an embedded
SQLite database upgrades itself on first use (so ``make run``, the CLI and the tests need no
extra step); any other database (PostgreSQL in production) must already be current, and a
store refuses it with a message naming ``bot db upgrade``.
"""

from __future__ import annotations

import time
import weakref
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import Connection, Engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Tables only the project's create_all code made: one of them without Alembic's version table is a
# database from before migrations, adopted by revision 0001 with its rows.
PROJECT_TABLES = ("entries", "sources", "directory_services", "directory_areas", "insight_counters")
_LOCK_KEY = 4_871_203  # PostgreSQL advisory lock: two processes upgrading at once take turns
_current: "weakref.WeakSet[Engine]" = weakref.WeakSet()


class SchemaNotCurrent(RuntimeError):
    """The database's schema is older (or newer) than this code's migrations."""


@dataclass(frozen=True)
class UpgradeReport:
    """What an upgrade did: the revision before (None: no version table) and after, and whether it adopted
    a database made by the old create_all code."""

    database: str
    before: str | None
    after: str
    adopted: bool
    seconds: float

    @property
    def changed(self) -> bool:
        return self.before != self.after


@lru_cache(maxsize=1)
def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(_config())


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head() -> str:
    """The newest revision this code knows."""
    found = _scripts().get_current_head()
    if found is None:  # only a broken checkout has no migrations
        raise SchemaNotCurrent(f"no migrations found in {MIGRATIONS}")
    return found


def describe(engine: Engine) -> str:
    """The database's address without its password, for messages."""
    return engine.url.render_as_string(hide_password=True)


def _engine(target: str | Engine) -> Engine:
    if isinstance(target, Engine):
        return target
    if target.startswith("sqlite:///") and not target.startswith("sqlite:///:memory:"):
        Path(target.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    return create_engine(target, future=True)


def _revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def current(target: str | Engine) -> str | None:
    """The database's revision (None when it has no Alembic version table: empty, or made by create_all)."""
    if isinstance(target, str) and target.startswith("sqlite:///") and not target.startswith("sqlite:///:memory:") \
            and not Path(target.removeprefix("sqlite:///")).exists():
        return None  # looking must not create the file
    engine = _engine(target)
    try:
        with engine.connect() as conn:
            return _revision(conn)
    finally:
        if engine is not target:
            engine.dispose()


def is_current(target: str | Engine) -> bool:
    return current(target) == head()


def upgrade(target: str | Engine) -> UpgradeReport:
    """Bring the database to the newest revision in one transaction (PostgreSQL: under a lock, so two
    processes upgrading at once take turns); a create_all database is adopted with its rows."""
    engine = _engine(target)
    started = time.perf_counter()
    try:
        report = _upgrade(engine)
    finally:
        if engine is not target:
            engine.dispose()
    return UpgradeReport(describe(engine), *report, time.perf_counter() - started)


def _upgrade(engine: Engine) -> tuple[str | None, str, bool]:
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_LOCK_KEY})")
        before = _revision(conn)
        if before is not None and before not in {script.revision for script in _scripts().walk_revisions()}:
            raise SchemaNotCurrent(f"The database {describe(engine)} is at revision {before}, which this code does not "
                                   f"know (its newest is {head()}): it was upgraded by a newer version; run that one.")
        adopted = before is None and any(inspect(conn).has_table(name) for name in PROJECT_TABLES)
        if before != head():
            command.upgrade(_config(conn), "head")
        after = _revision(conn)
    _current.add(engine)
    return before, after or "", adopted


def ensure_current(engine: Engine) -> None:
    """Make sure the schema is current before a store uses ``engine`` (checked once per engine).

    Embedded SQLite upgrades itself; another database raises ``SchemaNotCurrent`` naming the
    command to run, since upgrading production is an operator's step (``bot db upgrade``).
    """
    if engine in _current:
        return
    with engine.connect() as conn:
        found = _revision(conn)
    if found != head():
        if engine.dialect.name != "sqlite":
            state = "has no schema version (empty, or made before migrations)" if found is None else f"is at revision {found}"
            raise SchemaNotCurrent(
                f"The database {describe(engine)} {state}; this code needs revision {head()}. "
                "Run `bot db upgrade` (with DASG_DATABASE_URL set to it) first.")
        upgrade(engine)
    _current.add(engine)
