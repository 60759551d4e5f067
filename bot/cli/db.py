"""The ``bot db`` commands: bring the project's database to the newest schema, and say where it stands."""

from __future__ import annotations

import os
import sys
from typing import NoReturn

import click

from bot.config import PROJECT_ROOT, load_settings

database_option = click.option(
    "--database-url", help="SQLAlchemy URL (default: DASG_DATABASE_URL or SQLite in var/)."
)


@click.group()
def db() -> None:
    """The project's database schema (knowledge, directory, counters), managed by migrations."""


@db.command("upgrade")
@database_option
@click.option("--tracker-url", envvar="DASG_TRACKER_URL",
              help="Rasa's tracker database, for its sender_id index (default: DASG_TRACKER_URL, else the endpoints "
                   "file's SQL tracker store).")
@click.option("--endpoints", envvar="DASG_ENDPOINTS", default="endpoints.yml", show_default=True,
              help="Endpoints file naming the tracker store when no tracker URL is given (DASG_ENDPOINTS).")
def upgrade_command(database_url: str | None, tracker_url: str | None, endpoints: str) -> None:
    """Apply the migrations the database lacks (a database made before migrations is adopted with its rows),
    then make sure Rasa's tracker database has its index on events (sender_id).

    Run it before starting a new version on PostgreSQL; `bot run` runs it too, and embedded SQLite
    upgrades itself on first use. Exit code 1 when the database cannot be reached or upgraded.

    Example: DASG_DATABASE_URL=postgresql://dasg@db/dasg bot db upgrade
    """
    from sqlalchemy.exc import SQLAlchemyError

    from bot.db import SchemaNotCurrent, upgrade
    from bot.db.tracker import TrackerConfigError, ensure_sender_index, url_from_endpoints

    url = database_url or load_settings().database_url
    try:
        report = upgrade(url)
    except SQLAlchemyError as exc:
        _fail(f"could not upgrade the database: {_first_line(exc)}")
    except SchemaNotCurrent as exc:
        _fail(str(exc))
    if not report.changed:
        click.echo(f"Database {report.database} is already at revision {report.after} (newest).")
    elif report.adopted:
        click.echo(f"Database {report.database} was made before migrations: adopted with its rows and upgraded "
                   f"to revision {report.after} in {report.seconds:.2f} s.")
    else:
        click.echo(f"Database {report.database} upgraded from {report.before or 'empty'} to revision {report.after} "
                   f"in {report.seconds:.2f} s.")
    try:
        tracker = tracker_url or url_from_endpoints(PROJECT_ROOT / endpoints, os.environ, PROJECT_ROOT)
        if tracker is None:
            click.echo(f"Tracker store in {endpoints} is not an SQL store: no index to check.")
            return
        click.echo(ensure_sender_index(tracker))
    except (TrackerConfigError, SQLAlchemyError) as exc:
        _fail(f"could not check the tracker database: {_first_line(exc)}")


@db.command("current")
@database_option
def current_command(database_url: str | None) -> None:
    """Print the database's schema revision and whether it is the newest (exit code 1 when it is not).

    Example: bot db current
    """
    from sqlalchemy.exc import SQLAlchemyError

    from bot.db import current, head

    url = database_url or load_settings().database_url
    try:
        found = current(url)
    except SQLAlchemyError as exc:
        _fail(f"could not read the database: {_first_line(exc)}")
    if found == head():
        click.echo(f"{found} (newest)")
        return
    click.echo(f"{found or 'none'} (the newest is {head()}: run `bot db upgrade`)")
    sys.exit(1)


def _first_line(exc: Exception) -> str:
    """The driver's own message without SQLAlchemy's SQL echo and background link (it may be long)."""
    return str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]


def _fail(message: str) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)

