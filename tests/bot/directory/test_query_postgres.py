"""The directory search's tests again on PostgreSQL (its own full-text search), and the LSCP trial
directories answering the same requests with the same services, in the same order, as on SQLite."""

from __future__ import annotations

import pytest

from bot.db import upgrade
from bot.directory.areas import AreaMatcher
from bot.directory.query import Searcher, parse_request
from bot.directory.store import import_directory
from bot.knowledge.store import make_engine
from tests.bot.db.pg import upgraded_database
from tests.bot.directory.searchdir import FILES, SEARCH_DATA
from tests.bot.directory.test_query import (  # noqa: F401 - the same tests, collected here with the engine below
    test_a_childs_search_lists_services_for_children_of_that_age_only,
    test_a_need_no_service_offers_is_said_honestly_never_with_an_unfiltered_list,
    test_a_need_told_in_words_finds_the_services_whose_words_match,
    test_a_service_of_unstated_audience_ranks_after_the_others,
    test_a_victims_search_never_lists_services_for_people_who_cause_harm,
    test_closeness_in_meaning_reranks_and_service_vectors_are_kept,
    test_find_services_by_type_age_and_audience,
    test_full_text_and_like_agree,
    test_nothing_matches_suggests_wider_searches_and_the_front_door,
    test_paging_and_the_ranked_ids,
    test_parse_request,
    test_searches_for_people_who_cause_harm_find_them_and_no_victims_services,
    test_services_are_ordered_by_relevance_not_by_name,
    test_the_test_directory_is_loaded,
    test_unknown_area,
)
from tests.conftest import TEST_DATA

TRIAL = [TEST_DATA / "directory_valid" / name for name in ("ambridge_vale.csv", "felpersham_oruk.json")]
# What practitioners ask of the trial's areas (and the search test directory's): by type, age, audience,
# their own words, and needs no service offers.
REQUESTS = (
    "refuge in Ambridge Vale", "counselling for a 9 year old in Ambridge Vale",
    "dad who is abusive wants help to change, Felpersham", "idva Felpersham", "online chat support Ambridge Vale",
    "teenager in an abusive relationship Felpersham", "sanctuary scheme Ambridge Vale",
    "group for mums and toddlers in Ambridge Vale", "anything in Felpersham",
    "housing help for a woman leaving her partner in Ambridge Vale", "gambling addiction support in Felpersham",
    "Wexcombe Moor: mum wants to stay put, can someone make the doors and windows stronger?",
    "support for a mum whose violent partner hits her, Wexcombe Moor", "legal advice in Wexcombe Moor",
    "Brindleford - 14 year old who hits his mum, anything to help him stop?", "family house Brindleford",
)


@pytest.fixture(scope="module")
def engine(postgres):
    with upgraded_database(postgres) as url:
        engine = make_engine(url)
        for name in FILES:
            import_directory(engine, SEARCH_DATA / name)
        yield engine
        engine.dispose()


@pytest.fixture(scope="module")
def areas(engine):
    return AreaMatcher(engine)


@pytest.fixture(scope="module")
def searcher(engine):
    return Searcher(engine)


def ranked(engine, texts) -> list[tuple[str, ...]]:
    searcher, areas = Searcher(engine), AreaMatcher(engine)
    return [searcher.search(parse_request(text, areas), limit=50).ranked for text in texts]


def test_the_lscp_trial_directories_give_the_same_services_on_both(postgres_url, tmp_path):
    upgrade(postgres_url)
    on_postgres, on_sqlite = make_engine(postgres_url), make_engine(f"sqlite:///{tmp_path / 'trial.db'}")
    for path in [*TRIAL, *(SEARCH_DATA / name for name in FILES)]:
        import_directory(on_postgres, path)
        import_directory(on_sqlite, path)
    found = ranked(on_postgres, REQUESTS)
    on_postgres.dispose()
    assert found == ranked(on_sqlite, REQUESTS)
    assert sum(1 for ids in found if ids) >= len(REQUESTS) - 2  # the comparison is of real results, not empty ones
