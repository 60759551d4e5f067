"""The conversation state survives the round trip through Rasa slots, and only changes are written."""

from rasa_sdk.events import SlotSet

from actions.slots import slot_events, state_from_slots
from bot.dialogue.state import (
    ConversationState,
    DirectorySearch,
    DirectoryState,
    ReflectionState,
    ScenarioState,
    TailoringState,
)

FULL = ConversationState(
    notice_given=True,
    last_entry_id="marac-what-is",
    tailoring=TailoringState(agency="police", offered=True),
    reflection=ReflectionState(id="conflict-or-abuse", step=2, answers={"fear": "yes", "control": "not_sure"},
                               danger=True),
    scenario=ScenarioState(scenario="seemed-well", step="at_the_door", path=("at_the_incident", "at_the_door"),
                           covered={"at_the_incident": ("speak_with_children",)}, choices={"next": "share"},
                           paused=True, group="ABC123"),
    directory=DirectoryState(area="Demoshire", search=DirectorySearch("Demoshire", ("refuge",), (13, 17), "child", 3,
                                                                      services=("dem-refuge-1", "dem-idva-2"))),
)


def slots_after(events):
    values = {e["name"]: e["value"] for e in events}
    return values.get


def test_every_feature_state_round_trips():
    events = slot_events(ConversationState(), FULL)
    assert state_from_slots(slots_after(events)) == FULL


def test_a_single_age_round_trips_as_a_number():
    state = ConversationState(directory=DirectoryState(search=DirectorySearch(age=7)))
    assert state_from_slots(slots_after(slot_events(ConversationState(), state))).directory.search.age == 7


def test_only_changed_slots_are_written():
    after = FULL.with_(last_entry_id="dash-checklist", scenario=None)
    assert slot_events(FULL, after) == [SlotSet("last_entry_id", "dash-checklist"), SlotSet("scenario", None)]


def test_no_change_writes_nothing():
    assert slot_events(FULL, FULL) == []
