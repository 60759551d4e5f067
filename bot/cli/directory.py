"""The ``bot directory`` commands: import, list, export, remove and search local service directories."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

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
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--area", help="Area for services the file gives none (ORUK service areas win when present).")
@click.option("--dry-run", is_flag=True, help="Validate and show what would change; change nothing.")
@database_option
def import_command(path: Path, area: str | None, dry_run: bool, database_url: str | None) -> None:
    """Import PATH (ORUK JSON, an ORUK CSV folder, or the CSV template), replacing its areas' services.

    All or nothing: any error leaves every area as it was. Prints what was added, changed
    and removed in each area.

    Example: bot directory import directories/template_example.csv --dry-run
    """
    from bot.directory.schema import DirectoryError
    from bot.directory.store import import_directory

    bar = _ProgressBar()
    try:
        report = import_directory(_engine(database_url), path, area=area, dry_run=dry_run, progress=bar)
    except DirectoryError as exc:
        bar.close()
        click.echo(str(exc), err=True)
        if exc.warnings:
            click.echo(f"({len(exc.warnings)} warning(s) as well)", err=True)
        sys.exit(1)
    bar.close()
    verb = "Dry run (nothing changed): would import" if dry_run else "Imported"
    click.echo(f"{verb} {report.services} services from {path.name} ({report.format}) in {report.seconds:.1f} s.")
    for changes in report.areas:
        click.echo(
            f"  {changes.area}: {changes.total} services: {len(changes.added)} added, "
            f"{len(changes.changed)} changed, {len(changes.removed)} removed."
        )
        _echo_ids("added", changes.added)
        _echo_ids("changed", changes.changed)
        _echo_ids("removed", changes.removed)
    _echo_warnings(report.warnings)


@directory.command("list")
@database_option
def list_command(database_url: str | None) -> None:
    """List the loaded areas with their number of services.

    Example: bot directory list
    """
    from bot.directory.store import list_areas

    areas = list_areas(_engine(database_url))
    if not areas:
        click.echo("No directory is loaded. Import one with: bot directory import PATH")
        return
    for name, count in areas:
        click.echo(f"{name}\t{count} services")


@directory.command("export")
@click.option("--area", help="Only this area (default: every area).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (default: stdout).")
@database_option
def export_command(area: str | None, output: Path | None, database_url: str | None) -> None:
    """Write the loaded services as ORUK 3.0 JSON (a list of full services), ready to re-import.

    Example: bot directory export --area Demoshire -o demoshire-export.json
    """
    from bot.directory.store import export_oruk, list_areas

    engine = _engine(database_url)
    if area and area.casefold() not in {name.casefold() for name, _ in list_areas(engine)}:
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
@database_option
def remove_command(area: str, database_url: str | None) -> None:
    """Remove AREA and all its services.

    Example: bot directory remove "North Demoshire"
    """
    from bot.directory.store import remove_area

    removed = remove_area(_engine(database_url), area)
    if not removed:
        click.echo(f"No area called {area!r} is loaded.", err=True)
        sys.exit(1)
    click.echo(f"Removed {area}: {removed} services.")


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
    click.echo(f"{result.total} service(s) match in {result.area}.\n")
    for service in result.services:
        click.echo(service_text(service) + "\n")
    for alternative in result.alternatives:
        click.echo(f"Nothing matched; {alternative.total} found for {alternative_text(alternative)}.")
    if result.front_door:
        click.echo("\nChildren's social care front door:\n" + service_text(result.front_door))
