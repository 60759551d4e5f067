"""The ticket lock store on a real redis-server: turns of one conversation are served one at a
time in arrival order, a crashed server's ticket expires, and nothing is left behind."""

from __future__ import annotations

import asyncio
import time

import pytest
from rasa.core.lock_store import LockError, LockStore
from rasa.utils.endpoints import EndpointConfig

from bot.runtime.lock_store import TicketLockStore

LOCK_DB = 7


@pytest.fixture
def redis_port(redis_server) -> int:
    """The project's Redis (tests/services.py), shared with the cluster tests (db 1): this module owns db 7."""
    return redis_server.port


@pytest.fixture
def redis_client(redis_port):
    import redis

    client = redis.Redis(port=redis_port, db=LOCK_DB)
    client.flushdb()
    return client


def store(port: int, **options) -> TicketLockStore:
    return TicketLockStore(port=port, db=LOCK_DB, **options)


async def test_turns_of_one_conversation_run_in_arrival_order_one_at_a_time(redis_client, redis_port):
    locks, order, inside = store(redis_port), [], []

    async def turn(n: int) -> None:
        async with locks.lock("conversation-1"):
            inside.append(n)
            assert len(inside) == 1, f"turns {inside} held the lock together"
            await asyncio.sleep(0.01)
            order.append(n)
            inside.remove(n)

    tasks = []
    async with locks.lock("conversation-1"):  # the turns queue up behind this one
        for n in range(8):
            tasks.append(asyncio.create_task(turn(n)))
            await asyncio.sleep(0.02)  # each turn takes its ticket before the next arrives
    await asyncio.gather(*tasks)
    assert order == list(range(8))


async def test_other_conversations_do_not_wait(redis_client, redis_port):
    locks = store(redis_port)
    async with locks.lock("slow"):
        started = time.monotonic()
        async with locks.lock("other"):
            pass
        assert time.monotonic() - started < 0.5


async def test_a_crashed_servers_ticket_expires_and_the_next_turn_goes_ahead(redis_client, redis_port):
    locks = store(redis_port, lock_lifetime=0.5)
    # A server took the lock and crashed: its ticket heads the queue and nobody keeps it alive.
    await locks.issue("conversation-2")
    started = time.monotonic()
    async with locks.lock("conversation-2"):
        waited = time.monotonic() - started
    assert 0.3 < waited < 3


async def test_a_long_turn_keeps_its_lock_beyond_the_lifetime(redis_client, redis_port):
    locks, events = store(redis_port, lock_lifetime=0.3, lock_wait=10), []

    async def long_turn() -> None:
        async with locks.lock("conversation-3"):
            events.append("long start")
            await asyncio.sleep(1.0)  # more than three lifetimes: the heartbeat keeps the ticket alive
            events.append("long end")

    async def next_turn() -> None:
        await asyncio.sleep(0.05)
        async with locks.lock("conversation-3"):
            events.append("next")

    await asyncio.gather(long_turn(), next_turn())
    assert events == ["long start", "long end", "next"]


async def test_a_turn_that_waits_longer_than_lock_wait_gets_a_lock_error(redis_client, redis_port):
    locks = store(redis_port, lock_lifetime=10, lock_wait=0.3)

    async def holder() -> None:
        async with locks.lock("conversation-4"):
            await asyncio.sleep(1.0)

    async def waiter() -> None:
        await asyncio.sleep(0.05)
        with pytest.raises(LockError, match="Waited more than"):
            async with locks.lock("conversation-4"):
                pass

    await asyncio.gather(holder(), waiter())


async def test_only_the_ticket_counter_is_left_after_the_turns(redis_client, redis_port):
    locks = store(redis_port, key_prefix="tidy")
    await asyncio.gather(*(_turn(locks, f"c{n % 3}") for n in range(9)))
    assert [key.decode() for key in redis_client.keys("tidy:*")] == ["tidy:ticketlock:counter"]


async def _turn(locks: TicketLockStore, conversation: str) -> None:
    async with locks.lock(conversation):
        await asyncio.sleep(0.001)


async def test_rasa_builds_the_store_from_the_endpoints_file(redis_client, redis_port):
    config = EndpointConfig(
        url="127.0.0.1", type="bot.runtime.lock_store.TicketLockStore", port=str(redis_port), db=str(LOCK_DB),
        password=None, key_prefix="dasg",
    )
    locks = LockStore.create(config)
    assert isinstance(locks, TicketLockStore)
    async with locks.lock("conversation-5"):
        assert redis_client.keys("dasg:ticketlock:queue:*") == [b"dasg:ticketlock:queue:conversation-5"]


def test_a_bad_key_prefix_or_option_is_refused_with_the_reason():
    with pytest.raises(ValueError, match="key_prefix must be alphanumeric, not 'a:b'"):
        TicketLockStore(key_prefix="a:b")
    config = EndpointConfig(url="localhost", type="bot.runtime.lock_store.TicketLockStore", prot=6379)
    with pytest.raises(ValueError, match=r"unknown option\(s\) \['prot'\]"):
        TicketLockStore(endpoint_config=config)
