"""``bot safety``: check the immediate-danger patterns and examples, and measure the tiers."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from bot.cli.content import loaded_or_exit
from bot.config import load_settings

patterns_option = click.option("--patterns", type=click.Path(dir_okay=False, path_type=Path),
                               help="Patterns file (default: knowledge/safety/patterns.yml).")
examples_option = click.option("--examples", type=click.Path(dir_okay=False, path_type=Path),
                               help="Labelled examples file (default: knowledge/safety/examples.yml).")


@click.group()
def safety() -> None:
    """Check and measure the immediate-danger check (999 takeover, reminder, none)."""


@safety.command("validate")
@patterns_option
@examples_option
def safety_validate(patterns: Path | None, examples: Path | None) -> None:
    """Check the safety patterns and labelled examples; report every problem with file, field and why.

    Example: bot safety validate
    """
    from bot.safety.check import load_patterns
    from bot.safety.classifier import TIERS, load_examples

    settings = load_settings()
    loaded = loaded_or_exit(load_patterns, patterns or settings.safety_file)
    labelled = loaded_or_exit(load_examples, examples or settings.safety_examples_file)
    counts = ", ".join(f"{labelled.count(t)} {t}" for t in TIERS)
    click.echo(f"OK: {len(loaded.danger)} danger patterns, {counts} examples; thresholds takeover "
               f"{labelled.thresholds.takeover}, reminder {labelled.thresholds.reminder}.")


@safety.command("evaluate")
@patterns_option
@examples_option
@click.option("--folds", default=5, show_default=True, help="Cross-validation folds.")
@click.option("--seeds", default=3, show_default=True, help="Repeats, each with its own shuffle.")
@click.option("--misses", is_flag=True, help="Also list the examples whose tier differs from their label.")
def safety_evaluate(patterns: Path | None, examples: Path | None, folds: int, seeds: int, misses: bool) -> None:
    """Cross-validated figures per tier under the file's thresholds, and the thresholds the fitting
    rule would choose now. Exits 1 if a takeover example gets no 999 line at all.

    Example: bot safety evaluate --misses
    """
    from bot.safety.check import evaluate, load_patterns
    from bot.safety.classifier import NONE, REMINDER, TAKEOVER, TIERS, load_examples

    settings = load_settings()
    labelled = loaded_or_exit(load_examples, examples or settings.safety_examples_file)
    result = evaluate(loaded_or_exit(load_patterns, patterns or settings.safety_file), labelled, folds,
                      tuple(range(1, seeds + 1)))
    figures, file_thresholds = result.figures, labelled.thresholds
    click.echo(f"Examples: {', '.join(f'{labelled.count(t)} {t}' for t in TIERS)}.")
    click.echo(f"Thresholds in the file: takeover {file_thresholds.takeover}, reminder {file_thresholds.reminder}.")
    click.echo(f"Cross-validated ({folds} folds x {seeds} seeds): each example decided by the patterns and a "
               "classifier that never saw it.\n")
    click.echo(f"{'labelled':<10}{'n':>5}   " + "".join(f"{'-> ' + t:>13}" for t in TIERS))
    for label in TIERS:
        row = figures.outcomes[label]
        click.echo(f"{label:<10}{sum(row.values()):>5}   " + "".join(f"{row[t]:>13}" for t in TIERS))
    click.echo("")
    for text, value in (
        ("takeover recall (takeover examples given the takeover)", figures.takeover_recall),
        ("takeover examples given at least the reminder", figures.takeover_at_least_reminder),
        ("false takeover rate (none examples given the takeover)", figures.false_takeover),
        ("none examples given the reminder", figures.share(NONE, REMINDER)),
        ("reminder examples given at least the reminder", figures.share(REMINDER, TAKEOVER, REMINDER)),
    ):
        click.echo(f"{text + ':':<62}{value:>7.1%}")
    hits = ", ".join(f"{label} {result.pattern_hits.get(label, 0)}" for label in TIERS)
    click.echo(f"present-danger pattern matches (no not-present cue): {hits}")
    fitted = result.fitted
    same = fitted == file_thresholds
    click.echo(f"\nThresholds the fitting rule chooses on these scores: takeover {fitted.takeover}, reminder "
               f"{fitted.reminder}" + (" (as in the file)." if same else " (copy them into the examples file)."))
    if misses:
        click.echo("\nExamples whose tier differs from their label:")
        for text, label, tier in zip(labelled.texts, labelled.labels, result.tiers, strict=True):
            if tier != label:
                click.echo(f"  {label} -> {tier}: {text}")
    if figures.outcomes[TAKEOVER][NONE]:
        sys.exit(1)
