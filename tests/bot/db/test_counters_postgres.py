"""The counters' tests again on PostgreSQL (tests/services.py)."""

from __future__ import annotations

import pytest

from tests.bot.insight.test_counters import (  # noqa: F401 - the same tests, collected here with the engine below
    test_a_counting_failure_never_stops_the_reply,
    test_a_kind_must_be_short_and_a_long_key_is_cut,
    test_counts_add_up_by_day_kind_and_key,
    test_directory_searches_that_find_nothing_are_keyed_by_area_need_and_age_band,
    test_the_table_holds_only_day_kind_key_and_count,
)


@pytest.fixture
def engine(postgres_engine):
    return postgres_engine
