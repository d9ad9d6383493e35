"""Learning from ratings: what citizens' ratings of answers say about the pages they cite."""

from __future__ import annotations

import logging
import time

from sqlalchemy import select

from assistant.answering.rating_priors import page_priors
from assistant.components.store import (
    InteractionRow,
    RatingRow,
)
from assistant.records import (
    DocumentPrior,
    RatedAnswer,
)

log = logging.getLogger(__name__)


class RatingPriors:
    """The ratings part of :class:`~assistant.feedback.review.service.ReviewService`."""

    def document_priors(self) -> list[DocumentPrior]:
        """Per page, what the ratings of answers citing it say; pages whose weight is below 1
        rank lower for every question and are listed for the web team (``Dashboard.rated_pages``).

        Each client counts once per page (its latest rating), ratings without a client count as
        one client together, and staff-verified answers are left out (their page is not what
        the citizen rated). A page needs ``staff.rating_prior_min_clients`` distinct clients
        rating it down, and more than rating it up, before its weight changes
        (``assistant/answering/rating_priors.py``). With ``staff.rating_prior_similarity`` set only a
        thumbs-down for "outdated" counts here: the others say the answer was wrong for that
        question, and lower its pages only for questions like it (``answering/rating_priors.py``).
        """
        staff = self.settings.staff
        outdated_only = None if staff.rating_prior_similarity is None else _outdated
        priors = page_priors(self._rated_answers(), staff, outdated_only)
        return sorted(priors.values(), key=lambda p: (p.weight, -p.down_clients, p.doc_id))

    def rated_answers(self) -> list[RatedAnswer]:
        """Every rating of an answer that was not staff-verified, oldest first, read at most every
        ``store.cache_s`` seconds (the same list until then); the last known while the store is down."""
        now = time.monotonic()
        cached = self._rated
        if cached is not None and now - cached[0] < self.settings.store.cache_s:
            return cached[1]
        try:
            rated = self._rated_answers()
        except Exception as exc:  # noqa: BLE001 - a store that is down must not stop answering
            log.warning("ratings unavailable (%s: %s)", type(exc).__name__, exc)
            rated = cached[1] if cached is not None else []
        self._rated = (now, rated)
        return rated

    def _rated_answers(self) -> list[RatedAnswer]:
        statement = (
            select(
                RatingRow.rating,
                RatingRow.reason,
                RatingRow.client,
                InteractionRow.id,
                InteractionRow.question,
                InteractionRow.supporting,
            )
            .join(InteractionRow, InteractionRow.id == RatingRow.interaction_id)
            .where(InteractionRow.curated_id.is_(None))
            .order_by(RatingRow.created_at, RatingRow.id)
        )
        with self.store.session() as session:
            return [
                RatedAnswer(
                    interaction_id=interaction_id,
                    question=question,
                    doc_ids=tuple(dict.fromkeys(item.get("doc_id", "") for item in supporting or [])),
                    rating=rating,
                    reason=reason,
                    client=client or "",
                )
                for rating, reason, client, interaction_id, question, supporting in session.execute(statement)
            ]

    def rating_weights(self) -> dict[str, float]:
        """Page -> retrieval weight below 1 for every question, read at most every ``store.cache_s`` seconds."""
        now = time.monotonic()
        cached = self._weights
        if cached is not None and now - cached[0] < self.settings.store.cache_s:
            return cached[1]
        try:
            weights = {p.doc_id: p.weight for p in self.document_priors() if p.weight < 1.0}
        except Exception as exc:  # noqa: BLE001 - a store that is down must not stop answering
            log.warning("rating priors unavailable (%s: %s)", type(exc).__name__, exc)
            weights = cached[1] if cached is not None else {}
        self._weights = (now, weights)
        return weights


def _outdated(rated: RatedAnswer) -> bool:
    return rated.reason == "outdated"
