"""Load benchmark: the assistant against a plain ``rasa init`` bot on the same machine.

Usage:  .venv/bin/python -m benchmarks.load [--levels 1,20,50] [--turns 20] [--warmup 2] [--duration S]
                                            [--only plain ours-1 ours-2] [--quick] [--json var/artifacts/load.json]

For each system (one at a time, so each has the machine to itself) and each concurrency level N:
N conversations run at once, each sending its next message as soon as the reply arrives. The
first ``--warmup`` turns of each conversation are not counted; then each sends ``--turns`` more
(or sends for ``--duration`` seconds). Counted: replies per second, the round trip's p50 and p95,
errors (HTTP status other than 200, time-outs, empty replies, and the assistant's own "unavailable"
or "error" replies), the CPU seconds (user + system, from /proc) each server process used and the
load generator's own ("client"), and the servers' CPU per reply (comparable even on a busy machine).

Systems:
- ``plain``: ``rasa init``'s bot (benchmarks.plain_bot), ``rasa run --enable-api``, in-memory
  tracker, no action server; greetings and mood conversations its stories cover.
- ``ours-1`` / ``ours-2``: the assistant with 1 or 2 Rasa servers in its production configuration
  (bot.runtime.cluster: PostgreSQL tracker, Redis lock store, nginx, sentence encoder on), as many
  action servers as Rasa servers unless ``--action-servers`` says otherwise. Without
  bot/runtime/cluster.py, ``ours-1`` runs the development servers (SQLite tracker, no nginx) and
  says so; ``ours-2`` needs the cluster. Practitioner conversations: knowledge questions from
  eval/questions.yml, a directory search, small talk and the start of the guided reflection.

Prints one table and the acceptance ratios (issue 18), and writes the same as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import yaml

from bot.config import PROJECT_ROOT

SYSTEMS = ("plain", "ours-1", "ours-2")
DEFAULT_LEVELS = (1, 20, 50)
DEFAULT_JSON = PROJECT_ROOT / "var" / "artifacts" / "load.json"
QUESTIONS_FILE = PROJECT_ROOT / "eval" / "questions.yml"
REQUEST_TIMEOUT = 60.0  # Sanic's own response time-out; a slower reply is an error either way
FAILED_REPLY_TYPES = frozenset({"unavailable", "error"})  # the channel's or the router's apology: not an answer

# The acceptance goals of issue 18: (name, numerator, denominator, level, measure, goal, higher is better)
GOALS = (
    ("ours-1 / plain msg/s at 20", "ours-1", "plain", 20, "msg_per_s", 0.8, True),
    ("ours-1 / plain p95 at 20", "ours-1", "plain", 20, "p95_ms", 1.3, False),
    ("ours-2 / ours-1 msg/s at 50", "ours-2", "ours-1", 50, "msg_per_s", 1.2, True),
)


# --- statistics and the report -------------------------------------------------------------

def percentile(values: Sequence[float], share: float) -> float:
    """The ``share`` quantile (0..1) by linear interpolation between the closest ranks (numpy's default)."""
    if not values:
        raise ValueError("no values to take a percentile of")
    if not 0.0 <= share <= 1.0:
        raise ValueError(f"a percentile share must be between 0 and 1, not {share}")
    ordered = sorted(values)
    position = share * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass
class LevelResult:
    """One system at one concurrency level: counted turns, their round trips, errors and CPU."""

    system: str
    servers: int
    concurrency: int
    seconds: float
    timings_ms: list[float]
    errors: Counter = field(default_factory=Counter)
    cpu: dict[str, list[float | None]] = field(default_factory=dict)  # role -> CPU seconds of each process (None: it stopped)
    setup: str = ""

    @property
    def replies(self) -> int:
        return len(self.timings_ms)

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    @property
    def msg_per_s(self) -> float:
        return self.replies / self.seconds if self.seconds > 0 else 0.0

    @property
    def server_cpu_ms_per_reply(self) -> float | None:
        """CPU the servers spent per reply (every role but the load generator): less sensitive to other
        load on the machine than msg/s, so runs on a shared machine can still be compared."""
        spent = [s for role, seconds in self.cpu.items() if role != "client" for s in seconds]
        if not self.replies or not spent or None in spent:
            return None
        return 1000 * sum(s for s in spent if s is not None) / self.replies

    @property
    def p50_ms(self) -> float | None:
        return percentile(self.timings_ms, 0.5) if self.timings_ms else None

    @property
    def p95_ms(self) -> float | None:
        return percentile(self.timings_ms, 0.95) if self.timings_ms else None

    def to_json(self) -> dict:
        return {"system": self.system, "servers": self.servers, "concurrency": self.concurrency, "setup": self.setup,
                "seconds": round(self.seconds, 3), "replies": self.replies, "msg_per_s": round(self.msg_per_s, 2),
                "p50_ms": _rounded(self.p50_ms), "p95_ms": _rounded(self.p95_ms), "errors": self.error_count,
                "error_kinds": dict(self.errors), "server_cpu_ms_per_reply": _rounded(self.server_cpu_ms_per_reply),
                "cpu_seconds": {role: [_rounded(s, 2) for s in seconds] for role, seconds in self.cpu.items()}}


@dataclass(frozen=True)
class Check:
    """One acceptance ratio: its value (None when a side was not measured) against its goal."""

    name: str
    value: float | None
    goal: float
    higher_is_better: bool

    @property
    def passed(self) -> bool | None:
        if self.value is None:
            return None
        return self.value >= self.goal if self.higher_is_better else self.value <= self.goal

    def line(self) -> str:
        goal = f"{'at least' if self.higher_is_better else 'at most'} {self.goal:g}x"
        if self.value is None:
            return f"{self.name}: not measured (goal {goal})"
        return f"{self.name}: {self.value:.2f}x (goal {goal}) {'PASS' if self.passed else 'FAIL'}"


def acceptance(results: Sequence[LevelResult]) -> list[Check]:
    """The issue's ratios from whichever results are there (a ratio needs both sides, with replies)."""
    by_key = {(r.system, r.concurrency): r for r in results}
    checks = []
    for name, top, bottom, level, measure, goal, higher in GOALS:
        a, b = by_key.get((top, level)), by_key.get((bottom, level))
        value = None
        if a is not None and b is not None:
            x, y = getattr(a, measure), getattr(b, measure)
            if x is not None and y:
                value = x / y
        checks.append(Check(name, value, goal, higher))
    return checks


def cpu_cell(cpu: dict[str, list[float | None]]) -> str:
    """'rasa 12.1+11.8, actions 3.00': each role's processes, in CPU seconds ('stopped' for one that did)."""
    def seconds(value: float | None) -> str:
        return "stopped" if value is None else f"{value:.2f}" if value < 10 else f"{value:.1f}"

    return ", ".join(f"{role} {'+'.join(map(seconds, values))}" for role, values in cpu.items() if values)


def format_table(results: Sequence[LevelResult]) -> str:
    header = ("system", "servers", "conc", "msg/s", "p50 ms", "p95 ms", "errors", "CPU ms/reply", "CPU s per process")
    rows = [header] + [
        (r.system, str(r.servers), str(r.concurrency), f"{r.msg_per_s:.1f}", _ms(r.p50_ms), _ms(r.p95_ms),
         str(r.error_count) + (f" ({_kinds(r.errors)})" if r.errors else ""), _ms(r.server_cpu_ms_per_reply), cpu_cell(r.cpu))
        for r in results
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header) - 1)]  # the CPU column is left ragged

    def line(row: tuple[str, ...]) -> str:
        cells = [row[0].ljust(widths[0])] + [cell.rjust(w) for cell, w in zip(row[1:-1], widths[1:], strict=True)]
        return "  ".join(cells + [row[-1]]).rstrip()

    lines = [line(row) for row in rows]
    lines.insert(1, "-" * max(len(text) for text in lines))
    return "\n".join(lines)


def report(results: Sequence[LevelResult], context: dict) -> dict:
    """The JSON written next to the printed table: the run's context, every level, the ratios."""
    return {**context, "results": [r.to_json() for r in results],
            "acceptance": [{"name": c.name, "value": _rounded(c.value, 3), "goal": c.goal,
                            "higher_is_better": c.higher_is_better, "passed": c.passed} for c in acceptance(results)]}


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def _rounded(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def _kinds(errors: Counter) -> str:
    return ", ".join(f"{kind} {count}" for kind, count in sorted(errors.items()))


# --- CPU per process, from /proc -----------------------------------------------------------

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:  # the process has gone
        return None
    return text[text.rindex(")") + 2:].split()  # the name may hold spaces; fields from the 3rd (state) on


def _parents() -> dict[int, int]:
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat_fields(int(entry.name))
            if fields is not None:
                parents[int(entry.name)] = int(fields[1])
    return parents


def tree_cpu_seconds(pid: int, parents: dict[int, int] | None = None) -> float | None:
    """User + system CPU seconds of a process, its children reaped so far (PostgreSQL's backends,
    nginx's workers) and its living descendants; None when the process has gone."""
    if _stat_fields(pid) is None:
        return None
    parents = _parents() if parents is None else parents
    tree, frontier = {pid}, [pid]
    while frontier:
        parent = frontier.pop()
        children = [child for child, p in parents.items() if p == parent and child not in tree]
        tree.update(children)
        frontier.extend(children)
    ticks = 0
    for member in tree:
        fields = _stat_fields(member)
        if fields is not None:  # utime, stime, cutime, cstime
            ticks += sum(int(value) for value in fields[11:15])
    return ticks / CLOCK_TICKS


def _own_cpu_seconds() -> float:
    """This process's own user + system CPU seconds (not its children: the servers it started)."""
    times = os.times()
    return times.user + times.system


class CpuMeter:
    """CPU seconds each process of each role used between ``start()`` and ``stop()``."""

    def __init__(self, roles: dict[str, list[int]]):
        self.roles = roles
        self.before: dict[int, float | None] = {}

    def _read(self) -> dict[int, float | None]:
        parents = _parents()
        return {pid: tree_cpu_seconds(pid, parents) for pids in self.roles.values() for pid in pids}

    def start(self) -> None:
        self.before = self._read()

    def stop(self) -> dict[str, list[float | None]]:
        """Each process's CPU seconds since ``start()``; None for one that stopped meanwhile (its time is lost)."""
        after = self._read()
        return {role: [_difference(after[pid], self.before[pid]) for pid in pids] for role, pids in self.roles.items()}


def _difference(after: float | None, before: float | None) -> float | None:
    return None if after is None or before is None else after - before


# --- the load ------------------------------------------------------------------------------

@dataclass
class Target:
    """A running system: where to send messages, what to send, which processes to measure."""

    system: str
    servers: int
    url: str
    conversations: tuple[tuple[str, ...], ...]
    processes: dict[str, list[int]]
    headers: dict[str, str] = field(default_factory=dict)
    setup: str = ""


def reply_problem(status: int, body: object) -> str | None:
    """Why a reply does not count as an answer (None when it does)."""
    if status != 200:
        return f"HTTP {status}"
    if not isinstance(body, list) or not any(isinstance(m, dict) and (m.get("text") or m.get("custom")) for m in body):
        return "empty reply"
    for message in body:
        custom = message.get("custom") if isinstance(message, dict) else None
        if isinstance(custom, dict) and custom.get("type") in FAILED_REPLY_TYPES:
            return f"'{custom['type']}' reply"
    return None


@dataclass
class _Phase:
    """Shared by one level's conversations: when counting starts, and what has been counted."""

    waiting: int  # conversations still in their warm-up turns
    meter: CpuMeter
    duration: float | None
    warmed: asyncio.Event = field(default_factory=asyncio.Event)
    started: float = 0.0
    client_cpu: float = 0.0
    timings_ms: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)

    def warmed_up(self) -> None:
        """One conversation has had its warm-up turns; the last one starts the count and the CPU meters."""
        self.waiting -= 1
        if self.waiting == 0:
            self.meter.start()
            self.client_cpu = _own_cpu_seconds()
            self.started = time.monotonic()
            self.warmed.set()

    def done(self, counted: int, turns: int) -> bool:
        if self.duration is not None:
            return time.monotonic() - self.started >= self.duration
        return counted >= turns


async def _send(session: aiohttp.ClientSession, target: Target, sender: str, text: str) -> tuple[float, str | None]:
    start = time.perf_counter()
    try:
        async with session.post(target.url, json={"sender": sender, "message": text}, headers=target.headers) as response:
            body = await response.json(content_type=None) if response.status == 200 else None
            problem = reply_problem(response.status, body)
    except asyncio.TimeoutError:
        problem = "time-out"
    except aiohttp.ClientError as error:
        problem = type(error).__name__
    except ValueError:  # a 200 whose body is not JSON
        problem = "unreadable reply"
    return (time.perf_counter() - start) * 1000, problem


async def _conversation(session: aiohttp.ClientSession, target: Target, phase: _Phase, index: int, run_id: str,
                        warmup: int, turns: int) -> None:
    """One simulated practitioner: scripted conversations one after another (each a new sender
    id), each message sent as soon as the previous reply has arrived."""
    scripts = target.conversations
    sent, round_, position = 0, 0, 0
    while True:
        if sent == warmup:
            phase.warmed_up()
            await phase.warmed.wait()
        counting = sent >= warmup
        if counting and phase.done(sent - warmup, turns):
            return
        script = scripts[(index + round_) % len(scripts)]
        elapsed, problem = await _send(session, target, f"load-{run_id}-{index}-{round_}", script[position])
        if counting:
            if problem is None:
                phase.timings_ms.append(elapsed)
            else:
                phase.errors[problem] += 1
        sent, position = sent + 1, position + 1
        if position == len(script):
            round_, position = round_ + 1, 0


def warm_up(target: Target, turns: int, tries: int = 4) -> None:
    """First turns before any level: each server's first turn builds the action server's router and
    may take longer than Sanic's 60 s (HTTP 503) on a busy machine. ``turns`` reach every server
    behind round-robin nginx."""
    import requests

    for index in range(turns):
        problem = None
        for _ in range(tries):
            try:
                body = {"sender": f"load-warm-up-{index}", "message": target.conversations[0][0]}
                response = requests.post(target.url, json=body, headers=target.headers, timeout=REQUEST_TIMEOUT * 2)
                problem = reply_problem(response.status_code, response.json() if response.ok else None)
            except requests.RequestException as error:
                problem = type(error).__name__
            except ValueError:
                problem = "unreadable reply"
            if problem is None:
                break
        if problem is not None:
            raise RuntimeError(f"{target.system} did not answer a first message after {tries} tries ({problem}): see its logs")


async def run_level(target: Target, concurrency: int, turns: int, warmup: int, duration: float | None,
                    run_id: str) -> LevelResult:
    """``concurrency`` conversations at once; counted only once every one has had its warm-up turns."""
    phase = _Phase(waiting=concurrency, meter=CpuMeter(target.processes), duration=duration)
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
    async with aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(limit=concurrency + 5)) as session:
        await asyncio.gather(*(_conversation(session, target, phase, i, run_id, warmup, turns) for i in range(concurrency)))
        seconds, cpu = time.monotonic() - phase.started, phase.meter.stop()
        cpu["client"] = [_own_cpu_seconds() - phase.client_cpu]  # the load generator: not the bottleneck?
    return LevelResult(target.system, target.servers, concurrency, seconds, phase.timings_ms, phase.errors, cpu, target.setup)


# --- the systems ---------------------------------------------------------------------------

def knowledge_questions(path: Path = QUESTIONS_FILE) -> list[str]:
    """Practitioners' questions from the project question set that expect an answer (not the
    999 takeover, not "not covered"): the knowledge questions of the load."""
    try:
        cases = yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]
    except (OSError, yaml.YAMLError, KeyError, TypeError) as error:
        raise RuntimeError(f"{path}: cannot read its 'cases' ({error})") from error
    questions = [case["text"] for case in cases if isinstance(case, dict) and isinstance(case.get("text"), str)
                 and case.get("expect") not in ("danger", "not_covered")]
    if len(questions) < 4:
        raise RuntimeError(f"{path}: needs at least 4 cases that expect an answer, found {len(questions)}")
    return questions


def ours_conversations(questions: Sequence[str]) -> tuple[tuple[str, ...], ...]:
    """Short practitioner conversations across the categories: knowledge questions with a follow-up,
    a directory search, small talk and the start of the guided reflection."""
    step = max(1, len(questions) // 6)
    q = [questions[i * step % len(questions)] for i in range(6)]
    return (
        ("hi", q[0], "can you tell me a bit more about that", "thanks"),
        ("hello", "what support is there locally for a 9 year old who has seen abuse at home, in Demoshire?", "more",
         "thank you"),
        ("morning", "mum and dad argue constantly, how do I tell if it's conflict or abuse?", "yes", "not sure", "stop"),
        (q[1], q[2], "what's the source for that?", "bye"),
        ("hello there", q[3], q[4], "cheers"),
        (q[5], "any perpetrator programmes near me in Demoshire?", "thanks, that's helpful"),
    )


def cluster_available() -> bool:
    return importlib.util.find_spec("bot.runtime.cluster") is not None


@contextmanager
def plain_system() -> Iterator[Target]:
    from benchmarks.cases import free_port
    from benchmarks.plain_bot import CONVERSATIONS, ensure_plain_model, plain_server

    model = ensure_plain_model(echo=_note)
    server = plain_server(model, free_port())
    server.start(timeout=300)
    assert server.process is not None
    try:
        yield Target("plain", 1, server.ready_url + "webhook", CONVERSATIONS, {"rasa": [server.process.pid]},
                     setup="rasa init bot: rasa run --enable-api, in-memory tracker, no action server")
    finally:
        server.interrupt()
        server.wait_or_kill(15)


@contextmanager
def ours_development() -> Iterator[Target]:
    """The development servers (one Rasa server, one action server, SQLite tracker, no nginx):
    without bot/runtime/cluster.py, or with --development."""
    from benchmarks.cases import assistant
    from bot.runtime.training import ensure_model

    model, _ = ensure_model(echo=_note)
    with assistant(model) as servers:
        action, rasa = servers.children
        assert action.process is not None and rasa.process is not None
        yield Target("ours-1", 1, servers.rest_url, ours_conversations(knowledge_questions()),
                     {"rasa": [rasa.process.pid], "actions": [action.process.pid]},
                     setup="development servers: SQLite tracker, in-memory lock store, no nginx, encoder on")


def _note(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


LOAD_KNOWLEDGE_DB = "dasg_load_knowledge"  # the knowledge store of ours during a run
LOAD_TRACKER_DB = "dasg_load_benchmark"  # its own tracker database, emptied after each run


@contextmanager
def ours_cluster(rasa_servers: int, action_servers: int) -> Iterator[Target]:
    """The production topology (bot.runtime.cluster) on free ports: Rasa servers behind nginx, the
    PostgreSQL tracker store and the Redis lock store, over a temporary knowledge store holding the
    project's knowledge and the Demoshire directory (as the development run has)."""
    from benchmarks.cases import free_port
    from bot.config import load_settings
    from bot.runtime.cluster import start_cluster
    from bot.runtime.services import LocalPostgres, LocalRedis

    var_dir = load_settings().var_dir
    with knowledge_store() as knowledge_url:
        cluster = start_cluster(
            rasa_servers=rasa_servers, action_servers=action_servers, port=free_port(),
            rasa_ports=[free_port() for _ in range(rasa_servers)], action_ports=[free_port() for _ in range(action_servers)],
            action_proxy_port=free_port(), knowledge_url=knowledge_url, tracker_db=LOAD_TRACKER_DB, echo=_note)
        postgres, redis = LocalPostgres(var_dir), LocalRedis(var_dir)
        try:
            processes = {"rasa": [s.process.pid for s in cluster.rasa if s.process is not None],
                         "actions": [s.process.pid for s in cluster.actions if s.process is not None],
                         "nginx": [cluster.nginx.process.pid] if cluster.nginx.process is not None else [],
                         "postgres": _pid_from(postgres.data_dir / "postmaster.pid"),
                         "redis": _pid_from(redis.pid_file)}
            yield Target(f"ours-{rasa_servers}", rasa_servers, cluster.rest_url, ours_conversations(knowledge_questions()),
                         processes, {"Authorization": f"Bearer {cluster.rest_token}"},
                         setup=f"production: {rasa_servers} Rasa + {action_servers} action server(s) behind nginx, "
                               "PostgreSQL tracker, Redis lock store, encoder on")
        finally:
            cluster.stop()
            postgres.drop_database(LOAD_TRACKER_DB)


@contextmanager
def knowledge_store() -> Iterator[str]:
    """The production knowledge store: a PostgreSQL database in the project's local PostgreSQL, at the
    newest schema, with the project's knowledge and the Demoshire directory (dropped afterwards)."""
    from bot.config import load_settings
    from bot.db import upgrade
    from bot.directory.store import import_directory
    from bot.knowledge.loader import load_knowledge
    from bot.knowledge.store import make_engine, save_knowledge
    from bot.runtime.services import LocalPostgres

    postgres = LocalPostgres(load_settings().var_dir)
    postgres.start()
    postgres.drop_database(LOAD_KNOWLEDGE_DB)  # a run that was stopped half-way
    url = postgres.create_database(LOAD_KNOWLEDGE_DB)
    try:
        upgrade(url)
        engine = make_engine(url)
        save_knowledge(engine, load_knowledge(PROJECT_ROOT / "knowledge"))
        import_directory(engine, PROJECT_ROOT / "directories" / "demoshire.json")
        engine.dispose()
        yield url
    finally:
        postgres.drop_database(LOAD_KNOWLEDGE_DB)


def _pid_from(pid_file: Path) -> list[int]:
    """The pid on a pid file's first line (PostgreSQL's postmaster.pid, Redis's pid file); none if unreadable."""
    try:
        return [int(pid_file.read_text().split()[0])]
    except (OSError, ValueError, IndexError):
        return []


def system_context(name: str, action_servers: int | None, development: bool = False):
    """The context manager that starts ``name`` and yields its Target."""
    if name == "plain":
        return plain_system()
    servers = int(name.split("-")[1])
    if servers == 1 and (development or not cluster_available()):
        return ours_development()
    if cluster_available():
        return ours_cluster(servers, action_servers or servers)
    raise RuntimeError(f"{name} needs bot/runtime/cluster.py (several Rasa servers behind nginx), which is missing")


# --- the command ---------------------------------------------------------------------------

def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--levels", default=None, help="concurrent conversations per level, e.g. 1,20,50 (default)")
    parser.add_argument("--turns", type=int, default=None, help="counted turns per conversation per level (default 20)")
    parser.add_argument("--warmup", type=int, default=None, help="uncounted turns per conversation first (default 2)")
    parser.add_argument("--duration", type=float, help="count for this many seconds per level instead of --turns")
    parser.add_argument("--only", nargs="+", choices=SYSTEMS, metavar="SYSTEM",
                        help=f"run only these systems ({', '.join(SYSTEMS)}; default: all)")
    parser.add_argument("--action-servers", type=int, help="action servers for ours (default: one per Rasa server)")
    parser.add_argument("--development", action="store_true",
                        help="ours-1 on the development servers (SQLite tracker, no nginx, no Redis) instead of the cluster")
    parser.add_argument("--quick", action="store_true",
                        help="smoke test: levels 1,2, 3 turns, 1 warm-up turn, plain and ours-1 unless --only")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help=f"where to write the figures (default {DEFAULT_JSON})")
    parser.add_argument("--check", action="store_true", help="exit 1 when an acceptance ratio measured fails its goal")
    args = parser.parse_args(argv)
    args.levels = _levels(parser, args.levels or ("1,2" if args.quick else ",".join(map(str, DEFAULT_LEVELS))))
    args.turns = args.turns if args.turns is not None else (3 if args.quick else 20)
    args.warmup = args.warmup if args.warmup is not None else (1 if args.quick else 2)
    if args.turns < 1 or args.warmup < 0 or (args.duration is not None and args.duration <= 0):
        parser.error("--turns and --duration must be positive, --warmup at least 0")
    if args.action_servers is not None and args.action_servers < 1:
        parser.error("--action-servers must be at least 1")
    args.only = args.only or (["plain", "ours-1"] if args.quick else list(SYSTEMS))
    return args


def _levels(parser: argparse.ArgumentParser, text: str) -> list[int]:
    try:
        levels = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        parser.error(f"--levels must be whole numbers separated by commas, not {text!r}")
    if not levels or min(levels) < 1:
        parser.error(f"--levels needs at least one level of 1 or more, not {text!r}")
    return levels


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    run_id = time.strftime("%H%M%S")
    results: list[LevelResult] = []
    failed: dict[str, str] = {}
    load_before = os.getloadavg()
    for name in [system for system in SYSTEMS if system in args.only]:
        _note(f"{name}: starting")
        try:
            with system_context(name, args.action_servers, args.development) as target:
                warm_up(target, 2 * max(target.servers, args.action_servers or 1))
                for level in args.levels:
                    result = asyncio.run(run_level(target, level, args.turns, args.warmup, args.duration, f"{run_id}-{level}"))
                    results.append(result)
                    _note(f"{name} x{level}: {result.msg_per_s:.1f} msg/s, p95 {_ms(result.p95_ms)} ms, "
                          f"{result.error_count} errors")
        except RuntimeError as error:  # a system that could not start: the others still run
            failed[name] = str(error)
            _note(f"{name}: not measured: {error}")
    print(format_table(results))
    for name, why in failed.items():
        print(f"{name}: not measured: {why}")
    checks = acceptance(results)
    print("\nAcceptance (issue 18; meaningful only on a quiet machine):")
    for check in checks:
        print(f"  {check.line()}")
    setups = {r.system: r.setup for r in results}
    for system, setup in setups.items():
        print(f"  {system}: {setup}")
    load_after = os.getloadavg()
    print(f"Load average before {load_before[0]:.2f}, after {load_after[0]:.2f} ({os.cpu_count()} CPUs)")
    context = {"date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "cpus": os.cpu_count(),
               "load_average_before": [round(x, 2) for x in load_before], "load_average_after": [round(x, 2) for x in load_after],
               "levels": args.levels, "turns": args.turns, "warmup": args.warmup, "duration": args.duration,
               "setups": setups, "not_measured": failed}
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report(results, context), indent=2) + "\n", encoding="utf-8")
    print(f"Written: {args.json}")
    if failed:
        return 1
    return 1 if args.check and any(check.passed is False for check in checks) else 0


if __name__ == "__main__":
    sys.exit(main())
