"""The project's local PostgreSQL and Redis (bot.runtime.services): started once, shared, and a
database per test that really stores rows."""

from __future__ import annotations

import shutil
import uuid

import pytest
import sqlalchemy as sa

from bot.config import PROJECT_ROOT
from bot.runtime import services
from bot.runtime.services import LocalPostgres, LocalRedis, ServiceError, local_secrets


def test_a_fresh_database_stores_and_returns_rows(postgres_url):
    engine = sa.create_engine(postgres_url, future=True)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE notes (id serial PRIMARY KEY, body text)"))
        conn.execute(sa.text("INSERT INTO notes (body) VALUES ('first'), ('second')"))
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT body FROM notes ORDER BY id")).scalars().all() == ["first", "second"]
    engine.dispose()


def test_starting_again_and_creating_again_change_nothing(postgres):
    name = f"test_{uuid.uuid4().hex[:10]}"
    url = postgres.create_database(name)
    engine = sa.create_engine(url, future=True)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE kept (n int)"))
        conn.execute(sa.text("INSERT INTO kept VALUES (7)"))
    engine.dispose()
    postgres.start()  # already answering: no new cluster, no restart
    assert postgres.create_database(name) == url
    engine = sa.create_engine(url, future=True)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT n FROM kept")).scalar_one() == 7
    engine.dispose()
    postgres.drop_database(name)
    with pytest.raises(sa.exc.OperationalError, match=name):
        sa.create_engine(url, future=True).connect()


def test_the_cluster_listens_on_loopback_with_a_password(postgres):
    wrong = postgres.url("postgres").replace(postgres.password, "not-the-password")
    with pytest.raises(sa.exc.OperationalError, match="password authentication failed"):
        sa.create_engine(wrong, future=True).connect()
    engine = sa.create_engine(postgres.url("postgres"), future=True)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SHOW listen_addresses")).scalar_one() == "127.0.0.1"
    engine.dispose()


def test_a_database_name_that_is_not_an_identifier_is_refused(postgres):
    with pytest.raises(ValueError, match="lower-case letters"):
        postgres.create_database('x"; DROP DATABASE postgres; --')


def test_redis_answers_and_keeps_keys(redis_server):
    import redis

    client = redis.Redis.from_url(redis_server.url)
    key = f"test:{uuid.uuid4().hex}"
    client.set(key, "v", ex=60)
    assert client.get(key) == b"v"
    client.delete(key)
    assert redis_server.url == f"redis://127.0.0.1:{redis_server.port}"


def test_a_cluster_of_its_own_starts_stops_and_keeps_its_data():
    var = PROJECT_ROOT / "var" / "test-services" / uuid.uuid4().hex[:8]  # under var/: the postgres user must reach it
    server = LocalPostgres(var, port=55499)
    try:
        server.start()
        url = server.create_database("kept")
        engine = sa.create_engine(url, future=True)
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE t (n int)"))
            conn.execute(sa.text("INSERT INTO t VALUES (1)"))
        engine.dispose()
        server.stop()
        with pytest.raises(sa.exc.OperationalError):
            sa.create_engine(url, future=True).connect()
        server.start()
        engine = sa.create_engine(url, future=True)
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT n FROM t")).scalar_one() == 1
        engine.dispose()
    finally:
        server.stop()
        shutil.rmtree(var.parent, ignore_errors=True)


def test_local_secrets_are_private_and_stable(tmp_path):
    first = local_secrets(tmp_path)
    assert local_secrets(tmp_path) == first
    assert len(first["DASG_ACTION_TOKEN"]) >= 32
    assert (tmp_path / "services" / "secrets.env").stat().st_mode & 0o777 == 0o600


def test_missing_binaries_say_how_to_install_them(tmp_path, monkeypatch):
    monkeypatch.setenv("DASG_POSTGRES_LIB", str(tmp_path))
    with pytest.raises(ServiceError, match="make services"):
        LocalPostgres(tmp_path, port=55498).start()
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(services.shutil, "which", lambda *args, **kwargs: None)
    with pytest.raises(ServiceError, match="redis-server was not found.*make services"):
        LocalRedis(tmp_path, port=56398).start()
