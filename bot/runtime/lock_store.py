"""A Redis lock store whose tickets are issued atomically, so several Rasa servers never
handle one conversation's turns at the same time.

Rasa 3.6's ``RedisLockStore`` reads the conversation's lock, adds a ticket in Python and
writes it back: two servers that do this at the same moment both get the same ticket and
both go ahead (RasaHQ/rasa PR #11256; its fix was reverted in #11428). Here every step is
one Lua script that Redis runs atomically:

* issuing: ``INCR`` on one counter gives a ticket number no other request can get, and the
  ticket joins the end of the conversation's queue (a Redis list), so turns are served in
  the order they arrived (FIFO per conversation);
* a request goes ahead when its ticket is at the head of the queue;
* each ticket has a deadline in a sorted set, measured on the Redis server's clock (the
  servers' own clocks may disagree). Waiting requests and the request holding the lock
  push their deadline forward while they run (the holder from a heartbeat task), so a
  server that crashed stops doing so, and the next request drops its dead ticket after at
  most ``lock_lifetime`` seconds instead of waiting forever;
* releasing removes the ticket, and the conversation's keys go when its queue is empty
  (and expire on their own ``lock_lifetime`` after the last live ticket).

Named in the endpoints file as ``type: bot.runtime.lock_store.TicketLockStore`` with
``url``, ``port``, ``password``, ``db`` and ``key_prefix`` as for Rasa's redis lock store,
and optionally ``lock_lifetime`` (seconds a crashed server's ticket blocks its conversation;
Rasa's 60 s by default) and ``lock_wait`` (seconds a request waits for its turn; the lifetime by
default).
"""

from __future__ import annotations

import asyncio
import logging
import time
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Optional

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, LockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

DEFAULT_KEY_PREFIX = "ticketlock:"
# Polling for the head of the queue starts fast (a turn takes tens of milliseconds) and backs off.
FIRST_POLL_SECONDS = 0.005
LAST_POLL_SECONDS = 0.025

# Milliseconds on the Redis server's clock: every server agrees on it.
_NOW = "local clock = redis.call('TIME') local now = clock[1] * 1000 + math.floor(clock[2] / 1000)"

# KEYS: counter, queue, deadlines. ARGV: lifetime in ms.
# Returns the new ticket number and whether it heads the queue (no other turn under way: the usual case).
_ISSUE = _NOW + """
local ticket = redis.call('INCR', KEYS[1])
local length = redis.call('RPUSH', KEYS[2], ticket)
redis.call('ZADD', KEYS[3], now + tonumber(ARGV[1]), ticket)
redis.call('PEXPIRE', KEYS[2], ARGV[1])
redis.call('PEXPIRE', KEYS[3], ARGV[1])
return {ticket, length == 1 and 1 or 0}
"""

# KEYS: queue, deadlines. ARGV: ticket, lifetime in ms.
# Returns 1 when the ticket is at the head (the lock is ours), 0 to wait, -1 if the ticket expired.
_TRY = _NOW + """
local mine = redis.call('ZSCORE', KEYS[2], ARGV[1])
if (not mine) or tonumber(mine) < now then
  redis.call('LREM', KEYS[1], 0, ARGV[1])
  redis.call('ZREM', KEYS[2], ARGV[1])
  return -1
end
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
while true do
  local head = redis.call('LINDEX', KEYS[1], 0)
  if head == ARGV[1] then return 1 end
  if not head then return -1 end
  local deadline = redis.call('ZSCORE', KEYS[2], head)
  if deadline and tonumber(deadline) >= now then return 0 end
  redis.call('LPOP', KEYS[1])
  redis.call('ZREM', KEYS[2], head)
end
"""

# KEYS: queue, deadlines. ARGV: ticket, lifetime in ms. Returns 1 if still held, 0 if it expired.
_REFRESH = _NOW + """
local mine = redis.call('ZSCORE', KEYS[2], ARGV[1])
if (not mine) or tonumber(mine) < now then return 0 end
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return 1
"""

# KEYS: queue, deadlines. ARGV: ticket. Deletes both keys when no ticket is left.
_RELEASE = """
redis.call('LREM', KEYS[1], 0, ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
if redis.call('LLEN', KEYS[1]) == 0 then
  redis.call('DEL', KEYS[1], KEYS[2])
end
return 1
"""


class TicketLockStore(LockStore):
    """Conversation locks in Redis with atomic, first-come-first-served tickets."""

    def __init__(
        self,
        host: str = "localhost",
        port: int | str = 6379,
        db: int | str = 1,
        password: Optional[str] = None,
        username: Optional[str] = None,
        key_prefix: Optional[str] = None,
        use_ssl: bool = False,
        lock_lifetime: float | str = LOCK_LIFETIME,
        lock_wait: Optional[float | str] = None,
        socket_timeout: float = 10,
        endpoint_config: Optional[EndpointConfig] = None,
    ) -> None:
        """Connects lazily (on the first lock); ``endpoint_config`` is how Rasa passes the endpoints file."""
        import redis.asyncio

        if endpoint_config is not None:
            options: dict[str, Any] = dict(endpoint_config.kwargs)
            options.pop("type", None)
            unknown = set(options) - {"port", "db", "password", "username", "key_prefix", "use_ssl", "lock_lifetime", "lock_wait"}
            if unknown:
                raise ValueError(f"lock_store in the endpoints file: unknown option(s) {sorted(unknown)} for TicketLockStore")
            host = endpoint_config.url or host
            port, db = options.get("port", port), options.get("db", db)
            password, username = options.get("password", password), options.get("username", username)
            key_prefix, use_ssl = options.get("key_prefix", key_prefix), options.get("use_ssl", use_ssl)
            lock_lifetime = options.get("lock_lifetime", lock_lifetime)
            lock_wait = options.get("lock_wait", lock_wait)
        self.lifetime_ms = int(float(lock_lifetime) * 1000)
        if self.lifetime_ms <= 0:
            raise ValueError(f"lock_store: lock_lifetime must be a positive number of seconds, not {lock_lifetime!r}")
        self.lock_wait = float(lock_wait) if lock_wait is not None else self.lifetime_ms / 1000
        self.key_prefix = self._prefix(key_prefix)
        self.red = redis.asyncio.Redis(
            host=host, port=int(port), db=int(db), password=password, username=username, ssl=bool(use_ssl),
            socket_timeout=socket_timeout,
        )
        self._issue = self.red.register_script(_ISSUE)
        self._try = self.red.register_script(_TRY)
        self._refresh = self.red.register_script(_REFRESH)
        self._release = self.red.register_script(_RELEASE)
        super().__init__()

    @staticmethod
    def _prefix(key_prefix: Optional[str]) -> str:
        """Rasa's rule: an alphanumeric prefix put in front of the default one."""
        if not key_prefix:
            return DEFAULT_KEY_PREFIX
        if not (isinstance(key_prefix, str) and key_prefix.isalnum()):
            raise ValueError(f"lock_store: key_prefix must be alphanumeric, not {key_prefix!r}")
        return f"{key_prefix}:{DEFAULT_KEY_PREFIX}"

    def _keys(self, conversation_id: str) -> list[str]:
        return [f"{self.key_prefix}queue:{conversation_id}", f"{self.key_prefix}deadline:{conversation_id}"]

    async def issue(self, conversation_id: str) -> tuple[int, bool]:
        """A new ticket at the end of the conversation's queue, and whether it is first in the queue."""
        counter = f"{self.key_prefix}counter"
        ticket, first = await self._issue(keys=[counter, *self._keys(conversation_id)], args=[self.lifetime_ms])
        return int(ticket), bool(first)

    async def acquire(self, conversation_id: str, ticket: int, max_wait: float) -> None:
        """Waits until ``ticket`` heads the queue; LockError if it expired or ``max_wait`` passed."""
        keys, poll = self._keys(conversation_id), FIRST_POLL_SECONDS
        give_up = time.monotonic() + max_wait
        while True:
            state = int(await self._try(keys=keys, args=[ticket, self.lifetime_ms]))
            if state == 1:
                return
            if state == -1:
                raise LockError(f"Lock ticket {ticket} for conversation '{conversation_id}' expired while waiting.")
            if time.monotonic() > give_up:
                raise LockError(f"Waited more than {max_wait:g} s for the lock of conversation '{conversation_id}'.")
            await asyncio.sleep(poll)
            poll = min(poll * 2, LAST_POLL_SECONDS)

    async def release(self, conversation_id: str, ticket: int) -> None:
        """Lets the next ticket in; the conversation's keys go with its last ticket."""
        await self._release(keys=self._keys(conversation_id), args=[ticket])

    async def _heartbeat(self, conversation_id: str, ticket: int) -> None:
        """Keeps a held ticket alive while its turn runs, so only a crashed server's ticket expires."""
        import redis

        keys = self._keys(conversation_id)
        while True:
            await asyncio.sleep(self.lifetime_ms / 3000)
            try:
                held = int(await self._refresh(keys=keys, args=[ticket, self.lifetime_ms]))
            except redis.RedisError as error:  # the turn goes on; the release will report Redis too
                logger.error("Could not keep the lock of conversation '%s': %s", conversation_id, error)
                return
            if not held:
                logger.error("Lock for conversation '%s' expired while its turn was still running.", conversation_id)
                return

    @asynccontextmanager
    async def lock(
        self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME, wait_time_in_seconds: float = 1
    ) -> AsyncIterator[TicketLock]:
        """Holds the conversation's lock for the block. Rasa's arguments are accepted for its callers:
        the lifetime is the store's (``lock_lifetime`` in the endpoints file) and waiting polls faster than
        ``wait_time_in_seconds``; a request gives up (LockError) after waiting ``lock_wait`` seconds
        (default: one lifetime)."""
        ticket, first = await self.issue(conversation_id)
        try:
            if not first:
                await self.acquire(conversation_id, ticket, max_wait=self.lock_wait)
            heartbeat = asyncio.create_task(self._heartbeat(conversation_id, ticket))
            try:
                yield TicketLock(conversation_id)
            finally:
                heartbeat.cancel()
        finally:
            await self.release(conversation_id, ticket)
