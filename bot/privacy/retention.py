"""Deleting old conversations: every event of a conversation whose last event is older than the limit.

The limit is ``Settings.retention_days`` (``DASG_RETENTION_DAYS``, 30 by default). The tracker
database is the one the Rasa server uses (``tracker_url``): the endpoints file ``bot run`` hands
it, its ``tracker_store`` read by ``bot.db.tracker`` with ``${VARIABLES}`` expanded. SQLite and
PostgreSQL both work: the queries are plain SQL over Rasa's one ``events`` table. ``bot conversations purge`` runs it; ``bot run``
runs it once a day in a thread (``start_daily_purge``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.config import PROJECT_ROOT
from bot.db.tracker import TrackerConfigError, url_from_endpoints

log = logging.getLogger(__name__)

DAY = 24 * 60 * 60
EVENTS_TABLE = "events"  # rasa.core.tracker_store.SQLTrackerStore.SQLEvent
# Conversations whose latest event is older than the cut-off (a timestamp in seconds).
_OLD = sa.text(f"select sender_id from {EVENTS_TABLE} group by sender_id having max(timestamp) < :cutoff")
_COUNT = sa.text(f"select count(distinct sender_id), count(*) from {EVENTS_TABLE} "
                 f"where sender_id in ({_OLD.text})")
_DELETE = sa.text(f"delete from {EVENTS_TABLE} where sender_id in ({_OLD.text})")


class RetentionError(Exception):
    """The tracker database cannot be found, read or purged: what and why, for the console."""


@dataclass(frozen=True)
class PurgeResult:
    """What a purge found (dry run) or deleted: conversations and their events, and the cut-off used."""

    conversations: int
    events: int
    cutoff: float
    dry_run: bool


def tracker_url(env: Mapping[str, str], root: Path = PROJECT_ROOT, endpoints: Path | None = None) -> URL:
    """The tracker database's URL, as the Rasa server that ``bot run`` starts would use it.

    In order: ``endpoints`` if given; ``DASG_TRACKER_URL`` (as ``bot db upgrade`` reads it); the
    SQLite file ``DASG_TRACKER_DB`` names (``bot.runtime.servers`` writes it into the endpoints it
    hands Rasa); else the endpoints file, ``DASG_ENDPOINTS`` or ``endpoints.yml``.
    """
    if endpoints is None and env.get("DASG_TRACKER_URL"):
        return make_url(env["DASG_TRACKER_URL"])
    if endpoints is None and env.get("DASG_TRACKER_DB") and not env.get("DASG_ENDPOINTS"):
        return URL.create("sqlite", database=str(Path(env["DASG_TRACKER_DB"]).resolve()))
    path = endpoints or root / (env.get("DASG_ENDPOINTS") or "endpoints.yml")
    if not path.exists():
        raise RetentionError(f"{path}: no such endpoints file")
    try:  # read as bot db upgrade reads it: ${VARIABLES} expanded as Rasa expands them
        url = url_from_endpoints(path, env, root)
    except TrackerConfigError as exc:
        raise RetentionError(str(exc)) from None
    if url is None:
        raise RetentionError(f"{path}: its tracker_store is not an SQL tracker store, so there is no database to purge")
    return make_url(url)


def tracker_engine(url: URL) -> Engine:
    """An engine on an existing tracker database (a missing SQLite file is an error, not created)."""
    if url.get_backend_name() == "sqlite" and not (url.database and Path(url.database).exists()):
        raise RetentionError(f"no tracker database at {url.database}: has the assistant run yet?")
    engine = sa.create_engine(url, future=True)
    try:
        if not sa.inspect(engine).has_table(EVENTS_TABLE):
            raise RetentionError(f"{_shown(url)} has no '{EVENTS_TABLE}' table: is it Rasa's tracker database?")
    except SQLAlchemyError as exc:
        raise RetentionError(f"cannot open the tracker database {_shown(url)}: {type(exc).__name__}: "
                             f"{str(exc).splitlines()[0]}") from None
    return engine


def purge(engine: Engine, days: int, dry_run: bool = False, now: float | None = None) -> PurgeResult:
    """Delete (or, dry run, count) every conversation whose last event is more than ``days`` days old.

    One transaction: what is counted is exactly what is deleted, and a failure deletes nothing.
    """
    cutoff = (time.time() if now is None else now) - days * DAY
    try:
        with engine.begin() as connection:
            conversations, events = connection.execute(_COUNT, {"cutoff": cutoff}).one()
            if not dry_run and events:
                deleted = connection.execute(_DELETE, {"cutoff": cutoff}).rowcount
                if deleted != events:  # another writer between the two statements: keep everything
                    raise RetentionError(f"counted {events} events to delete but {deleted} matched; nothing deleted")
    except SQLAlchemyError as exc:
        raise RetentionError(f"the purge failed and deleted nothing: {type(exc).__name__}: "
                             f"{str(exc).splitlines()[0]}") from None
    return PurgeResult(int(conversations or 0), int(events or 0), cutoff, dry_run)


def describe(result: PurgeResult, days: int) -> str:
    """One line for the console and the log: counts only, never a conversation id."""
    what = f"{result.conversations} conversation{'s' if result.conversations != 1 else ''} ({result.events} events)"
    if result.dry_run:
        return f"Dry run: {what} with no event in the last {days} days would be deleted. Nothing was deleted."
    return f"Deleted {what} with no event in the last {days} days."


def start_daily_purge(url: URL, days: int, stop: threading.Event, echo: Callable[[str], None] = log.info,
                      every: float = DAY) -> threading.Thread:
    """Purge now and then every ``every`` seconds until ``stop`` is set (a daemon thread, for ``bot run``).

    A purge that fails is reported through ``echo`` and tried again at the next interval.
    """

    def loop() -> None:
        while not stop.is_set():
            try:
                echo(f"Retention: {describe(purge(tracker_engine(url), days), days)}")
            except RetentionError as exc:
                echo(f"Retention: old conversations not deleted: {exc}")
            stop.wait(every)

    thread = threading.Thread(target=loop, name="conversation-retention", daemon=True)
    thread.start()
    return thread


def start_for_run(endpoints: Path, days: int, stop: threading.Event, echo: Callable[[str], None],
                  env: Mapping[str, str] | None = None) -> threading.Thread | None:
    """For ``bot run``: the daily purge of the tracker database named in ``endpoints`` (the file the Rasa
    server was started with); None, said through ``echo``, when that file names no SQL database."""
    import os

    try:
        url = tracker_url(os.environ if env is None else env, endpoints=endpoints)
    except RetentionError as exc:
        echo(f"Retention: old conversations will not be deleted: {exc}")
        return None
    echo(f"Retention: conversations with no event in {days} days are deleted daily from {_shown(url)}.")
    return start_daily_purge(url, days, stop, echo)


def _shown(url: URL) -> str:
    """The URL without its password, for messages."""
    return url.render_as_string(hide_password=True)
