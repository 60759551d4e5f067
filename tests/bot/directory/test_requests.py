"""The words that make a message a request for local services (knowledge/directory/requests.yml)."""

from __future__ import annotations

import pytest
import yaml

from bot.directory.requests import REQUESTS_FILE, RequestWordsError, load_request_words, parse_request_words


@pytest.fixture(scope="module")
def words():
    return load_request_words()


@pytest.fixture
def shipped():
    return yaml.safe_load(REQUESTS_FILE.read_text(encoding="utf-8"))


@pytest.mark.parametrize("text, place", [
    ("perpetrator programme near Leeds?", "Leeds"),
    ("any support for Mum in Borchester", "Borchester"),  # "Mum" is not a place
    ("refuges across West Yorkshire please", "West Yorkshire"),
    ("support for DA victims", None),
    ("what is available near me?", None),
    ("In Borchester, what is there?", None),  # a name not on the list is matched as typed, after "in"
])
def test_an_unknown_place_is_a_capitalised_name_after_in_or_near(words, text, place):
    assert words.capitalised_place(text) == place


@pytest.mark.parametrize("text, place", [
    ("refuge leeds", "Leeds"),  # any case, any phrasing
    ("LEEDS - anything for dads?", "Leeds"),
    ("is there a refuge in stoke on trent", "Stoke-on-Trent"),
    ("Kingston upon Hull services", "Kingston upon Hull"),
    ("I was reading about refuges", None),  # "Reading" counts only when written as a name
    ("any refuge in Reading?", "Reading"),
    ("what is MARAC?", None),
])
def test_known_places_are_found_in_any_phrasing(words, text, place):
    assert words.known_place(text) == place


def test_a_place_after_in_or_near_is_told_from_one_merely_mentioned(words):
    assert words.place_after("services in Leeds?", "Leeds")
    assert not words.place_after("Leeds children's service: what did it offer?", "Leeds")


def test_the_shipped_words_read_the_requests_they_describe(words):
    assert words.is_local("any local refuge?") and words.is_local("who's the DA service in my patch")
    assert words.is_local("what is there locally?") and words.is_local("support near me")
    assert not words.is_local("what is MARAC?")
    assert not words.is_local("Key Assurance Questions for the local authority")  # an institution, not nearby
    assert not words.is_local("the role of partners in the local domestic abuse response")
    assert words.asks_generally("what's in my patch?") and not words.asks_generally("my patch is busy")
    assert words.asks_for_services("who can help dad with his behaviour?")
    assert not words.asks_for_services("will an anger management course deal with the DA?")
    assert words.asks_whether_any("Is there a perpetrator programme?")
    assert words.asks_for_help("what's available in Demoshire?")
    assert words.guidance_words["child"] == "children"


def test_the_file_is_read_once(words):
    assert load_request_words() is words


def test_a_bad_pattern_names_the_file_the_key_and_why(shipped):
    shipped["service_words"].append(r"\b(refer(ral\b")
    with pytest.raises(RequestWordsError) as caught:
        parse_request_words(shipped, "requests.yml")
    [problem] = caught.value.problems
    assert (problem.file, problem.field) == ("requests.yml", "service_words")
    assert "invalid regular expression" in problem.message and "missing )" in problem.message
    assert "1 problem(s) in the local-services request words" in str(caught.value)


def test_every_problem_is_reported_in_one_pass(shipped):
    del shipped["local_words"]
    shipped["existence"] = "any"
    shipped["places"]["after"] = ["in", "close to"]
    shipped["guidance_words"] = {"child": ""}
    shipped["generic_words"] = "support"
    shipped["asked_about"]["young"] = [""]
    shipped["asked_about"]["examples"] = {"grown_ups": ["help"]}
    with pytest.raises(RequestWordsError) as caught:
        parse_request_words(shipped, "requests.yml", {"places": ["Leeds", 3]})
    assert {p.field for p in caught.value.problems} == {
        "local_words", "existence", "places.after", "guidance_words", "generic_words", "asked_about.young",
        "asked_about.examples", "places.yml: places"}


def test_a_missing_or_broken_file_is_reported(tmp_path):
    with pytest.raises(RequestWordsError, match="requests.yml: file is missing"):
        load_request_words(tmp_path / "requests.yml")
    broken = tmp_path / "broken.yml"
    broken.write_text("places: [in\n")
    with pytest.raises(RequestWordsError, match="broken.yml: not valid YAML"):
        load_request_words(broken)
