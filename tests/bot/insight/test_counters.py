"""Counters: by day, kind and key, added to, read back; never any message text."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import inspect

from bot.directory.insight import NOTHING_FOUND, age_band, count_nothing_found, nothing_found_key
from bot.insight.counters import Count, count, counts
from bot.knowledge.store import make_engine


@pytest.fixture
def engine(tmp_path):
    return make_engine(f"sqlite:///{tmp_path / 'knowledge.db'}")


def test_counts_add_up_by_day_kind_and_key(engine):
    monday, tuesday = date(2026, 11, 30), date(2026, 12, 1)
    count(engine, "searches", "a", monday)
    count(engine, "searches", "a", monday, by=2)
    count(engine, "searches", "b", tuesday)
    count(engine, "other", "a", tuesday)
    assert counts(engine, "searches") == [Count(monday, "searches", "a", 3), Count(tuesday, "searches", "b", 1)]
    assert counts(engine, since=tuesday) == [Count(tuesday, "other", "a", 1), Count(tuesday, "searches", "b", 1)]
    assert counts(engine, until=monday) == [Count(monday, "searches", "a", 3)]


def test_the_table_holds_only_day_kind_key_and_count(engine):
    count(engine, "searches", "a")
    columns = [c["name"] for c in inspect(engine).get_columns("insight_counters")]
    assert columns == ["day", "kind", "key", "count"]
    assert counts(engine)[0].day == date.today()


def test_a_kind_must_be_short_and_a_long_key_is_cut(engine):
    with pytest.raises(ValueError):
        count(engine, "", "a")
    count(engine, "searches", "k" * 1000)
    assert len(counts(engine)[0].key) == 300


def test_directory_searches_that_find_nothing_are_keyed_by_area_need_and_age_band(engine):
    assert [age_band(a) for a in (None, 0, 4, 5, 11, 12, 17, 18, 40, (13, 17), (4, 9))] == [
        "any", "0-4", "0-4", "5-11", "5-11", "12-17", "12-17", "18+", "18+", "12-17", "0-4"]
    assert nothing_found_key("Wexcombe Moor", ("refuge", "idva"), False, 15) == "Wexcombe Moor|refuge+idva|12-17"
    assert nothing_found_key("A|B", (), True, None) == "A/B|described|any"
    count_nothing_found(engine, "Wexcombe Moor", (), False, None, date(2026, 12, 1))
    assert counts(engine, NOTHING_FOUND) == [Count(date(2026, 12, 1), NOTHING_FOUND, "Wexcombe Moor|any|any", 1)]


def test_a_counting_failure_never_stops_the_reply(engine, monkeypatch, caplog):
    from sqlalchemy.exc import OperationalError

    from bot.directory import insight

    def broken(*args, **kwargs):
        raise OperationalError("UPDATE insight_counters", {}, Exception("database is locked"))

    monkeypatch.setattr(insight, "count", broken)
    count_nothing_found(engine, "Wexcombe Moor", (), False, None)  # logs, does not raise
    assert "could not count a directory search that found nothing" in caplog.text
