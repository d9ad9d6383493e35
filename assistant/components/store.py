"""The shared database: feedback log, review queue, curated answers, flagged documents, revisions.

SQLAlchemy over any URL (a SQLite file by default, PostgreSQL by setting). The
tables are declared here once; their schema is created and changed only by
migrations (see ``Store.migrate``), never by ``create_all`` in production.

Personal data never reaches this module unredacted: the feedback service
redacts before it builds a row.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Integer, String, Text, create_engine, event, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from assistant.records import Disagreement, Evidence, Interaction, Ticket


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class InteractionRow(Base):
    """One answered question. ``id`` is made by the app (uuid4 hex), so a spooled
    record written twice is still one row."""

    __tablename__ = "interactions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    channel: Mapped[str] = mapped_column(String(16), index=True)
    language: Mapped[str] = mapped_column(String(8), index=True)
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True)
    supporting: Mapped[list] = mapped_column(JSON, default=list)  # Evidence records as JSON
    disagreeing: Mapped[list] = mapped_column(JSON, default=list)
    model: Mapped[str] = mapped_column(String(200), default="")
    index_version: Mapped[str] = mapped_column(String(100), default="")
    latency_ms: Mapped[float] = mapped_column(Float, default=0.0)
    curated_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    review_state: Mapped[str] = mapped_column(String(16), default="open", index=True)
    reviewed_by: Mapped[str] = mapped_column(String(100), default="")
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    route: Mapped[str] = mapped_column(String(24), default="answer", server_default="answer", index=True)
    quality: Mapped[float | None] = mapped_column(Float, nullable=True)  # assistant/answering/quality.py
    # the route staff say the router should have taken (None: not corrected); a training example
    corrected_route: Mapped[str | None] = mapped_column(String(24), nullable=True, index=True)
    route_corrected_by: Mapped[str] = mapped_column(String(100), default="", server_default="")
    route_corrected_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class RatingRow(Base):
    __tablename__ = "ratings"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # uuid4 hex, made by the app
    interaction_id: Mapped[str] = mapped_column(ForeignKey("interactions.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    rating: Mapped[str] = mapped_column(String(8))  # up | down
    reason: Mapped[str | None] = mapped_column(String(32), nullable=True)
    comment: Mapped[str] = mapped_column(Text, default="")
    # who rated, as a salted hash (not linkable across restarts): bounds what one client can change
    client: Mapped[str] = mapped_column(String(64), default="", server_default="")


class ReviewTagRow(Base):
    """One review tag of an interaction (``assistant.records.ReviewTag``; ``ticket`` for a citizen's ticket)."""

    __tablename__ = "review_tags"

    interaction_id: Mapped[str] = mapped_column(ForeignKey("interactions.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)
    tagged_by: Mapped[str] = mapped_column(String(100), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class TicketRow(Base):
    """A citizen asked for a person to get back to them about one answer.

    ``contact`` is what the citizen typed for that purpose (kept as typed: it is their explicit
    request); ``message`` is redacted. Purged with the interaction (retention)."""

    __tablename__ = "tickets"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # uuid4 hex
    interaction_id: Mapped[str] = mapped_column(ForeignKey("interactions.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    contact: Mapped[str] = mapped_column(Text, default="", server_default="")
    message: Mapped[str] = mapped_column(Text, default="", server_default="")


class CuratedAnswerRow(Base):
    __tablename__ = "curated_answers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    question: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    answer: Mapped[str] = mapped_column(Text)
    doc_id: Mapped[str] = mapped_column(String(300), default="")
    title: Mapped[str] = mapped_column(String(500), default="")
    url: Mapped[str] = mapped_column(String(1000), default="")
    quote: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    interaction_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    active: Mapped[bool] = mapped_column(default=True)
    # the source page's content hash when staff corrected; another hash later sends the answer back to review
    source_hash: Mapped[str] = mapped_column(String(64), default="", server_default="")


class FlaggedDocumentRow(Base):
    __tablename__ = "flagged_documents"

    doc_id: Mapped[str] = mapped_column(String(300), primary_key=True)
    title: Mapped[str] = mapped_column(String(500), default="")
    url: Mapped[str] = mapped_column(String(1000), default="")
    problem: Mapped[str] = mapped_column(String(16))  # outdated | wrong
    note: Mapped[str] = mapped_column(Text, default="")
    flagged_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RevisionRow(Base):
    """A counter per kind of shared data, raised in the same transaction as every change to it.

    ``review``: curated answers and flagged documents. Every instance keeps those in
    memory and reloads them only when this number changed (one tiny SELECT).
    """

    __tablename__ = "revisions"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


def bump_revision(session: Session, name: str) -> None:
    """Raise the revision ``name`` by one, as part of the session's transaction.

    ``value = value + 1`` in the database: concurrent writers (other instances)
    serialise on the row and none of their increments is lost.
    """
    result = session.execute(update(RevisionRow).where(RevisionRow.name == name).values(value=RevisionRow.value + 1))
    if result.rowcount == 0:  # a database whose row was never written (migrations insert it)
        session.add(RevisionRow(name=name, value=1))


def read_revision(session: Session, name: str) -> int:
    """The revision ``name`` (0 when it was never raised)."""
    return int(session.scalar(select(RevisionRow.value).where(RevisionRow.name == name)) or 0)


class Store:
    """Engine and sessions for one database URL."""

    def __init__(self, url: str, busy_timeout_ms: int = 5000) -> None:
        self.url = url
        if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        self.engine: Engine = create_engine(url, pool_pre_ping=True)
        self.busy_timeout_ms = busy_timeout_ms  # SQLite: how long a write waits for another writer
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", partial(_sqlite_pragmas, busy_timeout_ms=busy_timeout_ms))
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction: committed on success, rolled back on error."""
        with self._sessions.begin() as session:
            yield session

    def migrate(self) -> None:
        """Bring the schema up to date: ``alembic upgrade head`` on this store's database.

        Safe when several processes start at once: the upgrade runs under a
        database-wide lock (SQLite ``BEGIN IMMEDIATE``, a PostgreSQL advisory
        lock) and re-reads the version inside it, so the second caller finds the
        schema at head and does nothing. A database made by the old
        ``create_all`` placeholder (tables, no ``alembic_version``) is adopted as
        revision 0001.
        """
        from assistant.components import migrations

        migrations.upgrade(self.engine, busy_timeout_ms=max(self.busy_timeout_ms, 30_000))


def _sqlite_pragmas(connection, _record, busy_timeout_ms: int = 5000) -> None:
    cursor = connection.cursor()
    # first: the pragmas below may need a lock that another process holds for a moment
    cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer
    cursor.close()


def aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite drops the zone


def ticket_record(row: TicketRow) -> Ticket:
    """The stored ticket of a row (the contact as typed, the message redacted)."""
    return Ticket(
        id=row.id,
        interaction_id=row.interaction_id,
        created_at=aware(row.created_at),
        contact=row.contact,
        message=row.message,
    )


def interaction_record(
    row: InteractionRow, rating: str | None = None, reason: str | None = None, comment: str | None = None
) -> Interaction:
    """The logged interaction of a row, with its latest rating (if any)."""
    return Interaction(
        id=row.id,
        created_at=aware(row.created_at),
        channel=row.channel,
        language=row.language,
        question=row.question,
        answer=row.answer,
        status=row.status,
        supporting=[Evidence.model_validate(item) for item in row.supporting or []],
        disagreeing=[Disagreement.model_validate(item) for item in row.disagreeing or []],
        model=row.model,
        index_version=row.index_version,
        latency_ms=row.latency_ms,
        curated_id=row.curated_id,
        rating=rating,
        reason=reason,
        comment=comment or "",
        review_state=row.review_state,
        route=row.route or "answer",
        quality=row.quality,
        corrected_route=row.corrected_route,
    )
