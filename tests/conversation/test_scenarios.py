"""Training scenarios played end to end through the running assistant.

Every shipped scenario is exported with `bot scenarios export` (good and poor model
answers) as a conversation test and sent over the REST channel; each reply must have the
custom types the test expects, in order, and contain the feedback it expects.
"""

from __future__ import annotations

import pytest
import yaml
from click.testing import CliRunner

from bot.cli import cli
from bot.config import load_settings
from bot.scenarios.live import LiveScenarios
from tests.conversation.conftest import kinds, messages, texts

pytestmark = pytest.mark.conversation
SCENARIOS = sorted(LiveScenarios(load_settings().scenarios_dir, load_settings().knowledge_dir).library().scenarios)
REMINDER = "If a child or adult is in immediate danger now, call 999."


def export_play(tmp_path, scenario_id: str, answers: str) -> list[dict]:
    out = tmp_path / f"{scenario_id}-{answers}.yml"
    result = CliRunner().invoke(cli, ["scenarios", "export", scenario_id, "--answers", answers, "--play", str(out)])
    assert result.exit_code == 0, result.output
    (conversation,) = yaml.safe_load(out.read_text())["conversations"]
    return conversation["turns"]


@pytest.mark.parametrize("answers", ["good", "poor"])
@pytest.mark.parametrize("scenario_id", SCENARIOS)
def test_scenario_plays_end_to_end(new_chat, tmp_path, scenario_id, answers):
    chat = new_chat()
    turns = export_play(tmp_path, scenario_id, answers)
    for number, turn in enumerate(turns):
        replies = chat.send(turn["user"])
        said = "\n".join(texts(replies))
        assert kinds(replies) == turn["expect"], f"turn {number} ({turn['user'][:60]!r}): types\n--- reply ---\n{said}"
        missing = [e for e in turn["texts"] if e not in said]
        assert not missing, f"turn {number} ({turn['user'][:60]!r}): missing {missing}\n--- reply ---\n{said}"
        unexpected = [e for e in turn.get("not_texts", []) if e in said]
        assert not unexpected, f"turn {number}: unexpected {unexpected}\n--- reply ---\n{said}"
    assert "scenario_summary" in kinds(replies)


def test_poor_answers_name_the_missed_points(new_chat):
    chat = new_chat()
    chat.send('/start_scenario{"scenario_id":"seemed-well"}')
    said = "\n".join(texts(chat.send("I would note that the children seemed well and close the case")))
    assert "You missed:" in said
    assert "speak with the children" in said.lower() or "speak to the children" in said.lower()


def test_typed_request_lists_the_scenarios_then_a_button_starts_one(new_chat):
    chat = new_chat()
    menu = chat.send("I'd like to practise on a training case")
    assert "scenario_menu" in kinds(menu)
    buttons = [b for r in menu for b in r.get("buttons", [])]
    assert len(buttons) == len(SCENARIOS)
    first = chat.send(buttons[0]["payload"])
    assert "scenario_step" in kinds(first) and REMINDER in "\n".join(texts(first))


def test_violent_case_talk_is_part_of_the_exercise_not_an_emergency(new_chat):
    chat = new_chat()
    chat.send('/start_scenario{"scenario_id":"both-called-police"}')
    replies = chat.send("he punched her and strangled her, she says he will kill her - I would do a DASH with her alone")
    assert "immediate_danger" not in kinds(replies)
    assert "scenario_feedback" in kinds(replies)


def test_pause_question_continue_quit_and_start_again(new_chat):
    chat = new_chat()
    first = "\n".join(texts(chat.send('/start_scenario{"scenario_id":"covid-kept-out"}')))
    paused = chat.send("pause")
    assert "scenario_paused" in kinds(paused)
    # While paused the assistant is itself again: questions and the 999 check work as usual.
    answer = chat.send("what is operation encompass?")
    assert "guidance" in kinds(answer)
    assert "immediate_danger" in kinds(chat.send("he is hitting her right now"))
    resumed = chat.send("continue")
    assert "scenario_resumed" in kinds(resumed)
    assert "COVID-19" in "\n".join(texts(resumed)) and "COVID-19" in first
    assert "scenario_quit" in kinds(chat.send("quit"))
    again = chat.send('/start_scenario{"scenario_id":"covid-kept-out"}')
    assert "scenario_step" in kinds(again)


def test_knowledge_question_mid_scenario_is_answered_and_offers_to_continue(new_chat):
    chat = new_chat()
    chat.send('/start_scenario{"scenario_id":"three-notifications"}')
    replies = chat.send("what does MARAC stand for?")
    assert kinds(replies)[0] == "guidance"
    assert "Source:" in "\n".join(texts(replies))
    assert "scenario_continue_offer" in kinds(replies)
    carry_on = [b["payload"] for r in replies for b in r.get("buttons", [])]
    assert "continue" in carry_on
    resumed = chat.send("continue")
    assert "scenario_step" in kinds(resumed)


def test_the_summary_lists_the_options_chosen_and_part_of_a_label_chooses(new_chat):
    chat = new_chat()
    chat.send('/start_scenario{"scenario_id":"seemed-well"}')
    nothing = "\n".join(texts(chat.send("I would leave and get back to the station")))
    assert "Your answer did not cover any of the key points for this step." in nothing
    assert "yet" not in nothing.split("You missed:")[0]
    chosen = chat.send("share it with partner agencies")  # part of the best option's label
    assert kinds(chosen)[0] == "scenario_choice_feedback"
    assert "You chose: Share it with partner agencies and ask for the risk to the children to be assessed" in \
        "\n".join(texts(chosen))
    end = messages(chat.send("His history, the risk to the baby, the children's views and specialist support for mum."))
    summary = next(m for m in end if m.get("custom", {}).get("type") == "scenario_summary")
    assert "Your choices:" in summary["text"]
    assert ("- What do you do with this information? You chose: Share it with partner agencies and ask for the risk to "
            "the children to be assessed. This is a change in risk") in summary["text"]
    assert summary["custom"]["chosen"][0] == {"step_id": "new_partner", "choice": "share_and_assess", "best": True,
                                              "label": "Share it with partner agencies and ask for the risk to the "
                                                       "children to be assessed"}


def test_a_point_made_as_a_question_is_marked_as_an_answer(new_chat):
    chat = new_chat()
    chat.send('/start_scenario{"scenario_id":"covid-kept-out"}')
    replies = messages(chat.send("Is he using lockdown as an excuse to isolate them from us?"))
    feedback = next(m for m in replies if m.get("custom", {}).get("type") == "scenario_feedback")
    assert "isolation_tactic" in feedback["custom"]["covered"]
