"""What /health/ready says about each dependency (bot/web/ready.py), against real clients that
can or cannot reach their servers; the whole endpoint on running servers is in test_cluster.py."""

from __future__ import annotations

import types

import sqlalchemy as sa
from rasa.core.lock_store import InMemoryLockStore, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from bot.runtime.lock_store import TicketLockStore
from bot.web.ready import _check_action_server, _check_lock_store, _check_tracker_store, check_all
from tests.conftest import free_port


async def test_a_tracker_database_that_answers_is_ok_and_one_that_does_not_is_named(postgres_url):
    reachable = types.SimpleNamespace(engine=sa.create_engine(postgres_url))
    assert await _check_tracker_store(reachable) is None
    closed = types.SimpleNamespace(engine=sa.create_engine(f"postgresql://dasg:x@127.0.0.1:{free_port()}/none"))
    assert (await _check_tracker_store(closed)).startswith("the tracker database does not answer: OperationalError")
    reachable.engine.dispose()


async def test_redis_lock_stores_are_pinged_and_an_in_memory_one_needs_nothing(redis_server):
    assert await _check_lock_store(InMemoryLockStore()) is None
    assert await _check_lock_store(RedisLockStore(host=redis_server.host, port=redis_server.port)) is None
    assert await _check_lock_store(TicketLockStore(host=redis_server.host, port=redis_server.port)) is None
    closed = await _check_lock_store(TicketLockStore(host="127.0.0.1", port=free_port()))
    assert closed.startswith("Redis does not answer: ConnectionError"), closed


async def test_an_action_server_that_does_not_answer_is_named_with_its_address():
    url = f"http://127.0.0.1:{free_port()}/webhook"
    problem = await _check_action_server(EndpointConfig(url=url))
    assert problem.startswith(f"the action server does not answer at {url.removesuffix('/webhook')}/health"), problem


async def test_a_server_still_loading_its_model_is_not_ready():
    assert await check_all(None) == {"model": "the model is not loaded yet"}
