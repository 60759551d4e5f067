"""Marking answers: paraphrases that must count as a key point, and near misses that must not."""

import pytest

from bot.config import PROJECT_ROOT
from bot.knowledge.loader import load_vocabulary as load_terms
from bot.scenarios.matching import Matcher, load_vocabulary

KNOWLEDGE_DIR = PROJECT_ROOT / "knowledge"


@pytest.fixture(scope="module")
def matcher(nlp):
    terms, _, _ = load_terms(KNOWLEDGE_DIR)
    vocabulary = load_vocabulary(KNOWLEDGE_DIR / "scenarios" / "_synonyms.yml", terms)
    return Matcher(nlp, vocabulary)


@pytest.mark.parametrize("phrase, answer", [
    ("speak with the children", "I spoke to the kids"),  # lemmas + everyday synonyms
    ("speak with the children", "I'd have a word with the young people"),  # multi-word synonyms
    ("speak with the children", "I would want to speak directly with each of the children"),  # a small gap
    ("speak with the children", "Not only would I talk to the kids, I'd also speak to mum"),  # "not only" is no negation
    ("speak with the children", "I wouldn't rely on appearances, I would speak with the children"),  # negation in another clause
    ("speak with the children alone", "I'd talk to the children on their own"),
    ("check the father's history", "find out about dad's previous partners"),
    ("link the notifications", "I would connect the three reports"),
    ("refer to MARAC", "make a referral to the multi-agency risk assessment conference"),  # terms.yml
    ("the front door", "it went through the MASH"),  # terms.yml, both ways
    ("coercive control", "there may be controlling and coercive behaviour"),
    ("specialist domestic abuse service", "a specialist DV service"),
    ("not rely on appearances", "I would not rely on how things appear"),  # a negated phrase needs the negation
    ("record what I observed", "I'd write down what I observed"),
    ("isolate", "he is using lockdown to isolate them"),
])
def test_paraphrases_match(matcher, phrase, answer):
    assert matcher.matches(phrase, answer)


@pytest.mark.parametrize("phrase, answer", [
    ("speak with the children", "I would not speak with the children"),  # negation
    ("speak with the children", "I wouldn't talk to the kids"),  # contracted negation
    ("speak with the children", "rather than speak to the children I'd note they looked fine"),
    ("speak with the children", "I would never speak to the kids"),
    ("speak with the children", "the children seemed well"),  # terms.yml lists 'seemed well' under voice of the child
    ("speak with the children", "the children spoke to the police"),  # order: the children did the speaking
    ("speak with the children", "I would speak with the mother"),
    ("speak with the children", "I'd see the children"),  # seeing is not speaking with
    ("speak with the children", "I would speak to the mother about her new partner, his history and her plans for the children"),  # too far apart
    ("speak with the children", "I would speak to mum. The children were asleep."),  # across sentences
    ("record what I observed", "I would record that they seem well"),
    ("not rely on appearances", "I would rely on appearances"),
    ("link the notifications", "each notification is handled on its own"),
    ("refer to MARAC", "I would not refer to MARAC"),
    ("the front door", "he answered the door"),
])
def test_near_misses_do_not_match(matcher, phrase, answer):
    assert not matcher.matches(phrase, answer)


def test_phrases_and_answers_become_the_same_words(matcher):
    assert matcher.phrase("speak with the children").lemmas == ("speak", "child")
    assert [t.lemma for t in matcher.analyse("I spoke to the kids") if t.content] == ["speak", "child"]
    assert matcher.phrase("talk to the front door").lemmas == ("speak", "term:mash")


def test_a_phrase_of_only_little_words_matches_nothing(matcher):
    assert matcher.phrase("to the").lemmas == ()
    assert not matcher.matches("to the", "I went to the house")
