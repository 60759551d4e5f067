"""Local services through the assistant: the area question, filters, paging, nothing found, new areas."""

from __future__ import annotations

from bot.directory.store import import_directory
from bot.dialogue.types import Turn
from tests.conftest import PROJECT_ROOT


def kinds(reply):
    return [m.custom.get("type") for m in reply.messages if m.custom]


def ask(assistant, text, intent="ask_local_services", area=None, directory=None, **entities):
    ents = [{"entity": k, "value": v} for k, v in entities.items()]
    return assistant.local_services(Turn(text=text, intent=intent, confidence=0.9, entities=ents,
                                         area=area, directory=directory))


def test_no_area_known_gives_the_cited_local_offer_then_asks_with_the_loaded_areas(assistant):
    reply = ask(assistant, "what support is there locally for children?")
    assert kinds(reply)[0] == "guidance" and "Source:" in reply.messages[0].text
    question = reply.messages[-1]
    assert question.custom["type"] == "directory_ask_area"
    assert [b["title"] for b in question.buttons] == ["Demoshire", "North Demoshire"]
    assert question.buttons[0]["payload"] == '/ask_local_services{"area":"Demoshire"}'
    assert reply.directory == {"needs": [], "age": None, "audience": "child"}


def test_area_button_carries_on_with_the_waiting_request_and_is_remembered(assistant):
    pending = ask(assistant, "any refuge space for a mum and kids?").directory
    button = Turn(text='/ask_local_services{"area":"Demoshire"}', intent="ask_local_services", confidence=1.0,
                  entities=[{"entity": "area", "value": "Demoshire"}], directory=pending)
    reply = assistant.local_services(button)
    assert reply.area == "Demoshire"
    assert reply.messages[0].text.startswith("Services in Demoshire offering Refuge")
    assert "Brackenford Women's Refuge" in reply.text


def test_area_age_and_need_in_one_question(assistant):
    reply = ask(assistant, "IDVA for a 16 year old in Demoshire?")
    assert reply.messages[0].text.startswith("Services in Demoshire offering Independent domestic violence advisers")
    assert "for age 16" in reply.messages[0].text
    assert "Young People's Violence Advisers" in reply.text
    assert "check the details with the service" in reply.text


def test_remembered_area_is_used_when_the_question_names_none(assistant):
    reply = ask(assistant, "is there a perpetrator programme?", area="North Demoshire")
    assert "North Demoshire Caring Dads" in reply.text


def test_more_shows_the_next_page_then_says_that_is_all(assistant):
    first = ask(assistant, "what is available in Demoshire?")
    assert first.messages[-1].buttons[0]["payload"] == "/ask_more"
    total = first.messages[0].custom["total"]
    seen = [m.text.splitlines()[0] for m in first.messages[1:4]]
    state = first.directory
    pages = 1
    while state:
        page = assistant.follow_up(Turn(text="more", intent="ask_more", confidence=0.9, directory=state))
        seen += [m.text.splitlines()[0] for m in page.messages if (m.custom or {}).get("type") == "directory_service"]
        state, pages = page.directory, pages + 1
    assert len(seen) == len(set(seen)) == total == 24
    assert "That is every matching service I have for Demoshire." in page.text


def test_nothing_found_says_so_with_wider_searches_and_the_front_door(assistant):
    reply = ask(assistant, "counselling for a baby in North Demoshire")
    text = reply.text
    assert text.startswith("I found no services in North Demoshire offering Counselling")
    assert "Wider searches that do find services:" in text
    assert "North Demoshire Family Front Door" in text
    shown = assistant.follow_up(Turn(text="/ask_more", intent="ask_more", confidence=1.0, directory=reply.directory))
    assert kinds(shown)[0] == "directory_results"


def test_a_place_the_directory_does_not_hold_is_named_honestly(assistant):
    reply = ask(assistant, "perpetrator programme near Leeds?")
    assert reply.messages[-1].text.startswith("I don't have a local service directory for Leeds.")
    assert [b["title"] for b in reply.messages[-1].buttons] == ["Demoshire", "North Demoshire"]


def test_area_imported_while_running_is_recognised_without_restart(assistant):
    assistant.areas.recheck_seconds = 0
    before = ask(assistant, "support for children in Exampleton")
    assert "Exampleton" in before.text and "directory_ask_area" in kinds(before)
    import_directory(assistant.directory_engine, PROJECT_ROOT / "directories" / "template_example.csv")
    try:
        after = ask(assistant, "support for children in Exampleton")
        assert after.messages[0].text.startswith("Services in Exampleton")
    finally:
        from bot.directory.store import remove_area
        remove_area(assistant.directory_engine, "Exampleton")


def test_a_knowledge_question_naming_an_area_is_still_answered_from_the_knowledge(assistant):
    reply = assistant.answer_question(Turn(text="what is MARAC?", intent="ask_marac", confidence=0.9,
                                           area="Demoshire"))
    assert kinds(reply)[0] == "guidance"


def test_a_question_taken_for_local_services_but_asking_none_is_answered_from_the_knowledge(assistant):
    reply = ask(assistant, "dad's been sent on an anger management course by family support - will it deal with the DA?")
    assert kinds(reply)[0] == "guidance" and "directory_ask_area" not in kinds(reply)


def test_a_child_named_by_age_gets_the_childrens_local_support_entry(assistant):
    reply = ask(assistant, "8 year old who saw dad hit mum - where can I get him some support?")
    assert reply.entry_id == "local-support-for-children"
    assert reply.directory["audience"] == "child" and reply.directory["age"] == 8


def test_a_service_near_a_place_without_a_directory_is_routed_whatever_the_intent(assistant):
    reply = assistant.answer_question(Turn(text="perpetrator programme near Leeds?", intent="ask_interventions",
                                           confidence=0.7))
    assert reply.messages[-1].text.startswith("I don't have a local service directory for Leeds.")
    harbour = assistant.answer_question(Turn(text="what did Harbour in Salford offer children?",
                                             intent="ask_interventions", confidence=0.7))
    assert kinds(harbour)[0] == "guidance"
