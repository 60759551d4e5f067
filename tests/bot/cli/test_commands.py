"""The ``bot`` command, run for real with CliRunner against temporary databases."""

import shutil

import click
import pytest
from click.testing import CliRunner

from bot import cli
from bot.knowledge.store import make_engine, read_entries
from tests.conftest import TEST_DATA


@pytest.fixture
def runner():
    return CliRunner(mix_stderr=False)


def test_validate_reports_counts(runner):
    result = runner.invoke(cli.cli, ["knowledge", "validate", "--dir", str(TEST_DATA / "knowledge_min")])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "OK: 2 sources, 3 sections, 2 entries."


def test_validate_fails_with_every_problem_and_exit_code_1(runner, tmp_path):
    folder = tmp_path / "knowledge"
    shutil.copytree(TEST_DATA / "knowledge_min", folder)
    path = folder / "entries" / "basic.yml"
    path.write_text(path.read_text().replace("section: intro", "section: gone").replace("topic: definitions", "topic: x"))
    result = runner.invoke(cli.cli, ["knowledge", "validate", "--dir", str(folder)])
    assert result.exit_code == 1
    assert "2 problem(s)" in result.stderr
    assert "knowledge/entries/basic.yml: entry 'what-is-marac': citations[1].section: source 'doc' has no section 'gone'" in result.stderr
    assert "entry 'children-definition': topic: unknown topic 'x'" in result.stderr


def test_load_writes_the_database_and_reports_changes(runner, tmp_path):
    url = f"sqlite:///{tmp_path / 'k.db'}"
    args = ["knowledge", "load", "--dir", str(TEST_DATA / "knowledge_min"), "--database-url", url]
    first = runner.invoke(cli.cli, args)
    assert first.exit_code == 0, first.output
    assert first.output.startswith("Loaded 2 entries from 2 sources (3 sections): 2 added, 0 changed, 0 removed.")
    assert [e.id for e in read_entries(make_engine(url))] == ["children-definition", "what-is-marac"]
    second = runner.invoke(cli.cli, args)
    assert "0 added, 0 changed, 0 removed" in second.output


def test_a_failed_load_leaves_the_database_as_it_was(runner, tmp_path):
    url = f"sqlite:///{tmp_path / 'k.db'}"
    runner.invoke(cli.cli, ["knowledge", "load", "--dir", str(TEST_DATA / "knowledge_min"), "--database-url", url])
    folder = tmp_path / "knowledge"
    shutil.copytree(TEST_DATA / "knowledge_min", folder)
    path = folder / "entries" / "basic.yml"
    path.write_text(path.read_text().replace("answer: Children are victims", "answer: ''\n    x: Children are victims"))
    result = runner.invoke(cli.cli, ["knowledge", "load", "--dir", str(folder), "--database-url", url])
    assert result.exit_code == 1
    assert "answer: is required and must not be empty" in result.stderr
    assert [e.id for e in read_entries(make_engine(url))] == ["children-definition", "what-is-marac"]


def test_model_fingerprint_prints_a_hash(runner):
    result = runner.invoke(cli.cli, ["model", "fingerprint"])
    assert result.exit_code == 0
    assert len(result.output.strip()) == 16


def _commands(group, prefix=()):
    for name, command in group.commands.items():
        yield prefix + (name,), command
        if isinstance(command, click.Group):
            yield from _commands(command, prefix + (name,))


@pytest.mark.parametrize("path, command", list(_commands(cli.cli)), ids=lambda v: " ".join(v) if isinstance(v, tuple) else "")
def test_every_command_has_help_text(path, command):
    assert command.help and command.help.strip()
    if not isinstance(command, click.Group):
        assert "Example:" in command.help, f"bot {' '.join(path)} has no example"


def test_reflection_validate(runner, tmp_path):
    ok = runner.invoke(cli.cli, ["reflection", "validate"])
    assert ok.exit_code == 0, ok.output
    assert ok.output.startswith("OK: 8 questions, 8 consequences")
    from bot.config import PROJECT_ROOT

    broken = tmp_path / "r.yml"
    text = (PROJECT_ROOT / "knowledge" / "reflection" / "conflict_or_abuse.yml").read_text()
    broken.write_text(text.replace("section: domestic-abuse-informed}", "section: missing}", 1))
    result = runner.invoke(cli.cli, ["reflection", "validate", str(broken)])
    assert result.exit_code == 1
    assert "r.yml: question 'fear': outcomes.yes.citation: source 'panel2022' has no section 'missing'" in result.stderr


def test_ask_answers_through_the_router_with_sources(runner, settings, monkeypatch):
    from bot.dialogue.build import get_router

    monkeypatch.setenv("DASG_DATABASE_URL", settings.database_url)
    get_router.cache_clear()
    try:
        result = runner.invoke(cli.cli, ["ask", "what is Operation Encompass?"])
    finally:
        get_router.cache_clear()
    assert result.exit_code == 0, result.output
    assert "Source: Panel Briefing 2 (2022), 'Operation Encompass'" in result.output
    assert "I give short guidance" not in result.output  # no opening notice for a one-off question
