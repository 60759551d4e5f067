"""A simulated month of use, through the real dialogue router in process, so an insight report
can be made from counts the real handlers wrote (``bot insight simulate``).

Each day some practitioners ask the project's evaluation questions (``eval/questions.yml``:
answered ones and ones the sources do not cover), search the Demoshire directory (some needs it
has no service for), vote on answers, go through the guided reflection and play scenarios. The
topics drift over the month, as real use would. NLU is not run: each message reaches the router
as typed words (buttons as their payloads), as it would after a low-confidence NLU guess. The
counters of each day are written with today's date by the handlers, then moved to the simulated
day, in a database of its own (never the assistant's).
"""

from __future__ import annotations

import json
import random
import re
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import yaml
from sqlalchemy import delete
from sqlalchemy.engine import Engine

from bot.config import PROJECT_ROOT, Settings
from bot.dialogue.state import ConversationState
from bot.dialogue.types import Entity, Reply, Turn
from bot.insight.counters import CounterRow, count, counts
from bot.insight.events import Insight
from bot.insight.labels import scenario_titles

QUESTIONS_FILE = PROJECT_ROOT / "eval" / "questions.yml"
DIRECTORY_FILE = PROJECT_ROOT / "directories" / "demoshire.json"
PAYLOAD = re.compile(r"^/(?P<intent>[a-z_]+)(?P<entities>\{.*\})?$")
SEARCHES = (  # (what is asked, weight): needs Demoshire has services for, and needs North Demoshire has none for
    ("is there a refuge in Demoshire for a mum with a 14 year old son", 3),
    ("any children's counselling for domestic abuse in Demoshire for a 7 year old", 2),
    ("refuge in North Demoshire for a 16 year old", 2),
    ("counselling for a 4 year old in North Demoshire", 4),
    ("IDVA for a 16 year old in North Demoshire", 3),
    ("perpetrator programme for a 15 year old in North Demoshire", 2),
    ("MARAC in North Demoshire for a 12 year old", 1),
    ("help with honour based abuse in North Demoshire", 2),
)
REFLECTION_ANSWERS = ("yes", "no", "not sure")
SCENARIO_ANSWERS = ("I would speak to the children on their own and ask about what happens at home",
                    "I would look for coercive control and who is afraid of whom",
                    "I would share my concerns with the social worker and record them")


@dataclass
class Month:
    """What the simulation did: conversations and turns, and how long it took."""

    days: int = 0
    conversations: int = 0
    turns: int = 0
    seconds: float = 0.0


def load_questions(path: Path = QUESTIONS_FILE) -> list[tuple[str, str]]:
    """The evaluation questions as (text, expected) for the answered and not-covered ones (no danger cases)."""
    cases = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("cases") or []
    out = []
    for case in cases:
        expect = case.get("expect")
        expected = expect[0] if isinstance(expect, list) else str(expect)
        if expected != "danger":
            out.append((case["text"], expected))
    return out


def prepare_database(engine: Engine, knowledge_dir: Path) -> None:
    """The knowledge and the Demoshire directory, loaded into the simulation's own database."""
    from bot.directory.store import import_directory
    from bot.knowledge.loader import load_knowledge
    from bot.knowledge.store import save_knowledge

    save_knowledge(engine, load_knowledge(knowledge_dir))
    import_directory(engine, DIRECTORY_FILE)


def ensure_counting(router, insight: Insight) -> None:
    """Give the handlers that count (knowledge, reflection, scenarios) ``insight`` if the router was
    built without one (``bot.dialogue.build`` passes the database's own)."""
    for handler in router.handlers:
        owner = getattr(handler, "talk", handler)
        if hasattr(owner, "insight") and owner.insight is None:
            owner.insight = insight


def move_day(engine: Engine, counted_on: date, to: date) -> int:
    """Move the counters written on ``counted_on`` to the day ``to``; the number of rows moved."""
    rows = counts(engine, since=counted_on, until=counted_on)
    table = CounterRow.__table__
    with engine.begin() as conn:
        conn.execute(delete(table).where(table.c.day == counted_on))
    for row in rows:
        count(engine, row.kind, row.key, to, by=row.count)
    return len(rows)


def turn_for(text: str, state: ConversationState) -> Turn:
    """A typed message, or a button's payload with its intent and entities (as Rasa reads it)."""
    match = PAYLOAD.match(text)
    if not match:
        return Turn(text, state=state)
    entities = json.loads(match["entities"]) if match["entities"] else {}
    return Turn(text, match["intent"], 1.0, tuple(Entity(k, str(v)) for k, v in entities.items()), state=state)


class Practitioner:
    """One conversation: a few messages, each sent with the state the last reply left."""

    def __init__(self, router, month: Month):
        self.router = router
        self.month = month
        self.state = ConversationState()

    def say(self, text: str) -> Reply:
        reply = self.router.respond(turn_for(text, self.state))
        self.state = reply.state
        self.month.turns += 1
        return reply


def simulate_month(settings: Settings, until: date, days: int = 30, seed: int = 7, per_day: tuple[int, int] = (6, 14)) -> Month:
    """Drive ``days`` days of conversations ending on ``until`` through the router over ``settings``."""
    from bot.dialogue.build import build_router
    from bot.knowledge.store import make_engine

    engine = make_engine(settings.database_url)
    router = build_router(settings)
    ensure_counting(router, Insight(engine))
    questions = load_questions()
    rng = random.Random(seed)
    month, started = Month(), time.perf_counter()
    for number in range(days):
        day = until - timedelta(days=days - 1 - number)
        counted_on = date.today()
        for _ in range(rng.randint(*per_day) + (3 if day.weekday() < 5 else -4)):
            _conversation(Practitioner(router, month), rng, questions, number / max(days - 1, 1))
            month.conversations += 1
        move_day(engine, counted_on, day)
        month.days += 1
    month.seconds = time.perf_counter() - started
    return month


def _conversation(person: Practitioner, rng: random.Random, questions: list[tuple[str, str]], through: float) -> None:
    """One practitioner's visit: questions (the later in the month, the more about MARAC and DASH),
    perhaps a vote, a directory search, the reflection or a scenario."""
    what = rng.random()
    if what < 0.12:
        _reflection(person, rng)
    elif what < 0.2:
        _scenario(person, rng)
    elif what < 0.38:
        person.say(rng.choices([s for s, _ in SEARCHES], [w for _, w in SEARCHES])[0])
    for _ in range(rng.randint(1, 3)):
        weights = [1 + 3 * through if re.search(r"(?i)marac|dash", text) else 1.0 for text, _ in questions]
        text, _ = rng.choices(questions, weights)[0]
        reply = person.say(text)
        entry_id = reply.state.last_entry_id
        if reply.kind == "answer" and entry_id and rng.random() < 0.4:
            vote = "deny" if rng.random() < (0.6 if re.search("dash|marac", entry_id) else 0.15) else "affirm"
            person.say(f'/{vote}{{"feedback":"{entry_id}"}}')


def _reflection(person: Practitioner, rng: random.Random) -> None:
    reply = person.say("/start_reflection")
    for _ in range(12):
        if reply.kind != "reflection":
            return
        if rng.random() < 0.03:
            person.say("stop")
            return
        reply = person.say(rng.choice(REFLECTION_ANSWERS))


def _scenario(person: Practitioner, rng: random.Random) -> None:
    scenario_ids = sorted(scenario_titles(PROJECT_ROOT / "knowledge"))
    reply = person.say(f'/start_scenario{{"scenario_id":"{rng.choice(scenario_ids)}"}}')
    for _ in range(10):
        if "scenario_summary" in reply.types or person.state.scenario is None:
            return
        if rng.random() < 0.1:
            person.say("quit")
            return
        buttons = [b for m in reply.messages for b in m.buttons if b.payload.startswith("/scenario_answer")]
        reply = person.say(rng.choice(buttons).payload if buttons else rng.choice(SCENARIO_ANSWERS))
