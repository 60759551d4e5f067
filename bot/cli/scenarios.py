"""``bot scenarios``: validate, list, try phrases, and export trainer scenarios as conversation tests."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from bot.cli.content import knowledge_or_exit, loaded_or_exit
from bot.config import load_settings


def _load(path: Path | None):
    """The library at ``path`` (default: the shipped folder), or exit 1 with every problem on stderr."""
    from bot.nlp.pipeline import analyser_for
    from bot.scenarios.loader import load_scenarios

    settings = load_settings()
    knowledge = knowledge_or_exit(settings.knowledge_dir)
    nlp = analyser_for(settings.knowledge_dir).nlp
    return loaded_or_exit(load_scenarios, path or settings.scenarios_dir, knowledge, nlp)


@click.group()
def scenarios() -> None:
    """Trainer scenarios: scripted case exercises played in the chat."""


@scenarios.command("validate")
@click.argument("path", required=False, type=click.Path(exists=True, path_type=Path))
def validate(path: Path | None) -> None:
    """Check scenario files (one file or a folder) and report every problem with file, step and field.

    Example: bot scenarios validate knowledge/scenarios/seemed_well.yml
    """
    library = _load(path)
    steps = sum(len(s.steps) for s in library.scenarios.values())
    points = sum(len(st.key_points) for s in library.scenarios.values() for st in s.steps)
    click.echo(f"OK: {len(library.scenarios)} scenario(s), {steps} steps, {points} key points, every one cited.")


@scenarios.command("list")
@click.option("--dir", "directory", type=click.Path(exists=True, path_type=Path), help="Scenarios folder.")
def list_scenarios(directory: Path | None) -> None:
    """Show the scenarios that are loaded: id, title, audience and number of steps.

    Example: bot scenarios list
    """
    library = _load(directory)
    for scenario in library.scenarios.values():
        click.echo(f"{scenario.id}\t{scenario.title}\t{scenario.audience}\t{len(scenario.steps)} steps")


@scenarios.command("match")
@click.argument("phrase")
@click.argument("answer")
def match(phrase: str, answer: str) -> None:
    """Show whether a key point PHRASE matches an ANSWER, and the words each becomes.

    Example: bot scenarios match "speak with the children" "I spoke to the kids"
    """
    library = _load(None)
    matcher = library.matcher
    prepared = matcher.phrase(phrase)
    tokens = [t.lemma for t in matcher.analyse(answer) if t.content]
    click.echo(f"phrase: {' '.join(prepared.lemmas) or '(no content words)'}")
    click.echo(f"answer: {' '.join(tokens)}")
    click.echo("match" if matcher.matches(phrase, answer) else "no match")


@scenarios.command("export")
@click.argument("scenario_id")
@click.option("--answers", type=click.Choice(["good", "poor"]), default="good", show_default=True,
              help="Play the good or the poor model answers.")
@click.option("--play", "play_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the conversation test (turns with the reply types and texts to expect) here.")
@click.option("--dir", "directory", type=click.Path(exists=True, path_type=Path), help="Scenarios folder.")
def export(scenario_id: str, answers: str, play_file: Path | None, directory: Path | None) -> None:
    """Turn a scenario and its model answers into a conversation test (a play script).

    Without --play the script goes to standard output.

    Example: bot scenarios export seemed-well --answers poor --play tests/plays/seemed-well.yml
    """
    from bot.scenarios.export import ExportError, dump_play, play_script

    library = _load(directory)
    if library.get(scenario_id) is None:
        click.echo(f"Unknown scenario '{scenario_id}'. Loaded: {', '.join(library.scenarios)}", err=True)
        sys.exit(1)
    try:
        turns = play_script(library, scenario_id, answers)
    except ExportError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    if not play_file:
        click.echo(dump_play(turns, scenario_id, answers), nl=False)
        return
    play_file.parent.mkdir(parents=True, exist_ok=True)
    play_file.write_text(dump_play(turns, scenario_id, answers), encoding="utf-8")
    click.echo(f"Wrote {len(turns)} turns to {play_file}")
