"""The rule-based spaCy pipeline: lemmas, and domain terms recognised in any case or form."""

import pytest

from bot.config import load_settings
from bot.nlp.pipeline import analyser_for
from bot.text.normalise import normalise


@pytest.fixture(scope="module")
def analyse():
    return analyser_for(load_settings().knowledge_dir)


@pytest.mark.parametrize(
    "text, label, value",
    [
        ("What is the Drive project?", "intervention", "drive"),
        ("I'm a Health Visitor", "agency", "health_visitor"),
        ("two health visitors attended", "agency", "health_visitor"),
        ("MARAC was yesterday", "process", "marac"),
        ("after the multi-agency risk assessment conference", "process", "marac"),
        ("CSC said no further action", "agency", "childrens_social_care"),
        ("a DV incident", "concept", "domestic_abuse"),
        ("our DSL asked", "agency", "school"),
        ("a 15 year old boy", "age_stage", "adolescents"),
        ("the unborn baby", "age_stage", "pre_birth_babies"),
        ("NRPF and the mother", "concept", "nrpf"),
        ("Children\u2019s Social Care front door", "process", "mash"),
    ],
)
def test_domain_terms_are_recognised_with_canonical_ids(analyse, text, label, value):
    mentions = analyse(text).mentions
    assert (label, value) in [(m.label, m.id) for m in mentions], mentions


def test_lemmas_drop_stop_words_and_normalise_forms(analyse):
    assert analyse("The children were spoken to by the abusers").lemmas == ("child", "speak", "abuser")


def test_mention_offsets_point_at_the_matched_words(analyse):
    text = "what is marac for"
    (mention,) = [m for m in analyse(text).mentions if m.id == "marac"]
    assert text[mention.start:mention.end] == "marac"


def test_normalise_straightens_quotes_and_spaces():
    assert normalise("  Children\u2019s   \u201cvoice\u201d ") == "children's \"voice\""


@pytest.mark.parametrize("text, stage", [
    ("what did the panel find for 5-11 year olds?", "primary_school"),
    ("a 7 year old who saw dad hit mum", "primary_school"),
    ("15yo disclosed at school", "adolescents"),
    ("my 3 year old is clingy", "pre_school"),
    ("the girl, aged 14, ran away", "adolescents"),
])
def test_ages_in_numbers_name_their_age_stage(text, stage):
    from bot.config import PROJECT_ROOT
    from bot.nlp.pipeline import analyser_for

    analysis = analyser_for(PROJECT_ROOT / "knowledge")(text)
    assert analysis.ids("age_stage") == [stage]
