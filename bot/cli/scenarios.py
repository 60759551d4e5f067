"""``bot scenarios``: validate, list, try answers, export conversation tests, group sessions and reports."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from bot.cli.content import knowledge_or_exit, loaded_or_exit
from bot.config import load_settings


def _load(path: Path | None, meaning: bool = False):
    """The library at ``path`` (default: the shipped folder), or exit 1 with every problem on stderr.

    With ``meaning`` answers are marked as the running assistant marks them: with the sentence
    encoder too, unless DASG_ENCODER=off (or the encoder cannot load)."""
    from bot.nlp.pipeline import analyser_for
    from bot.scenarios.loader import build_matcher, load_scenarios
    from bot.scenarios.meaning import load_meaning

    settings = load_settings()
    knowledge = knowledge_or_exit(settings.knowledge_dir)
    nlp = analyser_for(settings.knowledge_dir).nlp
    matcher = loaded_or_exit(build_matcher, knowledge, nlp, settings.scenarios_dir)
    with_meaning = load_meaning(matcher, settings.var_dir) if meaning and settings.encoder else None
    return loaded_or_exit(load_scenarios, path or settings.scenarios_dir, knowledge, nlp, None, matcher, with_meaning)


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

    library = _load(directory, meaning=True)
    _scenario_or_exit(library, scenario_id)
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


def _scenario_or_exit(library, scenario_id: str):
    from bot.scenarios.parse import did_you_mean

    scenario = library.get(scenario_id)
    if scenario is None:
        hint = did_you_mean(scenario_id, list(library.scenarios))
        click.echo(f"Unknown scenario '{scenario_id}'{hint}. Loaded: {', '.join(library.scenarios)}", err=True)
        sys.exit(1)
    return scenario


@scenarios.command("try")
@click.argument("scenario_id")
@click.argument("step_id")
@click.argument("answers", nargs=-1)
@click.option("--file", "answers_file", type=click.File("r", encoding="utf-8"),
              help="Read answers from this file, one a line ('-': standard input).")
@click.option("--words-only", is_flag=True, help="Mark by words only, as with DASG_ENCODER=off.")
def try_answers(scenario_id: str, step_id: str, answers: tuple[str, ...], answers_file, words_only: bool) -> None:
    """Mark answers to one step as the assistant would, showing each key point's result and why.

    Loads once, then marks every answer given, read from --file (one a line), or typed (an empty
    line ends). Each key point shows the phrase found, or the part of the answer closest in
    meaning, its similarity and the similarity needed.

    Example: bot scenarios try seemed-well at_the_incident "I'd have a word with the kids on their own"
    """
    import time

    from bot.scenarios.parse import did_you_mean

    library = _load(None, meaning=not words_only)
    scenario = _scenario_or_exit(library, scenario_id)
    step = scenario.step(step_id)
    typed = [s.id for s in scenario.steps if not s.is_choice]
    if step is None or step.is_choice:
        hint = did_you_mean(step_id, typed)
        click.echo(f"'{step_id}' is not a typed-answer step of '{scenario.id}'{hint}. Steps: {', '.join(typed)}",
                   err=True)
        sys.exit(1)
    marker = library.marker
    mode = "words only" if marker.meaning is None else "words and meaning"
    click.echo(f"{scenario.id} / {step.id} ({mode}): {step.question}")
    texts = list(answers) or ([line.strip() for line in answers_file if line.strip()] if answers_file else None)
    times = []
    for text in texts if texts is not None else _typed_answers():
        started = time.perf_counter()
        marking = marker.mark(step, text)
        times.append(time.perf_counter() - started)
        click.echo(f"\nanswer: {text}")
        if marking.resolved != text:
            click.echo(f"read as: {marking.resolved}")
        for point in marking.points:
            click.echo(f"  {'+' if point.covered else '-'} {point.id}: {point.why}")
        click.echo(f"  covered {len(marking.covered)} of {len(marking.points)} ({times[-1] * 1000:.0f} ms)")
    if times:
        click.echo(f"\nMarked {len(times)} answer(s): at most {max(times) * 1000:.0f} ms each.")


def _typed_answers():
    while True:
        text = click.prompt("answer (empty line to stop)", default="", show_default=False, prompt_suffix="> ")
        if not text.strip():
            return
        yield text.strip()


@scenarios.command("group")
@click.argument("scenario_id")
@click.option("--code", help="The group's code (4 to 8 letters or digits); made up if not given.")
def open_group_command(scenario_id: str, code: str | None) -> None:
    """Open a group session for a scenario and print the code trainees join with.

    The same as typing "start scenario SCENARIO_ID for a group" in the chat, where the assistant
    always makes the code; here an administrator may choose it with --code.

    Example: bot scenarios group seemed-well --code ABC123
    """
    import re

    from bot.scenarios.groups import DatabaseCounters, Groups, new_code, normal_code

    library = _load(None)
    scenario = _scenario_or_exit(library, scenario_id)
    code = normal_code(code) if code else new_code()
    if not re.fullmatch(r"[A-Z0-9]{4,8}", code):
        click.echo(f"A group code is 4 to 8 letters or digits, not '{code}'.", err=True)
        sys.exit(1)
    taken = Groups(DatabaseCounters(load_settings().database_url)).open(code, scenario.id)
    if taken is not None:
        click.echo(f"The code {code} is already used for the scenario '{taken}'. Choose another code.", err=True)
        sys.exit(1)
    click.echo(f"Group {code} is open for '{scenario.title}'.")
    click.echo(f"Trainees type in the chat: join group {code}")
    click.echo(f"Afterwards: bot scenarios report {code}")


@scenarios.command("report")
@click.argument("code")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the HTML page (default: group-CODE.html here).")
def report(code: str, output: Path | None) -> None:
    """Write a group's results as one self-contained HTML page (counts only; 1-4 shown as "fewer than 5").

    Example: bot scenarios report ABC123 -o abc123.html
    """
    from bot.scenarios.groups import DatabaseCounters, Groups, normal_code
    from bot.scenarios.report import group_report

    code = normal_code(code)
    results = Groups(DatabaseCounters(load_settings().database_url)).results(code)
    if results is None:
        click.echo(f"No group session has the code {code}.", err=True)
        sys.exit(1)
    library = _load(None)
    scenario = library.get(results.scenario)
    if scenario is None:
        click.echo(f"Group {code} played the scenario '{results.scenario}', which is no longer loaded.", err=True)
        sys.exit(1)
    output = output or Path(f"group-{code}.html")
    output.write_text(group_report(scenario, results), encoding="utf-8")
    click.echo(f"Wrote the report for group {code} ('{scenario.title}') to {output}")
