"""Dialogue logic: reply format, the 999 message first, the notice once, honest 'not covered'."""

import json
import re

import pytest

from bot.assistant import Turn, button_payload

DANGER_TEXT = "he's outside with a knife right now"


def ask(assistant, text, intent=None, confidence=0.0, **kwargs):
    return assistant.answer_question(Turn(text=text, intent=intent, confidence=confidence, **kwargs))


def test_guidance_reply_ends_with_source_lines_and_carries_citations(assistant):
    reply = ask(assistant, "what is Operation Encompass?", "ask_definition", 0.95, agency_offered=True)
    (message,) = reply.messages
    lines = message.text.splitlines()
    sources = [line for line in lines if line.startswith("Source: ")]
    assert lines[-len(sources):] == sources and sources
    assert sources[0] == "Source: Panel Briefing 2 (2022), 'Operation Encompass'"
    assert message.custom["type"] == "guidance"
    assert message.custom["entry_id"] == reply.entry_id == "operation-encompass"
    assert [c["citation"] for c in message.custom["citations"]] == [s.removeprefix("Source: ") for s in sources]
    assert "\n\n" not in message.text  # Rasa's REST channel would split the Source lines off


def test_every_entry_reply_has_a_citation(assistant):
    for entry_id in assistant.entries:
        reply = assistant.answer_question(Turn(text="", entities=[{"entity": "entry_id", "value": entry_id}]))
        assert reply.entry_id == entry_id
        assert reply.messages[0].text.splitlines()[-1].startswith("Source: "), entry_id
        assert reply.messages[0].custom["citations"], entry_id


def test_related_buttons_carry_payloads_that_work_later(assistant):
    reply = ask(assistant, "what is MARAC?", "ask_marac", 0.9)
    buttons = reply.messages[0].buttons
    assert buttons, "related topics are offered as buttons"
    payload = buttons[0]["payload"]
    assert payload.startswith("/choose_entry{")
    entry_id = json.loads(payload[len("/choose_entry"):])["entry_id"]
    clicked = assistant.answer_question(
        Turn(text=payload, intent="choose_entry", confidence=1.0, entities=[{"entity": "entry_id", "value": entry_id}])
    )
    assert clicked.entry_id == entry_id


def test_button_payload_format():
    assert button_payload("choose_entry", entry_id="x") == '/choose_entry{"entry_id":"x"}'
    assert button_payload("none_of_these") == "/none_of_these"


@pytest.mark.parametrize("method", ["answer_question", "not_covered", "small_talk", "follow_up"])
def test_danger_gets_999_first_from_every_action(assistant, method):
    reply = getattr(assistant, method)(Turn(text=DANGER_TEXT, intent="greet", confidence=0.99))
    assert reply.danger
    assert "call 999" in reply.messages[0].text
    assert reply.messages[0].custom == {"type": "immediate_danger"}


def test_danger_intent_alone_is_enough(assistant):
    reply = assistant.immediate_danger(Turn(text="please help quickly", intent="immediate_danger", confidence=0.8))
    assert "call 999" in reply.messages[0].text


def test_danger_plus_a_question_answers_after_the_999_message(assistant):
    reply = assistant.immediate_danger(
        Turn(text="he is hitting her right now, is this coercive control or conflict?", intent="ask_conflict_vs_abuse",
             confidence=0.8)
    )
    assert "call 999" in reply.messages[0].text
    assert reply.entry_id in {"conflict-vs-abuse", "conflict-interventions"}
    assert reply.messages[1].text.splitlines()[-1].startswith("Source: ")


def test_opening_notice_comes_once_and_first(assistant):
    turn = Turn(text="hello", intent="greet", confidence=0.99, notice_given=False)
    reply = assistant.small_talk(turn)
    assert reply.messages[0].custom["type"] == "opening_notice"
    assert "professional judgement" in reply.messages[0].text
    assert "do not type names" in reply.messages[0].text
    assert turn.notice_given
    second = assistant.small_talk(Turn(text="hello", intent="greet", confidence=0.99, notice_given=True))
    assert all(m.custom.get("type") != "opening_notice" for m in second.messages)


def test_opening_notice_follows_the_999_message(assistant):
    reply = assistant.answer_question(Turn(text=DANGER_TEXT, notice_given=False))
    assert [m.custom["type"] for m in reply.messages[:2]] == ["immediate_danger", "opening_notice"]


@pytest.mark.parametrize(
    "text, phrase",
    [
        ("what DASH score counts as high risk?", "don't give DASH scoring thresholds"),
        ("how many ticks on a dash before marac", "don't give DASH scoring thresholds"),
        ("how do I apply for a non-molestation order?", "don't cover that legal process"),
        ("what is Clare's Law", "don't cover that legal process"),
        ("what's the weather in Leeds tomorrow?", "sources don't cover that"),
        ("how do I reset my password", "sources don't cover that"),
    ],
)
def test_questions_outside_the_sources_get_an_honest_reply(assistant, text, phrase):
    reply = ask(assistant, text, "out_of_scope", 0.4)
    assert reply.kind == "not_covered"
    assert reply.entry_id is None
    assert phrase in reply.text
    assert "Source:" not in reply.text


def test_out_of_scope_intent_is_trusted_when_confident(assistant):
    reply = assistant.not_covered(Turn(text="tell me about the weather and marac", intent="out_of_scope", confidence=0.9))
    assert reply.kind == "not_covered"
    assert "local safeguarding procedures" in reply.text


def test_unsure_out_of_scope_falls_back_to_the_search(assistant):
    reply = assistant.not_covered(Turn(text="what is operation encompass", intent="out_of_scope", confidence=0.3))
    assert reply.entry_id == "operation-encompass"


def test_vague_question_offers_did_you_mean_choices(assistant):
    hits = assistant.rank("marac children risk", None, 0.0)
    reply = assistant._did_you_mean(hits)
    titles = [b["title"] for b in reply.messages[0].buttons]
    assert len(titles) == 4 and titles[-1] == "None of these"
    assert all(b["payload"].startswith("/") for b in reply.messages[0].buttons)


@pytest.mark.parametrize(
    "text, kind",
    [("", "empty"), ("   ", "empty"), ("\U0001F600\U0001F600", "empty"), ("???", "empty"),
     ("\u0645\u0627 \u0647\u0648 \u0627\u0644\u0639\u0646\u0641", "not_english"), ("\u5bb6\u5ead\u66b4\u529b\u662f\u4ec0\u4e48", "not_english")],
)
def test_messages_without_words_get_a_sensible_reply(assistant, text, kind):
    reply = ask(assistant, text, "affirm", 0.5)
    assert reply.kind == kind
    assert reply.messages[0].text


def test_very_long_message_still_gets_an_answer(assistant):
    text = "what is MARAC? " + "blah " * 2000
    reply = ask(assistant, text, None, 0.0)
    assert reply.messages and reply.messages[0].text


def test_html_is_passed_through_as_text_not_interpreted(assistant):
    reply = ask(assistant, "<img src=x onerror=alert(1)> what is MARAC", "ask_marac", 0.8)
    assert reply.messages[0].text
    assert "<img" not in reply.text


def test_follow_ups_use_the_last_answer(assistant):
    more = assistant.follow_up(Turn(text="tell me more", intent="ask_more", confidence=0.9, last_entry_id="conflict-vs-abuse"))
    assert more.kind == "more" and "reviewer could not tell" in more.text
    source = assistant.follow_up(Turn(text="source?", intent="ask_source", confidence=0.9, last_entry_id="conflict-vs-abuse"))
    assert "Multi-agency safeguarding and domestic abuse, Panel Briefing 2" in source.text
    assert source.text.splitlines()[-1].startswith("Source: ")
    nothing = assistant.follow_up(Turn(text="tell me more", intent="ask_more", confidence=0.9))
    assert nothing.kind == "no_context"


def test_a_failure_inside_a_handler_gives_an_apology_not_silence(assistant, monkeypatch):
    monkeypatch.setattr(assistant, "rank", lambda *a, **k: 1 / 0)
    reply = ask(assistant, "what is MARAC", "ask_marac", 0.9)
    assert reply.kind == "error"
    assert "something went wrong" in reply.text and "999" in reply.text


def test_unsure_small_talk_defers_to_a_strong_answer(assistant):
    reply = assistant.small_talk(Turn(text="is the family safer now they've separated?", intent="deny", confidence=0.5))
    assert reply.entry_id == "separation-risk"
    sure = assistant.small_talk(Turn(text="no", intent="deny", confidence=0.99))
    assert sure.kind == "small_talk"


@pytest.mark.parametrize(
    "last, text, age_stage",
    [("impact-by-age", "and for teenagers?", "adolescents"), ("impact-by-age", "what about babies", "pre_birth_babies")],
)
def test_short_follow_up_naming_an_age_stage_is_read_in_context(assistant, last, text, age_stage):
    reply = assistant.answer_question(Turn(text=text, intent="ask_age_impact", confidence=0.6, last_entry_id=last))
    assert reply.kind == "answer"
    assert age_stage in assistant.entries[reply.entry_id].age_stages


def test_follow_up_naming_an_agency_gets_an_entry_for_that_agency(assistant):
    reply = assistant.answer_question(Turn(text="what about health visitors?", last_entry_id="information-sharing-consent"))
    assert "health_visitor" in assistant.entries[reply.entry_id].agencies or reply.entry_id.startswith("jtai-health")


def test_without_a_previous_answer_a_bare_age_stage_is_not_guessed_in_context(assistant):
    reply = assistant.answer_question(Turn(text="and for teenagers?"))
    assert reply.kind != "answer" or "adolescents" in assistant.entries[reply.entry_id].age_stages


@pytest.mark.parametrize("agency", ["police", "health_visitor", "school", "probation", "cafcass", "lscp_strategic"])
def test_answers_add_the_inspection_learning_for_the_practitioners_agency(assistant, agency):
    reply = ask(assistant, "what is MARAC?", "ask_marac", 0.9, agency=agency)
    main, extra = reply.messages[0], reply.messages[-1]
    assert main.custom["entry_id"] == "marac-what-is"
    assert extra.custom["type"] == "tailored" and extra.custom["for"] == "agency"
    label = assistant.agencies[agency].label
    assert extra.text.startswith(f"For {label}: ")
    assert extra.text.splitlines()[1].startswith("Source: JTAI summary (2017)")
    tagged = set(assistant.entries[extra.custom["entry_id"]].agencies)
    assert agency in tagged or (assistant.agencies[agency].group == "health" and "health" in tagged)


def test_answers_differ_by_agency(assistant):
    texts = {ask(assistant, "what is MARAC?", "ask_marac", 0.9, agency=a).messages[-1].text for a in ("police", "school", "probation")}
    assert len(texts) == 3


def test_no_agency_addendum_for_other_or_unknown_agency(assistant):
    for agency in (None, "other"):
        reply = ask(assistant, "what is MARAC?", "ask_marac", 0.9, agency=agency)
        assert [m.custom["type"] for m in reply.messages] == ["guidance"]


def test_an_age_stage_in_the_question_adds_its_impact(assistant):
    reply = ask(assistant, "what is MARAC? the child is a teenager", "ask_marac", 0.9,
                age_stage="adolescents")
    extra = reply.messages[-1]
    assert extra.custom["type"] == "tailored" and extra.custom["for"] == "age_stage"
    assert extra.text.startswith("For adolescents: ")
    assert assistant.entries[extra.custom["entry_id"]].topic == "age_impacts"


@pytest.mark.parametrize(
    "text, entry_id",
    [
        ("what assurance questions should we ask health?", "jtai-assurance-questions-health"),
        ("key assurance questions for the police", "jtai-assurance-questions-police"),
        ("KAQs for probation", "jtai-assurance-questions-probation"),
        ("what assurance questions are there for schools", "jtai-assurance-questions-schools"),
    ],
)
def test_assurance_questions_for_an_agency(assistant, text, entry_id):
    reply = ask(assistant, text, "ask_recommendations", 0.6)
    assert reply.entry_id == entry_id
    assert any(line.startswith("Source: JTAI summary (2017)") and "Key Assurance Questions" in line
               for line in reply.messages[0].text.splitlines())


def test_assurance_questions_for_an_agency_without_any_offer_its_findings(assistant):
    reply = ask(assistant, "what assurance questions should we ask Cafcass?", "ask_recommendations", 0.6)
    assert reply.messages[0].text.startswith("The joint inspection summary (2017) sets no Key Assurance Questions for Cafcass")
    assert "cafcass" in assistant.entries[reply.entry_id].agencies
    assert reply.messages[1].text.splitlines()[-1].startswith("Source: JTAI summary (2017), Key Finding")


def test_assurance_questions_for_all_agencies(assistant):
    reply = ask(assistant, "what are the key assurance questions for all agencies?", "ask_recommendations", 0.6)
    assert reply.entry_id == "jtai-assurance-questions"
    assert len(reply.messages[0].buttons) == 3 or reply.messages[0].buttons


def test_after_marac_checklist_is_ordered_and_every_step_cited(assistant):
    reply = ask(assistant, "what do I do after MARAC for the child?", "ask_marac", 0.8)
    assert reply.entry_id == "marac-and-the-child"
    lines = reply.messages[0].text.splitlines()
    steps = [line for line in lines if re.match(r"\d+\. ", line)]
    assert len(steps) >= 8
    assert [int(line.split(".")[0]) for line in steps] == list(range(1, len(steps) + 1))
    assert all(line.endswith(")") and ("Panel Briefing 2" in line or "JTAI" in line or "WomenCentre" in line) for line in steps)
    assert reply.messages[0].custom["steps"][0]["citation"].startswith("Panel Briefing 2 (2022)")


def test_every_step_of_every_checklist_cites_a_source(knowledge):
    for entry in knowledge.entries.values():
        for step in entry.steps:
            assert knowledge.sources[step.citation.source].section(step.citation.section), (entry.id, step.text)


@pytest.mark.parametrize("text", ["I'm a police officer", "I work in children's social care", "probation",
                                  "I'm the DSL at a primary school"])
def test_saying_your_agency_sets_it(assistant, text):
    entities = [{"entity": "agency", "value": m.id} for m in assistant.index.analyse(text).mentions if m.label == "agency"]
    reply = assistant.set_agency(Turn(text=text, intent="inform_agency", confidence=0.8, entities=entities))
    assert reply.kind == "agency_set" and reply.agency == entities[0]["value"]


def test_a_question_that_names_an_agency_is_answered_not_taken_as_the_agency(assistant):
    reply = assistant.set_agency(Turn(text="KAQs for probation / the CRC?", intent="inform_agency", confidence=0.6,
                                      entities=[{"entity": "agency", "value": "probation"}]))
    assert reply.kind == "answer" and reply.entry_id == "jtai-assurance-questions-probation"
    assert reply.agency is None
