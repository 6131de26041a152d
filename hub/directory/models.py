"""Directory tables. Shareable records carry provenance (hub.provenance.Provenanced)."""

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.db import Base
from hub.provenance import Provenanced, origin_unique


class Term(Base):
    """One slug of a controlled vocabulary (topics, phases, audiences, tiers, modes, roles...)."""

    __tablename__ = "terms"
    __table_args__ = (UniqueConstraint("vocabulary", "slug", name="uq_terms_vocabulary_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vocabulary: Mapped[str] = mapped_column(String(40))
    slug: Mapped[str] = mapped_column(String(80))
    label: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("terms.id"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    retired: Mapped[bool] = mapped_column(Boolean, default=False)


class Center(Base):
    """A school safety center: this hub's own, or a partner (national, state or regional)."""

    __tablename__ = "centers"
    __table_args__ = (
        CheckConstraint("level IN ('national', 'state', 'regional', 'district')", name="level"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(16))
    state: Mapped[str | None] = mapped_column(String(2))
    website: Mapped[str | None] = mapped_column(String(500))
    is_local: Mapped[bool] = mapped_column(Boolean, default=False)


class Region(Base):
    """A sub-state region, such as an education service region; districts belong to one."""

    __tablename__ = "regions"
    __table_args__ = (UniqueConstraint("state", "code", name="uq_regions_state_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[str] = mapped_column(String(2))
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))


class District(Provenanced, Base):
    """A local education agency, keyed by its 7-digit NCES LEAID."""

    __tablename__ = "districts"
    __table_args__ = (origin_unique(),)

    id: Mapped[int] = mapped_column(primary_key=True)
    nces_id: Mapped[str] = mapped_column(String(7), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    state: Mapped[str] = mapped_column(String(2), index=True)
    county_name: Mapped[str | None] = mapped_column(String(100))
    county_fips: Mapped[str | None] = mapped_column(String(5), index=True)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    street: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(100))
    zip: Mapped[str | None] = mapped_column(String(10))
    phone: Mapped[str | None] = mapped_column(String(20))
    website: Mapped[str | None] = mapped_column(String(500))
    grade_low: Mapped[str | None] = mapped_column(String(2))
    grade_high: Mapped[str | None] = mapped_column(String(2))
    charter: Mapped[bool] = mapped_column(Boolean, default=False)
    enrollment: Mapped[int | None] = mapped_column(Integer)
    closed: Mapped[bool] = mapped_column(Boolean, default=False)

    region: Mapped[Region | None] = relationship()


class School(Provenanced, Base):
    """A school, keyed by its 12-digit NCES id, in one district."""

    __tablename__ = "schools"
    __table_args__ = (origin_unique(),)

    id: Mapped[int] = mapped_column(primary_key=True)
    nces_id: Mapped[str] = mapped_column(String(12), unique=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), index=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    level: Mapped[str | None] = mapped_column(String(40))
    street: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(100))
    zip: Mapped[str | None] = mapped_column(String(10))
    county_name: Mapped[str | None] = mapped_column(String(100))
    county_fips: Mapped[str | None] = mapped_column(String(5))
    phone: Mapped[str | None] = mapped_column(String(20))
    grade_low: Mapped[str | None] = mapped_column(String(2))
    grade_high: Mapped[str | None] = mapped_column(String(2))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    closed: Mapped[bool] = mapped_column(Boolean, default=False)


class Contact(Provenanced, Base):
    """A person or desk to call. Belongs to a district (and then maybe to one of its schools) or to
    a center; a school contact carries its district too, so permission checks need no join."""

    __tablename__ = "contacts"
    __table_args__ = (
        CheckConstraint("(district_id IS NULL) <> (center_id IS NULL)", name="one_owner"),
        CheckConstraint("school_id IS NULL OR district_id IS NOT NULL", name="school_in_district"),
        origin_unique(),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"), index=True)
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"), index=True)
    center_id: Mapped[int | None] = mapped_column(ForeignKey("centers.id"), index=True)
    # A center staff member's region: escalations of its districts reach them (none: all).
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(80), index=True)
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(20))
    channels: Mapped[list[str]] = mapped_column(JSON, default=list)
    # A district system that takes alerts as signed JSON POSTs (channel "webhook").
    webhook_url: Mapped[str | None] = mapped_column(String(500))
    # Channels whose address bounced: kept, but flagged for the district to correct.
    unverified_channels: Mapped[list[str]] = mapped_column(JSON, default=list)
    available_24x7: Mapped[bool] = mapped_column(Boolean, default=False)
    verified_at: Mapped[datetime | None] = mapped_column()


class Provider(Base):
    """An organization that offers programs (a center, a university, a nonprofit, an agency)."""

    __tablename__ = "providers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str | None] = mapped_column(String(40))
    website: Mapped[str | None] = mapped_column(String(500))


program_terms = Table(
    "program_terms",
    Base.metadata,
    Column("program_id", ForeignKey("programs.id", ondelete="CASCADE"), primary_key=True),
    Column("term_id", ForeignKey("terms.id"), primary_key=True, index=True),
)

practice_terms = Table(
    "practice_terms",
    Base.metadata,
    Column("practice_id", ForeignKey("practices.id", ondelete="CASCADE"), primary_key=True),
    Column("term_id", ForeignKey("terms.id"), primary_key=True, index=True),
)


class EvidenceRating(Base):
    """One rating of a program's or practice's evidence: tier, who rated it, as of when."""

    __tablename__ = "evidence_ratings"
    __table_args__ = (
        CheckConstraint("(program_id IS NULL) <> (practice_id IS NULL)", name="one_subject"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int | None] = mapped_column(
        ForeignKey("programs.id", ondelete="CASCADE"), index=True
    )
    practice_id: Mapped[int | None] = mapped_column(
        ForeignKey("practices.id", ondelete="CASCADE"), index=True
    )
    tier_id: Mapped[int] = mapped_column(ForeignKey("terms.id"), index=True)
    source: Mapped[str] = mapped_column(String(200))
    as_of: Mapped[date | None] = mapped_column(Date)
    url: Mapped[str | None] = mapped_column(String(500))

    tier: Mapped[Term] = relationship(lazy="joined")


class ProgramAvailability(Base):
    """Where a program is offered: a state code, a region code or a district's NCES id.

    A program with no rows is available everywhere.
    """

    __tablename__ = "program_availability"
    __table_args__ = (CheckConstraint("scope IN ('state', 'region', 'district')", name="scope"),)

    program_id: Mapped[int] = mapped_column(
        ForeignKey("programs.id", ondelete="CASCADE"), primary_key=True
    )
    scope: Mapped[str] = mapped_column(String(10), primary_key=True)
    code: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)


class Program(Provenanced, Base):
    """A program, training or service a district can use."""

    __tablename__ = "programs"
    __table_args__ = (origin_unique(),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("providers.id"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"), index=True)
    free: Mapped[bool] = mapped_column(Boolean, default=False)
    cost_note: Mapped[str | None] = mapped_column(String(300))
    url: Mapped[str | None] = mapped_column(String(500))
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)

    terms: Mapped[list[Term]] = relationship(secondary=program_terms)
    ratings: Mapped[list[EvidenceRating]] = relationship(
        cascade="all, delete-orphan", foreign_keys=[EvidenceRating.program_id]
    )
    availability: Mapped[list[ProgramAvailability]] = relationship(cascade="all, delete-orphan")


class Practice(Provenanced, Base):
    """A best practice: Markdown body, citations, and a review status."""

    __tablename__ = "practices"
    __table_args__ = (
        CheckConstraint(
            "status IN ('draft', 'submitted', 'approved', 'published', 'retired')", name="status"
        ),
        origin_unique(),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    citations: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    submitted_by_district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"))

    terms: Mapped[list[Term]] = relationship(secondary=practice_terms)
    ratings: Mapped[list[EvidenceRating]] = relationship(
        cascade="all, delete-orphan", foreign_keys=[EvidenceRating.practice_id]
    )
