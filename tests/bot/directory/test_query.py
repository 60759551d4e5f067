"""The directory search: who services are for, types and the request's own words (FTS5, or LIKE),
closeness in meaning, relevance order, honest "nothing for that", wider searches, the front door."""

from __future__ import annotations

import pytest

from bot.directory import query as query_module
from bot.directory.areas import AreaMatcher
from bot.directory.query import Request, Searcher, find_services, front_door, parse_request
from bot.directory.store import count_services, export_oruk, import_directory, list_areas
from bot.directory.taxonomy import load_taxonomy
from bot.directory.vectors import ServiceVectors
from bot.knowledge.store import make_engine
from tests.bot.directory.searchdir import AREAS, WordEncoder, search_engine

HARM_PROGRAMMES = {"Choices Programme", "Fathers Forward", "Home Truce", "Turnaround Teens"}


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    return search_engine(tmp_path_factory.mktemp("query"))


@pytest.fixture(scope="module")
def areas(engine):
    return AreaMatcher(engine)


@pytest.fixture(scope="module")
def searcher(engine):
    return Searcher(engine)


def names(searcher, text, areas, limit=20):
    return [s.name for s in searcher.search(parse_request(text, areas), limit=limit).services]


def test_the_test_directory_is_loaded(engine):
    assert [a for a, _ in list_areas(engine)] == AREAS and count_services(engine) == 18


def test_a_victims_search_never_lists_services_for_people_who_cause_harm(searcher, areas):
    found = names(searcher, "support for a mum whose violent partner hits her, Wexcombe Moor", areas)
    assert "Moorside Domestic Abuse Outreach" in found and "Heather House Refuge" in found
    assert not set(found) & HARM_PROGRAMMES  # not even the course whose words say "violent"


def test_a_childs_search_lists_services_for_children_of_that_age_only(searcher, areas):
    found = names(searcher, "anything for an 8 year old in Wexcombe Moor who saw dad hurt mum", areas)
    assert found[0] == "Little Lanterns Group"  # for ages 5 to 11 and for children only
    assert set(found) == {"Little Lanterns Group", "Wexcombe Children's Front Door"}  # the refuge takes 16 and over
    assert names(searcher, "support for a 15 year old girl in Wexcombe Moor", areas)[0] == "Safe Dating Project"


def test_searches_for_people_who_cause_harm_find_them_and_no_victims_services(searcher, areas):
    found = names(searcher, "anything in Wexcombe Moor for fathers who are violent at home?", areas)
    assert found == ["Choices Programme", "Fathers Forward"]  # the course whose own words say so, after
    young = names(searcher, "Brindleford - 14 year old who hits his mum, anything to help him stop?", areas)
    assert young == ["Turnaround Teens"]
    assert names(searcher, "a 16 year old boy in Upper Hadley who is violent to his girlfriend", areas) == []


def test_a_service_of_unstated_audience_ranks_after_the_others(searcher, areas):
    result = searcher.search(parse_request("perpetrator programme in Wexcombe Moor", areas))
    assert [s.name for s in result.services] == ["Choices Programme"]  # "Fathers Forward" names no type nor audience
    legal = searcher.search(parse_request("legal advice for mum in Wexcombe Moor", areas))
    assert [s.name for s in legal.services][-1] == "Wexcombe Community Law Centre"
    assert legal.services[-1].audiences == ()


def test_services_are_ordered_by_relevance_not_by_name(searcher, areas):
    assert names(searcher, "Wexcombe Moor: mum wants to stay put, can someone make the doors and windows stronger?",
                 areas)[0] == "Safer Doors Scheme"
    assert names(searcher, "refuge in Wexcombe Moor", areas) == ["Heather House Refuge", "Safer Doors Scheme"]


def test_a_need_no_service_offers_is_said_honestly_never_with_an_unfiltered_list(engine, searcher, areas):
    result = searcher.search(parse_request("gambling addiction support in Brindleford", areas))
    assert result.total == 0 and result.services == [] and result.described
    assert [(a.kind, a.total) for a in result.alternatives] == [("all_services", 5)]
    assert result.front_door.name == "Brindleford Front Door"
    child = searcher.search(parse_request("translation services for a 10 year old in Wexcombe Moor", areas))
    assert child.total == 0 and [a.kind for a in child.alternatives] == ["any_need"]


def test_a_need_told_in_words_finds_the_services_whose_words_match(searcher, areas):
    assert names(searcher, "legal advice in Wexcombe Moor", areas) == ["Wexcombe Community Law Centre"]


def test_full_text_and_like_agree(engine, searcher, areas, monkeypatch):
    texts = ["Wexcombe Moor: mum wants to stay put, can someone make the doors and windows stronger?",
             "legal advice in Wexcombe Moor", "gambling addiction support in Brindleford",
             "anything in Wexcombe Moor for fathers who are violent at home?"]
    with_fts = [names(searcher, t, areas) for t in texts]
    monkeypatch.setattr(query_module, "has_full_text", lambda _: False)
    assert [names(searcher, t, areas) for t in texts] == with_fts


def test_closeness_in_meaning_reranks_and_service_vectors_are_kept(tmp_path, engine, areas):
    encoder = WordEncoder()
    vectors = ServiceVectors(encoder, tmp_path / "vectors.npz", budget=100)
    meaning = Searcher(engine, vectors=vectors)
    found = names(meaning, "support for a teenager facing controlling behaviour from a boyfriend in Wexcombe Moor", areas)
    assert found[0] == "Safe Dating Project"
    first = encoder.calls
    names(meaning, "anything for a teenager in Wexcombe Moor", areas)
    assert encoder.calls == first + 1  # only the new request: services' vectors are kept by their text
    vectors.save()
    again = ServiceVectors(WordEncoder(), tmp_path / "vectors.npz")
    assert len(again) == 0 and again.closeness(encoder.encode(["x"])[0], []).shape == (0,)
    assert len(again) == len(vectors) > 0  # read back from the file


def test_find_services_by_type_age_and_audience(engine):
    result = find_services(engine, "wexcombe moor", needs=("children_da_support",), age=7)
    assert [s.name for s in result.services] == ["Little Lanterns Group"]
    teen = find_services(engine, "Wexcombe Moor", audience="child", age=(13, 17), limit=10)
    assert [s.name for s in teen.services][:1] == ["Safe Dating Project"]
    assert "Home Truce" not in [s.name for s in teen.services]  # also for young people who cause harm


def test_paging_and_the_ranked_ids(engine):
    first = find_services(engine, "Wexcombe Moor", limit=3)
    assert first.total == 11 and len(first.services) == 3 and first.has_more and len(first.ranked) == 11
    rest = find_services(engine, "Wexcombe Moor", offset=3, limit=50)
    assert [s.id for s in first.services + rest.services] == list(first.ranked)


def test_nothing_matches_suggests_wider_searches_and_the_front_door(engine):
    result = find_services(engine, "Upper Hadley", needs=("marac",))
    assert result.total == 0 and result.front_door is None
    assert [(a.kind, a.needs, a.total) for a in result.alternatives] == [("any_need", (), 2)]  # no IDVA there either
    wider = find_services(engine, "Wexcombe Moor", needs=("marac",))
    assert [(a.kind, a.needs) for a in wider.alternatives][0] == ("wider_need", ("idva",))
    assert wider.front_door.name == "Wexcombe Children's Front Door"


def test_unknown_area(engine):
    result = find_services(engine, "Salford")
    assert not result.area_known and result.total == 0
    assert front_door(engine, "Salford") is None
    assert front_door(engine, "brindleford").id == "br-front-door"


def test_parse_request(areas):
    request = parse_request("IDVA referral for a 16-year-old in Brindelford", areas)
    assert (request.area, request.needs, request.age, request.audience) == ("Brindleford", ("idva",), 16, "child")
    assert "brindelford" not in request.text  # the area's words do not count towards meaning


def test_the_demonstration_directory_covers_every_service_type(demo):
    services = [s for s in export_oruk(demo)]
    assert 20 <= len(services) <= 40
    types = {t for s in services for a in s.get("attributes", []) for t in [a["taxonomy_term"]["term"]]}
    assert set(load_taxonomy().types) <= types


def test_unmapped_services_are_still_listed(tmp_path):
    path = tmp_path / "plain.json"
    path.write_text('[{"id": "l", "name": "Lunch club", "status": "active", "email": "a@example.org"}]')
    engine = make_engine(f"sqlite:///{tmp_path / 'p.db'}")
    import_directory(engine, path, area="Plainton")
    result = find_services(engine, "Plainton")
    assert [s.name for s in result.services] == ["Lunch club"] and result.services[0].types == ()
    assert Searcher(engine).search(Request("Plainton", audience="child")).total == 0  # unstated: not for children
