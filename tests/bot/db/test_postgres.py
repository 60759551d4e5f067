"""``bot db upgrade`` on PostgreSQL (tests/services.py): the stores refuse a database it has not upgraded,
it upgrades an empty one, adopts one the old create_all code made with its rows, and ensures Rasa's index."""

from __future__ import annotations

from datetime import datetime

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.orm import Session

from bot.cli.db import db as db_commands
from bot.db import SchemaNotCurrent, head
from bot.directory.models import AreaRow, DirectoryBase, ServiceRow
from bot.directory.query import Request, Searcher
from bot.insight.counters import InsightBase
from bot.knowledge.loader import load_knowledge
from bot.knowledge.models import Base
from bot.knowledge.store import make_engine, read_entries, save_knowledge
from tests.conftest import TEST_DATA


@pytest.fixture
def runner():
    return CliRunner(mix_stderr=False)


def db(runner, *args):
    """``bot db ARGS`` (the group as ``bot`` registers it)."""
    return runner.invoke(db_commands, [str(a) for a in args])


def shown(url: str) -> str:
    return create_engine(url).url.render_as_string(hide_password=True)


def test_a_store_refuses_a_database_that_was_not_upgraded(postgres_url):
    with pytest.raises(SchemaNotCurrent) as caught:
        make_engine(postgres_url)
    assert str(caught.value) == (
        f"The database {shown(postgres_url)} has no schema version (empty, or made before migrations); this code needs "
        f"revision {head()}. Run `bot db upgrade` (with DASG_DATABASE_URL set to it) first.")
    assert "***" in str(caught.value)  # never the password


def test_upgrade_from_empty_then_current(runner, postgres_url):
    assert db(runner, "current", "--database-url", postgres_url).exit_code == 1
    result = db(runner, "upgrade", "--database-url", postgres_url, "--tracker-url", postgres_url)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"Database {shown(postgres_url)} upgraded from empty to revision {head()} in ")
    assert lines[1] == f"Tracker database {shown(postgres_url)}: no events table yet (Rasa makes it, with the sender_id index)."
    now = db(runner, "current", "--database-url", postgres_url)
    assert (now.exit_code, now.stdout) == (0, f"{head()} (newest)\n")
    engine = create_engine(postgres_url)
    indexes = {i["name"] for i in inspect(engine).get_indexes("directory_services")}
    assert {"ix_directory_services_filter", "ix_directory_services_search", "ix_directory_services_source"} <= indexes
    engine.dispose()


def test_an_old_create_all_database_is_adopted_with_its_rows(runner, postgres_url):
    small = load_knowledge(TEST_DATA / "knowledge_min")
    old = create_engine(postgres_url, future=True)
    for metadata in (Base.metadata, DirectoryBase.metadata, InsightBase.metadata):
        metadata.create_all(old)
    save_knowledge(old, small)
    with Session(old) as session, session.begin():
        area = AreaRow(key="oldtown", name="Oldtown", source="old.csv", imported_at=datetime(2025, 1, 1))
        area.services = [ServiceRow(id="old-1", name="Oldtown Counselling", description="Counselling for children.",
                                    types="children_da_support", audiences=",child,", fingerprint="x")]
        session.add(area)
    old.dispose()
    result = db(runner, "upgrade", "--database-url", postgres_url, "--tracker-url", postgres_url)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"Database {shown(postgres_url)} was made before migrations: adopted with its rows")
    engine = make_engine(postgres_url)
    assert read_entries(engine) == sorted(small.entries.values(), key=lambda e: e.id)
    searcher = Searcher(engine)  # a need told in words is found by the service vectors the upgrade filled
    assert [s.id for s in searcher.search(Request("Oldtown", described=("counselling",))).services] == ["old-1"]
    assert searcher.search(Request("Oldtown", described=("refuge",))).total == 0
    engine.dispose()


def test_the_tracker_index_is_made_on_postgresql(runner, postgres_url):
    tracker = create_engine(postgres_url, future=True)
    with tracker.begin() as conn:
        conn.execute(text("CREATE TABLE events (id SERIAL PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, data TEXT)"))
    result = db(runner, "upgrade", "--database-url", postgres_url, "--tracker-url", postgres_url)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[-1] == (
        f"Tracker database {shown(postgres_url)}: created the index ix_events_sender_id on events (sender_id).")
    assert [i["column_names"] for i in inspect(tracker).get_indexes("events")] == [["sender_id"]]
    tracker.dispose()
