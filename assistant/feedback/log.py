"""The feedback log: every answer and every rating, redacted, never lost when the database is down.

Writes go to the store; when a write fails (database down, locked, unreachable,
or the store cannot even be built) the record goes to a JSONL spool file
instead and the call returns normally, so citizens keep getting answers. The
spool is replayed before the next write and by a background thread every
``spool_retry_s``. Replays are idempotent (insert-if-absent by the record's
own id), keep their order, and rewrite the spool atomically, so a crash at
any point loses nothing and duplicates nothing.

Personal data is removed before a record is built, so neither the database
nor the spool ever holds it. No IP address is ever taken in.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from assistant.components.store import (
    InteractionRow,
    RatingRow,
    ReviewTagRow,
    Store,
    TicketRow,
    aware,
    interaction_record,
    ticket_record,
)
from assistant.records import TICKET_TAG, Answer, Channel, Feedback, Interaction, Ticket, TicketRequest
from assistant.safety.redact import Redactor
from assistant.settings import StoreSettings

PURGE_EVERY_S = 3600  # the serving process deletes records past the retention period hourly

try:  # POSIX: a lock file keeps several worker processes sharing one spool from interleaving rewrites
    import fcntl
except ImportError:  # pragma: no cover - Windows: the in-process lock still holds
    fcntl = None

log = logging.getLogger(__name__)

StoreFactory = Callable[[], Store]


class UnknownInteraction(LookupError):
    """A rating for an interaction id the (reachable) store has never seen."""

    def __init__(self, interaction_id: str) -> None:
        super().__init__(f"unknown interaction id '{interaction_id}'")
        self.interaction_id = interaction_id


class StoreUnavailable(RuntimeError):
    """The store cannot be reached for an operation that has no spool (reading, purging, flushing)."""


class SpoolRecord(BaseModel):
    """One line of the spool: a row waiting to be written."""

    kind: Literal["interaction", "rating"]
    id: str
    row: dict[str, Any]  # column -> JSON value; created_at as ISO text

    def created_at(self) -> datetime:
        return aware(datetime.fromisoformat(self.row["created_at"]))


class FeedbackService:
    """Logs answers and ratings; see the module docstring for the spool.

    >>> service = FeedbackService.create(StoreSettings(url="sqlite:///tmp.sqlite3"), lambda: store)  # doctest: +SKIP
    >>> interaction_id = service.log_answer(answer, "kiosk")  # doctest: +SKIP
    >>> service.rate(Feedback(interaction_id=interaction_id, rating="up"))  # doctest: +SKIP
    """

    def __init__(self, settings: StoreSettings, store_factory: StoreFactory, redactor: Redactor | None = None) -> None:
        self.settings = settings
        self.spool_path = Path(settings.spool_path)
        self._store_factory = store_factory
        self.redactor = redactor or Redactor()
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_error = ""
        self._client_salt = secrets.token_bytes(16)  # per process: client keys are not linkable later

    @classmethod
    def create(cls, settings: StoreSettings, store_factory: StoreFactory, start: bool = True) -> FeedbackService:
        """The service with its spool retry thread running (a daemon: it never keeps the process alive)."""
        service = cls(settings, store_factory)
        if start:
            service.start()
        return service

    # -- writing ---------------------------------------------------------------------------------

    def log_answer(self, answer: Answer, channel: Channel) -> str:
        """Store one answered question (redacted); returns its interaction id. Never raises for a down store."""
        interaction_id = uuid.uuid4().hex
        row = {
            "id": interaction_id,
            "created_at": _now().isoformat(),
            "channel": channel,
            "language": answer.language,
            "question": self.redactor.redact(answer.question),
            # the answer may echo the question ("Sie, Frau Müller, ...")
            "answer": self.redactor.redact(answer.answer),
            "status": answer.status,
            "supporting": [evidence.model_dump(mode="json") for evidence in answer.supporting],
            "disagreeing": [disagreement.model_dump(mode="json") for disagreement in answer.disagreeing],
            "model": answer.model,
            "index_version": answer.index_version,
            "latency_ms": float(answer.timings_ms.get("total", 0.0)),
            "curated_id": answer.curated_id,
            "route": answer.route,
            "quality": answer.quality,
        }
        self._write(SpoolRecord(kind="interaction", id=interaction_id, row=row))
        return interaction_id

    def rate(self, feedback: Feedback, client: str = "") -> None:
        """Store a rating (comment redacted). Raises ``UnknownInteraction`` only when the store says so.

        ``client`` (the rating client's address) is stored only as a salted hash, so that a page's
        rating prior counts each client once (``ReviewService.document_priors``)."""
        rating_id = uuid.uuid4().hex
        row = {
            "id": rating_id,
            "interaction_id": feedback.interaction_id,
            "created_at": _now().isoformat(),
            "rating": feedback.rating,
            "reason": feedback.reason,
            "comment": self.redactor.redact(feedback.comment),
            "client": self._client_key(client),
        }
        self._write(SpoolRecord(kind="rating", id=rating_id, row=row))

    def open_ticket(self, request: TicketRequest) -> Ticket:
        """A citizen asks for a person to get back to them about a logged answer (question, answer and
        sources are stored with it already). The contact is kept as typed - it is the citizen's explicit
        request - and deleted with the interaction by the retention purge; the message is redacted.
        The interaction enters the review queue tagged ``ticket`` (again, if it was already reviewed).

        Not spooled (a contact should not wait in a file): raises ``StoreUnavailable`` when the store
        is down and ``UnknownInteraction`` for an id it does not know."""
        now = _now()
        ticket = TicketRow(
            id=uuid.uuid4().hex,
            interaction_id=request.interaction_id,
            created_at=now,
            contact=" ".join(request.contact.split()),
            message=self.redactor.redact(request.message.strip()),
        )
        with self._session("store the ticket") as session:
            interaction = session.get(InteractionRow, request.interaction_id)
            if interaction is None:
                raise UnknownInteraction(request.interaction_id)
            session.add(ticket)
            if session.get(ReviewTagRow, (request.interaction_id, TICKET_TAG)) is None:
                session.add(
                    ReviewTagRow(interaction_id=request.interaction_id, tag=TICKET_TAG, tagged_by="", created_at=now)
                )
            interaction.review_state, interaction.reviewed_by, interaction.reviewed_at = "open", "", None
        return ticket_record(ticket)

    def _client_key(self, client: str) -> str:
        if not client:
            return ""
        return hashlib.sha256(self._client_salt + client.encode()).hexdigest()[:32]

    def _write(self, record: SpoolRecord) -> None:
        with self._lock, self._spool_lock():
            pending, _ = self._read_spool()
            if pending and self._flush_locked(pending) is None:
                # the store is still down: keep the order, the new record queues behind the others
                self._append(record)
                return
            try:
                store = self._store_factory()
                with store.session() as session:
                    if not _insert(session, record):
                        raise UnknownInteraction(record.row["interaction_id"])
                self.last_error = ""
            except UnknownInteraction:
                raise
            except Exception as exc:  # any failure of the store: the record must not be lost
                self._note_failure(exc)
                self._append(record)

    # -- the spool -------------------------------------------------------------------------------

    def flush_spool(self) -> int:
        """Write the spooled records now; returns how many left the spool.

        Raises ``StoreUnavailable`` when records are waiting and the store cannot take them.
        """
        with self._lock, self._spool_lock():
            pending, _ = self._read_spool()
            if not pending:
                return 0
            written = self._flush_locked(pending)
        if written is None:
            raise StoreUnavailable(f"the store cannot be written: {self.last_error}")
        return written

    def spooled(self) -> int:
        with self._lock:
            return len(self._read_spool()[0])

    def _flush_locked(self, pending: list[SpoolRecord]) -> int | None:
        """Write ``pending`` in one transaction; rewrite the spool with what must wait. None: store down."""
        oldest_kept = _now() - timedelta(days=self.settings.retention_days)
        try:
            store = self._store_factory()
            with store.session() as session:
                waiting = [record for record in pending if not _insert(session, record)]
                # a rating may precede its interaction in the spool: once more, now that all are in
                waiting = [record for record in waiting if not _insert(session, record)]
        except Exception as exc:
            self._note_failure(exc)
            return None
        self.last_error = ""
        # a rating whose interaction never arrives (purged, or lost elsewhere) waits only as long as retention
        remaining = []
        for record in waiting:
            if record.created_at() < oldest_kept:
                log.warning(
                    "dropping spooled rating %s: interaction %s never arrived", record.id, record.row["interaction_id"]
                )
            else:
                remaining.append(record)
        self._rewrite(remaining)  # after the commit: a crash in between only replays, idempotently
        return len(pending) - len(remaining)

    def _read_spool(self) -> tuple[list[SpoolRecord], list[str]]:
        """The records waiting, in order, and lines that cannot be read (cut short by a crash mid-append)."""
        try:
            lines = self.spool_path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return [], []
        records, unreadable = [], []
        for line in lines:
            if not line.strip():
                continue
            try:
                records.append(SpoolRecord.model_validate_json(line))
            except ValueError:
                unreadable.append(line)
        return records, unreadable

    @property
    def _rejected_path(self) -> Path:
        return self.spool_path.with_name(self.spool_path.name + ".rejected")

    def _append(self, record: SpoolRecord) -> None:
        self.spool_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.spool_path, "a+b") as spool:
            spool.seek(0, os.SEEK_END)
            if spool.tell() > 0:
                spool.seek(-1, os.SEEK_END)
                if spool.read(1) != b"\n":  # the tail of a crashed append: never glue a record onto it
                    spool.write(b"\n")
            spool.write(record.model_dump_json().encode("utf-8") + b"\n")
            spool.flush()
            os.fsync(spool.fileno())
        log.warning("store unavailable, %s %s spooled to %s", record.kind, record.id, self.spool_path)

    def _rewrite(self, remaining: list[SpoolRecord]) -> None:
        """Replace the spool atomically: a crash leaves either the old or the new file, never half of one."""
        _, unreadable = self._read_spool()
        if unreadable:  # set aside for a person rather than retried forever
            log.error("%d unreadable spool lines moved to %s", len(unreadable), self._rejected_path)
            with open(self._rejected_path, "a", encoding="utf-8") as rejected:
                rejected.write("".join(line + "\n" for line in unreadable))
                rejected.flush()
                os.fsync(rejected.fileno())
        if not remaining:
            self.spool_path.unlink(missing_ok=True)
            return
        temporary = self.spool_path.with_name(self.spool_path.name + ".tmp")
        with open(temporary, "wb") as spool:
            spool.write(b"".join(record.model_dump_json().encode("utf-8") + b"\n" for record in remaining))
            spool.flush()
            os.fsync(spool.fileno())
        os.replace(temporary, self.spool_path)

    @contextlib.contextmanager
    def _spool_lock(self) -> Iterator[None]:
        """Across processes (several workers, one spool file): one reader-rewriter at a time."""
        if fcntl is None:
            yield
            return
        self.spool_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.spool_path.with_name(self.spool_path.name + ".lock"), "a") as lock_file:
            fcntl.flock(lock_file.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock_file.fileno(), fcntl.LOCK_UN)

    def _note_failure(self, exc: Exception) -> None:
        self.last_error = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
        # info, not warning: callers that spool warn about that; commands report the error themselves
        log.info("feedback store unavailable: %s", self.last_error)

    # -- background retry ------------------------------------------------------------------------

    def start(self) -> None:
        """Retry the spool every ``spool_retry_s`` in a daemon thread (idempotent)."""
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._stop.clear()
            self._thread = threading.Thread(target=self._retry_loop, name="feedback-spool", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _retry_loop(self) -> None:
        next_purge = time.monotonic()  # retention runs in the serving process too, not only from cron
        while not self._stop.wait(self.settings.spool_retry_s):
            if time.monotonic() >= next_purge:
                next_purge = time.monotonic() + PURGE_EVERY_S
                try:
                    deleted = self.purge()
                    if deleted:
                        log.info(
                            "retention: deleted %d records older than %d days", deleted, self.settings.retention_days
                        )
                except Exception:  # noqa: BLE001 - the store may be down; next round
                    log.warning("retention purge failed; retried in %d s", PURGE_EVERY_S)
            if not self.spool_path.exists():  # nothing waits: do not even touch the store
                continue
            try:
                self.flush_spool()
            except StoreUnavailable:
                pass  # logged by _note_failure; next round
            except Exception:  # the thread must survive anything and try again
                log.exception("spool retry failed")

    # -- reading and retention -------------------------------------------------------------------

    def interaction(self, interaction_id: str) -> Interaction | None:
        """One logged interaction with its latest rating, or None when the store does not know the id."""
        with self._session("read the interaction") as session:
            row = session.get(InteractionRow, interaction_id)
            if row is None:
                return None
            latest = session.scalars(
                select(RatingRow)
                .where(RatingRow.interaction_id == interaction_id)
                .order_by(RatingRow.created_at.desc())
                .limit(1)
            ).first()
        if latest is None:
            return interaction_record(row)
        return interaction_record(row, latest.rating, latest.reason, latest.comment)

    def purge(self, older_than_days: int | None = None) -> int:
        """Delete interactions (and their ratings, review tags and tickets - the citizens' contacts)
        older than the retention; returns how many interactions."""
        days = self.settings.retention_days if older_than_days is None else older_than_days
        cutoff = _now() - timedelta(days=days)
        old = select(InteractionRow.id).where(InteractionRow.created_at < cutoff)
        with self._session("purge old records") as session:
            # explicitly, not by ON DELETE CASCADE: SQLite enforces it only with its foreign_keys pragma
            session.execute(delete(RatingRow).where(RatingRow.interaction_id.in_(old)))
            session.execute(delete(ReviewTagRow).where(ReviewTagRow.interaction_id.in_(old)))
            # a ticket is younger than its interaction: its contact never outlives the rest of the log
            session.execute(
                delete(TicketRow).where(TicketRow.interaction_id.in_(old) | (TicketRow.created_at < cutoff))
            )
            deleted = session.execute(delete(InteractionRow).where(InteractionRow.created_at < cutoff)).rowcount
        log.info("purged %d interactions older than %d days", deleted, days)
        return deleted

    def status(self) -> dict[str, Any]:
        """For a health endpoint: is the store reachable, how much waits in the spool."""
        reachable = True
        try:
            with self._session("check the store") as session:
                session.execute(text("SELECT 1"))
        except StoreUnavailable:
            reachable = False
        return {
            "store_reachable": reachable,
            "spooled": self.spooled(),
            "spool_path": str(self.spool_path),
            "last_error": self.last_error,
        }

    @contextlib.contextmanager
    def _session(self, doing: str) -> Iterator[Session]:
        try:
            store = self._store_factory()
            with store.session() as session:
                yield session
        except Exception as exc:
            if isinstance(exc, UnknownInteraction | StoreUnavailable):
                raise
            self._note_failure(exc)
            raise StoreUnavailable(f"cannot {doing}: {self.last_error}") from exc


def _insert(session: Session, record: SpoolRecord) -> bool:
    """Insert-if-absent by id. False: a rating whose interaction is not (yet) in the store."""
    row = dict(record.row, created_at=aware(datetime.fromisoformat(record.row["created_at"])))
    if record.kind == "rating":
        exists = session.scalar(
            select(func.count()).select_from(InteractionRow).where(InteractionRow.id == row["interaction_id"])
        )
        if not exists:
            return False
    table = InteractionRow if record.kind == "interaction" else RatingRow
    dialect = {"sqlite": sqlite, "postgresql": postgresql}.get(session.get_bind().dialect.name)
    if dialect is not None:
        # INSERT ... ON CONFLICT DO NOTHING: a replayed record stays one row, even with two replayers racing
        session.execute(dialect.insert(table).values(**row).on_conflict_do_nothing(index_elements=["id"]))
    elif session.get(table, row["id"]) is None:  # other databases: a race fails the batch, which is retried
        session.execute(insert(table).values(**row))
    return True


def _now() -> datetime:
    return datetime.now(UTC)
