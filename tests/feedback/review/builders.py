"""Interactions and ratings written straight into the review store, for the review service's tests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from assistant.components.store import InteractionRow, RatingRow
from assistant.feedback.review.service import ReviewService
from assistant.records import Evidence

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
PA_QUOTE = "Antragstellerinnen und Antragsteller ab 24 Jahren: 37,00 Euro"


def log(
    review: ReviewService,
    question: str,
    status: str = "answered",
    *,
    rating: str | None = None,
    reason: str | None = None,
    comment: str = "",
    channel: str = "kiosk",
    language: str = "de",
    when: datetime = NOW,
    supporting: list[Evidence] | None = None,
) -> str:
    interaction_id = uuid.uuid4().hex
    with review.store.session() as session:
        session.add(
            InteractionRow(
                id=interaction_id,
                created_at=when,
                channel=channel,
                language=language,
                question=question,
                answer=f"Antwort auf: {question}",
                status=status,
                supporting=[ev.model_dump(mode="json") for ev in supporting or []],
                disagreeing=[],
            )
        )
    if rating:
        rate(review, interaction_id, rating, when, reason, comment=comment)
    return interaction_id


def rate(
    review: ReviewService,
    interaction_id: str,
    rating: str,
    when: datetime,
    reason: str | None = None,
    client: str = "",
    comment: str = "",
) -> None:
    with review.store.session() as session:
        session.add(
            RatingRow(
                id=uuid.uuid4().hex,
                interaction_id=interaction_id,
                created_at=when,
                rating=rating,
                reason=reason,
                comment=comment,
                client=client,
            )
        )
