"""``bot db upgrade`` and ``bot db current`` on SQLite: from empty, adopting a database the old create_all
code made (its rows kept), the schema the models describe, and Rasa's tracker index."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from click.testing import CliRunner
from sqlalchemy import MetaData, create_engine, inspect, text

from bot.cli.db import db as db_commands
from bot.config import PROJECT_ROOT
from bot.db import current, head, is_current, upgrade
from bot.db.tracker import url_from_endpoints
from bot.directory.models import DirectoryBase
from bot.directory.query import Request, Searcher
from bot.directory.store import has_full_text, import_directory, list_areas
from bot.insight.counters import Count, InsightBase, count, counts
from bot.knowledge.loader import load_knowledge
from bot.knowledge.models import Base
from bot.knowledge.store import make_engine, read_entries, save_knowledge
from tests.conftest import TEST_DATA

DEMOSHIRE = PROJECT_ROOT / "directories" / "demoshire.json"
OLD_FTS = ("CREATE VIRTUAL TABLE directory_services_fts USING fts5(area_id UNINDEXED, service_id UNINDEXED, name, "
           "organisation, description, eligibility, types, tokenize = 'porter unicode61 remove_diacritics 2')")


@pytest.fixture
def runner():
    return CliRunner(mix_stderr=False)


def db(runner, *args):
    """``bot db ARGS`` (the group as ``bot`` registers it)."""
    return runner.invoke(db_commands, [str(a) for a in args])


def old_database(path, small, with_fts: bool):
    """A database as the create_all code left it: knowledge, the Demoshire directory (through its own FTS5
    index when it had one) and a counter, without Alembic's version table."""
    engine = create_engine(f"sqlite:///{path}", future=True)
    for metadata in (Base.metadata, DirectoryBase.metadata, InsightBase.metadata):
        metadata.create_all(engine)
    save_knowledge(engine, small)
    with engine.begin() as conn:
        if with_fts:
            conn.exec_driver_sql(OLD_FTS)
        conn.execute(text("INSERT INTO insight_counters (day, kind, key, count) VALUES ('2026-11-30', 'searches', 'a', 4)"))
    engine.dispose()
    return f"sqlite:///{path}"


def test_upgrade_from_empty_makes_every_table_and_reports_it(runner, tmp_path):
    url = f"sqlite:///{tmp_path / 'new' / 'knowledge.db'}"
    assert current(url) is None and not (tmp_path / "new").exists()  # looking creates nothing
    result = db(runner, "upgrade", "--database-url", url)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"Database {url} upgraded from empty to revision {head()} in ")
    tables = set(inspect(create_engine(url)).get_table_names())
    assert {"alembic_version", "entries", "directory_services", "directory_services_fts", "insight_counters"} <= tables
    again = db(runner, "upgrade", "--database-url", url)
    assert again.exit_code == 0 and again.stdout.startswith(f"Database {url} is already at revision {head()} (newest).")


def test_current_says_whether_an_upgrade_is_needed(runner, tmp_path):
    url = f"sqlite:///{tmp_path / 'knowledge.db'}"
    behind = db(runner, "current", "--database-url", url)
    assert (behind.exit_code, behind.stdout) == (1, f"none (the newest is {head()}: run `bot db upgrade`)\n")
    upgrade(url)
    now = db(runner, "current", "--database-url", url)
    assert (now.exit_code, now.stdout) == (0, f"{head()} (newest)\n")


def test_an_old_create_all_database_is_adopted_with_its_rows(runner, tmp_path):
    small = load_knowledge(TEST_DATA / "knowledge_min")
    url = old_database(tmp_path / "old.db", small, with_fts=False)
    result = db(runner, "upgrade", "--database-url", url)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"Database {url} was made before migrations: adopted with its rows and upgraded "
                                    f"to revision {head()}")
    engine = make_engine(url)
    assert read_entries(engine) == sorted(small.entries.values(), key=lambda e: e.id)
    assert counts(engine) == [Count(date(2026, 11, 30), "searches", "a", 4)]
    fresh = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    for each in (engine, fresh):  # the directory works on the adopted tables as on new ones, full-text search included
        import_directory(each, DEMOSHIRE)
    assert has_full_text(engine)
    searches = [Request("Demoshire", needs=("refuge",)), Request("North Demoshire", words=("counselling", "children"))]
    assert [Searcher(engine).search(r).ranked for r in searches] == [Searcher(fresh).search(r).ranked for r in searches]
    assert Searcher(engine).search(searches[1]).total > 0


def test_an_old_database_with_services_gets_its_full_text_index_filled(tmp_path):
    small = load_knowledge(TEST_DATA / "knowledge_min")
    url = old_database(tmp_path / "old.db", small, with_fts=True)
    import_directory(make_engine(url), DEMOSHIRE)  # upgrades first, as the embedded store does
    path = tmp_path / "without_index.db"
    with sqlite3.connect(tmp_path / "old.db") as source, sqlite3.connect(path) as copy:
        source.backup(copy)
        copy.executescript("DROP TABLE directory_services_fts; DROP TABLE alembic_version;")  # as before issue 15
    upgrade(f"sqlite:///{path}")
    with sqlite3.connect(path) as conn:
        indexed = conn.execute("SELECT count(*) FROM directory_services_fts").fetchone()[0]
        stored = conn.execute("SELECT count(*) FROM directory_services").fetchone()[0]
    assert indexed == stored == 41
    assert dict(list_areas(make_engine(f"sqlite:///{path}"))) == {"Demoshire": 24, "North Demoshire": 17}


def test_the_embedded_store_upgrades_itself_once(tmp_path):
    url = f"sqlite:///{tmp_path / 'knowledge.db'}"
    engine = make_engine(url)
    assert is_current(url)
    count(engine, "searches", "a")
    assert [c.count for c in counts(make_engine(url))] == [1]


def test_the_migrations_make_the_schema_the_models_describe(tmp_path):
    url = f"sqlite:///{tmp_path / 'knowledge.db'}"
    upgrade(url)
    models = MetaData()
    for metadata in (Base.metadata, DirectoryBase.metadata, InsightBase.metadata):
        for table in metadata.tables.values():
            table.to_metadata(models)
    with create_engine(url).connect() as conn:
        context = MigrationContext.configure(conn, opts={
            "include_name": lambda name, kind, _: not (kind == "table" and name.startswith(("alembic_", "directory_services_fts")))})
        assert compare_metadata(context, models) == []


def test_the_tracker_index_is_made_when_the_events_table_lacks_it(runner, tmp_path):
    tracker = tmp_path / "tracker.db"
    with sqlite3.connect(tracker) as conn:
        conn.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, type_name TEXT)")
    args = ["upgrade", "--database-url", f"sqlite:///{tmp_path / 'knowledge.db'}", "--tracker-url", f"sqlite:///{tracker}"]
    first = db(runner, *args)
    assert first.exit_code == 0, first.stderr
    assert first.stdout.splitlines()[-1] == (
        f"Tracker database sqlite:///{tracker}: created the index ix_events_sender_id on events (sender_id).")
    assert db(runner, *args).stdout.splitlines()[-1] == (
        f"Tracker database sqlite:///{tracker}: the events table has its sender_id index.")


def test_the_tracker_database_comes_from_the_endpoints_file():
    assert url_from_endpoints(PROJECT_ROOT / "endpoints.yml", {}, PROJECT_ROOT) == f"sqlite:///{PROJECT_ROOT / 'var/tracker.db'}"
    env = {"DB_HOST": "db.internal", "DB_PORT": "5432", "DB_NAME": "tracker", "DB_USER": "rasa", "DB_PASSWORD": "s3cret",
           "ACTION_SERVER_URL": "http://a", "DASG_ACTION_TOKEN": "t", "REDIS_HOST": "r", "REDIS_PORT": "6379",
           "REDIS_PASSWORD": "p"}
    production = PROJECT_ROOT / "endpoints.production.yml"
    assert url_from_endpoints(production, env, PROJECT_ROOT) == "postgresql://rasa:s3cret@db.internal:5432/tracker"


def test_an_unset_variable_in_the_endpoints_file_is_named(runner, tmp_path, monkeypatch):
    for name in ("DB_HOST", "DB_PORT", "DB_NAME", "DB_USER", "DB_PASSWORD", "DASG_TRACKER_URL"):
        monkeypatch.delenv(name, raising=False)
    result = db(runner, "upgrade", "--database-url", f"sqlite:///{tmp_path / 'k.db'}", "--endpoints",
                "endpoints.production.yml")
    assert result.exit_code == 1
    assert result.stderr == ("Error: could not check the tracker database: "
                             f"{PROJECT_ROOT / 'endpoints.production.yml'}: tracker_store.url uses ${{DB_HOST}}, which is not set\n")


def test_an_unreachable_database_is_an_error_with_exit_code_1(runner):
    result = db(runner, "upgrade", "--database-url", "postgresql://dasg@127.0.0.1:1/dasg")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: could not upgrade the database: connection to server at \"127.0.0.1\", port 1")


def test_a_database_upgraded_by_a_newer_version_is_refused_by_name(runner, tmp_path):
    url = f"sqlite:///{tmp_path / 'knowledge.db'}"
    upgrade(url)
    with sqlite3.connect(tmp_path / "knowledge.db") as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0999'")
    result = db(runner, "upgrade", "--database-url", url)
    assert result.exit_code == 1
    assert result.stderr == (f"Error: The database {url} is at revision 0999, which this code does not know (its newest "
                             f"is {head()}): it was upgraded by a newer version; run that one.\n")
