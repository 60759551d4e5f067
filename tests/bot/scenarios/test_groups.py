"""Group sessions: a code the assistant makes, trainees joining it, counts only, and the HTML report."""

import re
from collections import Counter

import pytest

from bot.dialogue.state import ConversationState, ScenarioState
from bot.dialogue.types import Entity, Turn
from bot.insight.counters import counts
from bot.insight.disclosure import show_count, shown
from bot.scenarios.engine import ScenarioEngine
from bot.scenarios.groups import DatabaseCounters, Groups, choices_of, group_of, with_group
from bot.scenarios.handler import ScenarioPlayHandler, ScenarioRequestHandler
from bot.scenarios.report import group_report

GOOD = ("I would speak with the children who are old enough, not rely on appearances, record what I saw and "
        "how I reached my view, and treat them as victims in their own right.")
GOOD_3 = "His history, the risk to the baby, the children's views and specialist support for the mother."


class MemoryCounters:
    """The counters interface in memory."""

    def __init__(self):
        self.rows = Counter()

    def count(self, kind, key, by=1):
        self.rows[(kind, key)] += by

    def totals(self, kind):
        return {key: n for (k, key), n in self.rows.items() if k == kind}


@pytest.fixture
def groups():
    return Groups(MemoryCounters())


@pytest.fixture
def engine(library, groups):
    return ScenarioEngine(library, groups)


def test_counts_of_one_to_four_are_never_shown_exactly():
    assert [show_count(n) for n in (0, 1, 4, 5, 12)] == ["0", "fewer than 5", "fewer than 5", "5", "12"]
    assert shown(3).value is None and shown(7).value == 7
    with pytest.raises(ValueError):
        shown(-1)


def test_the_group_code_rides_in_the_state_and_never_shows_as_a_choice():
    state = with_group(ScenarioState("seemed-well", "at_the_incident"), "ABC123")
    assert group_of(state) == "ABC123" and state.group == "ABC123" and state.choices == {}
    assert choices_of(state) == {}


@pytest.mark.parametrize("text, expected", [
    ("start scenario seemed_well for group ABC123", ("open", "ABC123", "seemed-well")),
    ("Start the scenario seemed-well for group abc123.", ("open", "ABC123", "seemed-well")),
    ("start scenario seemed_well for a group", ("open", None, "seemed-well")),
    ("run the training scenario seemed-well as a group session", ("open", None, "seemed-well")),
    ("join group ABC123", ("join", "ABC123", None)),
    ("I'd like to join group xk42pq please", ("join", "XK42PQ", None)),
    ("group code ABC123", ("join", "ABC123", None)),
    ("I would start a group for the parents", None),
])
def test_group_requests(engine, text, expected):
    assert engine.group_request(text) == expected


def turn(text, state=None, **entities):
    return Turn(text=text, intent=None, entities=tuple(Entity(k, v) for k, v in entities.items()),
                state=ConversationState(scenario=state))


def test_a_trainer_opens_a_session_and_trainees_join_and_are_counted(engine, groups):
    request = ScenarioRequestHandler(lambda: engine, lambda text: None)
    play = ScenarioPlayHandler(lambda: engine)
    opened = request.handle(turn("start scenario seemed_well for a group"), engine, None)
    code = opened.messages[0].custom["code"]
    assert re.fullmatch(r"[A-Z2-9]{6}", code)
    assert opened.messages[0].text.startswith(f"Group {code} is open for the scenario ''They seem well'")
    assert opened.state.scenario is None
    joined = request.handle(turn(f"join group {code.lower()}"), engine, None)
    assert [m.type for m in joined.messages] == ["scenario_group_joined", "scenario_intro", "scenario_step"]
    state = joined.state.scenario
    assert group_of(state) == code
    state = play.handle(turn("I spoke to the kids", state), engine, None).state.scenario
    state = play.handle(turn('/scenario_answer{"choice":"share_and_assess"}', state, choice="share_and_assess"),
                        engine, None).state.scenario
    end = play.handle(turn(GOOD_3, state), engine, None)
    assert end.state.scenario is None and "scenario_summary" in [m.type for m in end.messages]
    results = groups.results(code)
    assert results.counts == {"joined": 1, "at_the_incident/answered": 1, "at_the_incident/point/speak_with_children": 1,
                              "new_partner/choice/share_and_assess": 1, "assessment/answered": 1,
                              "assessment/point/his_behaviour_and_history": 1, "assessment/point/baby_vulnerability": 1,
                              "assessment/point/children_information": 1, "assessment/point/support_for_mother": 1,
                              "finished": 1}


def test_an_unknown_code_is_said_so_and_a_typed_code_is_never_used(engine, groups):
    request = ScenarioRequestHandler(lambda: engine, lambda text: None)
    unknown = request.handle(turn("join group ZZZZ99"), engine, None)
    assert unknown.messages[0].text == "I don't know that group code. Please check it with your trainer."
    assert unknown.state.scenario is None
    typed = request.handle(turn("start scenario seemed_well for group ABC123"), engine, None)
    assert typed.messages[0].text == "I make group codes myself, so the code you typed is not used."
    code = typed.messages[1].custom["code"]
    assert code != "ABC123" and groups.scenario_for("ABC123") is None and groups.scenario_for(code) == "seemed-well"
    again = request.handle(turn("start scenario seemed_well for a group"), engine, None)
    assert again.messages[0].custom["code"] != code, "every session gets a code of its own"


def test_the_database_counters_keep_only_ids_and_counts(settings, library):
    counters = DatabaseCounters(settings.database_url)
    groups = Groups(counters)
    assert groups.open("QQ7777", "seemed-well") is None
    groups.record("QQ7777", "seemed-well", "joined")
    groups.record("QQ7777", "seemed-well", "joined")
    assert groups.results("qq7777").get("joined") == 2
    keys = [row.key for row in counts(counters.engine) if row.key.startswith("QQ7777")]
    assert sorted(keys) == ["QQ7777/seemed-well", "QQ7777/seemed-well/joined"]


def test_the_report_shows_counts_per_step_choices_and_points_missed(library, groups):
    groups.open("ABC123", "seemed-well")
    for _ in range(12):
        groups.record("ABC123", "seemed-well", "joined")
        groups.record("ABC123", "seemed-well", "at_the_incident", "answered")
    for _ in range(9):
        groups.record("ABC123", "seemed-well", "at_the_incident", "point", "speak_with_children")
    for _ in range(3):
        groups.record("ABC123", "seemed-well", "new_partner", "choice", "note_on_file")
    html = group_report(library.get("seemed-well"), groups.results("ABC123"))
    assert html.startswith("<!DOCTYPE html>") and "<script" not in html and "http" not in html.replace(
        'xmlns="http://www.w3.org/2000/svg"', "")
    assert 'Trainees who joined: <strong data-count="joined">12</strong>' in html
    assert '<tr data-key="point:speak_with_children"><td class="">Speak with children</td><td class="count">9</td>' in html
    assert '<tr data-key="choice:note_on_file"><td class="">Note it on file; the children seemed well last time</td>' \
           '<td class="count">fewer than 5</td>' in html
    assert '<li data-point="look_beyond_appearances"><strong>Look beyond appearances</strong>: missed by 12 of 12.' in html
    assert html.count("<svg") == 3  # one bar chart per step
