"""Scenario validation: every broken file gets its own message naming file, step and field."""

import shutil

import pytest
import yaml

from bot.config import PROJECT_ROOT
from bot.scenarios.live import library_for
from bot.scenarios.loader import ScenarioError, load_scenarios

KNOWLEDGE_DIR = PROJECT_ROOT / "knowledge"
BROKEN = PROJECT_ROOT / "tests" / "data" / "scenarios_broken"
SHIPPED = KNOWLEDGE_DIR / "scenarios"
F = "tests/data/scenarios_broken/{}.yml: "

EXPECTED = {
    "missing_title": ["title: is required and must not be empty"],
    "missing_citation": ["citation: needs a citation with 'source' and 'section'"],
    "bad_id": ["id: 'Bad Example' must be lower-case letters, digits, '-' or '_'"],
    "unknown_source": ["step 'first_visit': key_points[1].citation.source: unknown source 'panel2099' (did you mean 'panel2022'?)"],
    "unknown_section": ["step 'first_visit': key_points[1].citation.section: source 'panel2022' has no section 'seemed-well'"],
    "step_without_question": ["step 'first_visit': question: is required and must not be empty"],
    "key_point_without_phrases": ["step 'first_visit': key_points[1].phrases: must be a non-empty list"],
    "empty_phrase": ["step 'first_visit': key_points[1].phrases[1]: must be a non-empty phrase"],
    "stop_word_phrase": ["step 'first_visit': key_points[1].phrases[1]: 'to the' has no content words to match (only words like 'the', 'to')"],
    "unknown_entry": ["step 'first_visit': key_points[1].entry: unknown knowledge entry 'voice-of-the-baby' (did you mean 'voice-of-the-child'?)"],
    "duplicate_step_ids": ["step 'decide': id: is used by another step"],
    "branch_to_unknown_step": ["step 'decide': choices[1].next: unknown step 'review'"],
    "unreachable_step": ["step 'orphan': id: is unreachable: no 'next' leads to this step from the first step"],
    "cycle_without_end": ["step 'first_visit': next: goes round in a cycle that never reaches an end",
                          "step 'decide': next: goes round in a cycle that never reaches an end"],
    "good_answer_misses_key_point": ["step 'first_visit': model_answers.good[1]: does not cover key point 'speak' "
                                     "(none of its phrases match: 'speak with the children')"],
    "poor_answer_covers_more_than_it_claims": ["step 'first_visit': model_answers.poor[1]: covers key point 'speak', "
                                               "which 'covers' does not list"],
    "missing_good_answer": ["step 'first_visit': model_answers.good: give at least one good model answer"],
    "objectives_wrong_type": ["objectives: must be a list of {id, text}, one per learning objective"],
    "unknown_objective": ["step 'first_visit': key_points[1].objective: unknown objective 'listen'",
                          "objectives[1]: objective 'voice' is not served by any key point"],
    "no_best_choice": ["step 'decide': choices: mark exactly one choice with 'best: true' (the one the sources support)"],
    "key_points_and_choices": ["step 'first_visit': choices: a step has either key_points (a typed answer) or "
                               "choices (buttons), not both"],
    "misspelt_field": ["step 'first_visit': questoin: unknown field (did you mean 'question'?)",
                       "step 'first_visit': question: is required and must not be empty"],
    "not_a_mapping": ["expected a mapping with id, title, audience, citation, objectives and steps"],
}


def problems_for(path, knowledge, nlp):
    with pytest.raises(ScenarioError) as caught:
        load_scenarios(path, knowledge, nlp)
    return caught.value.problems


def test_there_are_at_least_fifteen_broken_files_and_each_is_expected():
    names = sorted(p.stem for p in BROKEN.glob("*.yml"))
    assert len(names) >= 15
    assert set(names) == set(EXPECTED) | {"bad_yaml"}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_broken_file_gets_exactly_its_message(name, knowledge, nlp):
    assert problems_for(BROKEN / f"{name}.yml", knowledge, nlp) == [F.format(name) + m for m in EXPECTED[name]]


def test_bad_yaml_names_the_file_and_the_line(knowledge, nlp):
    (problem,) = problems_for(BROKEN / "bad_yaml.yml", knowledge, nlp)
    assert problem.startswith(F.format("bad_yaml") + "not valid YAML: ")
    assert "line 12, column 4" in problem


def test_a_folder_reports_the_problems_of_every_file(knowledge, nlp):
    problems = problems_for(BROKEN, knowledge, nlp)
    files = {p.split(":")[0] for p in problems}
    assert len(files) == len(EXPECTED) + 1
    assert len(problems) == sum(len(m) for m in EXPECTED.values()) + 1


def test_the_shipped_scenarios_validate(library):
    assert sorted(library.scenarios) == [
        "both-called-police", "covid-kept-out", "placed-with-father", "seemed-well", "three-notifications"]
    for scenario in library.scenarios.values():
        assert scenario.citation.source == "panel2022"
        assert scenario.debrief
        cited = [kp.citation for s in scenario.steps for kp in s.key_points] + [c.citation for s in scenario.steps for c in s.choices]
        assert all(library.sources[c.source].section(c.section) for c in cited)


def test_the_documented_example_uses_every_feature(knowledge, nlp):
    text = (SHIPPED / "seemed_well.yml").read_text()
    for field in ("objectives:", "phrases:", "present:", "missing:", "entry:", "model_answers:", "poor:", "covers:",
                  "choices:", "best: true", "next:", "debrief:"):
        assert field in text
    assert sum(line.lstrip().startswith("#") for line in text.splitlines()) >= 30


def test_the_same_id_in_two_files_is_reported(tmp_path, knowledge, nlp):
    shutil.copy(SHIPPED / "seemed_well.yml", tmp_path / "a.yml")
    shutil.copy(SHIPPED / "seemed_well.yml", tmp_path / "b.yml")
    problems = problems_for(tmp_path, knowledge, nlp)
    assert problems == [f"{tmp_path / 'b.yml'}: id: 'seemed-well' is already used in {tmp_path / 'a.yml'}"]


def test_a_poor_answer_that_claims_too_much_is_reported(tmp_path, knowledge, nlp):
    data = yaml.safe_load((SHIPPED / "seemed_well.yml").read_text())
    data["steps"][0]["model_answers"]["poor"]["covers"] = ["speak_with_children"]
    (tmp_path / "x.yml").write_text(yaml.safe_dump(data))
    assert problems_for(tmp_path / "x.yml", knowledge, nlp) == [
        f"{tmp_path / 'x.yml'}: step 'at_the_incident': model_answers.poor[1]: does not cover key point "
        "'speak_with_children', which 'covers' lists"]


@pytest.fixture
def folder(tmp_path):
    """A scenarios folder with the shipped settings and one scenario."""
    folder = tmp_path / "scenarios"
    folder.mkdir()
    for name in ("_settings.yml", "_synonyms.yml", "seemed_well.yml"):
        shutil.copy(SHIPPED / name, folder / name)
    return folder


def test_a_new_or_changed_scenario_is_picked_up_without_a_restart(folder):
    first = library_for(folder, KNOWLEDGE_DIR)
    assert list(first.scenarios) == ["seemed-well"]
    assert library_for(folder, KNOWLEDGE_DIR) is first  # unchanged: not read again
    text = (SHIPPED / "three_notifications.yml").read_text()
    (folder / "three.yml").write_text(text)
    assert sorted(library_for(folder, KNOWLEDGE_DIR).scenarios) == ["seemed-well", "three-notifications"]
    (folder / "three.yml").write_text(text.replace("title: The three-month-old", "title: Changed, the three-month-old"))
    assert library_for(folder, KNOWLEDGE_DIR).get("three-notifications").title.startswith("Changed,")


def test_settings_with_an_unknown_placeholder_are_reported(tmp_path, knowledge, nlp):
    for name in ("_synonyms.yml", "seemed_well.yml"):
        shutil.copy(SHIPPED / name, tmp_path / name)
    text = (SHIPPED / "_settings.yml").read_text().replace("{covered} of {total}", "{covred} of {total}")
    (tmp_path / "_settings.yml").write_text(text)
    problems = problems_for(tmp_path, knowledge, nlp)
    assert problems == [f"{tmp_path / '_settings.yml'}: texts.objective_line: unknown placeholder '{{covred}}' "
                        "(allowed: ['covered', 'objective', 'total'])"]


def test_a_broken_new_file_is_reported_and_the_others_still_load(folder, caplog):
    first = library_for(folder, KNOWLEDGE_DIR)
    shutil.copy(BROKEN / "unknown_entry.yml", folder / "half_written.yml")
    now = library_for(folder, KNOWLEDGE_DIR)
    assert now.scenarios == first.scenarios
    (problem,) = now.problems
    assert problem.endswith("half_written.yml: step 'first_visit': key_points[1].entry: unknown knowledge entry "
                            "'voice-of-the-baby' (did you mean 'voice-of-the-child'?)")
    assert "half_written.yml: step 'first_visit': key_points[1].entry: unknown knowledge entry" in caplog.text


def test_unknown_ids_get_a_did_you_mean(tmp_path, knowledge, nlp):
    text = (BROKEN / "unknown_objective.yml").read_text()
    text = (text.replace("objective: listen", "objective: voic").replace("next: decide", "next: decid")
            .replace("section: childrens-voices}\n        entry", "section: childrens-voice}\n        entry")
            .replace("entry: voice-of-the-child", "entry: voice-of-the-chil"))
    (tmp_path / "typos.yml").write_text(text)
    file = f"{tmp_path / 'typos.yml'}: step 'first_visit': "
    assert problems_for(tmp_path / "typos.yml", knowledge, nlp)[:4] == [
        file + "next: unknown step 'decid' (did you mean 'decide'?)",
        file + "key_points[1].objective: unknown objective 'voic' (did you mean 'voice'?)",
        file + "key_points[1].entry: unknown knowledge entry 'voice-of-the-chil' (did you mean 'voice-of-the-child'?)",
        file + "key_points[1].citation.section: source 'panel2022' has no section 'childrens-voice' "
               "(did you mean 'childrens-voices'?)",
    ]
