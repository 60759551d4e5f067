"""SQLAlchemy models for the knowledge store: sources, their sections, and cited entries."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, ForeignKeyConstraint, Integer, String, Text
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()


class SourceRow(Base):
    """A source document."""

    __tablename__ = "sources"

    id = Column(String(64), primary_key=True)
    citation = Column(String(200), nullable=False)
    title = Column(Text, nullable=False)
    publisher = Column(Text, nullable=False)
    date = Column(String(32), nullable=False)
    licence = Column(Text, nullable=False)
    style = Column(String(16), nullable=False)
    sections = relationship(
        "SectionRow", back_populates="source", order_by="SectionRow.position", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Source {self.id} {self.citation!r}>"


class SectionRow(Base):
    """A heading within a source document."""

    __tablename__ = "sections"

    source_id = Column(String(64), ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True)
    id = Column(String(100), primary_key=True)
    position = Column(Integer, nullable=False)
    title = Column(Text, nullable=False)
    parent_id = Column(String(100))
    source = relationship("SourceRow", back_populates="sections")

    def __repr__(self) -> str:
        return f"<Section {self.source_id}/{self.id}>"


class EntryRow(Base):
    """A knowledge entry: a short cited answer and the ways people ask for it."""

    __tablename__ = "entries"

    id = Column(String(100), primary_key=True)
    topic = Column(String(64), nullable=False, index=True)
    title = Column(Text, nullable=False)
    answer = Column(Text, nullable=False)
    detail = Column(Text, nullable=False, default="")
    questions = relationship(
        "EntryQuestionRow", order_by="EntryQuestionRow.position", cascade="all, delete-orphan", back_populates="entry"
    )
    citations = relationship(
        "EntryCitationRow", order_by="EntryCitationRow.position", cascade="all, delete-orphan", back_populates="entry"
    )
    tags = relationship("EntryTagRow", cascade="all, delete-orphan", back_populates="entry")
    steps = relationship(
        "EntryStepRow", order_by="EntryStepRow.position", cascade="all, delete-orphan", back_populates="entry"
    )
    related = relationship(
        "EntryRelatedRow",
        order_by="EntryRelatedRow.position",
        cascade="all, delete-orphan",
        foreign_keys="EntryRelatedRow.entry_id",
        back_populates="entry",
    )

    def __repr__(self) -> str:
        return f"<Entry {self.id}>"


class EntryQuestionRow(Base):
    """One way of asking for an entry."""

    __tablename__ = "entry_questions"

    entry_id = Column(String(100), ForeignKey("entries.id", ondelete="CASCADE"), primary_key=True)
    position = Column(Integer, primary_key=True)
    text = Column(Text, nullable=False)
    entry = relationship("EntryRow", back_populates="questions")

    def __repr__(self) -> str:
        return f"<EntryQuestion {self.entry_id}#{self.position}>"


class EntryCitationRow(Base):
    """A citation from an entry to a section of a source."""

    __tablename__ = "entry_citations"
    __table_args__ = (
        ForeignKeyConstraint(["source_id", "section_id"], ["sections.source_id", "sections.id"]),
    )

    entry_id = Column(String(100), ForeignKey("entries.id", ondelete="CASCADE"), primary_key=True)
    position = Column(Integer, primary_key=True)
    source_id = Column(String(64), nullable=False)
    section_id = Column(String(100), nullable=False)
    entry = relationship("EntryRow", back_populates="citations")

    def __repr__(self) -> str:
        return f"<EntryCitation {self.entry_id} -> {self.source_id}/{self.section_id}>"


class EntryStepRow(Base):
    """One step of an entry's ordered checklist, with its citation."""

    __tablename__ = "entry_steps"
    __table_args__ = (
        ForeignKeyConstraint(["source_id", "section_id"], ["sections.source_id", "sections.id"]),
    )

    entry_id = Column(String(100), ForeignKey("entries.id", ondelete="CASCADE"), primary_key=True)
    position = Column(Integer, primary_key=True)
    text = Column(Text, nullable=False)
    source_id = Column(String(64), nullable=False)
    section_id = Column(String(100), nullable=False)
    entry = relationship("EntryRow", back_populates="steps")

    def __repr__(self) -> str:
        return f"<EntryStep {self.entry_id}#{self.position}>"


class EntryTagRow(Base):
    """A keyword, agency or age-stage tag on an entry."""

    __tablename__ = "entry_tags"

    entry_id = Column(String(100), ForeignKey("entries.id", ondelete="CASCADE"), primary_key=True)
    kind = Column(String(16), primary_key=True)
    value = Column(String(200), primary_key=True)
    entry = relationship("EntryRow", back_populates="tags")

    def __repr__(self) -> str:
        return f"<EntryTag {self.entry_id} {self.kind}={self.value}>"


class EntryRelatedRow(Base):
    """A link from an entry to a related entry, offered as a button."""

    __tablename__ = "entry_related"

    entry_id = Column(String(100), ForeignKey("entries.id", ondelete="CASCADE"), primary_key=True)
    position = Column(Integer, primary_key=True)
    related_id = Column(String(100), ForeignKey("entries.id", ondelete="CASCADE"), nullable=False)
    entry = relationship("EntryRow", back_populates="related", foreign_keys=[entry_id])

    def __repr__(self) -> str:
        return f"<EntryRelated {self.entry_id} -> {self.related_id}>"
