"""Answers from the knowledge store through the router: cited answers, entries chosen with a
button, honest "not covered", "did you mean", unreadable messages, follow-ups, small talk and
checklists."""

import json
import re

import pytest

from bot.dialogue.state import ConversationState, TailoringState
from bot.dialogue.types import Entity, Turn
from bot.knowledge.answering import Decision

# What the old ``Turn`` assumed unless told otherwise: notice given, agency offer made.
SETTLED = ConversationState(notice_given=True, tailoring=TailoringState(offered=True))


def ask(router, text, intent=None, confidence=0.0, state=SETTLED, **entities):
    turn = Turn(text, intent, confidence, tuple(Entity(k, v) for k, v in entities.items()), state)
    return router.respond(turn)


def after(entry_id):
    return SETTLED.with_(last_entry_id=entry_id)


def test_guidance_reply_ends_with_source_lines_and_carries_citations(router):
    reply = ask(router, "what is Operation Encompass?", "ask_definition", 0.95)
    (message,) = reply.messages
    lines = message.text.splitlines()
    sources = [line for line in lines if line.startswith("Source: ")]
    assert lines[-len(sources):] == sources and sources
    assert sources[0] == "Source: Panel Briefing 2 (2022), 'Operation Encompass'"
    assert message.custom["type"] == "guidance"
    assert message.custom["entry_id"] == reply.state.last_entry_id == "operation-encompass"
    assert [c["citation"] for c in message.custom["citations"]] == [s.removeprefix("Source: ") for s in sources]
    assert "\n\n" not in message.text  # Rasa's REST channel would split the Source lines off


def test_every_entry_reply_has_a_citation(router, knowledge):
    for entry_id in knowledge.entries:
        reply = ask(router, "", entry_id=entry_id)
        assert reply.state.last_entry_id == entry_id
        assert reply.messages[0].text.splitlines()[-1].startswith("Source: "), entry_id
        assert reply.messages[0].custom["citations"], entry_id


def test_related_buttons_carry_payloads_that_work_later(router):
    reply = ask(router, "what is MARAC?", "ask_marac", 0.9)
    buttons = reply.messages[0].buttons
    assert buttons, "related topics are offered as buttons"
    payload = buttons[0].payload
    assert payload.startswith("/choose_entry{")
    entry_id = json.loads(payload[len("/choose_entry"):])["entry_id"]
    clicked = ask(router, payload, "choose_entry", 1.0, entry_id=entry_id)
    assert clicked.state.last_entry_id == entry_id
    assert clicked.messages[0].custom["entry_id"] == entry_id


@pytest.mark.parametrize(
    "text, phrase",
    [
        ("what DASH score counts as high risk?", "don't give DASH scoring thresholds"),
        ("how many ticks on a dash before marac", "don't give DASH scoring thresholds"),
        ("which answers on the risk checklist make it high risk automatically?", "don't give DASH scoring thresholds"),
        ("how do I apply for a non-molestation order?", "don't cover that legal process"),
        ("what is Clare's Law", "don't cover that legal process"),
        ("what's the weather in Leeds tomorrow?", "sources don't cover that"),
        ("how do I reset my password", "sources don't cover that"),
    ],
)
def test_questions_outside_the_sources_get_an_honest_reply(router, text, phrase):
    reply = ask(router, text, "out_of_scope", 0.4)
    assert reply.types == ["not_covered"]
    assert reply.state.last_entry_id is None
    assert phrase in reply.text
    assert "Source:" not in reply.text


def test_out_of_scope_intent_is_trusted_when_confident(router):
    reply = ask(router, "tell me about the weather and marac", "out_of_scope", 0.9)
    assert reply.types == ["not_covered"]
    assert "local safeguarding procedures" in reply.text


def test_unsure_out_of_scope_falls_back_to_the_search(router):
    reply = ask(router, "what is operation encompass", "out_of_scope", 0.3)
    assert reply.state.last_entry_id == "operation-encompass"


def test_vague_question_offers_did_you_mean_choices(talk):
    hits = talk.answering.rank("marac children risk", None, 0.0)
    reply = talk.did_you_mean(Turn("marac children risk", state=SETTLED), Decision("suggest", tuple(hits)))
    assert reply.types == ["did_you_mean"]
    titles = [b.title for b in reply.messages[0].buttons]
    assert len(titles) == 4 and titles[-1] == "None of these"
    assert all(b.payload.startswith("/") for b in reply.messages[0].buttons)


def test_a_vague_question_gets_did_you_mean_through_the_router(router):
    reply = ask(router, "family risk")
    assert reply.types == ["did_you_mean"] and reply.messages[0].buttons[-1].payload == "/none_of_these"
    assert reply.state.last_entry_id is None


@pytest.mark.parametrize(
    "text, kind",
    [("", "empty"), ("   ", "empty"), ("\U0001F600\U0001F600", "empty"), ("???", "empty"),
     ("\u0645\u0627 \u0647\u0648 \u0627\u0644\u0639\u0646\u0641", "not_english"), ("\u5bb6\u5ead\u66b4\u529b\u662f\u4ec0\u4e48", "not_english")],
)
def test_messages_without_words_get_a_sensible_reply(router, text, kind):
    reply = ask(router, text, "affirm", 0.5)
    assert reply.types == [kind]
    assert reply.messages[0].text


def test_very_long_message_still_gets_an_answer(router):
    text = "what is MARAC? " + "blah " * 2000
    reply = ask(router, text)
    assert reply.messages and reply.messages[0].text


def test_html_is_passed_through_as_text_not_interpreted(router):
    reply = ask(router, "<img src=x onerror=alert(1)> what is MARAC", "ask_marac", 0.8)
    assert reply.messages[0].text
    assert "<img" not in reply.text


def test_follow_ups_use_the_last_answer(router):
    more = ask(router, "tell me more", "ask_more", 0.9, state=after("conflict-vs-abuse"))
    assert more.messages[0].custom["entry_id"] == "conflict-vs-abuse" and "reviewer could not tell" in more.text
    source = ask(router, "source?", "ask_source", 0.9, state=after("conflict-vs-abuse"))
    assert source.types == ["sources"]
    assert source.text.count("Multi-agency safeguarding and domestic abuse, Panel Briefing 2") == 1  # two sections, one document
    assert source.text.splitlines()[-1].startswith("Source: ")
    nothing = ask(router, "tell me more", "ask_more", 0.9)
    assert nothing.types == ["no_context"]


def test_a_follow_up_naming_an_agency_asks_for_the_topic_for_that_agency_not_more_of_the_answer(router):
    # NLU often reads "and schools?" as "tell me more": the school-tagged finding on the same
    # subject answers it, not the rest of the health answer.
    reply = ask(router, "and schools?", "ask_more", 0.4, state=after("information-sharing-health"))
    assert reply.kind == "in_context"
    assert reply.messages[0].custom["entry_id"] == "information-sharing-schools"
    assert "teachers" in reply.text


def test_source_follow_up_lists_each_document_once_then_the_source_lines(router, knowledge):
    entry = knowledge.entries["marac-what-is"]  # two sections of the Panel briefing, three of the WomenCentre summary
    reply = ask(router, "where's that from?", "ask_source", 0.9, state=after(entry.id))
    (message,) = reply.messages
    lines = message.text.splitlines()
    documents = list(dict.fromkeys(c.source for c in entry.all_citations))
    listed = [line for line in lines if line.startswith("- ")]
    assert lines[0] == "That answer comes from:" and len(listed) == len(documents) == 2
    for source_id, line in zip(documents, listed, strict=True):
        source = knowledge.sources[source_id]
        assert line.startswith(f"- {source.citation}: {source.title} ({source.publisher}, {source.date}). Sections cited: ")
        assert message.text.count(source.title) == 1
        cited = [source.section(c.section).title for c in entry.all_citations if c.source == source_id]
        assert all(f"'{title}'" in line for title in cited), (line, cited)
    source_lines = [line for line in lines if line.startswith("Source: ")]
    assert lines[1 + len(listed):] == source_lines  # the widget shows these as the citations
    assert source_lines == [f"Source: {c['citation']}" for c in message.custom["citations"]]
    assert message.custom == {"type": "sources", "entry_id": entry.id, "citations": message.custom["citations"]}
    assert [(c["source"], c["section"]) for c in message.custom["citations"]] == \
        [(c.source, c.section) for c in entry.all_citations]
    assert reply.state.last_entry_id == entry.id


def test_unsure_small_talk_defers_to_a_strong_answer(router):
    reply = ask(router, "is the family safer now they've separated?", "deny", 0.5)
    assert reply.state.last_entry_id == "separation-risk"
    sure = ask(router, "no", "deny", 0.99)
    assert sure.types == ["small_talk"]


def test_after_marac_checklist_is_ordered_and_every_step_cited(router):
    reply = ask(router, "what do I do after MARAC for the child?", "ask_marac", 0.8)
    assert reply.state.last_entry_id == "marac-and-the-child"
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


def test_a_question_for_something_the_sources_never_give_is_not_covered_with_the_closest_offered(router):
    reply = router.respond(Turn("how many working days has the MASH got to decide on a DA notification?", "ask_practice",
                                0.7, state=SETTLED))
    (message,) = reply.messages
    assert message.custom == {"type": "not_covered", "gap": "timescales"}
    assert message.text.startswith("My sources don't cover timescales or deadlines")
    assert "working days" not in message.text and "MASH" not in message.text  # nothing typed is echoed
    assert message.buttons and message.buttons[0].title.startswith("Closest in my sources: ")
    assert reply.state.last_entry_id is None
