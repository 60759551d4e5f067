"""SQLAlchemy models for the local service directory, on their own metadata so they share the knowledge database file."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Date, DateTime, ForeignKey, ForeignKeyConstraint, Index, Integer, String, Text
from sqlalchemy.orm import declarative_base, relationship

DirectoryBase = declarative_base()


class DirectoryMetaRow(DirectoryBase):
    """A named counter or setting; ``generation`` goes up on every change, so matchers know to rebuild."""

    __tablename__ = "directory_meta"

    key = Column(String(64), primary_key=True)
    value = Column(Integer, nullable=False, default=0)

    def __repr__(self) -> str:
        return f"<DirectoryMeta {self.key}={self.value}>"


class AreaRow(DirectoryBase):
    """An area (local authority or partnership) whose services were imported."""

    __tablename__ = "directory_areas"

    id = Column(Integer, primary_key=True, autoincrement=True)
    key = Column(String(200), nullable=False, unique=True)  # case-folded name
    name = Column(String(200), nullable=False)
    source = Column(Text, nullable=False, default="")
    imported_at = Column(DateTime, nullable=False)
    services = relationship("ServiceRow", back_populates="area", cascade="all, delete-orphan", passive_deletes=True)

    def __repr__(self) -> str:
        return f"<Area {self.name!r}>"


class ServiceRow(DirectoryBase):
    """A service as listed in one area (a service serving two areas has a row in each)."""

    __tablename__ = "directory_services"
    # Covers filtering and ordering, so a query reads whole rows only for the page it returns.
    __table_args__ = (
        Index("ix_directory_services_filter", "area_id", "name", "id", "min_age", "max_age", "audiences"),
        Index("ix_directory_services_source", "source"),
    )

    area_id = Column(Integer, ForeignKey("directory_areas.id", ondelete="CASCADE"), primary_key=True)
    id = Column(String(200), primary_key=True)
    name = Column(Text, nullable=False)
    organisation = Column(Text, nullable=False, default="")
    organisation_id = Column(String(200), nullable=False, default="")
    description = Column(Text, nullable=False, default="")
    min_age = Column(Integer)
    max_age = Column(Integer)
    how_to_refer = Column(Text, nullable=False, default="")
    phone = Column(String(100), nullable=False, default="")
    email = Column(String(320), nullable=False, default="")
    website = Column(Text, nullable=False, default="")
    opening_times = Column(Text, nullable=False, default="")
    # ",child,adult_victim," ('' when the directory does not say), so one LIKE filters by audience
    audiences = Column(String(200), nullable=False, default="")
    # "idva,refuge": the service's types in taxonomy order, read with the row (the tags table filters)
    types = Column(String(400), nullable=False, default="")
    eligibility = Column(Text, nullable=False, default="")
    languages = Column(Text, nullable=False, default="")  # "English, Polish"
    fees = Column(Text, nullable=False, default="")
    address = Column(Text, nullable=False, default="")  # one display line: venue, street, town, postcode
    last_modified = Column(Date)
    assured_date = Column(Date)
    # The import that owns the row: a digest of its home areas (docs/directory-model.md, section 5),
    # the file or address it came from, and whether the row is one of its services spanning into
    # an area that is not one of its home areas.
    source = Column(String(32), nullable=False, default="")
    origin = Column(Text, nullable=False, default="")
    shared = Column(Boolean, nullable=False, default=False)
    fingerprint = Column(String(32), nullable=False)
    area = relationship("AreaRow", back_populates="services")
    tags = relationship("ServiceTagRow", cascade="all, delete-orphan", passive_deletes=True)

    def __repr__(self) -> str:
        return f"<Service {self.id} in area {self.area_id}>"


class ServiceTagRow(DirectoryBase):
    """A taxonomy tag of a service (kind ``type``: a service type id), indexed for filtering by need."""

    __tablename__ = "directory_service_tags"
    __table_args__ = (
        ForeignKeyConstraint(
            ["area_id", "service_id"], ["directory_services.area_id", "directory_services.id"], ondelete="CASCADE"
        ),
        Index("ix_directory_tags_lookup", "area_id", "kind", "value"),
    )

    area_id = Column(Integer, primary_key=True)
    service_id = Column(String(200), primary_key=True)
    kind = Column(String(16), primary_key=True)
    value = Column(String(64), primary_key=True)
    position = Column(Integer, nullable=False, default=0)

    def __repr__(self) -> str:
        return f"<ServiceTag {self.service_id} {self.kind}={self.value}>"


class FeedRow(DirectoryBase):
    """The refresh history of a configured ORUK feed: when it last worked, and the last failure."""

    __tablename__ = "directory_feeds"

    url = Column(String(2000), primary_key=True)
    last_attempt = Column(DateTime)
    last_success = Column(DateTime)
    last_error = Column(Text, nullable=False, default="")

    def __repr__(self) -> str:
        return f"<Feed {self.url} ok {self.last_success}>"
