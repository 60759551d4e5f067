"""The directory store's tests again on PostgreSQL (tests/services.py), and its full-text vectors: imports
and removals keep them in step, in the import's one transaction."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text

from bot.directory import fulltext
from bot.directory.store import count_services, import_directory, list_areas, remove_area
from tests.bot.directory.test_store import (  # noqa: F401 - the same tests, collected here with the engine below
    DIRECTORIES,
    test_a_file_that_drops_an_area_from_a_service_removes_it_there,
    test_a_service_listed_by_two_files_belongs_to_the_last_and_is_never_duplicated,
    test_an_lscp_directory_is_never_joined_by_the_demonstration_one,
    test_area_option_is_normalised_and_checked,
    test_demonstration_directory_beside_real_areas_is_warned_about,
    test_directory_error_carries_every_problem_with_file_row_and_field,
    test_directory_tables_leave_the_knowledge_tables_alone,
    test_export_lists_every_area_of_a_shared_service,
    test_import_report_and_dry_run,
    test_progress_is_reported_while_saving,
    test_the_demonstration_directory_is_loaded_for_bot_run_only_when_none_is,
)


@pytest.fixture
def engine(postgres_engine):
    return postgres_engine


def indexed(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM directory_services WHERE search_vector IS NOT NULL")).scalar()


def matches(engine, area: str, *words: str) -> list[str]:
    with engine.connect() as conn:
        area_id = conn.execute(text("SELECT id FROM directory_areas WHERE name = :n"), {"n": area}).scalar()
        return sorted(fulltext.scores(conn, area_id, words, 50))


def test_the_full_text_vectors_follow_every_change(engine):
    import_directory(engine, DIRECTORIES / "demoshire.json")
    assert fulltext.has_index(engine) and indexed(engine) == count_services(engine) == 41
    assert "demo-caring-dads" in matches(engine, "North Demoshire", "cause", "harm")  # by its type's label
    remove_area(engine, "North Demoshire")
    assert indexed(engine) == count_services(engine) == 24
    import_directory(engine, DIRECTORIES / "demoshire.json")
    import_directory(engine, DIRECTORIES / "template_example.csv")
    assert indexed(engine) == count_services(engine) == 46
    assert matches(engine, "Exampleton", "starlings") == ["exa-kids-group"]  # English stemming


def test_an_import_that_fails_while_writing_changes_nothing(engine, monkeypatch):
    import_directory(engine, DIRECTORIES / "demoshire.json")

    def fail(*args, **kwargs):
        raise RuntimeError("the disk filled up")

    monkeypatch.setattr(fulltext, "add", fail)  # after the rows are written, before the import commits
    with pytest.raises(RuntimeError, match="the disk filled up"):
        import_directory(engine, DIRECTORIES / "template_example.csv")
    assert dict(list_areas(engine)) == {"Demoshire": 24, "North Demoshire": 17}
    assert indexed(engine) == count_services(engine) == 41


def test_two_imports_at_once_take_turns(engine):
    files = [DIRECTORIES / "demoshire.json", DIRECTORIES / "demoshire.json", DIRECTORIES / "template_example.csv"]
    with ThreadPoolExecutor(3) as pool:  # a feed refresh beside `bot directory import`
        reports = list(pool.map(lambda path: import_directory(engine, path), files))
    assert [r.services for r in reports] == [30, 30, 5]
    assert dict(list_areas(engine)) == {"Demoshire": 24, "Exampleton": 5, "North Demoshire": 17}
    assert indexed(engine) == count_services(engine) == 46
