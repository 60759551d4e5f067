"""The marker: phrases with pronouns resolved, inner words tolerated, negation still blocking; and
meaning, with a stand-in encoder so the rules are checked apart from the model."""

import zlib
from dataclasses import replace

import numpy as np
import pytest

from bot.scenarios.marking import Marker
from bot.scenarios.meaning import Meaning


@pytest.fixture(scope="module")
def marker(library):
    return Marker(library.matcher)


def step(library, scenario_id, step_id):
    return library.get(scenario_id).step(step_id)


@pytest.mark.parametrize("answer, point", [
    ("I would have a chat with them on their own before I left", "speak_with_children"),  # them = the children
    ("I would speak directly and gently with each of the older children", "speak_with_children"),  # words inside
    ("Were the children spoken to? I'd speak with the children myself.", "speak_with_children"),
    ("We didn't leave until we had spoken with the children", "speak_with_children"),
])
def test_answers_a_trainer_would_credit(library, marker, answer, point):
    assert point in marker.mark(step(library, "seemed-well", "at_the_incident"), answer).covered


@pytest.mark.parametrize("answer, point", [
    ("I wouldn't speak to the children, they seemed well", "speak_with_children"),
    ("There's no need to talk to the kids as they're calm", "speak_with_children"),
    ("I would leave without speaking to the children", "speak_with_children"),
    ("I'd ask mum and dad, not the children, and note them as witnesses", "children_as_victims"),
])
def test_negation_still_blocks(library, marker, answer, point):
    assert point not in marker.mark(step(library, "seemed-well", "at_the_incident"), answer).covered


def test_a_point_denied_after_it_is_named_does_not_count(library, marker):
    look_again = step(library, "placed-with-father", "look_again")
    assert "father_history" not in marker.mark(look_again, "The father's history isn't relevant any more.").covered
    assert "father_history" in marker.mark(look_again, "The father's history was ignored.").covered


def test_a_pronoun_in_a_phrase_means_the_step_s_person(library, marker):
    """'his history' at a step about the mother and father is the father's history, not anyone's past."""
    first = step(library, "three-notifications", "first_notification")
    assert "what_police_know_about_him" not in marker.mark(first, "I'd check for previous reports on the family.").covered
    assert "what_police_know_about_him" in marker.mark(first, "I'd ask the police about his history.").covered


def test_why_names_the_phrase_found(library, marker):
    marking = marker.mark(step(library, "seemed-well", "at_the_incident"), "I spoke to the kids")
    (point,) = [p for p in marking.points if p.covered]
    assert point.why == "phrase 'speak with the children' found"
    assert [p.why for p in marking.points if not p.covered][0] == "no phrase found (words only)"


class ByWords:
    """A stand-in encoder: texts are close when they share words (so the tests need no model)."""

    def encode(self, texts):
        rows = np.full((len(texts), 997), 1e-6)
        for row, text in zip(rows, texts, strict=True):
            for word in set(text.lower().replace(".", " ").replace(",", " ").split()):
                row[zlib.crc32(word.encode()) % 997] += 1
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)


@pytest.fixture
def meaning_marker(library):
    return Marker(library.matcher, Meaning(ByWords(), library.matcher, thresholds={
        "short phrase": 2.0, "phrase": 2.0, "present": 0.6, "missing": 2.0}))


def test_a_sentence_close_in_meaning_counts_and_says_why(library, meaning_marker):
    at = step(library, "seemed-well", "at_the_incident")
    point = next(kp for kp in at.key_points if kp.id == "record_what_was_seen")
    at = replace(at, key_points=(replace(point, phrases=(library.matcher.phrase("zzz unusual words"),)),))
    marking = meaning_marker.mark(at, "I planned to record what I actually observed and how I reached my view.")
    (result,) = marking.points
    assert result.covered and result.phrase is None and result.similarity >= 0.6
    assert result.why.startswith("'I planned to record what I actually observed and how I reached my view.' is ")
    assert "close to 'You planned to record what you actually observed and how you reached your view.' (met" in result.why


def test_a_negated_sentence_never_meets_a_positive_text(library, meaning_marker):
    at = step(library, "seemed-well", "at_the_incident")
    point = next(kp for kp in at.key_points if kp.id == "record_what_was_seen")
    at = replace(at, key_points=(replace(point, phrases=(library.matcher.phrase("zzz unusual words"),)),))
    answer = "I would not record what I actually observed and how I reached my view."
    assert meaning_marker.mark(at, answer).covered == ()


def test_without_the_encoder_marking_uses_words_only(library, marker):
    assert marker.meaning is None
    marking = marker.mark(step(library, "covid-kept-out", "video_call"), "She may not be able to speak freely.")
    assert marking.covered == ("cannot_speak_freely",)
