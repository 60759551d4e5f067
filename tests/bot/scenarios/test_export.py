"""Exporting scenarios as conversation tests, and the ``bot scenarios`` commands."""

import json

import pytest
import yaml
from click.testing import CliRunner

from bot import cli
from bot.config import PROJECT_ROOT
from bot.scenarios.engine import ScenarioEngine
from bot.scenarios.export import OPENING_NOTICE, play_script

SCENARIOS = ["both-called-police", "covid-kept-out", "placed-with-father", "seemed-well", "three-notifications"]
BROKEN = PROJECT_ROOT / "tests" / "data" / "scenarios_broken"


@pytest.fixture
def runner():
    return CliRunner(mix_stderr=False)


def replay(library, turns):
    """Play a script the way the dialogue does, checking each reply (what the conversation tests do)."""
    engine, state = ScenarioEngine(library), None
    for turn in turns:
        send = turn["user"]
        if send.startswith("/start_scenario"):
            play = engine.start(json.loads(send[len("/start_scenario"):])["scenario_id"])
        elif send.startswith("/scenario_answer"):
            play = engine.choose(state, json.loads(send[len("/scenario_answer"):])["choice"])
        else:
            play = engine.handle(state, send)
        types = [OPENING_NOTICE, *play.custom_types] if turn is turns[0] else play.custom_types
        assert types == turn["expect"], send
        for text in turn["texts"]:
            assert text in play.text, (send, text)
        for text in turn.get("not_texts", []):
            assert text not in play.text, (send, text)
        state = play.state
    return play


@pytest.mark.parametrize("answers", ["good", "poor"])
@pytest.mark.parametrize("scenario_id", SCENARIOS)
def test_every_shipped_scenario_exports_a_play_that_passes(library, scenario_id, answers):
    turns = play_script(library, scenario_id, answers)
    assert turns[0]["user"] == f'/start_scenario{{"scenario_id":"{scenario_id}"}}'
    last = replay(library, turns)
    assert last.finished
    assert turns[-1]["texts"][-1] in last.messages[-1].text
    if answers == "good":
        assert all("You missed:" not in t["texts"] for t in turns)
        assert "You covered every key point. Well done." in turns[-1]["texts"]
    else:
        assert "Principles to revisit:" in turns[-1]["texts"]


def test_the_poor_play_expects_the_missed_points_by_name(library):
    turns = play_script(library, "seemed-well", "poor")
    answer = turns[1]
    assert answer["user"].startswith("The children seemed well, sitting quietly watching TV")
    assert "You missed:" in answer["texts"]
    assert ("Speak with the children who are old enough, directly. In some of the reviewed cases, children were "
            "seen but not spoken with, partly because they 'seemed well'.") in answer["texts"]
    assert "You planned to speak with the children directly, not only to see them." in answer["not_texts"]
    assert turns[2]["user"] == '/scenario_answer{"choice":"note_on_file","step":"new_partner"}'  # a poor play takes a worse branch


def test_each_turn_names_the_reply_types_it_must_carry(library):
    turns = play_script(library, "placed-with-father", "good")
    assert [t["expect"] for t in turns] == [
        ["opening_notice", "scenario_intro", "scenario_step"],  # the menu button, opening the conversation
        ["scenario_feedback", "scenario_step"],  # a typed answer
        ["scenario_choice_feedback", "scenario_step"],  # a branch button
        ["scenario_feedback", "scenario_debrief", "scenario_summary"],  # the last typed answer
    ]
    assert [t["user"] for t in turns[::2]] == [
        '/start_scenario{"scenario_id":"placed-with-father"}', '/scenario_answer{"choice":"whole_picture_first","step":"where_to_live"}']


def test_export_command_writes_the_conversation_test(runner, tmp_path):
    play = tmp_path / "play.yml"
    result = runner.invoke(cli.cli, ["scenarios", "export", "covid-kept-out", "--answers", "poor", "--play", str(play)])
    assert result.exit_code == 0, result.output + result.stderr
    assert result.output.splitlines() == [f"Wrote 3 turns to {play}"]
    (conversation,) = yaml.safe_load(play.read_text())["conversations"]
    assert conversation["name"] == "scenario covid-kept-out, poor answers"
    turns = conversation["turns"]
    assert [t["user"] for t in turns][0] == '/start_scenario{"scenario_id":"covid-kept-out"}'
    assert "She said everything is fine, so I would close the case." == turns[2]["user"]
    assert turns[2]["expect"] == ["scenario_feedback", "scenario_debrief", "scenario_summary"]
    assert play.read_text().startswith("# Conversation test: scenario 'covid-kept-out' played with the poor")


def test_export_of_an_unknown_scenario_fails(runner):
    result = runner.invoke(cli.cli, ["scenarios", "export", "nope"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Unknown scenario 'nope'. Loaded: both-called-police, covid-kept-out")


def test_validate_command(runner):
    ok = runner.invoke(cli.cli, ["scenarios", "validate"])
    assert ok.exit_code == 0, ok.stderr
    assert ok.output.startswith("OK: 5 scenario(s), 14 steps, ")
    broken = runner.invoke(cli.cli, ["scenarios", "validate", str(BROKEN / "unknown_entry.yml")])
    assert broken.exit_code == 1
    assert broken.stderr.splitlines() == [
        "1 problem(s):",
        "  - tests/data/scenarios_broken/unknown_entry.yml: step 'first_visit': key_points[1].entry: "
        "unknown knowledge entry 'voice-of-the-baby' (did you mean 'voice-of-the-child'?)"]


def test_validate_a_folder_lists_every_problem(runner):
    result = runner.invoke(cli.cli, ["scenarios", "validate", str(BROKEN)])
    assert result.exit_code == 1
    assert result.stderr.startswith("27 problem(s):")
    assert "tests/data/scenarios_broken/cycle_without_end.yml: step 'decide': next: goes round" in result.stderr


def test_list_command(runner):
    result = runner.invoke(cli.cli, ["scenarios", "list"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert [line.split("\t")[0] for line in lines] == SCENARIOS
    assert lines[3].split("\t")[1:] == ["'They seem well': the 18-month-old",
                                        "Police officers, health practitioners and children's social care practitioners",
                                        "3 steps"]


def test_match_command_shows_the_words_compared(runner):
    result = runner.invoke(cli.cli, ["scenarios", "match", "speak with the children", "I spoke to the kids"])
    assert result.output.splitlines() == ["phrase: speak child", "answer: speak child", "match"]
    missed = runner.invoke(cli.cli, ["scenarios", "match", "speak with the children", "I would not talk to the kids"])
    assert missed.output.splitlines()[-1] == "no match"
