"""Exporting scenarios as conversation tests, and the ``bot scenarios`` commands."""

import json

import pytest
import yaml
from click.testing import CliRunner

from bot import cli
from bot.config import PROJECT_ROOT
from bot.nlp.pipeline import analyser_for
from bot.scenarios import ScenarioEngine, load_scenarios
from bot.scenarios.export import play_script, test_stories as stories_for
from tests.conftest import KNOWLEDGE_DIR, TEST_DATA

SCENARIOS = ["both-called-police", "covid-kept-out", "placed-with-father", "seemed-well", "three-notifications"]


@pytest.fixture(scope="module")
def library(knowledge):
    return load_scenarios(PROJECT_ROOT / "knowledge" / "scenarios", knowledge, analyser_for(KNOWLEDGE_DIR).nlp)


@pytest.fixture
def runner():
    return CliRunner(mix_stderr=False)


def replay(library, turns):
    """Play a script the way the dialogue does, checking each reply (what the conversation tests do)."""
    engine, state = ScenarioEngine(library), None
    for turn in turns:
        send = turn["send"]
        if send.startswith("/start_scenario"):
            play = engine.start(json.loads(send[len("/start_scenario"):])["scenario_id"])
        elif send.startswith("/scenario_answer"):
            play = engine.choose(state, json.loads(send[len("/scenario_answer"):])["choice"])
        else:
            play = engine.handle(state, send)
        for text in turn["expect"]:
            assert text in play.text, (send, text)
        for text in turn.get("expect_not", []):
            assert text not in play.text, (send, text)
        state = play.state
    return play


@pytest.mark.parametrize("answers", ["good", "poor"])
@pytest.mark.parametrize("scenario_id", SCENARIOS)
def test_every_shipped_scenario_exports_a_play_that_passes(library, scenario_id, answers):
    turns = play_script(library, scenario_id, answers)
    assert turns[0]["send"] == f'/start_scenario{{"scenario_id":"{scenario_id}"}}'
    last = replay(library, turns)
    assert last.finished
    assert turns[-1]["expect"][-1] in last.messages[-1].text
    if answers == "good":
        assert all("You missed:" not in t["expect"] for t in turns)
        assert "You covered every key point. Well done." in turns[-1]["expect"]
    else:
        assert "Principles to revisit:" in turns[-1]["expect"]


def test_the_poor_play_expects_the_missed_points_by_name(library):
    turns = play_script(library, "seemed-well", "poor")
    answer = turns[1]
    assert answer["send"].startswith("The children seemed well, sitting quietly watching TV")
    assert "You missed:" in answer["expect"]
    assert ("Speak with the children who are old enough, directly. In some of the reviewed cases, children were "
            "seen but not spoken with, partly because they 'seemed well'.") in answer["expect"]
    assert "You planned to speak with the children directly, not only to see them." in answer["expect_not"]
    assert turns[2]["send"] == '/scenario_answer{"choice":"note_on_file"}'  # a poor play takes a worse branch


def test_stories_follow_the_play(library):
    stories = stories_for(library, "placed-with-father", "good")
    assert stories["version"] == "3.1"
    (story,) = stories["stories"]
    assert story["story"] == "scenario placed-with-father, good answers"
    assert story["steps"] == [
        {"intent": "start_scenario", "entities": [{"scenario_id": "placed-with-father"}]}, {"action": "action_scenario"},
        {"intent": "scenario_answer"}, {"action": "action_scenario"},
        {"intent": "scenario_answer", "entities": [{"choice": "whole_picture_first"}]}, {"action": "action_scenario"},
        {"intent": "scenario_answer"}, {"action": "action_scenario"},
    ]


def test_export_command_writes_both_files(runner, tmp_path):
    play, stories = tmp_path / "play.yml", tmp_path / "stories.yml"
    result = runner.invoke(cli.cli, ["scenarios", "export", "covid-kept-out", "--answers", "poor",
                                     "--play", str(play), "--stories", str(stories)])
    assert result.exit_code == 0, result.output + result.stderr
    assert result.output.splitlines() == [f"Wrote 3 turns to {play}", f"Wrote a test story to {stories}"]
    turns = yaml.safe_load(play.read_text())
    assert [t["send"] for t in turns][0] == '/start_scenario{"scenario_id":"covid-kept-out"}'
    assert "She said everything is fine, so I would close the case." == turns[2]["send"]
    assert yaml.safe_load(stories.read_text())["stories"][0]["steps"][2] == {"intent": "scenario_answer"}


def test_export_of_an_unknown_scenario_fails(runner):
    result = runner.invoke(cli.cli, ["scenarios", "export", "nope"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Unknown scenario 'nope'. Loaded: both-called-police, covid-kept-out")


def test_validate_command(runner):
    ok = runner.invoke(cli.cli, ["scenarios", "validate"])
    assert ok.exit_code == 0, ok.stderr
    assert ok.output.startswith("OK: 5 scenario(s), 14 steps, ")
    broken = runner.invoke(cli.cli, ["scenarios", "validate", str(TEST_DATA / "scenarios_broken" / "unknown_entry.yml")])
    assert broken.exit_code == 1
    assert broken.stderr.splitlines() == [
        "1 problem(s):",
        "  - tests/data/scenarios_broken/unknown_entry.yml: step 'first_visit': key_points[1].entry: "
        "unknown knowledge entry 'voice-of-the-baby' (see knowledge/entries)"]


def test_validate_a_folder_lists_every_problem(runner):
    result = runner.invoke(cli.cli, ["scenarios", "validate", str(TEST_DATA / "scenarios_broken")])
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
