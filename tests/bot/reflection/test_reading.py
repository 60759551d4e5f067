"""Reading a free-text answer against the question it answers: answer words, hedges, negation
(and descriptions that are negative themselves), descriptions, and asking again when unsure.

The examples are written for these tests; the lexical fallback (lemma overlap) reads them, and a
stand-in similarity shows how an encoder's scores are used."""

import numpy as np
import pytest

from bot.config import PROJECT_ROOT
from bot.nlp.pipeline import analyser_for
from bot.reflection.model import load_reflection
from bot.reflection.reading import ENCODER, LEXICAL, AnswerReader, Sensitivity, clauses, encoder_similarity

FILE = PROJECT_ROOT / "knowledge" / "reflection" / "conflict_or_abuse.yml"


@pytest.fixture(scope="module")
def reflection(knowledge):
    return load_reflection(FILE, tuple(knowledge.sources.items()))


@pytest.fixture(scope="module")
def reader(reflection):
    return AnswerReader(reflection.reading, analyser_for(PROJECT_ROOT / "knowledge"))


def read(reflection, reader, question_id, text, intent=None):
    question = next(q for q in reflection.questions if q.id == question_id)
    return reader.read(text, question.means, intent, question.text)


# A yes-description negated is a no; a description that is itself negative, matched with the
# same negation, is a yes (and its positive form a no).
NEGATION = [
    ("separation", "she is not planning to leave him", "no"),
    ("separation", "she's planning to leave him at the end of the month", "yes"),
    ("separation", "they aren't separating", "no"),
    ("separation", "they're still together", "no"),
    ("control", "he doesn't let her have her own bank account", "yes"),
    ("control", "he won't let her have her own bank account", "yes"),
    ("control", "he doesn't control the money", "no"),
    ("control", "she isn't allowed to see her family", "yes"),
    ("control", "she's allowed to see her family", "no"),
    ("control", "he never stops her seeing her friends", "no"),
    ("control", "she has to ask him for money for the gas", "yes"),
    ("control", "they share the money", "no"),
    ("fear", "she isn't scared of him at all", "no"),
    ("fear", "she's frightened of him most days", "yes"),
    ("fear", "she only gets upset during the rows themselves", "no"),
    ("non_physical", "he doesn't threaten her", "no"),
    ("non_physical", "he shouts at her and calls her names", "yes"),
    ("both_recorded", "they have both been arrested after call-outs", "yes"),
    ("both_recorded", "only she has ever been recorded as the victim", "no"),
    ("history", "no previous incidents on record", "no"),
    ("history", "his previous partner got a court order against him", "yes"),
    ("history", "it is the first time anyone has called the police", "no"),
    ("child_fear", "the children aren't scared of either parent", "no"),
    ("child_fear", "the youngest hides when dad comes home", "yes"),
    ("child_spoken", "we only spoke to the parents", "no"),
    ("child_spoken", "I spoke with the children alone on Tuesday", "yes"),
]


@pytest.mark.parametrize("question, text, expected", NEGATION)
def test_negation_is_read_against_the_question(reflection, reader, question, text, expected):
    assert read(reflection, reader, question, text).answer == expected


# Hedges and answer words, whatever the question.
HEDGES = [
    ("not that I know of", "no"), ("none that we know of", "no"), ("I don't think so", "no"),
    ("not really", "no"), ("probably not", "no"), ("not as far as I know", "no"), ("never", "no"),
    ("not yet", "no"), ("nope", "no"), ("he hasn't", "no"),
    ("i think so", "yes"), ("probably", "yes"), ("yeah", "yes"), ("sadly yes", "yes"), ("they have", "yes"),
    ("no idea", "not_sure"), ("not sure", "not_sure"), ("I honestly don't know", "not_sure"), ("maybe", "not_sure"),
    ("hard to say", "not_sure"), ("couldn't say", "not_sure"), ("can't be sure", "not_sure"),
    ("haven't checked yet", "not_sure"), ("I'd need to find out", "not_sure"),
    ("I think she is", "yes"), ("i'd say they have", "yes"), ("I think he has", "yes"), ("i don't think she is", "no"),
]


@pytest.mark.parametrize("question", ["fear", "control", "history", "separation", "child_spoken"])
@pytest.mark.parametrize("text, expected", HEDGES)
def test_hedges_answer_any_question(reflection, reader, question, text, expected):
    assert read(reflection, reader, question, text).answer == expected


@pytest.mark.parametrize("question, text, expected", [
    ("fear", "i think so, she's careful about everything she says", "yes"),
    ("fear", "probably, she seems on edge whenever he is around", "yes"),
    ("child_fear", "i think the eldest is frightened of him", "yes"),
    ("history", "as far as I know there have been earlier police call-outs", "yes"),
    ("both_recorded", "no, it has always been recorded the same way round", "no"),
    ("separation", "not separating, no", "no"),
    ("child_spoken", "yes, I saw them on their own at school", "yes"),
    ("child_spoken", "no, the baby is too young to talk to", "no"),
])
def test_hedged_and_explained_answers(reflection, reader, question, text, expected):
    assert read(reflection, reader, question, text).answer == expected


@pytest.mark.parametrize("question, text", [
    ("history", "not sure, I haven't looked through the older records"),
    ("separation", "maybe, she has mentioned it once"),
    ("control", "I don't know whether she has her own money"),
    ("separation", "not sure if they have split up"),
])
def test_not_sure_with_its_reason_stays_not_sure(reflection, reader, question, text):
    assert read(reflection, reader, question, text).answer == "not_sure"


@pytest.mark.parametrize("question, text", [
    ("separation", "yes, she is not planning to leave him"),  # the words say yes, the meaning no
    ("control", "no, he keeps hold of her bank card"),
    ("fear", "yes, no"),
])
def test_signals_that_disagree_are_asked_again(reflection, reader, question, text):
    reading = read(reflection, reader, question, text)
    assert reading.answer is None and reading.answer_like


@pytest.mark.parametrize("question, text", [
    ("control", "what is coercive control?"),
    ("separation", "how does separation affect the risk"),
    ("fear", "the weather is nice today"),
])
def test_questions_and_unrelated_text_are_not_answers(reflection, reader, question, text):
    reading = read(reflection, reader, question, text)
    assert reading.answer is None and not reading.answer_like


@pytest.mark.parametrize("question, text, expected", [
    ("control", "not sure if he controls the money, but he checks her phone", "yes"),
    ("fear", "he isn't scared of her at all but she is scared of him", "yes"),
    ("fear", "yes, but she only gets upset during the rows themselves", "no"),
    ("child_spoken", "no, but the child told their teacher what happens at home", "yes"),
])
def test_the_clause_after_but_is_the_point(reflection, reader, question, text, expected):
    assert read(reflection, reader, question, text).answer == expected


@pytest.mark.parametrize("question, text", [
    ("history", "nothing previous that I'm aware of"),
    ("history", "no history, as far as I know"),
    ("separation", "not separating"),
])
def test_negating_only_the_question_own_words_is_a_no(reflection, reader, question, text):
    assert read(reflection, reader, question, text).answer == "no"


def test_an_elliptical_negation_later_in_the_message_is_not_a_no(reflection, reader):
    # "..., he isn't of her": the later clause negates nothing the question asks about.
    assert read(reflection, reader, "fear", "she's frightened of him, he isn't of her").answer == "yes"


def test_intent_counts_only_for_a_few_words(reflection, reader):
    assert read(reflection, reader, "fear", "correctamundo", "affirm").answer == "yes"
    assert read(reflection, reader, "fear", "the sky was a lovely shade of blue", "affirm").answer is None


def test_clauses_split_at_punctuation_dashes_and_contrast(reflection):
    read_clauses = clauses("he has - she isn't allowed out, but only at weekends", reflection.reading)
    assert [(c.words, c.content, c.negated, c.contrast) for c in read_clauses] == [
        ("yes", "", False, False), (None, "she allowed out", True, False), (None, "only at weekends", False, True)]


class StandInSimilarity:
    """Scores set per description, as an encoder would give them; records what it was asked."""

    def __init__(self, scores):
        self.scores = scores
        self.asked = []

    def __call__(self, text, candidates):
        self.asked.append(text)
        return [self.scores.get(c, 0.1) for c in candidates]


def test_a_given_similarity_decides_with_the_encoder_thresholds(reflection):
    similarity = StandInSimilarity({"he has moved out": 0.72})
    reader = AnswerReader(reflection.reading, analyser_for(PROJECT_ROOT / "knowledge"), similarity)
    assert reader.sensitivity == ENCODER
    separation = reflection.questions[5]
    assert reader.read("dad packed a bag and went to his brother's", separation.means).answer == "yes"
    # the negation is removed before comparing, and flips the answer
    assert reader.read("dad hasn't gone anywhere", separation.means).answer == "no"
    assert similarity.asked == ["dad packed a bag and went to his brother's", "dad gone anywhere"]


def test_a_match_close_to_a_yes_and_a_no_is_asked_again(reflection):
    similarity = StandInSimilarity({"he has moved out": 0.7, "they are still together": 0.66})
    reader = AnswerReader(reflection.reading, analyser_for(PROJECT_ROOT / "knowledge"), similarity)
    reading = reader.read("he stays over most nights", reflection.questions[5].means)
    assert reading.answer is None and reading.answer_like


def test_a_weak_match_is_not_an_answer(reflection):
    reader = AnswerReader(reflection.reading, analyser_for(PROJECT_ROOT / "knowledge"),
                          StandInSimilarity({"he has moved out": 0.55}), Sensitivity(0.6, 0.08, 0.5))
    assert reader.read("he works away a lot", reflection.questions[5].means).answer is None


def test_encoder_similarity_is_the_cosine_of_normalised_rows():
    vectors = {"a": [1.0, 0.0], "b": [0.6, 0.8], "c": [0.0, 1.0]}

    def encode(texts):
        return np.array([vectors[t] for t in texts])

    assert encoder_similarity(encode)("a", ["b", "c"]) == pytest.approx([0.6, 0.0])


def test_lexical_is_the_default(reflection, reader):
    assert reader.sensitivity == LEXICAL


def test_the_reader_keeps_no_message_text(reflection, reader):
    read(reflection, reader, "control", "she has to ask him for money for the gas")
    remembered = set(reader.lexical._candidates)
    assert "she has to ask him for money for the gas" not in remembered
    assert remembered <= {d for q in reflection.questions for texts in q.means.values() for d in texts} | {
        d[2] for descriptions in reader._descriptions.values() for d in descriptions}


@pytest.fixture(scope="module")
def encoder_reader(reflection, settings):
    encoder = pytest.importorskip("bot.nlp.encoder")
    try:
        loaded = encoder.load_encoder(settings.var_dir)
    except encoder.EncoderError as exc:
        pytest.skip(str(exc))
    return AnswerReader(reflection.reading, analyser_for(PROJECT_ROOT / "knowledge"), encoder_similarity(loaded.encode))


# The encoder finds this one close to a yes ("both recorded as the victim") and a no: asked again.
ENCODER_ASKS_AGAIN = {("both_recorded", "only she has ever been recorded as the victim")}
# Wordings the lemmas cannot match (other words for the same thing) that the encoder reads.
ENCODER_ONLY = [
    ("control", "he reads every message on her phone", "yes"),
    ("fear", "she never seems nervous around him", "no"),
    ("child_fear", "the kids are terrified of him", "yes"),
    ("child_spoken", "nobody has talked to the kids", "no"),
    ("non_physical", "he doesn't hit her but he belittles her in front of her friends", "yes"),
    ("control", "yes, he holds on to her bank card", "yes"),
]


@pytest.mark.slow
@pytest.mark.parametrize("question, text, expected", [
    (q, t, None if (q, t) in ENCODER_ASKS_AGAIN else e) for q, t, e in NEGATION] + ENCODER_ONLY)
def test_the_sentence_encoder_reads_the_same_and_more(reflection, encoder_reader, question, text, expected):
    assert read(reflection, encoder_reader, question, text).answer == expected
