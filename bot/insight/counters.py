"""Counters: how often something happened, by day, kind and key, and nothing else.

A counter row is (day, kind, key, count): "on 2026-12-01, 3 directory searches in Demoshire for
a refuge for a 13 to 17 year old found nothing". No message text, conversation or person is ever
stored; keys are built from the project's own vocabularies (area names from the directory,
service type ids, age bands). The table lives in the knowledge database on its own metadata,
made by the migrations (``bot/db/migrations``), so every feature and later report (issue 16) can share it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Column, Date, Index, Integer, String, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import declarative_base

from bot.db import ensure_current
from bot.privacy.detectors import scrub

InsightBase = declarative_base()
MAX_KIND = 64
MAX_KEY = 300


class CounterRow(InsightBase):
    """How many times ``kind`` happened with ``key`` on ``day``."""

    __tablename__ = "insight_counters"
    __table_args__ = (Index("ix_insight_counters_kind_day", "kind", "day"),)  # counts() by kind over days (migration 0003)

    day = Column(Date, primary_key=True)
    kind = Column(String(MAX_KIND), primary_key=True)
    key = Column(String(MAX_KEY), primary_key=True)
    count = Column(Integer, nullable=False, default=0)

    def __repr__(self) -> str:
        return f"<Counter {self.day} {self.kind} {self.key!r}={self.count}>"


@dataclass(frozen=True)
class Count:
    """One counter as read back."""

    day: date
    kind: str
    key: str
    count: int


def ensure_schema(engine: Engine) -> None:
    """The counters table is there: the migrations make it (``bot.db``; embedded SQLite upgrades itself)."""
    ensure_current(engine)


def count(engine: Engine, kind: str, key: str, day: date | None = None, by: int = 1) -> None:
    """Add ``by`` to the counter for ``kind`` and ``key`` on ``day`` (today by default)."""
    if not kind or len(kind) > MAX_KIND:
        raise ValueError(f"a counter kind is 1 to {MAX_KIND} characters: {kind!r}")
    key = scrub(key)[:MAX_KEY]  # a key is ids by design; a personal detail that slipped in never reaches disk
    day = day or date.today()
    ensure_schema(engine)
    table = CounterRow.__table__
    where = (table.c.day == day, table.c.kind == kind, table.c.key == key)
    for _ in range(2):  # a row another process inserted at the same moment: add to it instead
        try:
            with engine.begin() as conn:
                done = conn.execute(update(table).where(*where).values(count=table.c.count + by))
                if not done.rowcount:
                    conn.execute(insert(table).values(day=day, kind=kind, key=key, count=by))
            return
        except IntegrityError:
            continue
    raise RuntimeError(f"could not count {kind} {key!r}")


def counts(engine: Engine, kind: str | None = None, since: date | None = None, until: date | None = None) -> list[Count]:
    """The counters (of one ``kind``, between two days inclusive), by day, kind and key."""
    ensure_schema(engine)
    query = select(CounterRow.day, CounterRow.kind, CounterRow.key, CounterRow.count)
    if kind is not None:
        query = query.where(CounterRow.kind == kind)
    if since is not None:
        query = query.where(CounterRow.day >= since)
    if until is not None:
        query = query.where(CounterRow.day <= until)
    with engine.connect() as conn:
        rows = conn.execute(query.order_by(CounterRow.day, CounterRow.kind, CounterRow.key))
        return [Count(row.day, row.kind, row.key, row.count) for row in rows]
