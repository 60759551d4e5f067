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
    with_, without = labelled.thresholds, labelled.thresholds_without_encoder
    click.echo(f"OK: {len(loaded.danger)} danger patterns, {counts} examples; thresholds with the encoder: takeover "
               f"{with_.takeover}, reminder {with_.reminder}; without: takeover {without.takeover}, reminder "
               f"{without.reminder}.")


@safety.command("evaluate")
@patterns_option
@examples_option
@click.option("--folds", default=5, show_default=True, help="Cross-validation folds.")
@click.option("--seeds", default=3, show_default=True, help="Repeats, each with its own shuffle.")
@click.option("--misses", is_flag=True, help="Also list the examples whose tier differs from their label.")
def safety_evaluate(patterns: Path | None, examples: Path | None, folds: int, seeds: int, misses: bool) -> None:
    """Cross-validated figures per tier, for the check with the sentence encoder and without it,
    under the file's thresholds for each, and the thresholds the fitting rule would choose now.
    Loads the encoder (a few seconds; the examples' embeddings are cached under the var folder).
    Exits 1 if a takeover example gets no 999 line at all.

    Example: bot safety evaluate --misses
    """
    from bot.nlp.encoder import EncoderError, load_encoder
    from bot.safety.check import evaluate, example_vectors, load_patterns
    from bot.safety.classifier import TAKEOVER, TIERS, load_examples

    settings = load_settings()
    labelled = loaded_or_exit(load_examples, examples or settings.safety_examples_file)
    loaded = loaded_or_exit(load_patterns, patterns or settings.safety_file)
    click.echo(f"Examples: {', '.join(f'{labelled.count(t)} {t}' for t in TIERS)}.")
    click.echo(f"Cross-validated ({folds} folds x {seeds} seeds): each example decided by the patterns and a "
               "classifier that never saw it.")
    results = []
    try:
        vectors = example_vectors(labelled.texts, load_encoder(settings.var_dir), settings.var_dir / "embeddings")
    except EncoderError as exc:
        click.echo(f"\nNo figures with the encoder: {exc}", err=True)
    else:
        results.append(evaluate(loaded, labelled, folds, tuple(range(1, seeds + 1)), vectors))
    results.append(evaluate(loaded, labelled, folds, tuple(range(1, seeds + 1))))
    for result in results:
        _report(result, misses)
    if any(result.figures.outcomes[TAKEOVER]["none"] for result in results):
        sys.exit(1)


def _report(result, misses: bool) -> None:
    """One variant's table, figures and fitted thresholds (``result``: ``bot.safety.check.Evaluation``)."""
    from bot.safety.classifier import NONE, REMINDER, TAKEOVER, THRESHOLD_FIELDS, TIERS

    figures, file_thresholds, field = result.figures, result.thresholds, THRESHOLD_FIELDS[result.encoder]
    title = ("With the sentence encoder (the default)" if result.encoder else
             "Without the encoder (DASG_ENCODER=off)")
    click.echo(f"\n== {title}: `{field}` in the file: takeover {file_thresholds.takeover}, "
               f"reminder {file_thresholds.reminder}\n")
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
    click.echo(f"Thresholds the fitting rule chooses on these scores: takeover {fitted.takeover}, reminder "
               f"{fitted.reminder}" + (" (as in the file)." if same else f" (copy them into `{field}`)."))
    if misses:
        click.echo("\nExamples whose tier differs from their label:")
        for text, label, tier in zip(result.examples.texts, result.examples.labels, result.tiers, strict=True):
            if tier != label:
                click.echo(f"  {label} -> {tier}: {text}")
