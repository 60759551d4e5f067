"""The schema as the create_all code made it before migrations: knowledge, directory and counters tables.

A database made by that code (an existing var/knowledge.db) is adopted rather than recreated:
tables already there are kept with their rows, the directory service columns added since
issue 14 are added with their defaults, the old single "person causing harm" audience becomes
the adult or young person one by the service's ages, and on SQLite the FTS5 index is created
and filled over the rows already there.

Revision ID: 0001
Revises:
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

FTS_TABLE = "directory_services_fts"
FTS_CREATE = (
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5("
    "area_id UNINDEXED, service_id UNINDEXED, name, organisation, description, eligibility, types, "
    "tokenize = 'porter unicode61 remove_diacritics 2')"
)
LEGACY_AUDIENCE = ",person_causing_harm,"
_COLLATION: list[str | None] = [None]
# Columns of directory_services that a database made before issue 14 lacks: (name, type, default).
ADDED_COLUMNS = (
    ("eligibility", lambda: _text(), ""), ("languages", lambda: _text(), ""), ("fees", lambda: _text(), ""),
    ("address", lambda: _text(), ""), ("last_modified", sa.Date, None), ("assured_date", sa.Date, None),
    ("source", lambda: _string(32), ""), ("origin", lambda: _text(), ""), ("shared", sa.Boolean, False),
)


def _string(length: int) -> sa.String:
    return sa.String(length, collation=_COLLATION[0])


def _text() -> sa.Text:
    return sa.Text(collation=_COLLATION[0])


def upgrade() -> None:
    conn = op.get_bind()
    # PostgreSQL compares and orders text byte by byte, as SQLite does, whatever the database's locale:
    # the same names come first on both.
    _COLLATION[0] = "C" if conn.dialect.name == "postgresql" else None
    had_services = sa.inspect(conn).has_table("directory_services")
    _knowledge_tables(conn)
    _directory_tables(conn)
    _counter_tables(conn)
    if had_services:
        _upgrade_audiences(conn)
    _fulltext(conn, had_services)


def _create(conn: Connection, name: str, *columns) -> None:
    """Create the table unless a create_all database already has it (its rows stay)."""
    if not sa.inspect(conn).has_table(name):
        op.create_table(name, *columns)


def _index(conn: Connection, name: str, table: str, columns: list[str], unique: bool = False) -> None:
    if name not in {index["name"] for index in sa.inspect(conn).get_indexes(table)}:
        op.create_index(name, table, columns, unique=unique)


def _knowledge_tables(conn: Connection) -> None:
    _create(conn, "sources",
            sa.Column("id", _string(64), primary_key=True), sa.Column("citation", _string(200), nullable=False),
            sa.Column("title", _text(), nullable=False), sa.Column("publisher", _text(), nullable=False),
            sa.Column("date", _string(32), nullable=False), sa.Column("licence", _text(), nullable=False),
            sa.Column("style", _string(16), nullable=False))
    _create(conn, "sections",
            sa.Column("source_id", _string(64), sa.ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True),
            sa.Column("id", _string(100), primary_key=True), sa.Column("position", sa.Integer(), nullable=False),
            sa.Column("title", _text(), nullable=False), sa.Column("parent_id", _string(100)))
    _create(conn, "entries",
            sa.Column("id", _string(100), primary_key=True), sa.Column("topic", _string(64), nullable=False),
            sa.Column("title", _text(), nullable=False), sa.Column("answer", _text(), nullable=False),
            sa.Column("detail", _text(), nullable=False))
    _index(conn, "ix_entries_topic", "entries", ["topic"])
    entry_id = ("entry_id", _string(100))
    _create(conn, "entry_questions",
            sa.Column(*entry_id, sa.ForeignKey("entries.id", ondelete="CASCADE"), primary_key=True),
            sa.Column("position", sa.Integer(), primary_key=True), sa.Column("text", _text(), nullable=False))
    for name, extra in (("entry_citations", ()), ("entry_steps", (sa.Column("text", _text(), nullable=False),))):
        _create(conn, name,
                sa.Column(*entry_id, sa.ForeignKey("entries.id", ondelete="CASCADE"), primary_key=True),
                sa.Column("position", sa.Integer(), primary_key=True), *extra,
                sa.Column("source_id", _string(64), nullable=False), sa.Column("section_id", _string(100), nullable=False),
                sa.ForeignKeyConstraint(["source_id", "section_id"], ["sections.source_id", "sections.id"]))
    _create(conn, "entry_tags",
            sa.Column(*entry_id, sa.ForeignKey("entries.id", ondelete="CASCADE"), primary_key=True),
            sa.Column("kind", _string(16), primary_key=True), sa.Column("value", _string(200), primary_key=True))
    _create(conn, "entry_related",
            sa.Column(*entry_id, sa.ForeignKey("entries.id", ondelete="CASCADE"), primary_key=True),
            sa.Column("position", sa.Integer(), primary_key=True),
            sa.Column("related_id", _string(100), sa.ForeignKey("entries.id", ondelete="CASCADE"), nullable=False))


def _directory_tables(conn: Connection) -> None:
    _create(conn, "directory_meta",
            sa.Column("key", _string(64), primary_key=True), sa.Column("value", sa.Integer(), nullable=False))
    _create(conn, "directory_areas",
            sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
            sa.Column("key", _string(200), nullable=False, unique=True), sa.Column("name", _string(200), nullable=False),
            sa.Column("source", _text(), nullable=False), sa.Column("imported_at", sa.DateTime(), nullable=False))
    text_columns = ("name", "organisation", "organisation_id", "description", "min_age", "max_age", "how_to_refer", "phone",
                    "email", "website", "opening_times", "audiences", "types")
    kinds = {"organisation_id": _string(200), "phone": _string(100), "email": _string(320),
             "audiences": _string(200), "types": _string(400), "min_age": sa.Integer(), "max_age": sa.Integer()}
    _create(conn, "directory_services",
            sa.Column("area_id", sa.Integer(), sa.ForeignKey("directory_areas.id", ondelete="CASCADE"), primary_key=True),
            sa.Column("id", _string(200), primary_key=True),
            *(sa.Column(name, kinds.get(name, _text()), nullable=name in ("min_age", "max_age")) for name in text_columns),
            *(sa.Column(name, kind(), nullable=default is None) for name, kind, default in ADDED_COLUMNS),
            sa.Column("fingerprint", _string(32), nullable=False))
    _add_columns(conn)  # a table made before issue 14 gets them before they are indexed
    _index(conn, "ix_directory_services_filter", "directory_services",
           ["area_id", "name", "id", "min_age", "max_age", "audiences"])
    _index(conn, "ix_directory_services_source", "directory_services", ["source"])
    _create(conn, "directory_service_tags",
            sa.Column("area_id", sa.Integer(), primary_key=True), sa.Column("service_id", _string(200), primary_key=True),
            sa.Column("kind", _string(16), primary_key=True), sa.Column("value", _string(64), primary_key=True),
            sa.Column("position", sa.Integer(), nullable=False),
            sa.ForeignKeyConstraint(["area_id", "service_id"], ["directory_services.area_id", "directory_services.id"],
                                    ondelete="CASCADE"))
    _index(conn, "ix_directory_tags_lookup", "directory_service_tags", ["area_id", "kind", "value"])
    _create(conn, "directory_feeds",
            sa.Column("url", _string(2000), primary_key=True), sa.Column("last_attempt", sa.DateTime()),
            sa.Column("last_success", sa.DateTime()), sa.Column("last_error", _text(), nullable=False))


def _counter_tables(conn: Connection) -> None:
    _create(conn, "insight_counters",
            sa.Column("day", sa.Date(), primary_key=True), sa.Column("kind", _string(64), primary_key=True),
            sa.Column("key", _string(300), primary_key=True), sa.Column("count", sa.Integer(), nullable=False))


def _add_columns(conn: Connection) -> None:
    """The service columns added since issue 14, with their defaults, on a table made before them."""
    present = {column["name"] for column in sa.inspect(conn).get_columns("directory_services")}
    for name, kind, default in ADDED_COLUMNS:
        if name not in present:
            server_default = None if default is None else sa.text(_literal(default))
            op.add_column("directory_services", sa.Column(name, kind(), nullable=default is None, server_default=server_default))


def _literal(value) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return "'" + str(value).replace("'", "''") + "'"


def _upgrade_audiences(conn: Connection) -> None:
    """Rows stored with the single old audience: adult, young person or both, by their ages (as the import now does)."""
    like = {"like": f"%{LEGACY_AUDIENCE}%"}
    if not conn.execute(sa.text("SELECT count(*) FROM directory_services WHERE audiences LIKE :like"), like).scalar():
        return
    for condition, codes in (
        ("max_age IS NOT NULL AND max_age < 18", ",young_person_causing_harm,"),
        ("min_age IS NOT NULL AND min_age < 18", ",adult_causing_harm,young_person_causing_harm,"),
        ("1 = 1", ",adult_causing_harm,"),
    ):
        conn.execute(sa.text(f"UPDATE directory_services SET audiences = replace(audiences, :old, :new) "
                             f"WHERE audiences LIKE :like AND {condition}"), {"old": LEGACY_AUDIENCE, "new": codes, **like})


def _fulltext(conn: Connection, had_services: bool) -> None:
    """SQLite: the FTS5 index (filled over the rows already there). An SQLite built without FTS5 searches with LIKE."""
    if conn.dialect.name != "sqlite" or sa.inspect(conn).has_table(FTS_TABLE):
        return
    try:
        conn.exec_driver_sql(FTS_CREATE)
    except OperationalError as exc:  # an SQLite built without FTS5 says so only by failing
        if "no such module" not in str(exc):
            raise
        return
    if had_services:
        from bot.directory import fulltext
        from bot.directory.taxonomy import load_taxonomy

        fulltext.rebuild(conn, load_taxonomy())

