"""``bot conversations purge``: exactly the conversations idle longer than the limit go, in one go."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from bot.cli.conversations import conversations
from bot.privacy.retention import DAY, RetentionError, start_daily_purge, tracker_url

NOW = time.time()
# sender id -> days ago of each of its events (oldest first); the limit in these tests is 30 days.
AGES = {
    "old-40": (41, 40, 40),
    "old-31": (31.5, 31, 31),
    "new-29": (29, 29),
    "long-but-active": (90, 60, 1),
    "today": (0.01,),
}
OLD = {"old-40", "old-31"}


def make_tracker_db(url: str) -> None:
    """A tracker database written by the project's own tracker store, with events of known ages."""
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker
    from sqlalchemy.engine import make_url

    from bot.runtime.tracker_store import RedactingSQLTrackerStore

    store = RedactingSQLTrackerStore(Domain.empty(), dialect=make_url(url).get_backend_name(), host=url)
    for sender, ages in AGES.items():
        events = []
        for age in ages:
            stamp = NOW - age * DAY
            events += [UserUttered("hello", {"name": "greet", "confidence": 1.0}, timestamp=stamp),
                       ActionExecuted("action_respond", timestamp=stamp), BotUttered("Hello.", timestamp=stamp)]
        asyncio.run(store.save(DialogueStateTracker.from_events(sender, events)))
    store.engine.dispose()


@pytest.fixture
def tracker(tmp_path) -> str:
    """The tracker database's URL (SQLite here; test_retention_postgres.py runs the same tests on PostgreSQL)."""
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    make_tracker_db(url)
    return url


def _counts(url: str) -> dict[str, int]:
    engine = sa.create_engine(url, future=True)
    try:
        with engine.connect() as db:
            return dict(db.execute(sa.text("select sender_id, count(*) from events group by sender_id")).all())
    finally:
        engine.dispose()


def _purge(url: str | None, *args: str, **env: str):
    """``bot conversations purge`` on the database at ``url`` (``--tracker-url``), or as the environment says."""
    environment = {"DASG_ENDPOINTS": None, "DASG_RETENTION_DAYS": None, "DASG_TRACKER_URL": None, "DASG_TRACKER_DB": None}
    where = ["--tracker-url", url] if url else []
    return CliRunner(mix_stderr=False).invoke(conversations, ["purge", *where, *args], env={**environment, **env})


def test_the_dry_run_counts_the_old_conversations_and_deletes_nothing(tracker):
    before = _counts(tracker)
    result = _purge(tracker, "--dry-run", "--days", "30")
    assert result.exit_code == 0, result.stderr
    old_events = sum(before[s] for s in OLD)
    assert result.stdout.strip() == (f"Dry run: 2 conversations ({old_events} events) with no event in the last 30 days "
                                     "would be deleted. Nothing was deleted.")
    assert _counts(tracker) == before


def test_the_purge_deletes_exactly_the_conversations_idle_longer_than_the_limit(tracker):
    before = _counts(tracker)
    result = _purge(tracker)  # the default limit: 30 days
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == (f"Deleted 2 conversations ({sum(before[s] for s in OLD)} events) "
                                     "with no event in the last 30 days.")
    assert _counts(tracker) == {s: n for s, n in before.items() if s not in OLD}
    again = _purge(tracker)
    assert again.exit_code == 0 and again.stdout.strip() == "Deleted 0 conversations (0 events) with no event in the last 30 days."


def test_the_limit_comes_from_the_settings(tracker):
    before = _counts(tracker)
    result = _purge(tracker, DASG_RETENTION_DAYS="10")
    assert result.exit_code == 0, result.stderr
    assert "Deleted 3 conversations" in result.stdout and "in the last 10 days" in result.stdout
    assert set(_counts(tracker)) == set(before) - OLD - {"new-29"}


def test_an_invalid_limit_is_refused(tracker):
    result = _purge(tracker, DASG_RETENTION_DAYS="a month")
    assert result.exit_code == 1
    assert "DASG_RETENTION_DAYS must be a whole number of days, 1 or more, not 'a month'" in result.stderr
    assert _purge(tracker, "--days", "0").exit_code == 2  # click's usage error


def test_a_missing_database_or_table_is_an_error_and_nothing_is_created(tmp_path):
    missing = tmp_path / "nowhere.db"
    result = _purge(None, DASG_TRACKER_DB=str(missing))  # the SQLite file bot run hands the servers
    assert result.exit_code == 1
    assert result.stderr.strip() == f"Error: no tracker database at {missing.resolve()}: has the assistant run yet?"
    assert not missing.exists()
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("create table notes (id integer)").connection.close()
    result = _purge(f"sqlite:///{other}")
    assert result.exit_code == 1 and "has no 'events' table: is it Rasa's tracker database?" in result.stderr


def test_the_database_is_the_one_the_endpoints_file_names(tmp_path):
    path = tmp_path / "tracker.db"
    make_tracker_db(f"sqlite:///{path}")
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(f'tracker_store:\n  type: bot.runtime.tracker_store.RedactingSQLTrackerStore\n'
                         f'  dialect: "sqlite"\n  db: "{path}"\n', encoding="utf-8")
    result = _purge(None, "--endpoints", str(endpoints), "--dry-run")
    assert result.exit_code == 0 and result.stdout.startswith("Dry run: 2 conversations"), result.stderr
    result = _purge(None, "--dry-run", DASG_ENDPOINTS=str(endpoints))
    assert result.exit_code == 0 and result.stdout.startswith("Dry run: 2 conversations"), result.stderr
    endpoints.write_text("action_endpoint:\n  url: http://127.0.0.1:5055/webhook\n", encoding="utf-8")
    result = _purge(None, "--endpoints", str(endpoints))
    assert result.exit_code == 1 and "its tracker_store is not an SQL tracker store" in result.stderr


def test_the_production_endpoints_give_the_postgresql_url_rasa_uses():
    from rasa.core.tracker_store import SQLTrackerStore

    from bot.config import PROJECT_ROOT

    env = {"DASG_ENDPOINTS": "endpoints.production.yml", "DB_HOST": "db.internal", "DB_PORT": "5433", "DB_NAME": "tracker",
           "DB_USER": "dasg", "DB_PASSWORD": "s3cret"}
    url = tracker_url(env, PROJECT_ROOT)
    assert url.render_as_string(hide_password=False) == "postgresql://dasg:s3cret@db.internal:5433/tracker"
    assert url == SQLTrackerStore.get_db_url("postgresql", "db.internal", 5433, "tracker", "dasg", "s3cret")
    with pytest.raises(RetentionError, match=r"\$\{DB_HOST\}, which is not set"):
        tracker_url({k: v for k, v in env.items() if k != "DB_HOST"}, PROJECT_ROOT)


def test_bot_run_purges_daily_in_a_thread(tracker):
    from sqlalchemy.engine import make_url

    said: list[str] = []
    stop = threading.Event()
    thread = start_daily_purge(make_url(tracker), 30, stop, echo=said.append, every=3600)
    deadline = time.monotonic() + 30
    while not said and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    thread.join(5)
    assert not thread.is_alive()
    assert said and said[0].startswith("Retention: Deleted 2 conversations")
    assert set(_counts(tracker)) == set(AGES) - OLD


def test_bot_run_purges_the_database_of_the_endpoints_the_rasa_server_got(tmp_path):
    from bot.privacy.retention import start_for_run

    path = tmp_path / "tracker.db"
    make_tracker_db(f"sqlite:///{path}")
    endpoints = tmp_path / "endpoints-5056.yml"  # as bot.runtime.servers writes it for another port
    endpoints.write_text(f'tracker_store:\n  type: bot.runtime.tracker_store.RedactingSQLTrackerStore\n'
                         f'  dialect: "sqlite"\n  db: "{path}"\n', encoding="utf-8")
    said: list[str] = []
    stop = threading.Event()
    thread = start_for_run(endpoints, 30, stop, said.append, env={})
    deadline = time.monotonic() + 30
    while len(said) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    thread.join(5)
    assert said == [f"Retention: conversations with no event in 30 days are deleted daily from sqlite:///{path}.",
                    f"Retention: Deleted 2 conversations ({sum(3 * len(AGES[s]) for s in OLD)} events) with no event in the last 30 days."]
    endpoints.write_text("action_endpoint:\n  url: http://127.0.0.1:5055/webhook\n", encoding="utf-8")
    assert start_for_run(endpoints, 30, threading.Event(), said.append, env={}) is None
    assert said[-1].startswith("Retention: old conversations will not be deleted:") and "not an SQL tracker store" in said[-1]
