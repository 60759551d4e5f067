"""``bot knowledge`` and ``bot reflection``: validate and load the curated content."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from bot.cli.content import knowledge_or_exit, loaded_or_exit
from bot.config import load_settings

knowledge_dir_option = click.option(
    "--dir", "knowledge_dir", type=click.Path(file_okay=False, path_type=Path), help="Knowledge folder."
)


@click.group()
def knowledge() -> None:
    """Validate and load the knowledge store."""


@knowledge.command("validate")
@knowledge_dir_option
def knowledge_validate(knowledge_dir: Path | None) -> None:
    """Check the knowledge files and report every problem with file, entry and field.

    Example: bot knowledge validate --dir knowledge
    """
    loaded = knowledge_or_exit(knowledge_dir)
    sections = sum(len(s.sections) for s in loaded.sources.values())
    click.echo(f"OK: {len(loaded.sources)} sources, {sections} sections, {len(loaded.entries)} entries.")


@knowledge.command("load")
@knowledge_dir_option
@click.option("--database-url", help="SQLAlchemy URL (default: DASG_DATABASE_URL or SQLite in var/).")
def knowledge_load(knowledge_dir: Path | None, database_url: str | None) -> None:
    """Validate the knowledge files and replace the store's content with them, in one transaction.

    Example: bot knowledge load --database-url sqlite:///var/knowledge.db
    """
    from bot.knowledge.store import make_engine, save_knowledge

    loaded = knowledge_or_exit(knowledge_dir)
    report = save_knowledge(make_engine(database_url or load_settings().database_url), loaded)
    click.echo(
        f"Loaded {report.entries} entries from {report.sources} sources ({report.sections} sections): "
        f"{len(report.added)} added, {len(report.changed)} changed, {len(report.removed)} removed."
    )
    for label, ids in (("added", report.added), ("changed", report.changed), ("removed", report.removed)):
        if ids and len(ids) <= 20:
            click.echo(f"  {label}: {', '.join(ids)}")


@knowledge.command("coverage")
@knowledge_dir_option
@click.option("--uncovered", is_flag=True, help="List only sections no entry cites.")
def knowledge_coverage(knowledge_dir: Path | None, uncovered: bool) -> None:
    """List every section of every source with the entries that cite it; exit 1 if any has none.

    Example: bot knowledge coverage --uncovered
    """
    from bot.knowledge.coverage import section_coverage

    rows = section_coverage(knowledge_or_exit(knowledge_dir))
    missing = [row for row in rows if not row.entries]
    for row in missing if uncovered else rows:
        click.echo(f"{row.source}/{row.section}\t{len(row.entries)}\t{row.citation}\t{', '.join(row.entries) or '-'}")
    click.echo(f"{len(rows) - len(missing)} of {len(rows)} sections are cited by at least one entry.", err=True)
    if missing:
        sys.exit(1)


@knowledge.command("sections")
@click.argument("source", required=False)
@knowledge_dir_option
def knowledge_sections(source: str | None, knowledge_dir: Path | None) -> None:
    """List the sources' section ids and titles (the ids a citation uses), for one SOURCE or all.

    Each line: source id, section id, title (a sub-section's title after its parent's).

    Example: bot knowledge sections panel2022
    """
    import difflib

    loaded = knowledge_or_exit(knowledge_dir)
    if source is not None and source not in loaded.sources:
        close = difflib.get_close_matches(source, list(loaded.sources), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        click.echo(f"Unknown source '{source}'{hint}. Sources: {', '.join(loaded.sources)}", err=True)
        sys.exit(1)
    for item in [loaded.sources[source]] if source else loaded.sources.values():
        titles = {s.id: s.title for s in item.sections}
        for section in item.sections:
            title = f"{titles[section.parent]} > {section.title}" if section.parent in titles else section.title
            click.echo(f"{item.id}\t{section.id}\t{title}")


@knowledge.command("entries")
@knowledge_dir_option
def knowledge_entries(knowledge_dir: Path | None) -> None:
    """List the knowledge entries' ids and titles (the ids a scenario's key point names as its `entry`).

    Each line: entry id, topic, title.

    Example: bot knowledge entries
    """
    loaded = knowledge_or_exit(knowledge_dir)
    for entry in sorted(loaded.entries.values(), key=lambda e: e.id):
        click.echo(f"{entry.id}\t{entry.topic}\t{entry.title}")


@click.group()
def reflection() -> None:
    """The guided 'conflict or abuse?' reflection."""


@reflection.command("validate")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
def reflection_validate(path: Path | None) -> None:
    """Check a reflection file: questions, outcomes, citations, answer patterns.

    Example: bot reflection validate knowledge/reflection/conflict_or_abuse.yml
    """
    from bot.reflection.model import load_reflection

    settings = load_settings()
    sources = knowledge_or_exit(settings.knowledge_dir).sources
    loaded = loaded_or_exit(load_reflection, path or settings.reflection_file, tuple(sources.items()))
    click.echo(f"OK: {len(loaded.questions)} questions, {len(loaded.consequences)} consequences, every one cited.")
