"""Curated answers: the staff's correction of an answer, and its retirement when its source page changes."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.components.store import (
    CuratedAnswerRow,
    InteractionRow,
    bump_revision,
)
from assistant.feedback.review.cache import REVIEW_REVISION, curated_record
from assistant.feedback.review.errors import ReviewError
from assistant.feedback.review.queue import mark
from assistant.records import (
    CuratedAnswer,
    Document,
)
from assistant.text import normalise_question

log = logging.getLogger(__name__)


class CuratedAnswers:
    """The corrections part of :class:`~assistant.feedback.review.service.ReviewService`."""

    def correct(
        self, interaction_id: str, answer_text: str, doc_id: str, quote: str = "", staff: str = ""
    ) -> CuratedAnswer:
        """Store the staff's answer for the interaction's question; it then answers the same
        and similar questions. The source must be a document of the index, the quote (if any)
        a verbatim passage of it."""
        answer_text = answer_text.strip()
        if not answer_text:
            raise ReviewError("The answer text is empty. / Die Antwort ist leer.")
        document = self._document(doc_id)
        quote = verbatim_quote(document, quote) if quote.strip() else ""
        item = self.item(interaction_id)
        now = datetime.now(UTC)
        with self.store.session() as session:
            _retire_same_question(session, item.question, item.language)
            row = CuratedAnswerRow(
                question=item.question,
                language=item.language,
                answer=answer_text,
                doc_id=document.doc_id,
                title=document.title,
                url=document.url,
                quote=quote,
                created_by=staff,
                created_at=now,
                interaction_id=interaction_id,
                active=True,
                source_hash=document.content_hash,
            )
            session.add(row)
            session.flush()
            mark(session, interaction_id, "resolved", staff, now, curated_id=row.id)
            bump_revision(session, REVIEW_REVISION)
            curated = curated_record(row)
        self._invalidate()
        self._export_quietly()
        return curated

    def recheck_sources(self) -> list[int]:
        """Retire the curated answers whose source page changed (another content hash in the
        index in use) or left the index, and send their items back to the review queue.

        Returns the ids of the retired answers. Called when a new index version is swapped in.
        """
        documents = self.index.documents
        retired: list[int] = []
        with self.store.session() as session:
            active = session.scalars(select(CuratedAnswerRow).where(CuratedAnswerRow.active.is_(True)))
            for row in active:
                document = documents.get(row.doc_id) if row.doc_id else None
                if not row.doc_id or (row.source_hash == "" and document is not None):
                    continue  # no source, or corrected before hashes were kept
                if document is not None and document.content_hash == row.source_hash:
                    continue
                row.active = False
                retired.append(row.id)
                interaction = session.get(InteractionRow, row.interaction_id) if row.interaction_id else None
                if interaction is not None:
                    interaction.review_state, interaction.reviewed_by, interaction.reviewed_at = "open", "", None
            if retired:
                bump_revision(session, REVIEW_REVISION)
        if retired:
            log.info("source pages changed: curated answers %s back in the review queue", retired)
            self._invalidate()
        return retired


def _retire_same_question(session: Session, question: str, language: str) -> None:
    """A new correction replaces the earlier ones for the same question."""
    key = normalise_question(question)
    active = session.scalars(
        select(CuratedAnswerRow).where(CuratedAnswerRow.active.is_(True), CuratedAnswerRow.language == language)
    )
    for row in active:
        if normalise_question(row.question) == key:
            row.active = False


def verbatim_quote(document: Document, quote: str) -> str:
    """The passage of the document the quote names, exactly as the document has it.

    Line breaks and repeated spaces in the pasted quote do not matter; every word must.
    A list item may be pasted with or without its bullet.
    """
    words = quote.strip().removeprefix("- ").split()
    match = re.search(r"\s+".join(re.escape(word) for word in words), document.text)
    if match is None:
        raise ReviewError(
            f"The quote does not occur in {document.doc_id!r} ({document.title}); copy it exactly "
            f"from the document. / Das Zitat steht so nicht im Dokument."
        )
    return match.group(0)
