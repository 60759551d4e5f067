"""The running assistant's scenarios: one broken file never blocks the others, and is reported."""

import shutil

import pytest
import yaml

from bot.config import PROJECT_ROOT
from bot.scenarios.engine import ScenarioEngine
from bot.scenarios.live import LiveScenarios, scenario_problems

KNOWLEDGE_DIR = PROJECT_ROOT / "knowledge"
SHIPPED = KNOWLEDGE_DIR / "scenarios"
BROKEN = PROJECT_ROOT / "tests" / "data" / "scenarios_broken"


@pytest.fixture
def folder(tmp_path):
    folder = tmp_path / "scenarios"
    folder.mkdir()
    for name in ("_settings.yml", "_synonyms.yml", "seemed_well.yml", "three_notifications.yml"):
        shutil.copy(SHIPPED / name, folder / name)
    return folder


@pytest.fixture
def live(folder):
    return LiveScenarios(folder, KNOWLEDGE_DIR)


def edit(path, change):
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def test_a_broken_edit_keeps_the_file_s_last_good_version_and_says_where(folder, live):
    before = live.library()
    assert sorted(before.scenarios) == ["seemed-well", "three-notifications"] and before.problems == ()
    edit(folder / "seemed_well.yml", lambda d: d["steps"][0]["key_points"][0].update(entry="voice-of-the-chid"))
    after = live.library()
    assert after.get("seemed-well") is before.get("seemed-well")  # the last good version plays on
    assert after.get("three-notifications") is before.get("three-notifications")
    assert after.problems == (
        f"{folder / 'seemed_well.yml'}: step 'at_the_incident': key_points[1].entry: unknown knowledge entry "
        "'voice-of-the-chid' (did you mean 'voice-of-the-child'?)",)


def test_fixing_the_file_loads_it_and_clears_its_problem(folder, live):
    live.library()
    text = (folder / "three_notifications.yml").read_text()
    (folder / "three_notifications.yml").write_text(text.replace("question: What should happen now?", "questoin: x"))
    assert live.problems() and live.library().get("three-notifications").steps[1].question == "What should happen now?"
    (folder / "three_notifications.yml").write_text(text.replace("What should happen now?", "What happens now?"))
    assert live.problems() == []
    assert live.library().get("three-notifications").steps[1].question == "What happens now?"


def test_a_new_broken_file_is_left_out_and_the_others_load(folder, live):
    shutil.copy(BROKEN / "bad_yaml.yml", folder / "draft.yml")
    library = live.library()
    assert sorted(library.scenarios) == ["seemed-well", "three-notifications"]
    (problem,) = library.problems
    assert problem.startswith(f"{folder / 'draft.yml'}: not valid YAML") and "line 12, column 4" in problem


def test_broken_settings_keep_the_last_good_settings(folder, live):
    live.library()
    text = (folder / "_settings.yml").read_text()
    (folder / "_settings.yml").write_text(text.replace("{covered} of {total}", "{covred} of {total}"))
    library = live.library()
    assert len(library.scenarios) == 2 and library.settings.texts["objective_line"].endswith("{covered} of {total} points")
    assert any("texts.objective_line: unknown placeholder '{covred}'" in p for p in library.problems)


def test_scenario_problems_lists_every_file_that_fails_for_bot_run(folder):
    assert scenario_problems(folder, KNOWLEDGE_DIR) == []
    shutil.copy(BROKEN / "unknown_objective.yml", folder / "draft.yml")
    assert scenario_problems(folder, KNOWLEDGE_DIR) == [
        f"{folder / 'draft.yml'}: step 'first_visit': key_points[1].objective: unknown objective 'listen'",
        f"{folder / 'draft.yml'}: objectives[1]: objective 'voice' is not served by any key point"]


def test_a_step_renamed_mid_play_is_told_and_offered_a_restart(folder, live):
    engine = ScenarioEngine(live.library())
    state = engine.answer(engine.start("three-notifications").state, "I would check previous notifications").state
    assert state.step == "more_notifications"
    edit(folder / "three_notifications.yml", lambda d: (d["steps"][1].update(id="more_reports"),
                                                        d["steps"][0].update(next="more_reports")))
    engine = ScenarioEngine(live.library())
    assert not engine.playing(state)
    play = engine.changed(state)
    (message,) = play.messages
    assert message.text == ("The scenario 'The three-month-old and three separate notifications' has been changed "
                            "since you started it, so I can't carry on from where you were. Would you like to start "
                            "it again?")
    assert message.custom["type"] == "scenario_changed" and play.state is None
    assert [(b.title, b.payload) for b in message.buttons] == [
        ("Start it again", '/start_scenario{"scenario_id":"three-notifications"}')]


def test_with_the_encoder_off_answers_are_marked_by_words(folder, monkeypatch):
    from bot.scenarios.live import live_scenarios

    monkeypatch.setenv("DASG_ENCODER", "off")
    library = live_scenarios(folder, KNOWLEDGE_DIR).library()
    assert library.marker.meaning is None
    step = library.get("seemed-well").first
    assert library.marker.mark(step, "I'd have a chat with them on their own").covered == ("speak_with_children",)
