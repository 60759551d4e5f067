"""``bot insight``: the partnership's insight report from the counters (counts only, never text)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import click

from bot.config import load_settings

REPORT_TITLE = "Insight report"


class Day(click.ParamType):
    """A day written YYYY-MM-DD."""

    name = "date"

    def convert(self, value, param, ctx) -> date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.fail(f"{value!r} is not a date: write it as YYYY-MM-DD, for example 2026-11-30", param, ctx)


@click.group()
def insight() -> None:
    """The LSCP's insight report: what was asked, what the sources and the directory could not answer."""


@insight.command("report")
@click.option("--from", "since", type=Day(), required=True, help="The first day counted (YYYY-MM-DD).")
@click.option("--to", "until", type=Day(), required=True, help="The last day counted (YYYY-MM-DD), included.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=Path("insight-report.html"),
              show_default=True, help="The HTML page to write (a name ending .csv writes the CSV instead).")
@click.option("--csv", "csv_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the same counts as CSV here.")
@click.option("--title", help="The partnership or deployment name for the header (default: from the directory's areas).")
def report(since: date, until: date, output: Path, csv_file: Path | None, title: str | None) -> None:
    """Write the insight report for a date range: a self-contained HTML page with charts (and CSV).

    Counts of 1 to 4 are shown as "fewer than 5" everywhere, in the page and in the CSV.

    Example: bot insight report --from 2026-11-01 --to 2026-11-30 -o november.html --csv november.csv
    """
    from bot.insight.labels import load_labels
    from bot.insight.report import csv_report, html_report
    from bot.insight.summary import read_insight
    from bot.knowledge.store import make_engine

    if since > until:
        raise click.UsageError(f"--from ({since.isoformat()}) is after --to ({until.isoformat()}): "
                               "give the earlier day first.")
    settings = load_settings()
    engine = make_engine(settings.database_url)
    labels = load_labels(engine, settings.knowledge_dir)
    found = read_insight(engine, labels, since, until)
    heading = title or (f"{REPORT_TITLE}: {', '.join(labels.areas)}" if labels.areas else REPORT_TITLE)
    written = []
    if output.suffix.lower() == ".csv":
        csv_file, output = output, None
    if output is not None:
        _write(output, html_report(found, heading))
        written.append(str(output))
    if csv_file is not None:
        _write(csv_file, csv_report(found))
        written.append(str(csv_file))
    if found.empty:
        click.echo(f"Nothing was counted between {since.isoformat()} and {until.isoformat()}: "
                   "the report says so (was the assistant used, with counting on, in that time?).", err=True)
    click.echo(f"Wrote the insight report for {since.isoformat()} to {until.isoformat()} to {' and '.join(written)}")


def _write(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise click.FileError(str(path), hint=exc.strerror or str(exc)) from exc


@insight.command("simulate")
@click.option("-d", "--database", "database", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("var/insight-month.db"), show_default=True,
              help="The SQLite file the simulation writes (made afresh; never the assistant's own database).")
@click.option("--to", "until", type=Day(), default=None, help="The last simulated day (default: yesterday).")
@click.option("--days", type=click.IntRange(1, 366), default=30, show_default=True, help="How many days to simulate.")
@click.option("--seed", type=int, default=7, show_default=True, help="The random seed (the same seed, the same month).")
@click.option("--report", "report_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the month's report here (HTML).")
@click.option("--screenshot", "picture", type=click.Path(dir_okay=False, path_type=Path),
              help="Also open the report in headless Chromium and save a PNG of it here (needs --report).")
def simulate(database: Path, until: date | None, days: int, seed: int, report_file: Path | None,
             picture: Path | None) -> None:
    """Drive a month of realistic conversations through the real router, counting as in use.

    Example: bot insight simulate -d var/insight-month.db && DASG_DATABASE_URL=sqlite:///var/insight-month.db
    bot insight report --from 2026-11-01 --to 2026-11-30 -o report.html
    """
    from bot.insight.simulate import prepare_database, simulate_month
    from bot.knowledge.store import make_engine

    settings = load_settings()
    url = f"sqlite:///{database.resolve()}"
    if url == settings.database_url:
        raise click.UsageError(f"{database} is the assistant's own database: give the simulation a file of its own.")
    database.parent.mkdir(parents=True, exist_ok=True)
    database.unlink(missing_ok=True)
    prepare_database(make_engine(url), settings.knowledge_dir)
    until = until or date.today() - timedelta(days=1)
    month = simulate_month(replace(settings, database_url=url), until, days, seed)
    since = until - timedelta(days=days - 1)
    click.echo(f"Simulated {month.days} days ({since.isoformat()} to {until.isoformat()}): {month.conversations} "
               f"conversations, {month.turns} turns in {month.seconds:.0f} s ({month.turns / max(month.seconds, 1e-9):.1f} "
               f"turns/s) into {database}")
    click.echo(f"Report: DASG_DATABASE_URL={url} bot insight report --from {since.isoformat()} --to {until.isoformat()}")
    if report_file is not None:
        _month_report(url, settings.knowledge_dir, since, until, report_file, picture)
    elif picture is not None:
        raise click.UsageError("--screenshot pictures the report: give --report too.")


def _month_report(url: str, knowledge_dir: Path, since: date, until: date, report_file: Path, picture: Path | None) -> None:
    from bot.insight.labels import load_labels
    from bot.insight.report import html_report
    from bot.insight.snapshot import screenshot
    from bot.insight.summary import read_insight
    from bot.knowledge.store import make_engine

    engine = make_engine(url)
    labels = load_labels(engine, knowledge_dir)
    _write(report_file, html_report(read_insight(engine, labels, since, until), "Insight report: Demoshire LSCP (simulated)"))
    click.echo(f"Wrote the report to {report_file}")
    if picture is not None:
        others = [u for u in screenshot(report_file, picture) if u != report_file.resolve().as_uri()]
        click.echo(f"Saved a picture of it to {picture}"
                   + (f"; the page also asked for: {', '.join(others)}" if others else "; nothing else was fetched"))
