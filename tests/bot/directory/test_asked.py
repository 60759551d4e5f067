"""Who a request for local services is about, read from realistic wording: the adult harmed, the
child affected, the adult or the young person who causes harm, and whose age it is."""

from __future__ import annotations

import pytest

from bot.directory.asked import AskedReader
from bot.directory.reading import RequestReader, age_of, audience_of, default_reader
from bot.directory.requests import load_request_words
from bot.directory.taxonomy import load_taxonomy
from tests.bot.directory.searchdir import WordEncoder

VICTIM, CHILD, ADULT_HARM, YOUNG_HARM = "adult_victim", "child", "adult_causing_harm", "young_person_causing_harm"

# Written for these tests, as practitioners type: (message, who it is about, the age that is theirs)
REQUESTS = [
    ("where could a woman go tonight with her toddler after he strangled her", VICTIM, None),
    ("somewhere for mum to talk to someone, she's terrified of her ex", VICTIM, None),
    ("my client is being financially controlled by her husband - any advocacy?", VICTIM, None),
    ("a man whose wife assaults him - anything for male victims?", VICTIM, None),
    ("grandmother caring for the kids after their mum was killed - what support is there for her?", VICTIM, None),
    ("is there a group for mums who've left abusive relationships", VICTIM, None),
    ("support for a dad who fled his violent husband", VICTIM, None),
    ("my 9 year old client keeps having nightmares after the police came to the house", CHILD, 9),
    ("counselling for twins aged 6 who saw their stepdad attack mum", CHILD, 6),
    ("anything for a teenage girl whose boyfriend hits her", CHILD, (13, 17)),
    ("the baby's mum has been hit by her partner, anything for the baby?", CHILD, (0, 1)),
    ("something for the older brother, he's 12 and protective of his mum", CHILD, 12),
    ("a 17 year old lad being controlled by his girlfriend", CHILD, 17),
    ("primary school kid who witnessed a stabbing at home", CHILD, (4, 11)),
    ("a programme for a father who keeps threatening his partner", ADULT_HARM, None),
    ("dad says he wants to stop hurting mum, where can I refer him", ADULT_HARM, None),
    ("anything for an abusive partner who wants to change", ADULT_HARM, None),
    ("course for men who are controlling towards their wives", ADULT_HARM, None),
    ("stepdad has asked for help with his anger", ADULT_HARM, None),
    ("is there work for a mother who is violent to her partner", ADULT_HARM, None),
    ("the perpetrator wants to do a course, what's around", ADULT_HARM, None),
    ("15 year old boy who punches his mum - anything for him?", YOUNG_HARM, 15),
    ("my client's daughter is violent towards her, she's 14", YOUNG_HARM, 14),
    ("a 13 year old who bullies and threatens his girlfriend", YOUNG_HARM, 13),
    ("teen son has started hitting his dad, where can the family get help for his behaviour", YOUNG_HARM, (13, 17)),
    ("what's there for young people who are abusive to their parents", YOUNG_HARM, None),
]


@pytest.fixture(scope="module")
def reader():
    return default_reader()


@pytest.mark.parametrize("text, audience, age", REQUESTS)
def test_who_a_request_is_about(reader, text, audience, age):
    reading = reader.read(text)
    assert (audience_of(reading, load_taxonomy()), age_of(reading)) == (audience, age)


def test_someone_elses_age_is_not_the_age_of_the_person_asked_about(reader):
    reading = reader.read("a mum with her 3 year old needs somewhere safe to stay")
    assert audience_of(reading, load_taxonomy()) == VICTIM and age_of(reading) is None
    assert [(a.low, a.high) for a in reading.ages] == [(3, 3)]


def test_a_programme_for_people_who_cause_harm_is_for_them_whoever_is_named(reader):
    taxonomy = load_taxonomy()
    reading = reader.read("any domestic abuse perpetrator programme I could suggest to dad?")
    assert reading.needs == ("perpetrator_programme",) and audience_of(reading, taxonomy) == ADULT_HARM
    young = reader.read("perpetrator programme for a 16 year old")
    assert audience_of(young, taxonomy) == YOUNG_HARM and age_of(young) == 16


def test_services_for_professionals(reader):
    assert audience_of(reader.read("is there consultation for practitioners?"), load_taxonomy()) == "professionals"


def test_nobody_named_and_no_age_is_nobody_in_particular(reader):
    reading = reader.read("what services are there?")
    assert audience_of(reading, load_taxonomy()) is None and age_of(reading) is None


def test_a_need_ruled_out_is_not_asked_for_and_a_described_need_is_kept(reader):
    assert reader.read("somewhere safe to stay, not a refuge").needs == ("refuge",)  # "safe to stay" is asked for
    assert reader.read("she won't go to a refuge, is there counselling").needs == ("counselling_recovery",)
    reading = reader.read("gambling addiction support for dad")
    assert reading.needs == () and set(reading.described) == {"gambling", "addiction"}
    assert reader.read("support for a 12 year old").described == ()
    assert reader.read("course for fathers who are violent at home").described == ()


def test_with_nobody_named_the_closest_example_requests_say_who_it_is_for():
    from dataclasses import replace

    words = load_request_words()
    asked = replace(words.asked, examples={CHILD: ("play sessions for little ones",),
                                           ADULT_HARM: ("evening classes about power and control",)})
    meaning = RequestReader(load_taxonomy(), words, AskedReader(asked, WordEncoder()))
    reading = meaning.read("are there evening classes on power and control?")  # no person named
    assert (reading.asked.audience, reading.asked.how) == (ADULT_HARM, "meaning")
    assert meaning.read("anything on the high street?").asked.audience is None  # close to no group
    words_first = meaning.read("play sessions for a dad who is violent")  # the words say, whatever the meaning
    assert (words_first.asked.audience, words_first.asked.how) == (ADULT_HARM, "words")
