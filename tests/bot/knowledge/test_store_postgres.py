"""The knowledge store's tests again on PostgreSQL (tests/services.py)."""

from __future__ import annotations

import pytest

from tests.bot.knowledge.test_store import (  # noqa: F401 - the same tests, collected here with the engine below
    small,
    test_a_failed_load_changes_nothing,
    test_load_writes_every_row_and_reads_back_equal,
    test_project_knowledge_round_trips,
    test_reload_reports_added_changed_and_removed,
)


@pytest.fixture
def engine(postgres_engine):
    return postgres_engine
