"""bot.web.payloads: only the project's own buttons reach Rasa as payloads; other "/..." is words."""

from __future__ import annotations

import pytest

from bot.config import Settings
from bot.dialogue.render import CHOOSE_ENTRY
from bot.dialogue.state import ConversationState
from bot.dialogue.types import Turn, parse_payload, payload
from bot.directory.replies import ASK_MORE, LOCAL_SERVICES
from bot.directory.store import import_directory
from bot.knowledge.store import make_engine, save_knowledge
from bot.reflection.handler import START_REFLECTION
from bot.scenarios.engine import CHOOSE_SCENARIO, SCENARIO_CHOICE
from bot.scenarios.loader import library_for
from bot.tailoring.handlers import INFORM_AGENCY
from bot.web.payloads import BUTTONS, Vocabularies, as_typed, button_payload
from tests.conftest import KNOWLEDGE_DIR, PROJECT_ROOT


@pytest.fixture(scope="module")
def vocabularies(tmp_path_factory, knowledge) -> Vocabularies:
    var = tmp_path_factory.mktemp("payloads")
    settings = Settings(knowledge_dir=KNOWLEDGE_DIR, database_url=f"sqlite:///{var / 'k.db'}", var_dir=var)
    engine = make_engine(settings.database_url)
    save_knowledge(engine, knowledge)
    import_directory(engine, PROJECT_ROOT / "directories" / "demoshire.json")
    return Vocabularies(settings)


def test_the_table_names_the_intents_the_buttons_use():
    made = {CHOOSE_ENTRY, INFORM_AGENCY, CHOOSE_SCENARIO, SCENARIO_CHOICE, LOCAL_SERVICES, ASK_MORE, START_REFLECTION,
            "none_of_these"}
    assert set(BUTTONS) == made


def test_every_value_a_button_can_carry_is_accepted(vocabularies, knowledge):
    library = library_for(KNOWLEDGE_DIR / "scenarios", KNOWLEDGE_DIR)
    scenarios = list(library.scenarios.values())
    choices = {c.id for s in scenarios for step in s.steps for c in step.choices}
    made = [payload(CHOOSE_ENTRY, entry_id=e) for e in knowledge.entries]
    made += [payload(INFORM_AGENCY, agency=a) for a in knowledge.agencies]
    made += [payload(CHOOSE_SCENARIO, scenario_id=s.id) for s in scenarios]
    made += [payload(SCENARIO_CHOICE, choice=c) for c in choices]
    made += [payload(LOCAL_SERVICES, area="Demoshire"), payload(ASK_MORE), payload("none_of_these"),
             payload(START_REFLECTION)]
    assert len(made) > 100 and choices
    for text in made:
        assert as_typed(text, vocabularies) == text, text


def test_the_buttons_of_real_replies_are_accepted(demo_router, vocabularies):
    state = ConversationState()
    seen = []
    for text, intent in [("what is MARAC?", "ask_marac"), ("is this conflict or abuse?", "ask_conflict_vs_abuse"),
                         ("what services are there locally?", "ask_local_services"),
                         ("services in Demoshire", "ask_local_services"), ("start a training scenario", "start_scenario")]:
        reply = demo_router.respond(Turn(text, intent, 0.9, state=state))
        state = reply.state
        seen += [b.payload for m in reply.messages for b in m.buttons if b.payload.startswith("/")]
    assert {parse_payload(p)[0] for p in seen} >= {CHOOSE_ENTRY, INFORM_AGENCY, START_REFLECTION, ASK_MORE,
                                                   CHOOSE_SCENARIO}
    for text in seen:
        assert button_payload(text, vocabularies) == text, text


@pytest.mark.parametrize("typed, read", [
    ("/restart", "restart"),
    ("/session_start", "session_start"),
    ("/stop", "stop"),
    ("//  /greet", "greet"),
    ("/", ""),
    ("/ask_marac", "ask_marac"),                                        # an intent, but no button sends it
    ('/choose_entry{"entry_id":"no-such-entry"}', 'choose_entry{"entry_id":"no-such-entry"}'),
    ('/choose_entry{"entry_id":"marac-what-is","x":"y"}', 'choose_entry{"entry_id":"marac-what-is","x":"y"}'),
    ('/choose_entry{"entry_id":["marac-what-is"]}', 'choose_entry{"entry_id":["marac-what-is"]}'),
    ("/choose_entry", "choose_entry"),                                  # the entity is missing
    ('/ask_more{"area":"Demoshire"}', 'ask_more{"area":"Demoshire"}'),  # an entity it never carries
    ('/inform_agency{"agency":"police"}@0.1', 'inform_agency{"agency":"police"}@0.1'),
    ('/ask_local_services{"area":"Leeds"}', 'ask_local_services{"area":"Leeds"}'),
    ("/anything{" + "[" * 3000, "anything{" + "[" * 3000),
    ("what is MARAC?", "what is MARAC?"),
    ("a/b", "a/b"),
])
def test_other_slash_text_is_read_as_words(vocabularies, typed, read):
    assert as_typed(typed, vocabularies) == read


def test_payloads_are_passed_on_in_the_buttons_own_spelling(vocabularies):
    assert as_typed('/choose_entry{ "entry_id" : "marac-what-is" }', vocabularies) == '/choose_entry{"entry_id":"marac-what-is"}'
    assert as_typed('/ask_local_services{"area":"demoshire"}', vocabularies) == '/ask_local_services{"area":"demoshire"}'


def test_a_new_entry_file_is_seen_without_a_restart(tmp_path, knowledge):
    entries = tmp_path / "entries"
    entries.mkdir()
    (tmp_path / "vocabulary.yml").write_text("agencies: [{id: police}]\n", encoding="utf-8")
    settings = Settings(knowledge_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'k.db'}", var_dir=tmp_path)
    vocabularies = Vocabularies(settings)
    text = payload(CHOOSE_ENTRY, entry_id="new-entry")
    assert button_payload(text, vocabularies) is None
    (entries / "new.yml").write_text("entries:\n  - {id: new-entry}\n", encoding="utf-8")
    assert button_payload(text, vocabularies) == text
    (entries / "new.yml").write_text("entries: [unclosed\n", encoding="utf-8")
    assert button_payload(text, vocabularies) == text, "a file being edited keeps the last good list"
