"""PostgreSQL full-text search for the directory: a weighted ``search_vector`` on each service, under a GIN index.

SQLite keeps its FTS5 index (0001); this revision changes nothing there. The vector is
filled here for the rows already stored and by every import after (``bot.directory.fulltext``).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    op.add_column("directory_services", sa.Column("search_vector", postgresql.TSVECTOR()))
    op.create_index("ix_directory_services_search", "directory_services", ["search_vector"], postgresql_using="gin")
    from bot.directory import fulltext
    from bot.directory.taxonomy import load_taxonomy

    fulltext.rebuild(conn, load_taxonomy())
