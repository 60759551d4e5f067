"""Make sure the directory tables are there before the directory is used.

The tables, their indexes and the full-text index are made and changed by the migrations in
``bot/db/migrations`` (0001 also adopts a database made before migrations, fixing its old
columns and audiences). Embedded SQLite upgrades itself on first use; any other database must
have been upgraded with ``bot db upgrade`` (``bot.db.ensure_current``).
"""

from __future__ import annotations

from sqlalchemy.engine import Engine

from bot.db import ensure_current


def ensure_schema(engine: Engine) -> None:
    """The schema is current (SQLite: upgraded now if not; else ``bot.db.SchemaNotCurrent``), checked once per engine."""
    ensure_current(engine)
