"""Alembic migrations of the project's own tables (run through ``bot.db``, never by hand-written DDL)."""
