"""Playing a scenario: the menu, steps, feedback, branches, commands, questions and the summary."""

import copy
import json
from dataclasses import asdict, replace

import pytest

from bot.dialogue.state import ScenarioState
from bot.dialogue.types import Button

REMINDER = "This is a training exercise. If a child or adult is in immediate danger now, call 999."
VOICES = "Panel Briefing 2 (2022), 'Children's voices and their experiences of services'"
GOOD_1 = ("I would speak with the children who are old enough, not rely on appearances, record what I saw and "
          "how I reached my view, and treat them as victims in their own right.")


@pytest.fixture
def started(engine):
    return engine.start("seemed-well").state


def test_menu_lists_every_scenario_as_a_button(engine):
    (menu,) = engine.menu()
    assert menu.text == "Which scenario would you like to play?"
    assert [b.payload for b in menu.buttons][:2] == [
        '/start_scenario{"scenario_id":"both-called-police"}', '/start_scenario{"scenario_id":"covid-kept-out"}']
    assert len(menu.buttons) == 5 and menu.custom["type"] == "scenario_menu"
    assert "The teenager placed with the father they feared" in [b.title for b in menu.buttons]


def test_start_introduces_the_case_and_asks_the_first_question(engine):
    play = engine.start("seemed-well")
    intro, step = play.messages
    assert intro.text.splitlines()[0] == "Training scenario: 'They seem well': the 18-month-old"
    assert "- Speak with children directly and look beyond how they appear" in intro.text
    assert f"Based on a case in {VOICES}." in intro.text
    lines = step.text.splitlines()
    assert lines[0] == "Step 1"
    assert lines[2] == "What would you do about the children before you leave, and what would you record?"
    assert lines[-1] == REMINDER
    assert play.custom_types == ["scenario_intro", "scenario_step"]
    assert play.state == ScenarioState(scenario="seemed-well", step="at_the_incident", path=("at_the_incident",),
                                       covered={}, choices={}, paused=False)


def test_unknown_scenario_offers_the_menu_again(engine):
    play = engine.start("no-such-case")
    assert play.state is None
    assert play.messages[0].text.startswith("I couldn't find that training scenario.")
    assert len(play.messages[0].buttons) == 5


def test_a_good_answer_lists_every_point_covered_with_its_source(engine, started):
    play = engine.answer(started, GOOD_1)
    feedback, step = play.messages
    assert feedback.text.splitlines() == [
        "You covered:",
        f"- You planned to speak with the children directly, not only to see them. ({VOICES})",
        f"- You looked beyond appearances; being calm and quiet does not mean a child is unharmed. ({VOICES})",
        f"- You planned to record what you actually observed and how you reached your view. ({VOICES})",
        "- You treated the children as victims of the abuse in their own right. "
        "(Panel Briefing 2 (2022), 'Children as victims of domestic abuse')",
        "You covered every key point for this step.",
    ]
    assert step.text.splitlines()[2] == "What do you do with this information?"
    assert [b.payload for b in step.buttons] == [
        '/scenario_answer{"choice":"note_on_file","step":"new_partner"}',
        '/scenario_answer{"choice":"share_and_assess","step":"new_partner"}',
        '/scenario_answer{"choice":"advise_mother","step":"new_partner"}']
    assert play.state.covered == {"at_the_incident": (
        "speak_with_children", "look_beyond_appearances", "record_what_was_seen", "children_as_victims")}


def test_a_partial_answer_says_what_was_missed_and_why_it_matters(engine, started):
    feedback = engine.answer(started, "I spoke to the kids and then left.").messages[0]
    lines = feedback.text.splitlines()
    assert lines[:2] == ["You covered:", f"- You planned to speak with the children directly, not only to see them. ({VOICES})"]
    assert lines[2] == "You missed:"
    assert lines[3] == (f"- Look beyond appearances. Being calm and not in obvious distress does not tell you how a child "
                        f"is, and children who seemed well were not asked about their experience. ({VOICES})")
    assert feedback.custom["missed"] == ["look_beyond_appearances", "record_what_was_seen", "children_as_victims"]


def test_a_negated_answer_covers_nothing(engine, started):
    feedback = engine.answer(started, "I would not speak to the children, they seemed well.").messages[0]
    assert feedback.text.splitlines()[0] == "Your answer did not cover any of the key points for this step."
    assert "- Speak with the children who are old enough, directly." in feedback.text


def test_an_empty_answer_asks_again_without_moving_on(engine, started):
    play = engine.answer(started, "  the  ")
    assert play.text == 'Please type your answer to the question, or say "quit" to leave the scenario.'
    assert play.state == started


def test_a_choice_gives_its_feedback_then_the_next_step(engine, started):
    state = engine.answer(started, GOOD_1).state
    play = engine.choose(state, "advise_mother")
    feedback, step = play.messages
    assert feedback.text.startswith("You chose: Advise the mother to end the relationship to protect the children\n"
                                    "This puts the responsibility for protecting the children on the mother.")
    assert feedback.text.endswith("(Panel Briefing 2 (2022), 'Children as victims of domestic abuse')")
    assert step.text.splitlines()[0] == "Step 3"
    assert play.state.choices == {"new_partner": "advise_mother"}


@pytest.mark.parametrize("typed", ["2", "Share it with partner agencies and ask for the risk to the children to be assessed"])
def test_a_choice_can_be_typed(engine, started, typed):
    state = engine.answer(started, GOOD_1).state
    assert engine.answer(state, typed).state.choices == {"new_partner": "share_and_assess"}


def test_text_that_is_no_choice_shows_the_options_again(engine, started):
    state = engine.answer(started, GOOD_1).state
    play = engine.answer(state, "I am not sure")
    assert play.messages[0].text == "Please choose one of the options for this step."
    assert len(play.messages[1].buttons) == 3 and play.state.step == "new_partner"
    assert engine.choose(state, "made_up").messages[0].text == "Please choose one of the options for this step."


def test_a_button_from_an_earlier_step_records_nothing_and_shows_where_the_trainee_is(engine, started):
    state = engine.answer(started, GOOD_1).state
    play = engine.choose(state, "share_and_assess", "at_the_incident")
    assert play.messages[0].text.startswith("That button was for an earlier step")
    assert play.messages[0].custom["type"] == "scenario_stale_button"
    assert play.state == state and len(play.messages[1].buttons) == 3
    assert engine.choose(state, "share_and_assess", "new_partner").state.choices == {"new_partner": "share_and_assess"}


def test_choices_branch_to_different_steps(engine):
    state = engine.start("placed-with-father").state
    state = engine.answer(state, "I'd take their fear seriously.").state
    assert engine.choose(state, "place_with_father").state.step == "look_again"
    assert engine.choose(state, "whole_picture_first").state.step == "the_discussion"


def test_the_engine_never_changes_the_state_it_is_given(engine, started):
    before = copy.deepcopy(started)
    engine.answer(started, GOOD_1)
    engine.pause(started)
    assert started == before


def play_through(engine, answers, choice):
    state = engine.start("seemed-well").state
    state = engine.answer(state, answers[0]).state
    state = engine.choose(state, choice).state
    return engine.answer(state, answers[1])


def test_a_good_play_ends_with_every_objective_met(engine):
    play = play_through(engine, [GOOD_1, "His history, the risk to the baby, the children's views and "
                                          "specialist support for the mother."], "share_and_assess")
    assert play.finished and play.state is None
    assert play.custom_types == ["scenario_feedback", "scenario_debrief", "scenario_summary"]
    assert play.messages[1].text.startswith("What the review found:\nThe mother had recently started a relationship")
    assert play.messages[2].text.splitlines() == [
        "Summary: 'They seem well': the 18-month-old",
        "Objective: Speak with children directly and look beyond how they appear - 3 of 3 points",
        "Objective: Record what was observed and how a judgement was reached - 1 of 1 points",
        "Objective: See children as victims in their own right and weigh their particular vulnerability - 3 of 3 points",
        "Objective: Keep the focus on the person causing harm - 1 of 1 points",
        "Your choices:",
        "- What do you do with this information? You chose: Share it with partner agencies and ask for the risk to "
        "the children to be assessed. This is a change in risk that partner agencies need to know about and act on "
        "together. The Panel found no evidence of a coordinated multi-agency response in the cases it reviewed.",
        "You covered every key point. Well done.",
        'That is the end of the scenario. Say "start a training scenario" to play another.',
    ]


def test_a_poor_play_lists_the_principles_to_revisit(engine):
    play = play_through(engine, ["I spoke to the kids.", "Whether mum can cope."], "note_on_file")
    summary = play.messages[-1]
    lines = summary.text.splitlines()
    assert "Objective: Speak with children directly and look beyond how they appear - 1 of 3 points" in lines
    assert lines[lines.index("Principles to revisit:") + 1:-1] == [
        "- The 18-month-old case: when children 'seem well'", "- Children are victims in their own right",
        "- Keeping the focus on the person causing harm", "- Impact on unborn children and babies",
        "- Being domestic abuse-informed", "- No 'whole system' response"]
    assert summary.buttons[0] == Button("The 18-month-old case: when children 'seem well'",
                                        '/choose_entry{"entry_id":"eighteen-month-old-vignette"}')


def test_every_step_of_every_scenario_shows_the_999_reminder(engine):
    for scenario in engine.library.scenarios.values():
        state = engine.start(scenario.id).state
        for step in scenario.steps:
            message = engine.repeat(replace(state, step=step.id)).messages[0]
            assert message.text.splitlines()[-1] == REMINDER
            assert message.custom["reminder"] == REMINDER


def test_repeat_pause_resume_and_quit(engine, started):
    repeated = engine.repeat(started)
    assert repeated.messages[0].text.splitlines()[2].startswith("What would you do about the children")
    paused = engine.pause(started)
    assert paused.state.paused is True
    assert paused.messages[0].text.startswith("The scenario is paused.")
    assert paused.messages[0].buttons[0] == Button("Continue the scenario", "continue")
    resumed = engine.resume(paused.state)
    assert resumed.messages[0].text == "Let's carry on where we left off."
    assert resumed.messages[1].text.splitlines()[0] == "Step 1" and resumed.state.paused is False
    quit_play = engine.quit(paused.state)
    assert quit_play.state is None and not quit_play.finished
    assert quit_play.text.startswith("You have left the scenario.")


def test_after_a_question_on_the_way_the_engine_offers_to_carry_on(engine, started):
    play = engine.aside(started)
    assert play.state == started
    assert play.text.startswith("Would you like to carry on with the scenario?")
    assert play.messages[0].buttons[0].payload == "continue"


def test_turns_without_a_scenario_under_way_say_so(engine):
    gone = ScenarioState(scenario="gone", step="x")
    for play in (engine.answer(None, "hello"), engine.choose(gone, "a"), engine.repeat(None)):
        assert play.state is None
        assert play.messages[0].text == "There is no training scenario under way."
        assert play.messages[1].custom["type"] == "scenario_menu"


@pytest.mark.parametrize("text, command", [
    ("quit", "quit"), ("Stop.", "quit"), ("quit the scenario", "quit"), ("pause", "pause"), ("take a break", "pause"),
    ("repeat the question", "repeat"), ("say that again", "repeat"), ("what was the question?", "repeat"),
    ("continue", "continue"), ("carry on", "continue"), ("back to the scenario", "continue"),
    ("I would pause and speak to the children", None), ("stop him from visiting", None),
    ("continue to monitor the family", None), ("repeat the DASH checklist", None),
])
def test_commands(engine, text, command):
    assert engine.command(text) == command


def test_handle_sends_commands_and_answers_to_the_right_place(engine, started):
    assert engine.handle(started, "pause").state.paused is True
    assert engine.handle(started, "quit").state is None
    assert engine.handle(started, "I would pause and speak to the children").custom_types[0] == "scenario_feedback"


@pytest.mark.parametrize("text, question", [
    ("what is MARAC?", True), ("What does the DA Act say about children", True), ("how do I refer to MARAC", True),
    ("Who should complete a DASH checklist?", True), ("is this coercive control?", True),
    ("MARAC?", True), ("can you explain Operation Encompass", True),
    ("I would ask who else lives there", False), ("I would ask who else lives there?", False),
    ("what I would do is speak to the children", False), ("speak to the kids?", False),
    ("ask the children how they are", False), ("record what I saw", False), ("The children seemed fine", False),
    ("quit", False), ("check who lives in the house", False),
])
def test_looks_like_question(engine, text, question):
    assert engine.looks_like_question(text) is question


def test_the_state_keeps_no_answer_text(engine, started):
    state = engine.answer(started, "I would speak to the children about their dad").state
    kept = json.dumps(asdict(state))
    assert "dad" not in kept
    assert state.covered == {"at_the_incident": ("speak_with_children",)}


@pytest.mark.parametrize("typed, choice", [
    ("share it", "share_and_assess"), ("partner agencies", "share_and_assess"), ("Advise the mother", "advise_mother"),
    ("note it on file", "note_on_file"), ("3", "advise_mother"),
])
def test_part_of_one_choice_label_chooses_it(engine, started, typed, choice):
    state = engine.answer(started, GOOD_1).state
    assert engine.answer(state, typed).state.choices == {"new_partner": choice}


@pytest.mark.parametrize("typed", ["the children", "children", "I would do something else entirely"])
def test_words_of_several_labels_or_none_choose_nothing(engine, started, typed):
    state = engine.answer(started, GOOD_1).state
    assert engine.answer(state, typed).custom_types == ["scenario_not_a_choice", "scenario_step"]


def test_a_point_made_as_a_question_is_an_answer_not_a_knowledge_question(engine, started):
    state = engine.choose(engine.answer(started, GOOD_1).state, "share_and_assess").state
    assert engine.looks_like_question("What about his history and the risk to the baby?")
    assert engine.makes_a_point(state, "What about his history and the risk to the baby?")
    assert not engine.makes_a_point(state, "what is MARAC?")


def test_the_summary_lists_each_option_chosen_with_its_feedback(engine):
    play = play_through(engine, ["I spoke to the kids.", "Whether mum can cope."], "note_on_file")
    summary = play.messages[-1]
    assert "Your choices:" in summary.text.splitlines()
    assert ("- What do you do with this information? You chose: Note it on file; the children seemed well last "
            "time. A note on file does not protect anyone.") in summary.text
    assert summary.custom["chosen"] == [{"step_id": "new_partner", "choice": "note_on_file",
                                         "label": "Note it on file; the children seemed well last time", "best": False}]
