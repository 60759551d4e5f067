"""The full-text index of directory services, kept row for row with the services table, and its query.

SQLite: the FTS5 table ``directory_services_fts`` (migration 0001). Each index row has the rowid
of its ``directory_services`` row, so rows are removed by rowid before their services are
deleted and added by one ``INSERT ... SELECT`` after they are inserted, inside the import's
transaction. PostgreSQL: the services' own ``search_vector`` column under a GIN index
(migration 0002), set by one ``UPDATE`` after the rows are inserted; deleting a service takes
its vector with it. Both weigh the name 10, the type labels 3, the organisation 2, the
description and eligibility 1; both stem English words and match words of four letters or
more as prefixes. Without either (an SQLite built without FTS5) the search falls back to LIKE.
"""

from __future__ import annotations

import re
from typing import Sequence

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

from bot.directory.taxonomy import Taxonomy

FTS_TABLE = "directory_services_fts"
VECTOR = "search_vector"
PREFIX_FROM = 4  # words this long or longer match as prefixes ("counsel" finds "counselling")
# The index's area column is not indexed: bounding the rowids to the area's (its rows are written
# together, so their rowids lie close) spares ranking every other area's matches (50 ms to 6 ms at
# 100,000 services in 50 areas); the area is still checked row by row.
_SQLITE_QUERY = text(
    "SELECT service_id, -bm25(directory_services_fts, 0, 0, 10, 2, 1, 1, 3) AS rank "
    "FROM directory_services_fts WHERE directory_services_fts MATCH :q "
    "AND rowid BETWEEN (SELECT min(rowid) FROM directory_services WHERE area_id = :area) "
    "AND (SELECT max(rowid) FROM directory_services WHERE area_id = :area) "
    "AND area_id = :area ORDER BY rank DESC LIMIT :limit"
)
# ts_rank's weights are for D, C, B, A: description and eligibility, organisation, types, name.
_POSTGRES_QUERY = text(
    "SELECT id AS service_id, ts_rank(CAST('{0.1, 0.2, 0.3, 1.0}' AS real[]), search_vector, query, 1) AS rank "
    "FROM directory_services, to_tsquery('english', :q) AS query "
    "WHERE area_id = :area AND search_vector @@ query ORDER BY rank DESC, id LIMIT :limit"
)


def exists(conn: Connection) -> bool:
    """Whether this database has the index: the FTS5 table (SQLite) or the vector column (PostgreSQL)."""
    if conn.dialect.name == "sqlite":
        found = conn.execute(text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :name"), {"name": FTS_TABLE})
        return found.first() is not None
    if conn.dialect.name == "postgresql":
        return VECTOR in {column["name"] for column in inspect(conn).get_columns("directory_services")}
    return False


def has_index(engine: Engine) -> bool:
    with engine.connect() as conn:
        return exists(conn)


def remove(conn: Connection, where: str, params: dict) -> None:
    """Drop the index rows of the services ``where`` selects (call before deleting the services)."""
    if conn.dialect.name == "sqlite":
        conn.execute(text(f"DELETE FROM {FTS_TABLE} WHERE rowid IN (SELECT rowid FROM directory_services WHERE {where})"),
                     params)


def add(conn: Connection, where: str, params: dict, taxonomy: Taxonomy) -> None:
    """Index the services ``where`` selects (call after inserting them); types are indexed by their labels."""
    labels, values = _labels_sql(taxonomy)
    if conn.dialect.name == "postgresql":
        conn.execute(text(
            f"UPDATE directory_services SET {VECTOR} = "
            "setweight(to_tsvector('english', name), 'A') || setweight(to_tsvector('english', "
            f"{labels}), 'B') || setweight(to_tsvector('english', organisation), 'C') || "
            "setweight(to_tsvector('english', description || ' ' || eligibility), 'D') "
            f"WHERE {where}"
        ), {**params, **values})
        return
    conn.execute(text(
        f"INSERT INTO {FTS_TABLE} (rowid, area_id, service_id, name, organisation, description, eligibility, types) "
        f"SELECT rowid, area_id, id, name, organisation, description, eligibility, {labels} "
        f"FROM directory_services WHERE {where}"
    ), {**params, **values})


def rebuild(conn: Connection, taxonomy: Taxonomy) -> None:
    """Index every service again (after the index was created over existing rows)."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(f"DELETE FROM {FTS_TABLE}")
    add(conn, "1 = 1", {}, taxonomy)


def scores(conn: Connection, area_id: int, words: Sequence[str], limit: int) -> dict[str, float]:
    """The area's services whose text holds any of ``words``, with how well (higher is better; at most ``limit``)."""
    words = [w for w in (re.sub(r"[^\w]", "", word) for word in words) if w]
    if not words:
        return {}
    if conn.dialect.name == "postgresql":
        query, statement = " | ".join(f"{w}:*" if len(w) >= PREFIX_FROM else w for w in words), _POSTGRES_QUERY
    else:
        query, statement = " OR ".join(f'"{w}"*' if len(w) >= PREFIX_FROM else f'"{w}"' for w in words), _SQLITE_QUERY
    rows = conn.execute(statement, {"q": query, "area": area_id, "limit": limit})
    return {row.service_id: float(row.rank) for row in rows}


def _labels_sql(taxonomy: Taxonomy) -> tuple[str, dict]:
    """An SQL expression turning the ``types`` column ("idva,refuge") into labels separated by spaces."""
    expression = "('|' || replace(types, ',', '|') || '|')"
    values = {}
    for number, (type_id, service_type) in enumerate(taxonomy.types.items()):
        values[f"fts_id_{number}"], values[f"fts_label_{number}"] = f"|{type_id}|", f"|{service_type.label}|"
        expression = f"replace({expression}, :fts_id_{number}, :fts_label_{number})"
    return f"trim(replace({expression}, '|', ' '))", values
