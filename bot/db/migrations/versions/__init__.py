"""One module per schema change, oldest first (Alembic ignores this file)."""
