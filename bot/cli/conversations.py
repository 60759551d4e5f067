"""``bot conversations``: what the tracker store keeps of conversations, and deleting old ones."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click


@click.group()
def conversations() -> None:
    """Conversations kept in the tracker database (intents and ids only, never text)."""


@conversations.command("purge")
@click.option("--days", type=click.IntRange(min=1), default=None,
              help="Delete conversations with no event in this many days (default: DASG_RETENTION_DAYS, else 30).")
@click.option("--dry-run", is_flag=True, help="Count what would be deleted; delete nothing.")
@click.option("--tracker-url", envvar="DASG_TRACKER_URL", default=None,
              help="The tracker database (default: DASG_TRACKER_URL, else the endpoints file's tracker_store).")
@click.option("--endpoints", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Read the tracker database from this endpoints file (default: DASG_ENDPOINTS, else endpoints.yml).")
def purge_command(days: int | None, dry_run: bool, tracker_url: str | None, endpoints: Path | None) -> None:
    """Delete every conversation whose last event is older than the retention limit, in one transaction.

    Works on the SQLite and PostgreSQL tracker stores. The database is the one the Rasa server uses:
    --tracker-url, else the endpoints file's tracker_store (DASG_ENDPOINTS or endpoints.yml; the
    SQLite file DASG_TRACKER_DB when bot run was given one). Exit code 1, and nothing deleted, if
    the database cannot be found, read or purged.

    Example: bot conversations purge --dry-run
    """
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    from bot.config import load_settings
    from bot.privacy import retention

    try:
        limit = days or load_settings().retention_days
        url = make_url(tracker_url) if tracker_url else retention.tracker_url(os.environ, endpoints=endpoints)
        result = retention.purge(retention.tracker_engine(url), limit, dry_run=dry_run)
    except (retention.RetentionError, ArgumentError, ValueError) as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    click.echo(retention.describe(result, limit))
