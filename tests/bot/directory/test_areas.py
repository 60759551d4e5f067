"""Area names in text as practitioners type them, from the loaded directory, keeping up with imports
made while running; and service names."""

from __future__ import annotations

import pytest

from bot.directory.areas import AreaMatcher
from bot.directory.names import ServiceNames
from bot.directory.spelling import edits, fold, slips, tokens
from bot.directory.store import generation, import_directory
from tests.bot.directory.conftest import DIRECTORIES, demo_engine
from tests.bot.directory.searchdir import search_engine


@pytest.fixture(scope="module")
def search(tmp_path_factory):
    return search_engine(tmp_path_factory.mktemp("areas"), DIRECTORIES / "demoshire.json")


@pytest.fixture(scope="module")
def areas(search):
    return AreaMatcher(search)


def test_area_matcher_prefers_the_longest_name(demo):
    areas = AreaMatcher(demo)
    assert areas.find("services in NORTH DEMOSHIRE please") == "North Demoshire"
    assert areas.find("Demoshire's refuges") == "Demoshire"
    assert areas.find("Salford") is None
    assert areas.names() == ["Demoshire", "North Demoshire"]


@pytest.mark.parametrize("text, area", [
    ("any refuge in north demoshir?", "North Demoshire"),  # a slip in the second word
    ("what's in Brindelford for dads", "Brindleford"),  # two letters swapped
    ("Wexcombe Moor", "Wexcombe Moor"),
    ("counselling in Upper Hadly", "Upper Hadley"),
    ("BRINDLEFORD", "Brindleford"),
])
def test_names_typed_with_a_slip_are_sure(areas, text, area):
    match = areas.match(text)
    assert (match.area, match.sure) == (area, True)
    assert areas.find(text) == area


@pytest.mark.parametrize("text, area", [
    ("refuge in Wexcombe", "Wexcombe Moor"),  # without a distinctive word of the name
    ("any support in Hadley?", "Upper Hadley"),  # without its qualifier
    ("services in Wexcome Moore", "Wexcombe Moor"),  # too many slips to be sure
])
def test_part_names_and_bigger_slips_are_a_did_you_mean(areas, text, area):
    match = areas.match(text)
    assert (match.area, match.sure) == (area, False)
    assert areas.find(text) is None


@pytest.mark.parametrize("text", ["it has been a busy week", "what is MARAC?", "upper body injuries", "the moor"])
def test_ordinary_english_words_are_never_taken_for_an_area(areas, text):
    assert areas.match(text) is None


def test_a_part_shared_by_two_areas_is_not_sure_and_names_both(tmp_path):
    engine = search_engine(tmp_path)
    lower = tmp_path / "lower.csv"
    lower.write_text("name,organisation,description,areas,phone\nHub,Org,A hub.,Lower Hadley,01632 960000\n")
    import_directory(engine, lower)
    match = AreaMatcher(engine).match("anything in Hadley?")
    assert not match.sure and {match.area, *match.others} == {"Upper Hadley", "Lower Hadley"}


def test_area_matcher_sees_an_area_imported_while_running(tmp_path):
    engine = demo_engine(tmp_path)
    matcher = AreaMatcher(engine, recheck_seconds=0)
    assert matcher.find("anything in Exampleton?") is None
    before = generation(engine)
    import_directory(engine, DIRECTORIES / "template_example.csv")
    assert generation(engine) == before + 1
    assert matcher.find("anything in Exampleton?") == "Exampleton"
    assert matcher.find("anything in Exampelton?") == "Exampleton"  # slips too, with no retraining


def test_area_matcher_checks_the_database_at_most_every_few_seconds(tmp_path):
    engine = demo_engine(tmp_path)
    matcher = AreaMatcher(engine, recheck_seconds=3600)
    assert matcher.names() == ["Demoshire", "North Demoshire"]
    import_directory(engine, DIRECTORIES / "template_example.csv")
    assert matcher.find("Exampleton") is None  # not re-read yet
    assert matcher.refresh(force=True)
    assert matcher.find("Exampleton") == "Exampleton"


def test_service_names_are_found_without_accents_and_with_the_area(search):
    names = ServiceNames(search)
    [found] = names.find(tokens("Bryn Hedd"))
    assert (found.name, found.area) == ("Bryn Hêdd Family House", "Brindleford")
    assert [s.name for s in names.find(tokens("heather house refuge"))] == ["Heather House Refuge"]
    assert names.find(tokens("refuge")) == []  # a need, not a name
    assert names.find(tokens("operation encompass")) == []  # a national scheme's name, not this area's service
    assert names.find(tokens("Bryn Hedd family house in somewhere else")) == []


def test_spelling_helpers():
    assert fold("Tŷ  Diogel") == "ty diogel"
    assert tokens("Demoshire's north-side") == ["demoshire", "north", "side"]
    assert edits("brindelford", "brindleford", 2) == 1 and edits("abc", "xyz", 1) == 2
    assert slips("busy", "bury") is None  # an English word is never a slip
    assert slips("wexcome", "wexcombe") == 1 and slips("wex", "wexcombe") is None
