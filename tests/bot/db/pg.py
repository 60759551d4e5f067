"""A PostgreSQL database upgraded to the newest schema, for tests that share one across a module."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager

from bot.db import upgrade
from bot.runtime.services import LocalPostgres


@contextmanager
def upgraded_database(postgres: LocalPostgres) -> Iterator[str]:
    """The URL of a new database at the newest revision, dropped afterwards (open connections too)."""
    name = f"test_{secrets.token_hex(6)}"
    url = postgres.create_database(name)
    try:
        upgrade(url)
        yield url
    finally:
        postgres.drop_database(name)
