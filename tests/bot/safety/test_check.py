"""The immediate-danger check, with the sentence encoder and without it: present danger gets the
takeover, questions about risk do not; a danger pattern decides alone only when nothing says the
danger is past, hypothetical or training talk."""

import pytest

from bot.config import load_settings
from bot.safety.check import load_danger_check, load_patterns

DANGER = [
    "he's outside with a knife right now",
    "a child is in danger right now",
    "mum says he is hitting her as we speak",
    "dad is strangling mum, the kids are upstairs",
    "he's kicking the door in and the baby is inside",
    "she's been stabbed and is bleeding heavily",
    "he has a gun and says he'll shoot them",
    "the boy is locked in the bedroom with him now and he won't let him out",
    "partner threatening to kill her tonight",
    "the child is in immediate danger",
    "he set fire to the flat",
    "she's not breathing after he choked her",
    "I'm on a home visit and he's waving a hammer at us",
    "HE IS HURTING HER NOW",
    "the house is on fire",
]

NOT_DANGER = [
    "when should I use the DASH risk checklist?",
    "what is MARAC?",
    "is the family safer now they've separated?",
    "the child is not in immediate danger, what should I do next?",
    "what counts as immediate danger?",
    "there is no immediate danger but I am worried about coercive control",
    "can you help me understand Operation Encompass?",
    "he hit her last year and was arrested",
    "what does the Panel say about knife crime in adolescents?",
    "is this conflict or abuse?",
]


@pytest.fixture(scope="module", params=["without encoder", "with encoder"])
def check(request):
    settings = load_settings()
    if request.param == "without encoder":
        return load_danger_check(settings.safety_file)
    return load_danger_check(settings.safety_file, encoder=request.getfixturevalue("encoder"),
                             cache_dir=settings.var_dir / "embeddings")


@pytest.fixture(scope="module")
def patterns():
    return load_patterns(load_settings().safety_file)


@pytest.mark.parametrize("text", DANGER)
def test_present_danger_matches(check, text):
    assert check.matches(text)


@pytest.mark.parametrize("text", NOT_DANGER)
def test_questions_about_risk_do_not_match(check, text):
    assert not check.matches(text)


def test_empty_and_none_are_safe(check):
    assert not check.matches("")
    assert not check.matches(None)


@pytest.mark.parametrize(
    "text",
    [
        "last year he was kicking the door in every weekend",
        "what if he's outside with a knife?",
        "in the training scenario he is hitting her right now",
        "the review says he had a gun in the car outside school",
    ],
)
def test_a_danger_pattern_with_a_not_present_cue_does_not_decide_alone(check, patterns, text):
    cleaned = patterns.clean(text)
    assert patterns.matches(cleaned) and patterns.not_now(cleaned)
    assert not patterns.present_danger(cleaned)
    assert not check.assess(text).pattern


def test_negated_danger_becomes_one_token_no_pattern_matches(patterns):
    cleaned = patterns.clean("she is not in immediate danger, he's gone")
    assert "notindanger" in cleaned and not patterns.matches(cleaned)


def test_cues_name_what_they_found(patterns):
    assert set(patterns.cues(patterns.clean("he's hitting her right now")).split()) >= {
        "present_now", "present_under_way", "danger_pattern"}
    assert "not_present_past" in patterns.cues(patterns.clean("he hit her two years ago"))
    assert patterns.cues(patterns.clean("what is MARAC?")) == "not_present_question"
    assert patterns.cues(patterns.clean("thanks")) == "no_cue"


@pytest.mark.parametrize(
    "text, present",
    [
        ("my client has had 24 paracetamol with a bottle of wine", True),
        ("the boy downed a box of his dad's pills", True),
        ("she's just overdosed on her insulin", True),
        ("he's started hitting her again", True),
        ("she took an overdose at 14 and is settled now", False),  # an age, not a time
        ("mum took her tablets this morning as usual", False),
        ("he's taken all his medication today", False),
        ("the 3 year old has started hitting other children at nursery", False),
    ],
)
def test_overdose_and_violence_patterns_are_about_the_present(patterns, text, present):
    assert patterns.present_danger(patterns.clean(text)) is present
