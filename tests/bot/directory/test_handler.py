"""Local services in the conversation: the area question, filters, paging, nothing found, new areas,
and the questions the handler leaves to the knowledge."""

from __future__ import annotations

import pytest

from bot.dialogue.state import ConversationState, DirectorySearch, DirectoryState
from bot.dialogue.types import Entity, Message, Reply, Turn
from bot.directory import handler as handler_module
from bot.directory.areas import AreaMatcher
from bot.directory.handler import DirectoryHandler
from bot.directory.store import import_directory
from bot.knowledge.answering import Answering
from bot.knowledge.search import SearchIndex
from bot.nlp.pipeline import analyser_for
from tests.bot.directory.conftest import DIRECTORIES, KNOWLEDGE_DIR, demo_engine

LOCAL = "ask_local_services"
LOCAL_SUPPORT_TOPIC = "local_support"  # the knowledge topic on knowing the local offer


class FakeChain:
    """Records what the handler passes on; answers every question with one guidance message."""

    def __init__(self):
        self.answered: list[Turn] = []

    def answer(self, turn: Turn) -> Reply:
        self.answered.append(turn)
        return Reply("answer", (Message("From the knowledge.", custom={"type": "guidance"}),), turn.state)

    def rest(self, turn: Turn) -> Reply:
        raise AssertionError("the directory handler never passes a turn on to the rest")


@pytest.fixture(scope="module")
def analyser():
    return analyser_for(KNOWLEDGE_DIR)


@pytest.fixture(scope="module")
def guidance(knowledge, analyser, renderer):
    """The cited entry on knowing the local offer, as the router's builder wires it."""
    answering = Answering(SearchIndex(knowledge.entries.values(), analyser), knowledge.entries, {}, renderer.messages)

    def guidance(text):
        entry = answering.best_in_topic(text, LOCAL_SUPPORT_TOPIC)
        return renderer.entry(entry) if entry is not None else None

    return guidance


@pytest.fixture(scope="module")
def handler(demo, renderer, guidance):
    return DirectoryHandler(demo, renderer, guidance)


def turn(analyser, text, intent=LOCAL, area=None, search=None, confidence=0.9, **entities) -> Turn:
    state = ConversationState(notice_given=True, directory=DirectoryState(area=area, search=search))
    return Turn(text=text, intent=intent, confidence=confidence, state=state, analysis=analyser(text),
                entities=tuple(Entity(name, value) for name, value in entities.items()))


def respond(handler, turn: Turn, chain=None) -> Reply:
    claim = handler.check(turn)
    assert claim is not None, f"the directory did not take {turn.text!r}"
    return handler.handle(turn, claim, chain or FakeChain())


def ask(handler, analyser, text, **options) -> Reply:
    return respond(handler, turn(analyser, text, **options))


def services(reply: Reply) -> list[str]:
    return [m.text.splitlines()[0] for m in reply.messages if m.type == "directory_service"]


def test_no_area_known_gives_the_cited_local_offer_then_asks_with_the_loaded_areas(handler, analyser):
    reply = ask(handler, analyser, "what support is there locally for children?")
    assert reply.types[0] == "guidance" and "Source:" in reply.messages[0].text
    question = reply.messages[-1]
    assert question.type == "directory_ask_area"
    assert [b.title for b in question.buttons] == ["Demoshire", "North Demoshire"]
    assert question.buttons[0].payload == '/ask_local_services{"area":"Demoshire"}'
    assert reply.state.directory.search == DirectorySearch(area=None, needs=(), age=None, audience="child")
    assert reply.state.last_entry_id == reply.messages[0].custom["entry_id"]


def test_area_button_carries_on_with_the_waiting_request_and_is_remembered(handler, analyser):
    pending = ask(handler, analyser, "any refuge space for a mum and kids?").state.directory.search
    button = turn(analyser, '/ask_local_services{"area":"Demoshire"}', confidence=1.0, search=pending,
                  area="Demoshire")
    reply = respond(handler, button)
    assert reply.state.directory.area == "Demoshire"
    assert reply.messages[0].text.startswith("Services in Demoshire offering Refuge")
    assert "Brackenford Women's Refuge" in reply.text
    assert reply.types[0] == "directory_results" and "guidance" not in reply.types


def test_area_age_and_need_in_one_question(handler, analyser):
    reply = ask(handler, analyser, "IDVA for a 16 year old in Demoshire?")
    assert reply.messages[0].text.startswith("Services in Demoshire offering Independent domestic violence advisers")
    assert "for age 16" in reply.messages[0].text
    assert "Young People's Violence Advisers" in reply.text
    assert "check the details with the service" in reply.text


def test_remembered_area_is_used_when_the_question_names_none(handler, analyser):
    reply = ask(handler, analyser, "is there a perpetrator programme?", area="North Demoshire")
    assert "North Demoshire Caring Dads" in reply.text


def test_more_shows_the_next_page_then_says_that_is_all(handler, analyser):
    first = ask(handler, analyser, "what is available in Demoshire?")
    assert first.messages[-1].buttons[0].payload == "/ask_more"
    assert first.messages[-1].buttons[0].title == "More services"
    total = first.messages[0].custom["total"]
    seen = services(first)
    search = first.state.directory.search
    while search:
        page = respond(handler, turn(analyser, "more", intent="ask_more", area="Demoshire", search=search))
        seen += services(page)
        search = page.state.directory.search
    assert len(seen) == len(set(seen)) == total == 24
    assert "That is every matching service I have for Demoshire." in page.text
    assert page.types[-1] == "directory_end" and page.state.directory.area == "Demoshire"


def test_nothing_found_says_so_with_wider_searches_and_the_front_door(handler, analyser):
    reply = ask(handler, analyser, "counselling for a baby in North Demoshire")
    text = reply.text
    assert text.startswith("I found no services in North Demoshire offering Counselling")
    assert "Wider searches that do find services:" in text
    assert "North Demoshire Family Front Door" in text
    none = reply.messages[0]
    assert none.type == "directory_none" and none.buttons[0].payload == "/ask_more"
    assert {a["kind"] for a in none.custom["alternatives"]} >= {"any_age"}
    assert "- services for other ages: " in text
    shown = respond(handler, turn(analyser, "/ask_more", intent="ask_more", confidence=1.0,
                                  area="North Demoshire", search=reply.state.directory.search))
    assert shown.types[0] == "directory_results"


def test_a_place_the_directory_does_not_hold_is_named_honestly(handler, analyser):
    reply = ask(handler, analyser, "perpetrator programme near Leeds?")
    assert reply.messages[-1].text.startswith("I don't have a local service directory for Leeds.")
    assert [b.title for b in reply.messages[-1].buttons] == ["Demoshire", "North Demoshire"]


def test_area_imported_while_running_is_recognised_without_restart(tmp_path, renderer, guidance, analyser):
    engine = demo_engine(tmp_path)
    live = DirectoryHandler(engine, renderer, guidance, areas=AreaMatcher(engine, recheck_seconds=0))
    before = ask(live, analyser, "support for children in Exampleton")
    assert "Exampleton" in before.text and "directory_ask_area" in before.types
    import_directory(engine, DIRECTORIES / "template_example.csv")
    after = ask(live, analyser, "support for children in Exampleton")
    assert after.messages[0].text.startswith("Services in Exampleton")


def test_a_knowledge_question_naming_an_area_is_left_to_the_knowledge(handler, analyser):
    assert handler.check(turn(analyser, "what is MARAC?", intent="ask_marac", area="Demoshire")) is None


def test_a_question_taken_for_local_services_but_asking_none_is_answered_from_the_knowledge(handler, analyser):
    chain = FakeChain()
    text = "dad's been sent on an anger management course by family support - will it deal with the DA?"
    asked = turn(analyser, text)
    reply = respond(handler, asked, chain)
    assert reply.types == ["guidance"] and "directory_ask_area" not in reply.types
    assert [t.intent for t in chain.answered] == [None]  # answered as a question, not as "local services"


def test_a_child_named_by_age_gets_the_childrens_local_support_entry(handler, analyser):
    reply = ask(handler, analyser, "8 year old who saw dad hit mum - where can I get him some support?")
    assert reply.state.last_entry_id == "local-support-for-children"
    search = reply.state.directory.search
    assert search.audience == "child" and search.age == 8


def test_a_service_near_a_place_without_a_directory_is_routed_whatever_the_intent(handler, analyser):
    reply = ask(handler, analyser, "perpetrator programme near Leeds?", intent="ask_interventions", confidence=0.7)
    assert reply.messages[-1].text.startswith("I don't have a local service directory for Leeds.")
    harbour = turn(analyser, "what did Harbour in Salford offer children?", intent="ask_interventions", confidence=0.7)
    assert handler.check(harbour) is None


# -- beyond the old assistant's tests -------------------------------------------------------------

def test_more_is_left_to_the_knowledge_without_a_listing_or_for_a_longer_question(handler, analyser):
    listing = DirectorySearch(area="Demoshire", offset=3)
    waiting = DirectorySearch(needs=("refuge",))
    assert handler.check(turn(analyser, "more", intent="ask_more")) is None
    assert handler.check(turn(analyser, "more", intent="ask_more", search=waiting)) is None
    longer = "tell me more about how MARAC protects children in refuges"
    assert handler.check(turn(analyser, longer, intent="ask_more", search=listing)) is None
    assert handler.check(turn(analyser, "more please", intent="ask_more", search=listing)).action == "more"


def test_other_buttons_are_not_taken(handler, analyser):
    assert handler.check(turn(analyser, '/choose_entry{"entry_id":"marac-what-is"}', intent="choose_entry")) is None


def test_a_request_is_read_once_per_turn(handler, analyser, monkeypatch):
    calls = []
    real = handler_module.parse_request
    monkeypatch.setattr(handler_module, "parse_request", lambda *a, **k: calls.append(a) or real(*a, **k))
    ask(handler, analyser, "8 year old who saw dad hit mum - where can I get him some support?")
    ask(handler, analyser, "any refuge in Demoshire?", intent="ask_interventions")
    assert len(calls) == 2


def test_without_a_loaded_directory_it_says_so_after_the_guidance(tmp_path, renderer, guidance, analyser):
    from bot.knowledge.store import make_engine

    empty = DirectoryHandler(make_engine(f"sqlite:///{tmp_path / 'empty.db'}"), renderer, guidance)
    reply = ask(empty, analyser, "what is available locally?")
    assert reply.types == ["guidance", "directory"]
    assert reply.messages[-1].text.startswith("No local service directory has been loaded yet")
    assert reply.state.directory.search is None


def test_without_guidance_the_area_question_comes_alone(demo, renderer, analyser):
    bare = DirectoryHandler(demo, renderer, lambda text: None)
    reply = ask(bare, analyser, "what is available locally?")
    assert reply.types == ["directory_ask_area"] and reply.state.last_entry_id is None
