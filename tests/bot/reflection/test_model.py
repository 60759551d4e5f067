"""The guided 'conflict or abuse?' reflection: data validation, answers, indicator logic, summary."""

import copy
import itertools
import re

import pytest
import yaml

from bot.config import PROJECT_ROOT
from bot.reflection.model import ANSWERS, ReflectionError, load_reflection, parse_reflection

FILE = PROJECT_ROOT / "knowledge" / "reflection" / "conflict_or_abuse.yml"
VERDICTS = re.compile(r"\bthis (is|was) (domestic )?(abuse|conflict)\b|\bit is (abuse|conflict)\b", re.IGNORECASE)


@pytest.fixture(scope="module")
def raw():
    return yaml.safe_load(FILE.read_text())


@pytest.fixture(scope="module")
def reflection(knowledge):
    return load_reflection(FILE, tuple(knowledge.sources.items()))


def cite(citation):
    return f"{citation.source}/{citation.section}"


def test_every_indicator_gap_and_consequence_cites_a_section_that_exists(reflection, knowledge):
    cited = [o.citation for q in reflection.questions for o in q.outcomes.values() if o.kind in {"indicator", "gap"}]
    cited += [p.citation for p in reflection.consequences] + list(reflection.orientation_citations)
    assert cited and all(c is not None for c in cited)
    for c in cited:
        assert knowledge.sources[c.source].section(c.section) is not None, c


def test_questions_cover_the_issue_topics(reflection):
    assert [q.id for q in reflection.questions] == [
        "fear", "control", "non_physical", "both_recorded", "history", "separation", "child_fear", "child_spoken"]


@pytest.mark.parametrize(
    "text, expected",
    [("yes", "yes"), ("Yeah he checks her phone", "yes"), ("he does, all the time", "yes"), ("no", "no"),
     ("not that I know of", "no"), ("nope", "no"), ("not sure", "not_sure"), ("I don't know", "not_sure"),
     ("maybe", "not_sure"), ("no idea", "not_sure"), ("what is MARAC?", None), ("the weather", None)],
)
def test_free_text_answers(reflection, text, expected):
    assert reflection.parse_answer(text) == expected


def test_intents_count_as_answers_when_the_words_do_not(reflection):
    assert reflection.parse_answer("correctamundo", "affirm") == "yes"
    assert reflection.parse_answer("negative", "deny") == "no"


@pytest.mark.parametrize("text, command", [
    ("stop", "stop"), ("go back", "back"), ("start again", "restart"),
    ("let's stop there", "stop"), ("ok, can we pause it for now", "stop"), ("that's enough", "stop"),
    ("hang on, can I go back and change that?", "back"), ("let me change my last answer", "back"),
    ("yes please, go through them", "accept"), ("ok let's do it", "accept"), ("sure, take me through it", "accept"),
    ("please stop hitting", None), ("back to school", None), ("she went back to him last week", None),
    ("he won't let her stop working", None), ("yes he takes her through town to check on her", None),
])
def test_commands(reflection, text, command):
    assert reflection.command(text) == command


QUESTIONS = ["fear", "control", "non_physical", "both_recorded", "history", "separation", "child_fear", "child_spoken"]
EXPECTED_KIND = {
    ("fear", "yes"): "indicator", ("fear", "no"): "none", ("fear", "not_sure"): "unclear",
    ("control", "yes"): "indicator", ("control", "no"): "none", ("control", "not_sure"): "unclear",
    ("non_physical", "yes"): "indicator", ("non_physical", "no"): "none", ("non_physical", "not_sure"): "unclear",
    ("both_recorded", "yes"): "unclear", ("both_recorded", "no"): "none", ("both_recorded", "not_sure"): "unclear",
    ("history", "yes"): "indicator", ("history", "no"): "none", ("history", "not_sure"): "gap",
    ("separation", "yes"): "indicator", ("separation", "no"): "none", ("separation", "not_sure"): "unclear",
    ("child_fear", "yes"): "indicator", ("child_fear", "no"): "none", ("child_fear", "not_sure"): "unclear",
    ("child_spoken", "yes"): "none", ("child_spoken", "no"): "gap", ("child_spoken", "not_sure"): "gap",
}


@pytest.mark.parametrize("question, answer", list(itertools.product(QUESTIONS, ANSWERS)))
def test_every_question_and_answer_value(reflection, question, answer):
    state = reflection.start()
    for qid in QUESTIONS:
        state = reflection.record(state, answer if qid == question else "no" if qid != "child_spoken" else "yes")
    found = reflection.findings(state)
    kind = EXPECTED_KIND[(question, answer)]
    listed = [o for k in ("indicator", "gap", "unclear") for o in found[k]]
    if kind == "none":
        assert listed == []
    else:
        (outcome,) = listed
        assert outcome.kind == kind
        assert outcome is reflection.questions[QUESTIONS.index(question)].outcomes[answer]


def test_all_yes_lists_every_indicator_with_its_source(reflection):
    state = reflection.start()
    for _ in QUESTIONS:
        state = reflection.record(state, "yes")
    lines = reflection.summary_lines(state, cite)
    indicator_lines = lines[lines.index(reflection.texts["indicators_heading"]) + 1:lines.index(reflection.texts["unclear_heading"])]
    assert len(indicator_lines) == 6 and all(line.endswith(")") for line in indicator_lines)


def test_all_not_sure_lists_no_indicators_and_everything_unclear(reflection):
    state = reflection.start()
    for _ in QUESTIONS:
        state = reflection.record(state, "not_sure")
    lines = reflection.summary_lines(state, cite)
    assert f"- {reflection.texts['no_indicators']}" in lines
    unclear = lines[lines.index(reflection.texts["unclear_heading"]) + 1:lines.index(reflection.texts["consequences_heading"])]
    assert len(unclear) == len(QUESTIONS)


@pytest.mark.parametrize("answers", list(itertools.product(ANSWERS, repeat=3)))
def test_no_combination_gives_a_verdict_and_all_end_with_the_judgement_note(reflection, answers):
    state = reflection.start()
    for index in range(len(QUESTIONS)):
        state = reflection.record(state, answers[index % 3])
    lines = reflection.summary_lines(state, cite)
    text = "\n".join(lines)
    assert not VERDICTS.search(text)
    assert lines[-1] == reflection.texts["not_a_verdict"]
    consequences = lines[lines.index(reflection.texts["consequences_heading"]) + 1:-1]
    assert len(consequences) == len(reflection.consequences) >= 8


def test_back_forgets_the_last_answer(reflection):
    state = reflection.record(reflection.record(reflection.start(), "yes"), "no")
    back = reflection.back(state)
    assert back.step == 1 and back.answers == {"fear": "yes"}


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d["questions"][0]["outcomes"][True].pop("citation"), "question 'fear': outcomes.yes.citation: needs a citation"),
        (lambda d: d["questions"][0]["outcomes"][True].update(citation={"source": "panel2022", "section": "nope"}),
         "question 'fear': outcomes.yes.citation: source 'panel2022' has no section 'nope'"),
        (lambda d: d["questions"][1]["outcomes"].pop("not_sure"), "question 'control': outcomes.not_sure.kind"),
        (lambda d: d["questions"][1]["outcomes"][True].update(kind="verdict"), "question 'control': outcomes.yes.kind"),
        (lambda d: d["consequences"][0].pop("citation"), "consequences[1].citation: needs a citation"),
        (lambda d: d["questions"][2].update(id="fear"), "question 'fear': id: is used twice"),
        (lambda d: d.update(not_a_verdict=""), "not_a_verdict: is required"),
        (lambda d: d["answers"].update(maybe=["("]), None),
        (lambda d: d["commands"].update(stop=["("]), "commands.stop: invalid regular expression"),
    ],
)
def test_validation_names_question_and_field(raw, knowledge, mutate, message):
    data = copy.deepcopy(raw)
    mutate(data)
    if message is None:
        parse_reflection(data, "x.yml", knowledge.sources)  # unknown keys are ignored
        return
    with pytest.raises(ReflectionError) as caught:
        parse_reflection(data, "x.yml", knowledge.sources)
    assert any(p.startswith("x.yml: ") and message in p for p in caught.value.problems), caught.value.problems


# A statement about this family rather than the law: "the child is a victim", "she is the abuser".
ABOUT_THE_FAMILY = re.compile(
    r"\b(the|this|your) (child|children|mother|mum|father|dad|family) (is|are) (a |the )?(victims?|abusers?|perpetrators?)\b"
    r"|\b(she|he) is (a|the) (victim|perpetrator|abuser)\b", re.IGNORECASE)


def test_the_law_on_children_as_victims_is_stated_as_law_and_cited(reflection):
    (law,) = [p for p in reflection.consequences if "in their own right" in p.text]
    assert law.text.startswith("Under the Domestic Abuse Act 2021, children are victims of domestic abuse")
    assert (law.citation.source, law.citation.section) == ("panel2022", "children-as-victims")


@pytest.mark.parametrize("answers", list(itertools.product(ANSWERS, repeat=2)))
def test_no_summary_says_anything_about_this_family(reflection, answers):
    state = reflection.start()
    for index in range(len(QUESTIONS)):
        state = reflection.record(state, answers[index % 2])
    text = "\n".join(reflection.summary_lines(state, cite))
    assert not ABOUT_THE_FAMILY.search(text) and not VERDICTS.search(text)


def test_every_question_has_descriptions_and_a_short_noted_phrase_per_answer(reflection):
    for question in reflection.questions:
        assert len(question.means["yes"]) >= 3 and len(question.means["no"]) >= 3, question.id
        for answer in ANSWERS:
            line = reflection.noted(question, answer)
            assert line.startswith("Noted: ") and line.endswith(".") and len(line.split()) <= 14, line
            assert not ABOUT_THE_FAMILY.search(line) and not VERDICTS.search(line), line


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d["questions"][5]["means"].pop(True), "question 'separation': means.yes: give a list"),
        (lambda d: d["questions"][5]["means"].update({False: []}), "question 'separation': means.no: give a list"),
        (lambda d: d["questions"][0]["noted"].pop("not_sure"), "question 'fear': noted.not_sure: is required"),
        (lambda d: d.pop("noted_line"), "noted_line: is required"),
        (lambda d: d["reading"].pop("negators"), "reading.negators: give the words"),
        (lambda d: d["reading"].update(qualifiers=["("]), "reading.qualifiers: invalid regular expression"),
    ],
)
def test_validation_of_the_reading_content(raw, knowledge, mutate, message):
    data = copy.deepcopy(raw)
    mutate(data)
    with pytest.raises(ReflectionError) as caught:
        parse_reflection(data, "x.yml", knowledge.sources)
    assert any(p.startswith("x.yml: ") and message in p for p in caught.value.problems), caught.value.problems
