"""Fixtures for tests that need PostgreSQL or Redis: the project's private local services
(bot.runtime.services), started once and left running, and a fresh database per test."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine

from bot.config import PROJECT_ROOT
from bot.db import upgrade
from bot.knowledge.store import make_engine
from bot.runtime.services import LocalPostgres, LocalRedis

VAR_DIR = PROJECT_ROOT / "var"


@pytest.fixture(scope="session")
def postgres() -> LocalPostgres:
    """The project's PostgreSQL on 127.0.0.1:55432 (var/services/postgres), started if it is not running."""
    server = LocalPostgres(VAR_DIR)
    server.start()
    return server


@pytest.fixture
def postgres_url(postgres: LocalPostgres) -> Iterator[str]:
    """The SQLAlchemy URL of a new empty database, dropped after the test."""
    name = f"test_{secrets.token_hex(6)}"
    url = postgres.create_database(name)
    yield url
    postgres.drop_database(name)


@pytest.fixture
def postgres_engine(postgres_url: str) -> Iterator[Engine]:
    """An engine on a new database at the newest schema (``bot db upgrade``), for the store tests run on PostgreSQL."""
    upgrade(postgres_url)
    engine = make_engine(postgres_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def redis_server() -> LocalRedis:
    """The project's Redis on 127.0.0.1:56379, started if it is not running."""
    server = LocalRedis(VAR_DIR)
    server.start()
    return server
