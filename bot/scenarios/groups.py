"""Group sessions: a trainer's short code, the trainees who join with it, and counts of their play.

Only ids and counts are kept, in the insight counters table (``bot/insight/counters.py``): for a
code and scenario, how many joined and finished, and per step how many answered, covered each
key point, or took each option. No answer text, conversation or person is ever stored. A
conversation carries its group code in the scenario state (kept in the Rasa slot).
"""

from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import dataclass, replace
from typing import Protocol

from bot.dialogue.state import ScenarioState

SESSION_KIND = "scenario_group"  # key: "<CODE>/<scenario id>": a session the trainer opened
RESULT_KIND = "scenario_group_result"  # key: "<CODE>/<scenario id>/<what>"
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: read aloud in a training room
CODE_LENGTH = 6


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normal_code(code: str) -> str:
    return code.strip().upper()


def group_of(state: ScenarioState | None) -> str | None:
    return None if state is None else state.group


def with_group(state: ScenarioState, code: str | None) -> ScenarioState:
    return state if code is None else replace(state, group=code)


def choices_of(state: ScenarioState) -> dict[str, str]:
    """The options chosen per choice step."""
    return dict(state.choices)


class Counters(Protocol):
    """What groups need from the counters table: add to a count, read the totals of a kind."""

    def count(self, kind: str, key: str, by: int = 1) -> None: ...

    def totals(self, kind: str) -> dict[str, int]: ...


class DatabaseCounters:
    """The insight counters table in the assistant's database (bot/insight/counters.py)."""

    def __init__(self, database_url: str):
        from bot.knowledge.store import make_engine

        self.engine = make_engine(database_url)

    def count(self, kind: str, key: str, by: int = 1) -> None:
        from bot.insight.counters import count

        count(self.engine, kind, key, by=by)

    def totals(self, kind: str) -> dict[str, int]:
        from bot.insight.counters import counts

        totals: Counter[str] = Counter()
        for row in counts(self.engine, kind=kind):
            totals[row.key] += row.count
        return dict(totals)


@dataclass(frozen=True)
class GroupResults:
    """What a group did in one scenario: totals by what was counted."""

    code: str
    scenario: str
    counts: dict[str, int]

    def get(self, *what: str) -> int:
        return self.counts.get("/".join(what), 0)


class Groups:
    """Opening and joining group sessions, and counting what their trainees did."""

    def __init__(self, counters: Counters):
        self.counters = counters

    def scenario_for(self, code: str) -> str | None:
        """The scenario a code was opened for, if it was."""
        prefix = normal_code(code) + "/"
        found = [key[len(prefix):] for key in self.counters.totals(SESSION_KIND) if key.startswith(prefix)]
        return found[0] if found else None

    def open(self, code: str, scenario: str) -> str | None:
        """Open a session; returns the scenario the code is already used for, if another."""
        code = normal_code(code)
        used = self.scenario_for(code)
        if used is not None and used != scenario:
            return used
        if used is None:
            self.counters.count(SESSION_KIND, f"{code}/{scenario}")
        return None

    def open_new(self, scenario: str) -> str:
        """Open a session for ``scenario`` under a new code of the assistant's own, and return it."""
        for _ in range(20):  # 32^6 codes: a clash with an open session is rare, and tried again
            code = new_code()
            if self.scenario_for(code) is None:
                self.counters.count(SESSION_KIND, f"{code}/{scenario}")
                return code
        raise RuntimeError("could not find a free group code in 20 tries")

    def record(self, code: str, scenario: str, *what: str) -> None:
        self.counters.count(RESULT_KIND, "/".join((normal_code(code), scenario, *what)))

    def results(self, code: str) -> GroupResults | None:
        code = normal_code(code)
        scenario = self.scenario_for(code)
        if scenario is None:
            return None
        prefix = f"{code}/{scenario}/"
        counts = {key[len(prefix):]: n for key, n in self.counters.totals(RESULT_KIND).items() if key.startswith(prefix)}
        return GroupResults(code, scenario, counts)
