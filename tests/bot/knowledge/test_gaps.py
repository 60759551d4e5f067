"""The check of what a question asks against the entry chosen to answer it (knowledge/gaps.yml)."""

import pytest

from bot.config import PROJECT_ROOT
from bot.knowledge.gaps import UNKNOWN_NAME, GapsError, load_gaps
from bot.knowledge.schema import Citation, Entry

KNOWN = ("Opening Closed Doors was evaluated by Barnardo's in Wales. The Drive project works with "
         "high-harm perpetrators. Operation Encompass tells schools. Safe and Together. MARAC and DASH.")


def entry(answer: str, title: str = "An entry") -> Entry:
    return Entry(id="e", topic="t", title=title, questions=("q",), answer=answer, citations=(Citation("s", "x"),))


@pytest.fixture(scope="module")
def gaps():
    return load_gaps(PROJECT_ROOT / "knowledge" / "gaps.yml", KNOWN)


PLAIN = entry("The Panel found agencies worked in silos and missed the pattern of coercive control.")


@pytest.mark.parametrize("question, kind", [
    ("within how many days must the strategy meeting happen after a referral?", "timescales"),
    ("how long does the Drive project work with each perpetrator?", "timescales"),
    ("what does a place on a perpetrator course cost per man?", "costs"),
    ("which form do we use to refer into our early help hub?", "local-procedures"),
    ("who can refer a family to Opening Closed Doors?", "local-procedures"),
    ("what's the legal threshold for an emergency protection order?", "legal-tests"),
    ("which article of the UK GDPR lets me share without consent?", "legal-tests"),
    ("is coercive control a crime under Scottish law as well?", "other-jurisdictions"),
    ("what have American studies of Safe and Together found?", "other-jurisdictions"),
    ("do schools still hear from the police during the summer holidays?", "operating-times"),
    ("can an IDVA be reached out of hours?", "operating-times"),
    ("has the Safe and Together model been evaluated in America?", "other-jurisdictions"),
])
def test_a_question_asking_what_the_entry_does_not_give_is_a_gap(gaps, question, kind):
    gap = gaps.find(question, PLAIN)
    assert gap is not None and gap.kind == kind
    assert question.split()[-1] not in gap.what  # named in the project's words, never the user's


def test_an_entry_that_gives_the_timescale_answers_it(gaps):
    timely = entry("Agencies should share the notification within 2 working days, the inspection found.")
    assert gaps.find("how many days have agencies got to share it?", timely) is None


def test_an_entry_about_another_nation_answers_for_it(gaps):
    welsh = entry("The programme was run by Barnardo's in Wales and evaluated there.")
    assert gaps.find("was the programme tried in Wales?", welsh) is None


def test_case_detail_before_the_question_does_not_ask_about_operating_times(gaps):
    question = "she was assaulted at a party over the weekend - what did the pilot find about teenage relationships?"
    assert gaps.find(question, PLAIN) is None
    assert gaps.find("he was arrested on a saturday. are schools told at weekends?", PLAIN).kind == "operating-times"


def test_a_kind_searched_where_the_message_asks_must_say_so_correctly(tmp_path):
    path = tmp_path / "gaps.yml"
    path.write_text("kinds:\n  - {id: x, what: y, where: question, asks: [a]}\n"
                    "unknown_names: {what: z, context_before: [in], roles_after: [nurse], not_names: []}\n")
    with pytest.raises(GapsError) as error:
        load_gaps(path, "")
    assert "gaps.yml: kinds[1] x: where: must be 'anywhere' or 'asking', not 'question'" in str(error.value)


def test_a_section_the_entry_does_not_name_is_not_answered_by_another_section(gaps):
    definition = entry("Under section 1 of the Domestic Abuse Act 2021 behaviour is domestic abuse if ...")
    assert gaps.find("what is the legal test for a care order under section 31?", definition).kind == "legal-tests"
    assert gaps.find("what is the legal test for domestic abuse under section 1?", definition) is None
    assert gaps.find("what's the legal threshold for domestic abuse?", definition) is None


def test_a_programme_named_before_the_question_is_what_it_asks_about(gaps):
    assert gaps.find("the SWIFT groupwork for mothers - did the panel look at it?", PLAIN).kind == UNKNOWN_NAME
    assert gaps.find("Jane Smith at 4 Elm Road - is it conflict or abuse?", PLAIN) is None


def test_england_and_wales_law_is_not_another_nation(gaps):
    assert gaps.find("does the DA Act definition apply in England and Wales?", PLAIN) is None


@pytest.mark.parametrize("question", [
    "is the Hope Pathway Project one of the programmes the panel looked at?",
    "did the review look at the SWIFT groupwork for mothers?",
])
def test_a_name_the_knowledge_never_mentions_is_a_gap(gaps, question):
    assert gaps.find(question, PLAIN).kind == UNKNOWN_NAME


@pytest.mark.parametrize("question", [
    "SW based in Leeds - what did the panel say about silo working?",  # where the asker is
    "CAMHS nurse here - why did information get stuck in health?",  # who is asking
    "Jane Smith at 4 Elm Road: is this conflict or abuse?",  # a case detail before the question
    "what did Barnardo's find when it evaluated Opening Closed Doors?",  # names the knowledge uses
    "does Operation Encompass tell schools the next morning?",
    "what did the ACME evaluation of the Drive project find?",  # qualifies a known programme
    "PCs keep attending the same address, what did the panel find?",  # two-letter shorthand
])
def test_context_roles_known_names_and_shorthand_are_not_gaps(gaps, question):
    assert gaps.find(question, PLAIN, named=["drive project"] if "Drive" in question else ()) is None


def test_a_broken_gaps_file_names_the_kind_and_the_field(tmp_path):
    path = tmp_path / "gaps.yml"
    path.write_text("kinds:\n  - id: x\n    what: y\n    asks: ['(']\n"
                    "unknown_names: {what: z, context_before: [in], roles_after: nurse, not_names: []}\n")
    with pytest.raises(GapsError) as error:
        load_gaps(path, "")
    text = str(error.value)
    assert "gaps.yml: kinds[1] x: asks: invalid regular expression" in text
    assert "unknown_names: roles_after: must be a list of words" in text


def test_a_subject_without_its_group_or_placeholder_is_reported(tmp_path):
    path = tmp_path / "gaps.yml"
    path.write_text("kinds:\n  - id: x\n    what: y\n    asks: [a]\n    subjects:\n"
                    "      - {find: 'section \\d+', in_entry: 'section {}'}\n"
                    "      - {find: 'section (\\d+)', in_entry: 'section'}\n"
                    "unknown_names: {what: z, context_before: [in], roles_after: [nurse], not_names: []}\n")
    with pytest.raises(GapsError) as error:
        load_gaps(path, "")
    text = str(error.value)
    assert "kinds[1] x: subjects[1].find: must have exactly one group" in text
    assert "kinds[1] x: subjects[2].in_entry: must be a pattern with {} where the found text goes" in text
