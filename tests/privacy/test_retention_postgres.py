"""``bot conversations purge`` again on PostgreSQL (tests/services.py): the same tests, the same messages."""

from __future__ import annotations

import pytest

from tests.privacy.test_retention import (  # noqa: F401 - the same tests, collected here with the tracker below
    make_tracker_db,
    test_an_invalid_limit_is_refused,
    test_bot_run_purges_daily_in_a_thread,
    test_the_dry_run_counts_the_old_conversations_and_deletes_nothing,
    test_the_limit_comes_from_the_settings,
    test_the_purge_deletes_exactly_the_conversations_idle_longer_than_the_limit,
)


@pytest.fixture
def tracker(postgres_url) -> str:
    """A PostgreSQL tracker database written by the project's tracker store, with events of known ages."""
    make_tracker_db(postgres_url)
    return postgres_url
