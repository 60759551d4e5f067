"""The SQLite FTS5 index of directory services (``directory_services_fts``), kept row for row with the services table.

Each index row has the rowid of its ``directory_services`` row, so rows are removed by rowid
before their services are deleted and added by one ``INSERT ... SELECT`` after they are
inserted, inside the import's transaction. PostgreSQL has no FTS5: ``has_full_text`` is
False there and the query side falls back to LIKE (issue 15 adds PostgreSQL's own search).
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError

from bot.directory.taxonomy import Taxonomy

FTS_TABLE = "directory_services_fts"
TOKENIZER = "porter unicode61 remove_diacritics 2"
CREATE = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    "area_id UNINDEXED, service_id UNINDEXED, name, organisation, description, eligibility, types, "
    f"tokenize = '{TOKENIZER}')"
)


def create(conn: Connection) -> bool:
    """Create the index if SQLite has FTS5; returns whether the index exists now."""
    if conn.dialect.name != "sqlite":
        return False
    existed = exists(conn)
    if not existed:
        try:
            conn.exec_driver_sql(CREATE)
        except OperationalError as exc:  # an SQLite built without FTS5 says so only by failing
            if "no such module" not in str(exc):
                raise
            return False
    return True


def exists(conn: Connection) -> bool:
    if conn.dialect.name != "sqlite":
        return False
    found = conn.execute(text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :name"), {"name": FTS_TABLE})
    return found.first() is not None


def has_index(engine: Engine) -> bool:
    with engine.connect() as conn:
        return exists(conn)


def remove(conn: Connection, where: str, params: dict) -> None:
    """Drop the index rows of the services ``where`` selects (call before deleting the services)."""
    conn.execute(text(f"DELETE FROM {FTS_TABLE} WHERE rowid IN (SELECT rowid FROM directory_services WHERE {where})"),
                 params)


def add(conn: Connection, where: str, params: dict, taxonomy: Taxonomy) -> None:
    """Index the services ``where`` selects (call after inserting them); types are indexed by their labels."""
    labels, values = _labels_sql(taxonomy)
    conn.execute(text(
        f"INSERT INTO {FTS_TABLE} (rowid, area_id, service_id, name, organisation, description, eligibility, types) "
        f"SELECT rowid, area_id, id, name, organisation, description, eligibility, {labels} "
        f"FROM directory_services WHERE {where}"
    ), {**params, **values})


def rebuild(conn: Connection, taxonomy: Taxonomy) -> None:
    """Index every service again (after the index was created over existing rows)."""
    conn.exec_driver_sql(f"DELETE FROM {FTS_TABLE}")
    add(conn, "1 = 1", {}, taxonomy)


def _labels_sql(taxonomy: Taxonomy) -> tuple[str, dict]:
    """An SQL expression turning the ``types`` column ("idva,refuge") into labels separated by spaces."""
    expression = "('|' || replace(types, ',', '|') || '|')"
    values = {}
    for number, (type_id, service_type) in enumerate(taxonomy.types.items()):
        values[f"fts_id_{number}"], values[f"fts_label_{number}"] = f"|{type_id}|", f"|{service_type.label}|"
        expression = f"replace({expression}, :fts_id_{number}, :fts_label_{number})"
    return f"trim(replace({expression}, '|', ' '))", values
