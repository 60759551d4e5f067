"""The guided 'conflict or abuse?' reflection: data validation, answers, indicator logic, summary."""

import copy
import itertools
import re

import pytest
import yaml

from bot.assistant import Turn
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


@pytest.mark.parametrize("text, command", [("stop", "stop"), ("go back", "back"), ("start again", "restart"),
                                           ("please stop hitting", None), ("back to school", None)])
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
    assert back["step"] == 1 and back["answers"] == {"fear": "yes"}


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


# -- through the assistant (no Rasa) -------------------------------------------------------------

def play(assistant, texts, state=None):
    replies = []
    for text in texts:
        reply = assistant.answer_question(Turn(text=text, reflection=state, agency_offered=True))
        if reply.reflection_changed:
            state = reply.reflection
        replies.append(reply)
    return replies, state


def test_conflict_question_gets_orientation_and_offer(assistant):
    reply = assistant.answer_question(Turn(text="is this conflict or abuse?", intent="ask_conflict_vs_abuse", confidence=0.9))
    orientation, offer = reply.messages[:2]
    assert "controlling and coercive" in orientation.text and orientation.text.splitlines()[-1].startswith("Source: ")
    assert offer.custom["type"] == "reflection_offer"
    assert offer.buttons[0]["payload"] == "/start_reflection"


def test_a_whole_reflection(assistant):
    start = assistant.answer_question(Turn(text="/start_reflection", intent="start_reflection", confidence=1.0))
    assert start.messages[-1].text.startswith("Question 1 of 8: ")
    replies, state = play(assistant, ["yes", "yeah he controls the money", "no", "not sure", "yes", "no", "yes", "no"],
                          start.reflection)
    summary = replies[-1]
    assert state is None and summary.kind == "reflection_summary"
    text = summary.messages[0].text
    assert "Answers that indicate controlling or coercive behaviour:" in text
    assert summary.messages[0].custom["indicators"] == ["fear", "control", "history", "child_fear"]
    assert summary.messages[0].custom["unclear"] == ["both_recorded", "child_spoken"]
    assert text.splitlines()[-1].startswith("Source: ")
    assert "not a verdict" in text


def test_interruption_back_restart_and_stop(assistant):
    start = assistant.answer_question(Turn(text="/start_reflection", intent="start_reflection", confidence=1.0))
    replies, state = play(assistant, ["yes", "what is MARAC?"], start.reflection)
    aside = replies[-1]
    assert aside.messages[0].custom["entry_id"] == "marac-what-is"
    assert aside.messages[-1].text.endswith("Question 2 of 8: " + assistant.reflection.questions[1].text)
    replies, state = play(assistant, ["go back"], state)
    assert "Question 1 of 8" in replies[-1].messages[-1].text and state["answers"] == {}
    replies, state = play(assistant, ["no", "start again"], state)
    assert state["step"] == 0
    replies, state = play(assistant, ["stop"], state)
    assert state is None and replies[-1].messages[0].custom["type"] == "reflection_stopped"


def test_danger_mid_reflection_gets_999_first_and_in_the_summary(assistant):
    start = assistant.answer_question(Turn(text="/start_reflection", intent="start_reflection", confidence=1.0))
    replies, state = play(assistant, ["yes", "he's hitting her right now"], start.reflection)
    danger = replies[-1]
    assert "call 999" in danger.messages[0].text and "Question 2 of 8" in danger.messages[-1].text
    replies, state = play(assistant, ["yes"] * 7, state)
    assert "call 999" in replies[-1].messages[0].text
    assert replies[-1].messages[1].custom["type"] == "reflection_summary"


def test_typing_yes_to_the_offer_starts_the_reflection(assistant):
    offer = assistant.answer_question(Turn(text="is this conflict or abuse?", intent="ask_conflict_vs_abuse", confidence=0.9))
    assert offer.reflection == {"id": "conflict-or-abuse", "offered": True}
    started = assistant.small_talk(Turn(text="yes please", intent="affirm", confidence=0.9, reflection=offer.reflection))
    assert started.messages[-1].text.startswith("Question 1 of 8")
    moved_on = assistant.answer_question(Turn(text="what is MARAC?", intent="ask_marac", confidence=0.9,
                                              reflection=offer.reflection, agency_offered=True))
    assert moved_on.entry_id == "marac-what-is" and moved_on.reflection_changed and moved_on.reflection is None
