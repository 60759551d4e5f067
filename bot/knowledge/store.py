"""Load validated knowledge into a SQL database and read it back.

SQLite is the embedded default; PostgreSQL in production (``DASG_DATABASE_URL``). The tables are
made by the migrations in ``bot/db/migrations`` (``bot.db``). A load replaces the whole store in one
transaction, so a failed load changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, delete, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, selectinload

from bot.db import ensure_current
from bot.knowledge.models import (
    EntryCitationRow,
    EntryQuestionRow,
    EntryRelatedRow,
    EntryRow,
    EntryStepRow,
    EntryTagRow,
    SectionRow,
    SourceRow,
)
from bot.knowledge.schema import Citation, Entry, Knowledge, Section, Source, Step

TAG_KINDS = ("keyword", "agency", "age_stage")


def make_engine(url: str) -> Engine:
    """An engine on a database whose schema is current: embedded SQLite (its folder made when needed) is
    upgraded now; another database must have been upgraded by ``bot db upgrade`` (else ``SchemaNotCurrent``)."""
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    # psycopg2 sends a many-row insert (a directory import) in pages rather than a round trip per row
    options = {"executemany_mode": "values_plus_batch"} if url.startswith(("postgresql:", "postgresql+psycopg2:")) else {}
    engine = create_engine(url, future=True, **options)
    ensure_current(engine)
    return engine


@dataclass(frozen=True)
class LoadReport:
    """What a load changed."""

    sources: int
    sections: int
    entries: int
    added: tuple[str, ...]
    changed: tuple[str, ...]
    removed: tuple[str, ...]


def _entry_fingerprint(entry: Entry) -> tuple:
    return (
        entry.topic, entry.title, entry.answer, entry.detail, entry.questions, entry.citations,
        tuple(sorted(entry.keywords)), tuple(sorted(entry.agencies)), tuple(sorted(entry.age_stages)), entry.related,
        entry.steps,
    )


def save_knowledge(engine: Engine, knowledge: Knowledge) -> LoadReport:
    """Replace the stored knowledge with ``knowledge`` in a single transaction."""
    before = {entry.id: entry for entry in read_entries(engine)}
    with Session(engine, future=True) as session, session.begin():
        for table in (
            EntryRelatedRow, EntryStepRow, EntryTagRow, EntryCitationRow, EntryQuestionRow, EntryRow, SectionRow, SourceRow,
        ):
            session.execute(delete(table))
        session.flush()
        for source in knowledge.sources.values():
            session.add(_source_row(source))
        session.flush()
        for entry in knowledge.entries.values():
            session.add(_entry_row(entry))
        session.flush()
        for entry in knowledge.entries.values():
            for position, related_id in enumerate(entry.related):
                session.add(EntryRelatedRow(entry_id=entry.id, position=position, related_id=related_id))
    after = knowledge.entries
    return LoadReport(
        sources=len(knowledge.sources),
        sections=sum(len(s.sections) for s in knowledge.sources.values()),
        entries=len(after),
        added=tuple(sorted(set(after) - set(before))),
        changed=tuple(
            sorted(i for i in set(after) & set(before) if _entry_fingerprint(after[i]) != _entry_fingerprint(before[i]))
        ),
        removed=tuple(sorted(set(before) - set(after))),
    )


def _source_row(source: Source) -> SourceRow:
    row = SourceRow(
        id=source.id, citation=source.citation, title=source.title, publisher=source.publisher,
        date=source.date, licence=source.licence, style=source.style,
    )
    row.sections = [
        SectionRow(id=s.id, position=i, title=s.title, parent_id=s.parent) for i, s in enumerate(source.sections)
    ]
    return row


def _entry_row(entry: Entry) -> EntryRow:
    row = EntryRow(id=entry.id, topic=entry.topic, title=entry.title, answer=entry.answer, detail=entry.detail)
    row.questions = [EntryQuestionRow(position=i, text=q) for i, q in enumerate(entry.questions)]
    row.citations = [
        EntryCitationRow(position=i, source_id=c.source, section_id=c.section) for i, c in enumerate(entry.citations)
    ]
    row.steps = [
        EntryStepRow(position=i, text=step.text, source_id=step.citation.source, section_id=step.citation.section)
        for i, step in enumerate(entry.steps)
    ]
    tags = {("keyword", k) for k in entry.keywords}
    tags |= {("agency", a) for a in entry.agencies}
    tags |= {("age_stage", a) for a in entry.age_stages}
    row.tags = [EntryTagRow(kind=kind, value=value) for kind, value in sorted(tags)]
    return row


def read_sources(engine: Engine) -> dict[str, Source]:
    """All stored sources with their sections."""
    with Session(engine, future=True) as session:
        rows = session.scalars(select(SourceRow).options(selectinload(SourceRow.sections)).order_by(SourceRow.id))
        return {
            row.id: Source(
                id=row.id, citation=row.citation, title=row.title, publisher=row.publisher, date=row.date,
                licence=row.licence, style=row.style,
                sections=tuple(Section(id=s.id, title=s.title, parent=s.parent_id) for s in row.sections),
            )
            for row in rows
        }


def read_entries(engine: Engine) -> list[Entry]:
    """All stored entries, in id order."""
    with Session(engine, future=True) as session:
        rows = session.scalars(
            select(EntryRow)
            .options(
                selectinload(EntryRow.questions),
                selectinload(EntryRow.citations),
                selectinload(EntryRow.tags),
                selectinload(EntryRow.related),
                selectinload(EntryRow.steps),
            )
            .order_by(EntryRow.id)
        )
        return [_entry_from_row(row) for row in rows]


def _entry_from_row(row: EntryRow) -> Entry:
    tags = {kind: tuple(sorted(t.value for t in row.tags if t.kind == kind)) for kind in TAG_KINDS}
    return Entry(
        id=row.id, topic=row.topic, title=row.title, answer=row.answer, detail=row.detail or "",
        questions=tuple(q.text for q in row.questions),
        citations=tuple(Citation(c.source_id, c.section_id) for c in row.citations),
        keywords=tags["keyword"], agencies=tags["agency"], age_stages=tags["age_stage"],
        related=tuple(r.related_id for r in row.related),
        steps=tuple(Step(s.text, Citation(s.source_id, s.section_id)) for s in row.steps),
    )


def count_entries(engine: Engine) -> int:
    with Session(engine, future=True) as session:
        return session.scalar(select(func.count()).select_from(EntryRow)) or 0
