"""Pronouns in answers read as the people the step makes clear, and as the people the answer named."""

import pytest

from bot.scenarios.people import Resolver


@pytest.fixture(scope="module")
def resolver(library):
    matcher = library.matcher
    return Resolver(matcher.nlp, matcher.canonical_at, matcher.people_words())


ONE_PUPIL = ("Police attended a domestic abuse incident at the home of a 9-year-old pupil, and the child was "
             "in the house at the time.")
THE_MEETING = ("The draft plan asks the mother to keep the father away from the home and to make sure the child "
               "gets to school every day.")


def test_a_case_about_one_child_makes_every_pronoun_the_child(resolver):
    assert resolver.defaults(ONE_PUPIL) == {"male": "child", "female": "child", "any": "child"}
    people = resolver.defaults(ONE_PUPIL)
    assert resolver.resolve("I'd have a chat with them today.", people) == "I'd have a chat with the child today."
    assert resolver.resolve("Have a quiet word with her at break", people) == "Have a quiet word with the child at break"


def test_a_case_with_both_parents_gives_he_and_she_to_them(resolver):
    people = resolver.defaults(THE_MEETING)
    assert people == {"male": "father", "female": "mother", "any": "child"}
    assert resolver.resolve("We should be working on his behaviour.", people) == \
        "We should be working on the father's behaviour."


def test_the_answer_s_own_people_come_first(resolver):
    people = resolver.defaults(ONE_PUPIL)
    assert resolver.resolve("I'd speak to mum and ask her what happened.", people) == \
        "I'd speak to mother and ask the mother what happened."
    assert "the child" not in resolver.resolve("I'd call mum and dad and ask them to come in.", people)


def test_the_case_s_own_pronoun_says_whom_they_means(resolver):
    case = "The child seems tired. They tell a teaching assistant that their parents argue and their dad might leave."
    assert resolver.defaults(case)["any"] == "child"


def test_without_a_clear_person_pronouns_are_left_alone(resolver):
    people = resolver.defaults("For this exercise, you take part in a multi-agency discussion about the household.")
    assert people == {}
    assert resolver.resolve("His record and their ages.", people) == "His record and their ages."


def test_plural_children_are_never_he_or_she(resolver):
    people = resolver.defaults("What should the assessment of the risk to the children look at?")
    assert "male" not in people and "female" not in people and people["any"] == "children"
