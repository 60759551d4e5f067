"""Alembic's entry point: run the migrations on the connection ``bot.db`` hands over.

``bot.db.upgrade`` puts an open connection in ``config.attributes["connection"]``, so no
alembic.ini or URL is read here; the ``alembic`` command line is not used.
"""

from __future__ import annotations

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=None, render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
