"""The ``bot directory`` commands: import, list, export, remove and search local service directories."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from bot.cli.directory_report import echo_report_details, services
from bot.config import load_settings

SHOW_IDS = 20
SHOW_WARNINGS = 20
BAR_FROM = 2000  # services: smaller inputs import too fast for a bar to help

database_option = click.option(
    "--database-url", help="SQLAlchemy URL (default: DASG_DATABASE_URL or SQLite in var/)."
)


def _engine(database_url: str | None):
    from bot.knowledge.store import make_engine

    return make_engine(database_url or load_settings().database_url)


@click.group()
def directory() -> None:
    """Local service directories: import ORUK or template files, list, export and search them."""


class _ProgressBar:
    """A click progress bar per stage, shown only for large inputs."""

    def __init__(self) -> None:
        self.bar = None
        self.stage = ""
        self.done = 0

    def __call__(self, stage: str, done: int, total: int) -> None:
        if total < BAR_FROM:
            return
        if stage != self.stage:
            self.close()
            self.bar = click.progressbar(length=total, label=stage, file=sys.stderr)
            self.bar.__enter__()
            self.stage, self.done = stage, 0
        self.bar.update(done - self.done)
        self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def _echo_ids(label: str, ids: list[str]) -> None:
    if ids and len(ids) <= SHOW_IDS:
        click.echo(f"    {label}: {', '.join(ids)}")


def _echo_warnings(warnings) -> None:
    if not warnings:
        return
    click.echo(f"{len(warnings)} warning(s):", err=True)
    for warning in warnings[:SHOW_WARNINGS]:
        click.echo(f"  - {warning}", err=True)
    if len(warnings) > SHOW_WARNINGS:
        click.echo(f"  ... and {len(warnings) - SHOW_WARNINGS} more", err=True)


@directory.command("import")
@click.argument("source")
@click.option("--area", help="Area for services the input gives none (ORUK service areas win when present).")
@click.option("--dry-run", is_flag=True, help="Validate and show what would change; change nothing.")
@click.option("--verbose", "-v", is_flag=True, help="List the types and audiences worked out for every service.")
@database_option
def import_command(source: str, area: str | None, dry_run: bool, verbose: bool, database_url: str | None) -> None:
    """Import SOURCE: ORUK JSON, an ORUK CSV folder, the CSV template, or an ORUK API's /services address.

    All or nothing: any error leaves the directory as it was. Prints what was added, changed
    and removed in each area, services left out as not active, fields and terms it could not
    use, and the types and audiences it worked out for each service.

    Example: bot directory import directories/template_example.csv --dry-run
    """
    from bot.directory.schema import DirectoryError
    from bot.directory.store import import_directory

    bar = _ProgressBar()
    try:
        report = import_directory(_engine(database_url), source, area=area, dry_run=dry_run, progress=bar)
    except DirectoryError as exc:
        bar.close()
        click.echo(str(exc), err=True)
        if exc.warnings:
            click.echo(f"({len(exc.warnings)} warning(s) as well)", err=True)
        sys.exit(1)
    bar.close()
    verb = "Dry run (nothing changed): would import" if dry_run else "Imported"
    name = source if source.startswith(("http://", "https://")) else Path(source).name
    click.echo(f"{verb} {services(report.services)} from {name} ({report.format}) in {report.seconds:.1f} s.")
    for changes in report.areas:
        click.echo(
            f"  {changes.area}: {services(changes.total)}: {len(changes.added)} added, "
            f"{len(changes.changed)} changed, {len(changes.removed)} removed."
        )
        _echo_ids("added", changes.added)
        _echo_ids("changed", changes.changed)
        _echo_ids("removed", changes.removed)
    echo_report_details(report, verbose)
    _echo_warnings(report.warnings)


@directory.command("list")
@database_option
def list_command(database_url: str | None) -> None:
    """List the loaded areas with their number of services (and warn when the fictional Demoshire is among real areas).

    Example: bot directory list
    """
    from bot.directory.store import demo_warning, list_areas

    engine = _engine(database_url)
    areas = list_areas(engine)
    if not areas:
        click.echo("No directory is loaded. Import one with: bot directory import PATH")
        return
    for name, count in areas:
        click.echo(f"{name}\t{services(count)}")
    warning = demo_warning(engine)
    if warning:
        click.echo(warning, err=True)


@directory.command("refresh")
@click.option("--feeds", "feeds_file", type=click.Path(dir_okay=False, path_type=Path),
              help="The feeds file (default: directories/feeds.yml).")
@click.option("--force", is_flag=True, help="Refresh every feed now, not only those due.")
@database_option
def refresh_command(feeds_file: Path | None, force: bool, database_url: str | None) -> None:
    """Import the configured ORUK feeds that are due; a feed that fails keeps its last good import.

    Exits with 1 when any feed failed. The feeds file lists url, area and every_hours per feed
    (docs/directory.md).

    Example: bot directory refresh --feeds directories/feeds.yml --force
    """
    from bot.directory.feeds import load_feeds, refresh_feeds
    from bot.directory.schema import DirectoryError

    path = feeds_file or Path(load_settings().directories_dir) / "feeds.yml"
    if not path.exists():
        click.echo(f"No feeds file at {path}: nothing to refresh.", err=True)
        sys.exit(1)
    try:
        feeds = load_feeds(path)
    except DirectoryError as exc:
        click.echo(str(exc).replace("in the directory input; nothing was imported", f"in {path.name}"), err=True)
        sys.exit(1)
    results = refresh_feeds(_engine(database_url), feeds, force=force)
    for result in results:
        if result.status == "imported":
            click.echo(f"{result.feed.url}: imported {services(result.report.services)}.")
        elif result.status == "not due":
            click.echo(f"{result.feed.url}: not due (every {result.feed.every_hours:g} h).")
        else:
            click.echo(f"{result.feed.url}: FAILED; the last good import stays.\n{result.error}", err=True)
    if any(r.status == "failed" for r in results):
        sys.exit(1)


@directory.command("export")
@click.option("--area", help="Only this area (default: every area).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (default: stdout).")
@database_option
def export_command(area: str | None, output: Path | None, database_url: str | None) -> None:
    """Write the loaded services as ORUK 3.0 JSON (a list of full services), ready to re-import.

    Example: bot directory export --area Demoshire -o demoshire-export.json
    """
    from bot.directory.store import area_key, export_oruk, list_areas

    engine = _engine(database_url)
    if area and area_key(area) not in {area_key(name) for name, _ in list_areas(engine)}:
        click.echo(f"No area called {area!r} is loaded.", err=True)
        sys.exit(1)
    text = json.dumps(export_oruk(engine, area), indent=2, ensure_ascii=False)
    if output:
        output.write_text(text + "\n", encoding="utf-8")
        click.echo(f"Wrote {output}.", err=True)
    else:
        click.echo(text)


@directory.command("remove")
@click.argument("area")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@database_option
def remove_command(area: str, yes: bool, database_url: str | None) -> None:
    """Remove AREA and all its services (asks first; --yes to skip the question).

    Example: bot directory remove "North Demoshire" --yes
    """
    from bot.directory.store import area_key, list_areas, remove_area

    engine = _engine(database_url)
    found = next(((name, count) for name, count in list_areas(engine) if area_key(name) == area_key(area)), None)
    if found is None:
        click.echo(f"No area called {area!r} is loaded.", err=True)
        sys.exit(1)
    name, count = found
    if not yes and not click.confirm(f"Remove {name} and its {services(count)}?", default=False, err=True):
        click.echo("Nothing removed.", err=True)
        sys.exit(1)
    removed = remove_area(engine, name)
    click.echo(f"Removed {name}: {services(removed)}.")


@directory.command("search")
@click.argument("text")
@click.option("--area", help="Area to search when TEXT names none.")
@click.option("--limit", default=3, show_default=True, help="Services to show.")
@database_option
def search_command(text: str, area: str | None, limit: int, database_url: str | None) -> None:
    """Answer a practitioner's request the way the assistant reads it: area, need, age, who for.

    Example: bot directory search "perpetrator programme in North Demoshire"
    """
    from bot.directory.areas import AreaMatcher
    from bot.directory.query import find_services, parse_request
    from bot.directory.render import alternative_text, service_text

    engine = _engine(database_url)
    matcher = AreaMatcher(engine)
    request = parse_request(text, matcher)
    chosen = request.area or area
    click.echo(f"Area: {chosen or '-'}; needs: {', '.join(request.needs) or 'any'}; "
               f"age: {request.age if request.age is not None else 'any'}; for: {request.audience or 'anyone'}")
    if not chosen:
        click.echo(f"Which area? Loaded: {', '.join(matcher.names()) or 'none'}", err=True)
        sys.exit(1)
    result = find_services(engine, chosen, request.needs, request.age, request.audience, limit=limit)
    if not result.area_known:
        click.echo(f"No directory is loaded for {chosen!r}. Loaded: {', '.join(matcher.names()) or 'none'}", err=True)
        sys.exit(1)
    click.echo(f"{services(result.total)} found in {result.area}.\n")
    for service in result.services:
        click.echo(service_text(service) + "\n")
    for alternative in result.alternatives:
        click.echo(f"Nothing matched; {alternative.total} found for {alternative_text(alternative)}.")
    if result.front_door:
        click.echo("\nChildren's social care front door:\n" + service_text(result.front_door))
