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
    ("any support for Mum in Salford", "Salford"),  # "Mum" is not a place
    ("refuges across West Yorkshire please", "West Yorkshire"),
    ("support for DA victims", None),
    ("what is available near me?", None),
    ("In Leeds, what is there?", None),  # matched as typed: "In" starts the sentence
])
def test_an_unknown_place_is_a_capitalised_name_after_in_or_near(words, text, place):
    assert words.unknown_place(text) == place


def test_the_shipped_words_read_the_requests_they_describe(words):
    assert words.is_local("any local refuge?") and words.is_local("who's the DA service in my patch")
    assert not words.is_local("what is MARAC?")
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
    with pytest.raises(RequestWordsError) as caught:
        parse_request_words(shipped, "requests.yml")
    assert {p.field for p in caught.value.problems} == {"local_words", "existence", "places.after", "guidance_words"}


def test_a_missing_or_broken_file_is_reported(tmp_path):
    with pytest.raises(RequestWordsError, match="requests.yml: file is missing"):
        load_request_words(tmp_path / "requests.yml")
    broken = tmp_path / "broken.yml"
    broken.write_text("places: [in\n")
    with pytest.raises(RequestWordsError, match="broken.yml: not valid YAML"):
        load_request_words(broken)
