"""Staff work as training pairs: a city's own corrections retrain its relevance model.

``assistant train-encoder --with-feedback`` adds, from the feedback store:

- every active curated answer's question with the quote staff confirmed or corrected (positive);
- every answer citizens rated down that staff have not turned into a curated answer: its question
  with each quote it cited (negative: those lines did not answer it).

Questions are stored with personal data already removed (the feedback log redacts them).
"""

from __future__ import annotations

from sqlalchemy import select

from assistant.components.store import CuratedAnswerRow, InteractionRow, RatingRow, Store
from assistant.relevance.pairs import Pair


def feedback_pairs(store: Store) -> list[Pair]:
    """Training pairs from the store's curated answers and thumbs-down answers (stable order)."""
    pairs: list[Pair] = []
    with store.session() as session:
        curated = session.scalars(
            select(CuratedAnswerRow).where(CuratedAnswerRow.active.is_(True)).order_by(CuratedAnswerRow.id)
        ).all()
        confirmed = {(row.question.strip().casefold(), row.quote.strip()) for row in curated}
        for row in curated:
            if row.quote.strip():
                pairs.append(Pair(row.question, row.quote.strip(), 1, f"curated:{row.id}"))
        rated_down = session.scalars(
            select(InteractionRow)
            .where(InteractionRow.id.in_(select(RatingRow.interaction_id).where(RatingRow.rating == "down")))
            .where(InteractionRow.curated_id.is_(None))
            .order_by(InteractionRow.id)
        ).all()
        for row in rated_down:
            for evidence in row.supporting or []:
                quote = str(evidence.get("quote", "")).strip()
                if quote and (row.question.strip().casefold(), quote) not in confirmed:
                    pairs.append(Pair(row.question, quote, 0, f"rated-down:{row.id}"))
    return pairs
