"""Scenario files edited while the assistant runs: a broken draft blocks nothing and is reported;
a trainee whose step was renamed mid-play is told so and can start again.

These servers read a copy of the knowledge folder (DASG_KNOWLEDGE_DIR), so the test can edit
scenario files without touching the shipped ones.
"""

from __future__ import annotations

import shutil
import time

import pytest
import yaml

from bot.config import PROJECT_ROOT, load_settings
from bot.knowledge.store import make_engine, save_knowledge
from bot.runtime.servers import start_servers
from bot.scenarios.live import scenario_problems
from tests.conftest import SERVER_LOGS, free_port
from tests.conversation.conftest import Chat, kinds, texts

pytestmark = pytest.mark.conversation


@pytest.fixture(scope="module")
def copy_servers(trained_model, tmp_path_factory, knowledge):
    var = tmp_path_factory.mktemp("scenario-changes")
    folder = var / "knowledge"
    shutil.copytree(PROJECT_ROOT / "knowledge", folder)
    database_url = f"sqlite:///{var / 'knowledge.db'}"
    save_knowledge(make_engine(database_url), knowledge)
    # The project's var folder: its unpacked encoder and cached embeddings (by text hash) save half a minute.
    env = {"DASG_DATABASE_URL": database_url, "DASG_VAR_DIR": str(load_settings().var_dir),
           "DASG_TRACKER_DB": str(var / "tracker.db"), "DASG_KNOWLEDGE_DIR": str(folder)}
    running = start_servers(trained_model, rasa_port=free_port(), action_port=free_port(), env=env, log_dir=var)
    SERVER_LOGS.append(var / "actions.log")
    running.scenarios = folder / "scenarios"
    running.log = var / "actions.log"
    yield running
    running.stop()


def wait_for_reload() -> None:
    time.sleep(0.05)  # a new modification time for the file


def test_a_broken_draft_and_a_renamed_step(copy_servers):
    scenarios = copy_servers.scenarios
    trainee = Chat(copy_servers.rest_url)
    trainee.send('/start_scenario{"scenario_id":"three-notifications"}')
    step_two = trainee.send("I would check previous notifications and the history of incidents")
    assert "What should happen now?" in "\n".join(texts(step_two))

    # A trainer saves a half-written draft: the others still play, and the draft is reported.
    (scenarios / "draft.yml").write_text("id: draft\ntitle: [unclosed\n")
    other = Chat(copy_servers.rest_url)
    assert "scenario_step" in kinds(other.send('/start_scenario{"scenario_id":"covid-kept-out"}'))
    problems = scenario_problems(scenarios, scenarios.parent)
    assert len(problems) == 1 and problems[0].startswith(f"{scenarios / 'draft.yml'}: not valid YAML")
    assert "draft.yml: not valid YAML" in copy_servers.log.read_text()

    # The trainer renames the step the trainee is at.
    wait_for_reload()
    path = scenarios / "three_notifications.yml"
    data = yaml.safe_load(path.read_text())
    data["steps"][1]["id"] = "more_reports"
    data["steps"][0]["next"] = "more_reports"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    changed = trainee.send("Link the notifications and start an assessment")
    assert kinds(changed) == ["scenario_changed"]
    said = "\n".join(texts(changed))
    assert said == ("The scenario 'The three-month-old and three separate notifications' has been changed since you "
                    "started it, so I can't carry on from where you were. Would you like to start it again?")
    restart = [b for r in changed for b in r.get("buttons", [])]
    assert [b["title"] for b in restart] == ["Start it again"]
    again = trainee.send(restart[0]["payload"])
    assert kinds(again) == ["scenario_intro", "scenario_step"]
