"""What the tracker store writes for each event, and the metadata allow-list."""

from __future__ import annotations

import json

from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered

from bot.privacy.metadata import allowed_metadata
from bot.privacy.redaction import REDACTED, redact_event
from bot.web.channel import _metadata

NAME = "Marisol Quennevaux"


def _stored(event) -> str:
    return json.dumps(redact_event(event).as_dict())


def test_a_user_event_keeps_the_intent_and_entity_ids_but_no_words_or_metadata():
    event = UserUttered(
        f"I'm a health visitor, ask {NAME}", {"name": "inform_agency", "confidence": 0.9},
        [{"entity": "agency", "value": "health_visitor", "start": 4, "end": 17, "text": "health visitor"},
         {"entity": "area", "value": NAME, "start": 26, "end": 44}],
        parse_data={"text": f"ask {NAME}", "intent": {"name": "inform_agency", "confidence": 0.9},
                    "metadata": {"note": NAME}, "entities": [], "intent_ranking": [{"name": "inform_agency", "confidence": 0.9}]},
        metadata={"note": NAME}, message_id="m1",
    )
    event.parse_data["entities"] = event.entities
    stored = redact_event(event)
    assert NAME not in _stored(event) and "health visitor" not in _stored(event)
    assert stored.text == REDACTED and stored.parse_data["text"] == REDACTED and stored.metadata == {}
    assert stored.intent_name == "inform_agency" and stored.message_id == "m1"
    assert stored.entities == [{"entity": "agency", "value": "health_visitor"}, {"entity": "area"}]


def test_a_bot_event_keeps_its_kind_and_button_payloads_not_its_text():
    event = BotUttered(f"I don't have a local service directory for {NAME}.",
                       {"buttons": [{"title": "Demoshire", "payload": '/ask_local_services{"area":"Demoshire"}'},
                                    {"title": NAME, "payload": NAME}],
                        "custom": {"type": "directory_ask_area", "areas": [NAME]}},
                       metadata={"utter_action": "action_respond", "note": NAME})
    stored = redact_event(event)
    assert NAME not in _stored(event) and stored.text is None and stored.metadata == {}
    assert stored.data == {"buttons": [{"payload": '/ask_local_services{"area":"Demoshire"}'}],
                           "custom": {"type": "directory_ask_area"}}


def test_session_metadata_keeps_only_the_allow_list_and_other_events_are_unchanged():
    stored = redact_event(SlotSet("session_started_metadata", {"client": "widget", "name": NAME}))
    assert stored.value == {"client": "widget"}
    assert redact_event(SlotSet("session_started_metadata", {"name": NAME})).value is None
    slot, action = SlotSet("last_entry_id", "marac"), ActionExecuted("action_respond")
    assert redact_event(slot) is slot and redact_event(action) is action


def test_metadata_keeps_allow_listed_keys_with_known_values_only():
    assert allowed_metadata({"client": "widget", "name": NAME, "dob": "14/03/1987"}) == {"client": "widget"}
    assert allowed_metadata({"client": NAME}) == {} and allowed_metadata([NAME]) == {} and allowed_metadata(None) == {}
    assert _metadata(json.dumps({"client": "terminal", "email": "m@example.org"})) == {"client": "terminal"}
    assert _metadata({"a": 1}) == {} and _metadata("[1]") is None
