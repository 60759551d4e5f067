"""The directory's query API: reading a request, matching, paging, alternatives, the front door."""

from __future__ import annotations

import pytest

from bot.directory.areas import AreaMatcher
from bot.directory.query import find_services, front_door, parse_request
from bot.directory.store import count_services, export_oruk, import_directory, list_areas
from bot.directory.taxonomy import load_taxonomy
from bot.knowledge.store import make_engine


@pytest.fixture(scope="module")
def areas(demo):
    return AreaMatcher(demo)


def test_the_demonstration_directory_covers_every_service_type(demo):
    services = [s for s in export_oruk(demo)]
    assert 20 <= len(services) <= 40
    types = {t for s in services for a in s.get("attributes", []) for t in [a["taxonomy_term"]["term"]]}
    assert set(load_taxonomy().types) <= types
    assert all(s["email"].endswith("@example.org") for s in services)
    assert all(s["contacts"][0]["phones"][0]["number"].startswith("01632 960") for s in services)


@pytest.mark.parametrize("text, area, needs, age, audience", [
    ("What is available locally?", None, (), None, None),
    ("any support for a 7 year old in Demoshire?", "Demoshire", (), 7, "child"),
    ("perpetrator programme near North Demoshire", "North Demoshire", ("perpetrator_programme",), None, "person_causing_harm"),
    ("who can help mum in demoshire?", "Demoshire", (), None, "adult_victim"),
    ("is there a refuge in north demoshire", "North Demoshire", ("refuge",), None, None),
    ("support for a teenager", None, (), (13, 17), "child"),
    ("group for the kids", None, (), None, "child"),
    ("my client has a baby", None, (), (0, 1), "child"),
    ("IDVA referral for a 16-year-old", None, ("idva",), 16, "child"),
    ("counselling for children aged 9", None, ("counselling_recovery",), 9, "child"),
    ("who is the MASH in Demoshire", "Demoshire", ("front_door",), None, None),
    ("it has gone on for 2 years", None, (), None, None),
])
def test_parse_request(areas, text, area, needs, age, audience):
    request = parse_request(text, areas)
    assert (request.area, request.needs, request.age, request.audience) == (area, needs, age, audience)


def test_find_services_pages_through_matches(demo):
    first = find_services(demo, "demoshire", audience="child", limit=3)
    assert first.area == "Demoshire" and first.total > 3 and len(first.services) == 3 and first.has_more
    # services that say they are for children come before those that do not say
    assert all("child" in s.audiences for s in first.services)
    rest = find_services(demo, "Demoshire", audience="child", offset=first.next_offset, limit=50)
    assert len(first.services) + len(rest.services) == first.total and not rest.has_more
    assert not {s.id for s in first.services} & {s.id for s in rest.services}


def test_find_services_by_need_age_and_audience(demo):
    result = find_services(demo, "Demoshire", needs=("children_da_support",), age=7)
    # For a 7 year old the narrower age range comes first: 5 to 11 (6 years) before 3 to 10 (7 years).
    assert [s.name for s in result.services] == ["Rainbow Steps children's group", "Little Oaks play therapy"]
    teen = find_services(demo, "Demoshire", needs=("children_da_support",), age=(13, 17), limit=10)
    assert "Teen Space: healthy relationships" in [s.name for s in teen.services]
    assert "Little Oaks play therapy" not in [s.name for s in teen.services]
    service = result.services[1]
    assert service.type_labels == ("Children and young people's domestic abuse support", "Counselling and recovery")
    assert (service.min_age, service.max_age, service.area) == (3, 10, "Demoshire")
    assert service.phone and service.how_to_refer and service.website


def test_nothing_matches_suggests_wider_searches_and_the_front_door(demo):
    result = find_services(demo, "North Demoshire", needs=("children_da_support",), age=15)
    assert result.total == 0 and result.services == []
    kinds = {a.kind: a for a in result.alternatives}
    assert kinds["any_age"].total == 1  # Dunwick Family Support Project is for 0 to 11
    assert kinds["wider_need"].needs == ("specialist_da_adults", "counselling_recovery")
    assert result.front_door.name == "North Demoshire Family Front Door"


def test_unknown_area(demo):
    result = find_services(demo, "Salford")
    assert not result.area_known and result.total == 0
    assert front_door(demo, "Salford") is None
    assert front_door(demo, "demoshire").id == "demo-front-door"


def test_html_in_directory_text_is_stored_as_text(tmp_path):
    path = tmp_path / "html.json"
    path.write_text('[{"id": "h", "name": "A &lt;i&gt;Refuge&lt;/i&gt;", "status": "active", "email": "a@example.org",'
                    ' "description": "<p>Line one</p><p>Line two</p>", "service_areas": [{"name": "Htmlton"}]}]')
    engine = make_engine(f"sqlite:///{tmp_path / 'h.db'}")
    import_directory(engine, path)
    [service] = find_services(engine, "Htmlton").services
    assert (service.name, service.description) == ("A Refuge", "Line one\nLine two")
    assert service.types == ("refuge",)  # from the name's keywords


def test_unmapped_services_are_still_listed(tmp_path):
    path = tmp_path / "plain.json"
    path.write_text('[{"id": "l", "name": "Lunch club", "status": "active", "email": "a@example.org"}]')
    engine = make_engine(f"sqlite:///{tmp_path / 'p.db'}")
    import_directory(engine, path, area="Plainton")
    result = find_services(engine, "Plainton")
    assert [s.name for s in result.services] == ["Lunch club"] and result.services[0].types == ()
    assert list_areas(engine) == [("Plainton", 1)] and count_services(engine) == 1
