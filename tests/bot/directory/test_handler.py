"""Local services in the conversation, on a directory built for the tests (and Demoshire): the area
question answered bare or with a slip, "did you mean", "my patch", places without a directory in
any phrasing, services by name, who services are for, honest "nothing for that" (counted), paging,
and the questions the handler leaves to the knowledge."""

from __future__ import annotations

import pytest

from bot.dialogue.state import ConversationState, DirectorySearch, DirectoryState
from bot.dialogue.types import Entity, Message, Reply, Turn
from bot.directory import handler as handler_module
from bot.directory.areas import AreaMatcher
from bot.directory.handler import DirectoryHandler
from bot.directory.insight import NOTHING_FOUND
from bot.directory.store import import_directory
from bot.insight.counters import counts
from bot.knowledge.answering import Answering
from bot.knowledge.search import SearchIndex
from bot.nlp.pipeline import analyser_for
from tests.bot.directory.conftest import DIRECTORIES, KNOWLEDGE_DIR, demo_engine
from tests.bot.directory.searchdir import AREAS, search_engine

LOCAL = "ask_local_services"
LOCAL_SUPPORT_TOPIC = "local_support"  # the knowledge topic on knowing the local offer
ALL_AREAS = sorted([*AREAS, "Demoshire", "North Demoshire"])


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
def engine(tmp_path_factory):
    return search_engine(tmp_path_factory.mktemp("handler"), DIRECTORIES / "demoshire.json")


@pytest.fixture(scope="module")
def handler(engine, renderer, guidance):
    return DirectoryHandler(engine, renderer, guidance)


def turn(analyser, text, intent=None, area=None, search=None, confidence=0.9, **entities) -> Turn:
    state = ConversationState(notice_given=True, directory=DirectoryState(area=area, search=search))
    return Turn(text=text, intent=intent, confidence=confidence, state=state, analysis=analyser(text),
                entities=tuple(Entity(name, value) for name, value in entities.items()))


def respond(handler, turn: Turn, chain=None) -> Reply:
    claim = handler.check(turn)
    assert claim is not None, f"the directory did not take {turn.text!r}"
    return handler.handle(turn, claim, chain or FakeChain())


def ask(handler, analyser, text, **options) -> Reply:
    return respond(handler, turn(analyser, text, **options))


def then(handler, analyser, reply: Reply, text: str, **options) -> Reply:
    """The next message of the conversation ``reply`` ended."""
    state = reply.state.directory
    return ask(handler, analyser, text, area=state.area, search=state.search, **options)


def services(reply: Reply) -> list[str]:
    return [m.text.splitlines()[0] for m in reply.messages if m.type == "directory_service"]


# -- areas as people type them ----------------------------------------------------------------------

def test_no_area_known_gives_the_cited_local_offer_then_asks_with_the_loaded_areas(handler, analyser):
    reply = ask(handler, analyser, "what support is there locally for children?", intent=LOCAL)
    assert reply.types[0] == "guidance" and "Source:" in reply.messages[0].text
    question = reply.messages[-1]
    assert question.type == "directory_ask_area"
    assert [b.title for b in question.buttons] == ALL_AREAS
    assert question.buttons[0].payload == '/ask_local_services{"area":"Brindleford"}'
    assert reply.state.directory.search == DirectorySearch(area=None, needs=(), age=None, audience="child")
    assert reply.state.last_entry_id == reply.messages[0].custom["entry_id"]


@pytest.mark.parametrize("answer", ["Wexcombe Moor", "wexcombe moor please", "Wexcome Moor", "it's Wexcombe Moor"])
def test_a_bare_area_name_answers_the_area_question(handler, analyser, answer):
    asked = ask(handler, analyser, "where's the nearest refuge that would take a mum and her kids?")
    assert asked.types[-1] == "directory_ask_area"
    listed = then(handler, analyser, asked, answer, intent="inform")
    assert listed.messages[0].text.startswith("Services in Wexcombe Moor offering Refuge and safe accommodation")
    assert set(services(listed)) == {"Heather House Refuge (Moorside Women's Trust)", "Safer Doors Scheme (Wexcombe Council)"}
    assert listed.state.directory.area == "Wexcombe Moor"


def test_a_part_of_a_name_gets_did_you_mean_and_the_button_carries_on(handler, analyser):
    reply = ask(handler, analyser, "IDVA in Wexcombe?")
    question = reply.messages[-1]
    assert question.text.startswith("Did you mean Wexcombe Moor?")
    assert question.buttons[0].title == "Wexcombe Moor" and question.type == "directory_ask_area"
    chosen = respond(handler, turn(analyser, question.buttons[0].payload, intent=LOCAL, confidence=1.0,
                                   search=reply.state.directory.search, area="Wexcombe Moor"))
    assert services(chosen) == ["Wexcombe IDVA Team (Moorside Women's Trust)"]


def test_my_patch_uses_the_remembered_area_or_asks(handler, analyser):
    asked = ask(handler, analyser, "what's in my patch?")
    assert asked.types[-1] == "directory_ask_area"
    remembered = ask(handler, analyser, "what have we got in my patch for a teenager?", area="Brindleford")
    assert remembered.messages[0].text.startswith("Services in Brindleford for children and young people affected")


@pytest.mark.parametrize("text", [
    "perpetrator programme in Leeds", "refuge leeds", "LEEDS - any refuges for a mum?", "any local support in Leeds?",
    "is there an IDVA service near Leeds please",
])
def test_a_place_without_a_directory_is_named_in_any_phrasing(handler, analyser, text):
    reply = ask(handler, analyser, text)
    assert reply.messages[-1].text.startswith("I don't have a local service directory for Leeds.")
    assert [b.title for b in reply.messages[-1].buttons] == ALL_AREAS


def test_a_known_place_typed_in_answer_to_the_area_question_is_named_too(handler, analyser):
    asked = ask(handler, analyser, "what is available locally?", intent=LOCAL)
    reply = then(handler, analyser, asked, "leeds", intent="inform")
    assert reply.messages[-1].text.startswith("I don't have a local service directory for Leeds.")


def test_a_place_that_is_only_typed_is_recognised_but_never_said_back(handler, analyser):
    asked = ask(handler, analyser, "what is available locally?", intent=LOCAL)
    for answer in ("Borchester", "felpersham"):
        reply = then(handler, analyser, asked, answer, intent="inform")
        assert reply.messages[-1].text.startswith("I don't have a local service directory for that area.")
        assert answer.casefold() not in reply.text.casefold()
        assert [b.title for b in reply.messages[-1].buttons] == ALL_AREAS


def test_a_known_place_is_not_taken_for_a_loaded_area_it_looks_like(tmp_path, renderer, guidance, analyser):
    engine = search_engine(tmp_path)
    stafford = tmp_path / "stafford.csv"
    stafford.write_text("name,organisation,description,areas,phone\nHub,Org,A refuge.,Stafford,01632 960000\n")
    import_directory(engine, stafford)
    reply = ask(DirectoryHandler(engine, renderer, guidance), analyser, "refuge in Salford?")
    assert reply.messages[-1].text.startswith("I don't have a local service directory for Salford.")


def test_area_imported_while_running_is_recognised_without_restart(tmp_path, renderer, guidance, analyser):
    engine = demo_engine(tmp_path)
    live = DirectoryHandler(engine, renderer, guidance, areas=AreaMatcher(engine, recheck_seconds=0))
    before = ask(live, analyser, "support for children in Exampleton", intent=LOCAL)
    assert before.messages[-1].text.startswith("I don't have a local service directory for that area.")
    assert "Exampleton" not in before.text and "directory_ask_area" in before.types
    import_directory(engine, DIRECTORIES / "template_example.csv")
    after = ask(live, analyser, "support for children in Exampleton")
    assert after.messages[0].text.startswith("Services in Exampleton")


# -- who it is for, what is asked, and by name --------------------------------------------------------

def test_a_service_asked_for_by_its_name(handler, analyser):
    reply = ask(handler, analyser, "Bryn Hedd", intent="greet")
    assert reply.messages[0].text == "1 service listed under that name:"
    assert services(reply) == ["Bryn Hêdd Family House (Brindleford Domestic Abuse Partnership)"]
    assert "Where: Confidential address, Given on referral, Brindleford, BR1" in reply.messages[1].text


def test_victims_and_people_who_cause_harm_are_never_mixed(handler, analyser):
    mum = ask(handler, analyser, "Wexcombe Moor - anything for mum, her partner has been violent for years?")
    assert mum.messages[0].text.startswith("Services in Wexcombe Moor for adult victims")
    listed = services(mum) + services(then(handler, analyser, mum, "more", intent="ask_more"))
    assert "Choices Programme (Open Door Change)" not in listed and "Fathers Forward" not in " ".join(listed)
    dad = ask(handler, analyser, "Wexcombe Moor: the dad wants to stop being violent, what is there for him?")
    assert dad.messages[0].text.startswith("Services in Wexcombe Moor for adults who cause harm")
    assert services(dad)[0] == "Choices Programme (Open Door Change)"
    assert not {"Heather House Refuge", "Moorside Domestic Abuse Outreach"} & {s.split(" (")[0] for s in services(dad)}


def test_an_untyped_service_of_unstated_audience_is_labelled_and_comes_last(handler, analyser):
    reply = ask(handler, analyser, "anything for dads who are violent at home in Wexcombe Moor?")
    assert services(reply) == ["Choices Programme (Open Door Change)", "Fathers Forward (Wexcombe Family Centre)"]
    assert "For: who it is for is not stated; ages 18 and over" in reply.messages[2].text


def test_a_need_the_directory_has_nothing_for_is_said_honestly_and_counted(tmp_path, renderer, guidance, analyser):
    engine = search_engine(tmp_path)
    counting = DirectoryHandler(engine, renderer, guidance)
    reply = ask(counting, analyser, "forced labour support in Brindleford")
    text = reply.messages[0].text
    assert text.startswith("I have no service listed for that in Brindleford.")
    assert "forced" not in text.lower() and "labour" not in text.lower()  # never the user's words
    assert "- every service listed: 5 services" in text and "Brindleford Front Door" in text
    assert reply.types == ["directory_none"] and not services(reply)
    ask(counting, analyser, "MARAC in Upper Hadley for a 12 year old")
    assert [(c.kind, c.key, c.count) for c in counts(engine, NOTHING_FOUND)] == [
        (NOTHING_FOUND, "Brindleford|described|any", 1), (NOTHING_FOUND, "Upper Hadley|marac|12-17", 1)]


def test_a_need_no_area_lists_is_said_before_asking_which_area(handler, analyser):
    reply = ask(handler, analyser, "is there any forced labour support near me?")
    assert reply.types == ["directory_none"] and "directory_ask_area" not in reply.types
    assert reply.messages[0].text.startswith("I have no service listed for that in any area I have (Brindleford, ")
    asked = ask(handler, analyser, "is there any legal advice near me?")  # Wexcombe Moor lists one: which area?
    assert asked.types[-1] == "directory_ask_area"


def test_nothing_found_offers_wider_searches_and_the_front_door(handler, analyser):
    reply = ask(handler, analyser, "counselling for a baby in North Demoshire")
    text = reply.text
    assert text.startswith("I found no services in North Demoshire offering Counselling")
    assert "Wider searches that do find services:" in text and "- services for other ages: 1 service" in text
    assert "North Demoshire Family Front Door" in text
    none = reply.messages[0]
    assert none.type == "directory_none" and none.buttons[0].payload == "/ask_more"
    shown = respond(handler, turn(analyser, "/ask_more", intent="ask_more", confidence=1.0,
                                  area="North Demoshire", search=reply.state.directory.search))
    assert shown.types[0] == "directory_results"


# -- paging ---------------------------------------------------------------------------------------------

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


def test_more_continues_a_ranking_by_words_through_the_kept_ids(handler, analyser):
    """The directory state keeps the ranked services' ids, so "more" pages through the first search's order."""
    text = "Wexcombe Moor - mum wants to stay put, could someone make her doors and windows stronger?"
    first = ask(handler, analyser, text)
    kept = first.state.directory.search.services
    assert services(first)[0] == "Safer Doors Scheme (Wexcombe Council)" and len(kept) == first.messages[0].custom["total"]
    seen, page = services(first), first
    while page.state.directory.search is not None:
        page = then(handler, analyser, page, "more", intent="ask_more")
        seen += services(page)
    assert len(seen) == len(kept) and seen[0].startswith("Safer Doors")


def test_more_is_left_to_the_knowledge_without_a_listing_or_for_a_longer_question(handler, analyser):
    listing = DirectorySearch(area="Demoshire", offset=3)
    waiting = DirectorySearch(needs=("refuge",))
    assert handler.check(turn(analyser, "more", intent="ask_more")) is None
    assert handler.check(turn(analyser, "more", intent="ask_more", search=waiting)) is None
    longer = "tell me more about how MARAC protects children in refuges"
    assert handler.check(turn(analyser, longer, intent="ask_more", search=listing)) is None
    assert handler.check(turn(analyser, "more please", intent="ask_more", search=listing)).action == "more"


# -- what is left to the knowledge -----------------------------------------------------------------------

def test_no_knowledge_question_is_taken_for_local_services(handler, analyser, knowledge):
    taken = []
    for entry in knowledge.entries.values():
        if entry.topic == LOCAL_SUPPORT_TOPIC:
            continue
        for question in (entry.title, *entry.questions):
            for area in (None, "Wexcombe Moor"):
                if handler.check(turn(analyser, question, area=area)) is not None:
                    taken.append((entry.id, question))
    assert taken == []


@pytest.mark.parametrize("text", [
    "what did the Sheffield evaluation find about anger management courses for abusive men?",
    "I work in Cardiff - does Welsh law have a separate offence when a child is in the house?",
    "Salford's children's service Harbour: what did its evaluation show?",
    "we moved the family from Leeds last year, does the old child protection plan still apply?",
])
def test_questions_that_merely_name_a_place_are_left_to_the_knowledge(handler, analyser, text):
    assert handler.check(turn(analyser, text)) is None


def test_a_place_someone_came_from_is_not_where_help_is_wanted(handler, analyser):
    text = "mum has come to us from Manchester, does the old child protection plan carry over?"
    claim = handler.check(turn(analyser, text, intent="ask_local_services"))
    assert claim is not None and claim.action == "knowledge"
    assert handler.check(turn(analyser, "any refuges in Manchester?", intent="ask_local_services")).action != "knowledge"


def test_a_process_the_sources_do_not_cover_is_left_to_the_honest_reply(handler, analyser):
    text = "mum has come to our borough from Manchester - does local connection apply to her homeless application?"
    assert handler.check(turn(analyser, text, intent="ask_local_services")) is None
    assert handler.check(turn(analyser, "any refuges in Manchester?", intent="ask_local_services")) is not None
    named_area = handler.check(turn(analyser, "forced marriage support in Wexcombe Moor", intent="ask_local_services"))
    assert named_area is not None and named_area.action != "knowledge"


def test_a_question_taken_for_local_services_but_asking_none_is_answered_from_the_knowledge(handler, analyser):
    chain = FakeChain()
    text = "dad's been sent on an anger management course by family support - will it deal with the DA?"
    reply = respond(handler, turn(analyser, text, intent=LOCAL), chain)
    assert reply.types == ["guidance"] and "directory_ask_area" not in reply.types
    assert [t.intent for t in chain.answered] == [None]  # answered as a question, not as "local services"


def test_a_child_named_by_age_gets_the_childrens_local_support_entry(handler, analyser):
    reply = ask(handler, analyser, "8 year old who saw dad hit mum - where can I get him some support?", intent=LOCAL)
    assert reply.state.last_entry_id == "local-support-for-children"
    search = reply.state.directory.search
    assert search.audience == "child" and search.age == 8


def test_other_buttons_are_not_taken(handler, analyser):
    assert handler.check(turn(analyser, '/choose_entry{"entry_id":"marac-what-is"}', intent="choose_entry")) is None


def test_a_request_is_read_once_per_turn(handler, analyser, monkeypatch):
    calls = []
    real = handler_module.read_request
    monkeypatch.setattr(handler_module, "read_request", lambda *a, **k: calls.append(a) or real(*a, **k))
    ask(handler, analyser, "8 year old who saw dad hit mum - where can I get him some support?", intent=LOCAL)
    ask(handler, analyser, "any refuge in Brindleford?", intent="ask_interventions")
    assert len(calls) == 2


def test_without_a_loaded_directory_it_says_so_after_the_guidance(tmp_path, renderer, guidance, analyser):
    from bot.knowledge.store import make_engine

    empty = DirectoryHandler(make_engine(f"sqlite:///{tmp_path / 'empty.db'}"), renderer, guidance)
    reply = ask(empty, analyser, "what is available locally?", intent=LOCAL)
    assert reply.types == ["guidance", "directory"]
    assert reply.messages[-1].text.startswith("No local service directory has been loaded yet")
    assert reply.state.directory.search is None


def test_without_guidance_the_area_question_comes_alone(engine, renderer, analyser):
    bare = DirectoryHandler(engine, renderer, lambda text: None)
    reply = ask(bare, analyser, "what is available locally?", intent=LOCAL)
    assert reply.types == ["directory_ask_area"] and reply.state.last_entry_id is None
