"""Tailoring through the router: the inspection's learning for the practitioner's agency, the
age stage's impact, follow-ups read in context, Key Assurance Questions, and saying (or only
naming) an agency."""

import pytest

from bot.dialogue.state import ConversationState, TailoringState
from bot.dialogue.types import Entity, Turn

# What the old ``Turn`` assumed unless told otherwise: notice given, agency offer made.
SETTLED = ConversationState(notice_given=True, tailoring=TailoringState(offered=True))


def ask(router, text, intent=None, confidence=0.0, state=SETTLED, **entities):
    turn = Turn(text, intent, confidence, tuple(Entity(k, v) for k, v in entities.items()), state)
    return router.respond(turn)


def working_in(agency):
    return SETTLED.with_(tailoring=TailoringState(agency=agency, offered=True))


def agency_add_ons(reply):
    return [m for m in reply.messages if m.type == "tailored" and m.custom["for"] == "agency"]


@pytest.mark.parametrize("agency", ["police", "health_visitor", "school", "probation", "cafcass", "lscp_strategic"])
def test_answers_add_the_inspection_learning_for_the_practitioners_agency(router, knowledge, agency):
    reply = ask(router, "what is MARAC?", "ask_marac", 0.9, state=working_in(agency))
    main, extra = reply.messages[0], reply.messages[-1]
    assert main.custom["entry_id"] == "marac-what-is"
    assert extra.custom["type"] == "tailored" and extra.custom["for"] == "agency"
    label = knowledge.agencies[agency].label
    assert extra.text.startswith(f"For {label}: ")
    assert extra.text.splitlines()[1].startswith("Source: JTAI summary (2017)")
    tagged = set(knowledge.entries[extra.custom["entry_id"]].agencies)
    assert agency in tagged or (knowledge.agencies[agency].group == "health" and "health" in tagged)


def test_answers_differ_by_agency(router):
    texts = {ask(router, "what is MARAC?", "ask_marac", 0.9, state=working_in(a)).messages[-1].text
             for a in ("police", "school", "probation")}
    assert len(texts) == 3


def test_no_agency_addendum_for_other_or_unknown_agency(router):
    for agency in (None, "other"):
        reply = ask(router, "what is MARAC?", "ask_marac", 0.9, state=working_in(agency))
        assert reply.types == ["guidance"]


def test_an_age_stage_in_the_question_adds_its_impact(router, knowledge):
    reply = ask(router, "what is MARAC? the child is a teenager", "ask_marac", 0.9, age_stage="adolescents")
    extra = reply.messages[-1]
    assert extra.custom["type"] == "tailored" and extra.custom["for"] == "age_stage"
    assert extra.text.startswith("For adolescents: ")
    assert knowledge.entries[extra.custom["entry_id"]].topic == "age_impacts"


@pytest.mark.parametrize(
    "last, text, age_stage",
    [("impact-by-age", "and for teenagers?", "adolescents"), ("impact-by-age", "what about babies", "pre_birth_babies")],
)
def test_short_follow_up_naming_an_age_stage_is_read_in_context(router, knowledge, last, text, age_stage):
    reply = ask(router, text, "ask_age_impact", 0.6, state=SETTLED.with_(last_entry_id=last))
    assert reply.messages[0].type == "guidance"
    assert reply.messages[0].custom["entry_id"] == reply.state.last_entry_id != last
    assert age_stage in knowledge.entries[reply.state.last_entry_id].age_stages


def test_follow_up_naming_an_agency_gets_an_entry_for_that_agency(router, knowledge):
    reply = ask(router, "what about health visitors?", state=SETTLED.with_(last_entry_id="information-sharing-consent"))
    entry_id = reply.state.last_entry_id
    assert "health_visitor" in knowledge.entries[entry_id].agencies or entry_id.startswith("jtai-health")


def test_without_a_previous_answer_a_bare_age_stage_is_not_guessed_in_context(router, knowledge):
    reply = ask(router, "and for teenagers?")
    assert "guidance" not in reply.types or "adolescents" in knowledge.entries[reply.state.last_entry_id].age_stages


@pytest.mark.parametrize(
    "text, entry_id",
    [
        ("what assurance questions should we ask health?", "jtai-assurance-questions-health"),
        ("key assurance questions for the police", "jtai-assurance-questions-police"),
        ("KAQs for probation", "jtai-assurance-questions-probation"),
        ("what assurance questions are there for schools", "jtai-assurance-questions-schools"),
    ],
)
def test_assurance_questions_for_an_agency(router, text, entry_id):
    reply = ask(router, text, "ask_recommendations", 0.6)
    assert reply.state.last_entry_id == entry_id
    assert any(line.startswith("Source: JTAI summary (2017)") and "Key Assurance Questions" in line
               for line in reply.messages[0].text.splitlines())


def test_assurance_questions_for_an_agency_without_any_offer_its_findings(router, knowledge):
    reply = ask(router, "what assurance questions should we ask Cafcass?", "ask_recommendations", 0.6)
    assert reply.messages[0].text.startswith(
        "The joint inspection summary (2017) sets no Key Assurance Questions for Cafcass")
    assert "cafcass" in knowledge.entries[reply.state.last_entry_id].agencies
    assert reply.messages[1].text.splitlines()[-1].startswith("Source: JTAI summary (2017), Key Finding")


def test_assurance_questions_for_all_agencies(router):
    reply = ask(router, "what are the key assurance questions for all agencies?", "ask_recommendations", 0.6)
    # The overview of every agency's questions, or the questions for all agencies together (as the
    # conversation test in tests/conversation/test_agency.py accepts).
    assert reply.state.last_entry_id in {"jtai-assurance-questions", "jtai-assurance-questions-multi-agency"}
    assert len(reply.messages[0].buttons) == 3 or reply.messages[0].buttons


@pytest.mark.parametrize("text", ["I'm a police officer", "I work in children's social care", "probation",
                                  "I'm the DSL at a primary school"])
def test_saying_your_agency_sets_it(router, text):
    named = [m.id for m in router.analyse(text).mentions if m.label == "agency"]
    turn = Turn(text, "inform_agency", 0.8, tuple(Entity("agency", a) for a in named), SETTLED)
    reply = router.respond(turn)
    assert reply.types[0] == "agency_set" and reply.state.tailoring.agency == named[0]


def test_a_question_that_names_an_agency_is_answered_not_taken_as_the_agency(router):
    reply = ask(router, "KAQs for probation / the CRC?", "inform_agency", 0.6, agency="probation")
    assert reply.messages[0].type == "guidance"
    assert reply.state.last_entry_id == "jtai-assurance-questions-probation"
    assert reply.state.tailoring.agency is None


def test_an_agency_named_in_a_question_is_not_remembered_for_later_answers(router):
    asked = ask(router, "what assurance questions should we ask probation?", "ask_recommendations", 0.6,
                state=ConversationState(), agency="probation")
    assert asked.state.last_entry_id == "jtai-assurance-questions-probation"
    assert asked.state.tailoring.agency is None
    later = ask(router, "what is MARAC?", "ask_marac", 0.9, state=asked.state)
    assert later.messages[0].custom["entry_id"] == "marac-what-is"
    assert agency_add_ons(later) == []


def test_saying_your_agency_is_remembered_for_later_answers(router, knowledge):
    said = ask(router, "I'm in probation", "inform_agency", 0.8, state=ConversationState(), agency="probation")
    assert "agency_set" in said.types and said.state.tailoring.agency == "probation"
    later = ask(router, "what is MARAC?", "ask_marac", 0.9, state=said.state)
    assert later.messages[0].custom["entry_id"] == "marac-what-is"
    (extra,) = agency_add_ons(later)
    assert extra.text.startswith(f"For {knowledge.agencies['probation'].label}: ")
    assert "probation" in knowledge.entries[extra.custom["entry_id"]].agencies


def test_what_about_an_agency_prefers_the_same_documents_finding(router):
    first = ask(router, "what did the 2017 inspection find about health agencies sharing information?", "ask_practice", 0.8)
    entries = router.renderer.entries
    source = entries[first.state.last_entry_id].citations[0].source
    follow = ask(router, "what about the police?", "ask_practice", 0.6, state=first.state)
    assert follow.types[0] == "guidance"
    chosen = entries[follow.state.last_entry_id]
    assert "police" in chosen.agencies and chosen.citations[0].source == source
