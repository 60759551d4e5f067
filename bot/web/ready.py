"""Readiness of one Rasa server: ``GET /health/ready`` (an input channel named in credentials.yml).

200 only when the model is loaded, the tracker database answers, Redis answers (when the lock
store uses it) and the action server answers; otherwise 503 with a JSON body naming what is not
ready. `bot run`, the one-machine cluster and a load balancer's health check read it; Rasa's own
``/`` answers as soon as the web server is up, before anything else is checked.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, Awaitable, Callable, Optional, Text

import aiohttp
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

CHECK_TIMEOUT = 3.0  # seconds per dependency: a health check must answer quickly either way


class ReadinessInput(InputChannel):
    """Adds ``GET /health/ready``; it takes no messages."""

    @classmethod
    def name(cls) -> Text:
        return "ready"

    def url_prefix(self) -> Text:
        return "/health"  # Rasa joins it to /webhooks/: an absolute prefix replaces that

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        ready = Blueprint("dasg_ready", __name__)

        @ready.route("/ready", methods=["GET"])
        async def readiness(request: Request) -> HTTPResponse:
            checks = await check_all(getattr(request.app.ctx, "agent", None))
            failing = {name: problem for name, problem in checks.items() if problem}
            body = {"ready": not failing, "checks": {name: problem or "ok" for name, problem in checks.items()}}
            return response.json(body, status=503 if failing else 200)

        return ready


async def check_all(agent: Any) -> dict[str, str | None]:
    """Each dependency's problem (None when it answers), checked at the same time."""
    if agent is None or not agent.is_ready():
        return {"model": "the model is not loaded yet"}
    names = ["model", "tracker_store", "lock_store", "action_server"]
    results = await asyncio.gather(
        _nothing(), _check_tracker_store(agent.tracker_store), _check_lock_store(agent.lock_store),
        _check_action_server(agent.action_endpoint),
    )
    return dict(zip(names, results, strict=True))


async def _nothing() -> None:
    return None


async def _check_tracker_store(store: Any) -> str | None:
    """A ``SELECT 1`` on the SQL tracker store's engine (in a thread: SQLAlchemy blocks)."""
    store = getattr(store, "_tracker_store", store)  # Rasa wraps it in a FailSafeTrackerStore
    engine = getattr(store, "engine", None)
    if engine is None:
        return None  # in memory: nothing to reach
    import sqlalchemy as sa

    def select_one() -> None:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))

    try:
        await asyncio.wait_for(asyncio.to_thread(select_one), CHECK_TIMEOUT)
    except asyncio.TimeoutError:
        return f"the tracker database did not answer within {CHECK_TIMEOUT:g} s"
    except sa.exc.SQLAlchemyError as exc:
        return f"the tracker database does not answer: {type(exc).__name__}"
    return None


async def _check_lock_store(store: Any) -> str | None:
    """PING on the lock store's Redis client, when it has one (Rasa's blocking ``red``, or an asyncio client)."""
    import redis
    import redis.asyncio

    clients = [value for value in vars(store).values() if isinstance(value, (redis.Redis, redis.asyncio.Redis))]
    if not clients:
        return None  # in memory: nothing to reach
    client = clients[0]
    ping = client.ping() if isinstance(client, redis.asyncio.Redis) else asyncio.to_thread(client.ping)
    try:
        await asyncio.wait_for(ping, CHECK_TIMEOUT)
    except asyncio.TimeoutError:
        return f"Redis did not answer within {CHECK_TIMEOUT:g} s"
    except redis.RedisError as exc:
        return f"Redis does not answer: {type(exc).__name__}"
    return None


async def _check_action_server(endpoint: Optional[Any]) -> str | None:
    """GET the action server's /health (next to its /webhook; behind nginx, any action server's)."""
    if endpoint is None or not endpoint.url:
        return None
    url = endpoint.url.rsplit("/webhook", 1)[0] + "/health"
    started = time.monotonic()
    try:
        timeout = aiohttp.ClientTimeout(total=CHECK_TIMEOUT)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            async with session.get(url) as answer:
                if answer.status == 200:
                    return None
                return f"the action server answered HTTP {answer.status} at {url}"
    except asyncio.TimeoutError:
        return f"the action server did not answer within {time.monotonic() - started:.1f} s at {url}"
    except aiohttp.ClientError as exc:
        return f"the action server does not answer at {url}: {type(exc).__name__}"
