"""Two servers take the same conversation at the same moment, many times: separate OS
processes hammer the same conversation ids through one Redis. Each critical section writes
a start and an end marker to a Redis list; with a working lock no two sections of one
conversation overlap and every request is served. Rasa 3.6's own RedisLockStore fails
the same check (its ticket is read, changed and written back in separate steps)."""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from dataclasses import dataclass
from typing import Any

import pytest

LOCK_DB = 8
PROCESSES = 2
CONVERSATIONS = 4
TASKS_PER_CONVERSATION = 2  # coroutines per process per conversation
ROUNDS = 15  # sections per coroutine
# Round-trip time to Redis in a cluster (the servers and Redis on different machines). Without it the
# servers on this shared 2-core machine rarely reach Redis in the same millisecond.
NETWORK_LATENCY = 0.003
# A request still waiting for the lock after this long counts as not served (a turn takes well under 1 s).
REQUEST_TIMEOUT = 2.0
# Requests not started within this many seconds count as not served (the ticket lock store needs about 3 s).
RUN_BUDGET = 10.0


@pytest.fixture
def redis_port(redis_server) -> int:
    """The project's Redis (tests/services.py), shared with the cluster tests (db 1): this module owns db 8."""
    return redis_server.port


def make_store(kind: str, port: int):
    """The store under test, with NETWORK_LATENCY added to each step that talks to Redis."""
    if kind == "ticket":
        from bot.runtime.lock_store import TicketLockStore

        class RemoteTicketLockStore(TicketLockStore):
            async def issue(self, conversation_id):
                await asyncio.sleep(NETWORK_LATENCY)
                return await super().issue(conversation_id)

            async def release(self, conversation_id, ticket):
                await asyncio.sleep(NETWORK_LATENCY)
                await super().release(conversation_id, ticket)

        return RemoteTicketLockStore(port=port, db=LOCK_DB, key_prefix="race")
    from rasa.core.lock_store import RedisLockStore

    class RemoteRedisLockStore(RedisLockStore):
        def get_lock(self, conversation_id):
            lock = super().get_lock(conversation_id)
            time.sleep(NETWORK_LATENCY)  # Rasa's client is synchronous: the reply takes this long to arrive
            return lock

    return RemoteRedisLockStore(port=port, db=LOCK_DB, key_prefix="race")


def hammer(kind: str, port: int, ready: Any, worker: int) -> None:
    """One 'server': many concurrent requests for each conversation, each a short critical section."""
    import redis
    from rasa.core.lock_store import LockError

    store = make_store(kind, port)
    log = redis.Redis(port=port, db=LOCK_DB)

    async def requests(conversation: str, task: int) -> None:
        for n in range(ROUNDS):
            if time.time() > start_at + RUN_BUDGET:
                log.incr("failed", ROUNDS - n)  # never sent: counted as not served
                return
            token = f"{worker}.{task}.{n}"
            try:
                await asyncio.wait_for(section(conversation, token), REQUEST_TIMEOUT)
            except (LockError, asyncio.TimeoutError):
                log.incr("failed")

    async def section(conversation: str, token: str) -> None:
        async with store.lock(conversation, wait_time_in_seconds=0.005):
            log.rpush(f"log:{conversation}", f"start {token}")
            await asyncio.sleep(0.002)  # other requests run meanwhile, in this process and the other
            log.rpush(f"log:{conversation}", f"end {token}")

    async def main() -> None:
        await asyncio.gather(*(requests(f"c{c}", t) for c in range(CONVERSATIONS) for t in range(TASKS_PER_CONVERSATION)))

    ready.wait(timeout=60)  # every process starts at the same moment, once all have imported
    start_at = time.time()
    asyncio.run(main())


@dataclass
class Outcome:
    overlaps: int  # sections that started while another section of the conversation was open
    served: int
    failed: int
    expected: int
    seconds: float


def run_race(kind: str, port: int) -> Outcome:
    import redis

    client = redis.Redis(port=port, db=LOCK_DB)
    client.flushdb()
    context = multiprocessing.get_context("spawn")
    ready = context.Barrier(PROCESSES)
    workers = [context.Process(target=hammer, args=(kind, port, ready, w)) for w in range(PROCESSES)]
    started = time.time()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
        if worker.exitcode != 0:  # not an AssertionError: the expected failure below must not hide a crash
            raise RuntimeError(f"hammer process for {kind} exited with {worker.exitcode}")
    seconds = time.time() - started  # including the processes' start-up
    overlaps = served = 0
    for c in range(CONVERSATIONS):
        open_sections: set[str] = set()
        for entry in client.lrange(f"log:c{c}", 0, -1):
            marker, token = entry.decode().split()
            if marker == "start":
                overlaps += bool(open_sections)
                open_sections.add(token)
            else:
                open_sections.discard(token)
                served += 1
    expected = PROCESSES * CONVERSATIONS * TASKS_PER_CONVERSATION * ROUNDS
    return Outcome(overlaps, served, int(client.get("failed") or 0), expected, seconds)


def test_ticket_lock_store_serves_every_request_one_at_a_time(redis_port):
    outcome = run_race("ticket", redis_port)
    assert outcome.overlaps == 0, f"{outcome.overlaps} critical sections overlapped"
    assert (outcome.served, outcome.failed) == (outcome.expected, 0)
    import redis

    leftovers = [k.decode() for k in redis.Redis(port=redis_port, db=LOCK_DB).keys("race:ticketlock:*")]
    assert leftovers == ["race:ticketlock:counter"], "only the ticket counter outlives the requests"


@pytest.mark.xfail(strict=True, raises=AssertionError, reason="Rasa 3.6's RedisLockStore issues tickets non-atomically (RasaHQ/rasa #11256)")
def test_rasa_redis_lock_store_lets_two_servers_in_at_once(redis_port):
    outcome = run_race("rasa", redis_port)
    print(f"Rasa RedisLockStore: {outcome}")
    assert outcome.overlaps == 0 and (outcome.served, outcome.failed) == (outcome.expected, 0), outcome
