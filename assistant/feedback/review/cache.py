"""What the answer service reads: the active curated answers and the flagged documents, in memory.

Both lists are kept in memory with the ``review`` revision they belong to. At most every
``store.cache_s`` seconds one tiny SELECT reads the revision; only when it changed (staff
corrected an answer or flagged a document, on any instance) are the lists read again.
A change made through this service is seen by the next question at once. While the store
is down the last known lists stay in use (one warning, not one per question)."""

from __future__ import annotations

import logging
import math
import time
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.components.store import (
    CuratedAnswerRow,
    FlaggedDocumentRow,
    aware,
    read_revision,
)
from assistant.records import (
    CuratedAnswer,
)

log = logging.getLogger(__name__)


# the revision (table ``revisions``) raised with every change to curated answers or flagged documents
REVIEW_REVISION = "review"


class ReviewData(NamedTuple):
    revision: int
    curated: list[CuratedAnswer]
    flagged: frozenset[str]


class ReviewCache:
    """The in-memory lists of :class:`~assistant.feedback.review.service.ReviewService`
    (several instances share the database)."""

    def curated_answers(self) -> list[CuratedAnswer]:
        """Active curated answers, newest first.

        The same list object is returned until the data changes (callers may key
        their own work on its identity); it is shared, so do not modify it.
        """
        known = self._current()
        return known.curated if known is not None else []

    def flagged_doc_ids(self) -> frozenset[str]:
        """Ids of the documents staff flagged (the same object until the data changes)."""
        known = self._current()
        return known.flagged if known is not None else frozenset()

    def _current(self) -> ReviewData | None:
        known = self._known
        if known is not None and not self._due():
            return known  # the common case: no lock, no database
        # the first load and a change made here wait for the refresh; a periodic check
        # that another thread is already doing does not hold this question up
        if not self._refresh_lock.acquire(blocking=known is None or self._checked_at == -math.inf):
            return known
        try:
            if self._due():
                self._refresh()
            return self._known
        finally:
            self._refresh_lock.release()

    def _due(self) -> bool:
        return time.monotonic() - self._checked_at >= self.settings.store.cache_s

    def _refresh(self) -> None:
        changes = self._local_changes
        try:
            with self.store.session() as session:
                revision = read_revision(session, REVIEW_REVISION)
                if self._known is None or revision != self._known.revision:
                    # read after the revision, in the same transaction: the lists are at least this new
                    curated = load_curated(session)
                    flagged = frozenset(session.scalars(select(FlaggedDocumentRow.doc_id)))
                    self._known = ReviewData(revision, curated, flagged)
        except Exception as exc:  # noqa: BLE001 - a store that is down must not stop answering
            if not self._unavailable:
                log.warning(
                    "curated answers and flagged documents could not be read (%s: %s); using the last known "
                    "(%s) until the store is back",
                    type(exc).__name__,
                    exc,
                    "none" if self._known is None else f"revision {self._known.revision}",
                )
            self._unavailable = True
        else:
            if self._unavailable:
                log.info("curated answers and flagged documents readable again (revision %d)", self._known.revision)
            self._unavailable = False
        finally:
            with self._state_lock:
                if changes == self._local_changes:  # else a change made meanwhile: check again at once
                    self._checked_at = time.monotonic()  # (a store that is down: tried again after cache_s)

    def _invalidate(self) -> None:
        """A change made here: the next question reads the revision (and the new lists) at once."""
        with self._state_lock:
            self._local_changes += 1
            self._checked_at = -math.inf


def load_curated(session: Session) -> list[CuratedAnswer]:
    """Active curated answers, newest first."""
    statement = (
        select(CuratedAnswerRow)
        .where(CuratedAnswerRow.active.is_(True))
        .order_by(CuratedAnswerRow.created_at.desc(), CuratedAnswerRow.id.desc())
    )
    return [curated_record(row) for row in session.scalars(statement)]


def curated_record(row: CuratedAnswerRow) -> CuratedAnswer:
    return CuratedAnswer(
        id=row.id,
        question=row.question,
        language=row.language,
        answer=row.answer,
        doc_id=row.doc_id,
        title=row.title,
        url=row.url,
        quote=row.quote,
        created_by=row.created_by,
        created_at=aware(row.created_at),
        interaction_id=row.interaction_id,
    )
