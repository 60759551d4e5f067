"""Where one turn's time goes, and how it changes as a conversation grows.

Loads the trained model in this process the way ``rasa run`` does (endpoint configs for the
tracker store, the action server and optionally the Redis ticket lock store), starts the action
server, talks one conversation of ``--turns`` messages and prints, for the first turns, the
middle and the last ones, the milliseconds spent in: the lock, reading the tracker (SQL and
replaying its events), NLU, the policy's prediction, the custom action call (HTTP, the action
server, the router) and saving the tracker. ``--full`` reads whole sessions, as Rasa's own SQL
tracker store does, to compare.

Usage:  .venv/bin/python -m benchmarks.profile_turn [--turns 200] [--full] [--lock ticket] [--encoder off]
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import os
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

# A practitioner's conversation: questions, follow-ups, the agency, small talk, local services.
MESSAGES = [
    "hello",
    "what is a MARAC?",
    "tell me more",
    "what's the source?",
    "I'm a health visitor",
    "how does domestic abuse affect teenagers?",
    "thanks",
    "what is the DASH risk checklist?",
    "when can I share information without consent?",
    "what support is there in Demoshire for children?",
]
PHASES = ["lock", "tracker read", "NLU", "policy", "action call", "tracker save", "other", "total"]


class Clock:
    """Milliseconds per phase for the turn under way (a phase may run several times in a turn)."""

    def __init__(self) -> None:
        self.current: dict[str, float] = defaultdict(float)

    def time_async(self, phase: str, function: Callable) -> Callable:
        @functools.wraps(function)
        async def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return await function(*args, **kwargs)
            finally:
                self.current[phase] += (time.perf_counter() - started) * 1000

        return timed

    def time_sync(self, phase: str, function: Callable) -> Callable:
        @functools.wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.current[phase] += (time.perf_counter() - started) * 1000

        return timed

    def time_context(self, phase: str, function: Callable) -> Callable:
        """An async context manager whose entering and leaving count (the lock)."""
        clock = self

        @functools.wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Any:
            inner = function(*args, **kwargs)

            class Timed:
                async def __aenter__(self) -> Any:
                    started = time.perf_counter()
                    value = await inner.__aenter__()
                    clock.current[phase] += (time.perf_counter() - started) * 1000
                    return value

                async def __aexit__(self, *exc: Any) -> Any:
                    started = time.perf_counter()
                    result = await inner.__aexit__(*exc)
                    clock.current[phase] += (time.perf_counter() - started) * 1000
                    return result

            return Timed()

        return timed


def prepare_databases(var: Path) -> str:
    """A knowledge database with the project's knowledge and the Demoshire directory, as the tests use."""
    from bot.config import PROJECT_ROOT
    from bot.directory.store import import_directory
    from bot.knowledge.loader import load_knowledge
    from bot.knowledge.store import make_engine, save_knowledge

    url = f"sqlite:///{var / 'knowledge.db'}"
    engine = make_engine(url)
    save_knowledge(engine, load_knowledge(PROJECT_ROOT / "knowledge"))
    import_directory(engine, PROJECT_ROOT / "directories" / "demoshire.json")
    return url


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_redis(var: Path) -> tuple[subprocess.Popen, int]:
    if not shutil.which("redis-server"):
        raise SystemExit("--lock ticket needs redis-server on the PATH")
    port = free_port()
    server = subprocess.Popen(["redis-server", "--port", str(port), "--save", "", "--dir", str(var)], stdout=subprocess.DEVNULL)
    time.sleep(0.5)
    return server, port


async def load(model: Path, action_url: str, tracker_db: Path, full: bool, redis_port: int | None):
    from rasa.core.agent import load_agent
    from rasa.core.utils import AvailableEndpoints
    from rasa.utils.endpoints import EndpointConfig

    tail = {"tail_turns": 10**9} if full else {}
    endpoints = AvailableEndpoints(
        action=EndpointConfig(url=action_url),
        tracker_store=EndpointConfig(type="bot.runtime.tracker_store.RedactingSQLTrackerStore", dialect="sqlite",
                                     db=str(tracker_db), **tail),
        lock_store=EndpointConfig(url="127.0.0.1", type="bot.runtime.lock_store.TicketLockStore", port=redis_port, db=0)
        if redis_port else None,
    )
    return await load_agent(model_path=str(model), endpoints=endpoints)


def instrument(agent: Any, clock: Clock) -> None:
    """Wraps the steps of a turn on this agent's objects (not Rasa's classes, except the remote action)."""
    from rasa.core.actions.action import RemoteAction

    processor, store = agent.processor, agent.tracker_store
    while hasattr(store, "_tracker_store"):
        store = store._tracker_store  # the SQL store inside Rasa's wrappers
    store.retrieve = clock.time_async("tracker read", store.retrieve)
    store.save = clock.time_async("tracker save", store.save)
    processor.parse_message = clock.time_async("NLU", processor.parse_message)
    processor._predict_next_with_tracker = clock.time_sync("policy", processor._predict_next_with_tracker)
    RemoteAction.run = clock.time_async("action call", RemoteAction.run)
    agent.lock_store.lock = clock.time_context("lock", agent.lock_store.lock)


async def converse(agent: Any, clock: Clock, sender: str, turns: int) -> list[dict[str, float]]:
    profile = []
    for n in range(turns):
        clock.current = defaultdict(float)
        started = time.perf_counter()
        replies = await agent.handle_text(MESSAGES[n % len(MESSAGES)], sender_id=sender)
        total = (time.perf_counter() - started) * 1000
        if not replies:
            raise SystemExit(f"turn {n + 1}: no reply to {MESSAGES[n % len(MESSAGES)]!r}")
        turn = dict(clock.current)
        turn["other"] = total - sum(turn.values())
        turn["total"] = total
        profile.append(turn)
    return profile


def table(profile: list[dict[str, float]], window: int = 10) -> str:
    """Mean milliseconds per phase over the first, a middle and the last ``window`` turns."""
    spans = {"turns 1-%d" % window: profile[:window]}
    middle = len(profile) // 2
    if len(profile) >= 3 * window:
        spans[f"turns {middle + 1}-{middle + window}"] = profile[middle:middle + window]
    if len(profile) >= 2 * window:
        spans[f"turns {len(profile) - window + 1}-{len(profile)}"] = profile[-window:]
    lines = [f"{'phase (ms per turn)':<22}" + "".join(f"{name:>16}" for name in spans)]
    for phase in PHASES:
        cells = "".join(f"{statistics.mean(turn.get(phase, 0.0) for turn in turns):>16.1f}" for turns in spans.values())
        lines.append(f"{phase:<22}{cells}")
    first = statistics.mean(t["total"] for t in profile[:window])
    last = statistics.mean(t["total"] for t in profile[-window:])
    lines.append(f"last {window} turns / first {window}: {last / first:.2f}x")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=200)
    parser.add_argument("--full", action="store_true", help="read whole sessions, as Rasa's SQL tracker store does")
    parser.add_argument("--lock", choices=["memory", "ticket"], default="memory",
                        help="ticket: the Redis ticket lock store on a local redis-server")
    parser.add_argument("--encoder", choices=["on", "off"], default="on", help="the sentence encoder in the action server")
    args = parser.parse_args()

    import logging

    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.WARNING)  # as `rasa run` at its default level: debug logs cost time
    configure_structlog(logging.WARNING)

    from bot.config import PROJECT_ROOT
    from bot.runtime.servers import HOST, _server_env, action_server_process
    from bot.runtime.training import ensure_model

    model, _ = ensure_model()
    with tempfile.TemporaryDirectory(prefix="profile-turn-") as folder:
        var = Path(folder)
        env = _server_env({"DASG_DATABASE_URL": prepare_databases(var), "DASG_VAR_DIR": str(var), "DASG_ENCODER": args.encoder})
        port = free_port()
        action_server = action_server_process(port, PROJECT_ROOT, env, var / "actions.log")
        redis = start_redis(var) if args.lock == "ticket" else None
        try:
            action_server.start(240)
            agent = asyncio.run(load(model, f"http://{HOST}:{port}/webhook", var / "tracker.db", args.full,
                                     redis[1] if redis else None))
            clock = Clock()
            instrument(agent, clock)

            async def run() -> list[dict[str, float]]:
                await converse(agent, clock, "warm-up", 3)  # the action server builds its router on its first turn
                return await converse(agent, clock, "profiled", args.turns)

            profile = asyncio.run(run())
        finally:
            action_server.interrupt()
            action_server.wait_or_kill(20)
            if redis:
                redis[0].terminate()
                redis[0].wait(10)
    reading = "whole sessions (Rasa's way)" if args.full else "the conversation's tail"
    print(f"One conversation of {args.turns} turns; tracker store reads {reading}; lock store: {args.lock}; "
          f"encoder: {args.encoder}; model {model.name}")
    print(table(profile))


if __name__ == "__main__":
    main()
