"""The commands scenario authors and trainers use: try, group, report, and the ids of entries and sections."""

import re

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.scenarios.groups import DatabaseCounters, Groups


@pytest.fixture
def run(settings, monkeypatch):
    monkeypatch.setenv("DASG_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("DASG_VAR_DIR", str(settings.var_dir))

    def invoke(*args, **kwargs):
        return CliRunner(mix_stderr=False).invoke(cli, list(args), **kwargs)

    return invoke


def test_try_shows_each_key_point_s_result_and_why(run):
    result = run("scenarios", "try", "seemed-well", "at_the_incident", "--words-only",
                 "I'd have a word with them on their own", "I wouldn't speak to the kids")
    assert result.exit_code == 0, result.stderr
    lines = result.output.splitlines()
    assert lines[0].startswith("seemed-well / at_the_incident (words only): What would you do about the children")
    assert "read as: I'd have a word with the children on their own" in lines
    assert "  + speak_with_children: phrase 'speak with the children' found" in lines
    assert lines.count("  - speak_with_children: no phrase found (words only)") == 1
    assert re.search(r"^Marked 2 answer\(s\): at most \d+ ms each\.$", lines[-1])


def test_try_reads_answers_from_a_file_one_a_line(run, tmp_path):
    answers = tmp_path / "answers.txt"
    answers.write_text("Link the notifications\n\nStart an assessment with a social worker\n")
    result = run("scenarios", "try", "three-notifications", "more_notifications", "--words-only", "--file", str(answers))
    assert result.exit_code == 0 and result.output.count("\nanswer: ") == 2


def test_try_marks_each_answer_in_under_a_second_with_the_encoder(run, settings):
    module = pytest.importorskip("bot.nlp.encoder")
    try:
        module.load_encoder(settings.var_dir)
    except (module.EncoderError, OSError) as exc:
        pytest.skip(f"the sentence encoder cannot load: {exc}")
    answers = ["Where is the father in this plan?", "The plan puts it all on mum; the child needs counselling.",
               "I'd tell the teacher so they can keep an eye on him, and have a quiet word with him at break."] * 3
    result = run("scenarios", "try", "covid-kept-out", "video_call", *answers)
    assert result.exit_code == 0, result.stderr
    assert "(words and meaning)" in result.output.splitlines()[0]
    times = [int(ms) for ms in re.findall(r"\((\d+) ms\)", result.output)]
    assert len(times) == len(answers) and max(times) < 1000


def test_try_suggests_a_step_or_scenario_id(run):
    result = run("scenarios", "try", "seemed-well", "at_the_incdent", "--words-only", "x")
    assert result.exit_code == 1
    assert "'at_the_incdent' is not a typed-answer step of 'seemed-well' (did you mean 'at_the_incident'?)" in result.stderr
    assert "(did you mean 'seemed-well'?)" in run("scenarios", "try", "seemed_wel", "x", "--words-only").stderr


def test_group_opens_a_session_and_report_writes_the_page(run, settings, tmp_path):
    opened = run("scenarios", "group", "covid-kept-out", "--code", "cli777")
    assert opened.exit_code == 0, opened.stderr
    assert opened.output.splitlines() == ["Group CLI777 is open for 'Lockdown as a reason to keep professionals out'.",
                                          "Trainees type in the chat: join group CLI777",
                                          "Afterwards: bot scenarios report CLI777"]
    assert run("scenarios", "group", "seemed-well", "--code", "CLI777").exit_code == 1  # taken
    Groups(DatabaseCounters(settings.database_url)).record("CLI777", "covid-kept-out", "joined")
    out = tmp_path / "report.html"
    result = run("scenarios", "report", "cli777", "-o", str(out))
    assert result.exit_code == 0 and "Wrote the report for group CLI777" in result.output
    assert 'Trainees who joined: <strong data-count="joined">fewer than 5</strong>' in out.read_text()
    assert run("scenarios", "report", "NOPE99").stderr == "No group session has the code NOPE99.\n"


def test_knowledge_sections_and_entries_list_ids_and_titles(run):
    sections = run("knowledge", "sections", "panel2022").output.splitlines()
    assert "panel2022\tchildrens-voices\tChildren's voices and their experiences of services" in sections
    assert all(line.startswith("panel2022\t") for line in sections)
    unknown = run("knowledge", "sections", "panel22")
    assert unknown.exit_code == 1 and "Unknown source 'panel22' (did you mean 'panel2022'?)" in unknown.stderr
    entries = run("knowledge", "entries").output.splitlines()
    assert any(line.startswith("voice-of-the-child\t") for line in entries)
    assert all(len(line.split("\t")) == 3 for line in entries)
