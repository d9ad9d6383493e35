"""Flagged documents: pages staff marked outdated or wrong stop supporting answers and are listed for the web team."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cached_property
from typing import get_args

from sqlalchemy import select

from assistant.components.store import (
    FlaggedDocumentRow,
    aware,
    bump_revision,
)
from assistant.feedback.review.cache import REVIEW_REVISION
from assistant.feedback.review.errors import ReviewError
from assistant.records import (
    FlaggedDocument,
    Problem,
)
from assistant.safety.redact import Redactor


class FlaggedDocuments:
    """The flagged documents part of :class:`~assistant.feedback.review.service.ReviewService`."""

    @cached_property
    def redactor(self) -> Redactor:
        return Redactor()

    def flag_document(self, doc_id: str, problem: Problem, note: str = "", staff: str = "") -> FlaggedDocument:
        """Mark a document outdated or wrong: it stops supporting answers and is listed for the web team."""
        if problem not in get_args(Problem):
            raise ReviewError(f"problem must be 'outdated' or 'wrong', not {problem!r}")
        document = self._document(doc_id)
        row = FlaggedDocumentRow(
            doc_id=document.doc_id,
            title=document.title,
            url=document.url,
            problem=problem,
            note=self.redactor.redact(note.strip()),  # staff may paste a citizen's message with personal data
            flagged_by=staff,
            created_at=datetime.now(UTC),
        )
        with self.store.session() as session:
            session.merge(row)  # flagging again updates problem, note and who
            bump_revision(session, REVIEW_REVISION)
        self._invalidate()
        return _flagged(row)

    def unflag(self, doc_id: str) -> bool:
        """Remove the mark; returns whether the document was flagged."""
        with self.store.session() as session:
            row = session.get(FlaggedDocumentRow, doc_id)
            if row is not None:
                session.delete(row)
                bump_revision(session, REVIEW_REVISION)
        self._invalidate()
        return row is not None

    def flagged(self) -> list[FlaggedDocument]:
        """Flagged documents, newest first ("listed for the web team")."""
        with self.store.session() as session:
            rows = session.scalars(select(FlaggedDocumentRow).order_by(FlaggedDocumentRow.created_at.desc()))
            return [_flagged(row) for row in rows]


def _flagged(row: FlaggedDocumentRow) -> FlaggedDocument:
    return FlaggedDocument(
        doc_id=row.doc_id,
        title=row.title,
        url=row.url,
        problem=row.problem,
        note=row.note,
        flagged_by=row.flagged_by,
        created_at=aware(row.created_at),
    )
