"""Staff review: the queue of bad and unanswered answers, corrections, flagged documents, dashboard.

The queue holds every logged answer whose latest citizen rating is "down" and
every question the assistant could not answer (status ``abstained``). Staff
resolve an item by writing the correct answer (a ``CuratedAnswer`` resting on a
document of the index), mark a source document outdated or wrong, or dismiss
the item. Each correction is also exported as an evaluation case
(``settings.staff.curated_eval_path``), so the next ``assistant eval`` checks it.

>>> from assistant.app import create_app                        # doctest: +SKIP
>>> review = create_app().review                                  # doctest: +SKIP
>>> [item.question for item in review.queue(language="de")][:1]   # doctest: +SKIP
['Wo kann ich mein Boot anmelden?']
"""

from __future__ import annotations

import math
import threading

from assistant.components.embeddings import E5Embeddings
from assistant.components.index import HybridIndex
from assistant.components.store import (
    Store,
)
from assistant.feedback.review.cache import ReviewCache, ReviewData
from assistant.feedback.review.curated import CuratedAnswers
from assistant.feedback.review.dashboard import DashboardFigures
from assistant.feedback.review.errors import ReviewError
from assistant.feedback.review.export import Exports
from assistant.feedback.review.flagged import FlaggedDocuments
from assistant.feedback.review.queue import ReviewQueue
from assistant.feedback.review.ratings import RatingPriors
from assistant.records import (
    Document,
    RatedAnswer,
)
from assistant.settings import Settings


class ReviewService(
    ReviewQueue, CuratedAnswers, FlaggedDocuments, RatingPriors, DashboardFigures, Exports, ReviewCache
):
    """The staff review use cases over one store and index; each part lives in its own module
    (queue, curated, flagged, ratings, dashboard, export, cache) and uses the attributes set here."""

    def __init__(self, settings: Settings, store: Store, index: HybridIndex, embedder: E5Embeddings) -> None:
        self.settings = settings
        self.store = store
        self.index = index
        self.embedder = embedder
        # what the answer service reads, in memory: (revision, curated answers, flagged doc ids)
        self._known: ReviewData | None = None
        self._checked_at = -math.inf  # when the revision was last read (time.monotonic)
        self._refresh_lock = threading.Lock()
        self._state_lock = threading.Lock()  # guards _checked_at against a concurrent _invalidate
        self._local_changes = 0  # changes made through this service (see _invalidate)
        self._unavailable = False  # the store failed at the last check (warned once)
        self._weights: tuple[float, dict[str, float]] | None = None  # (when read, rating_weights)
        self._rated: tuple[float, list[RatedAnswer]] | None = None  # (when read, rated_answers)

    def _document(self, doc_id: str) -> Document:
        document = self.index.documents.get(doc_id.strip())
        if document is None:
            raise ReviewError(
                f"Unknown document {doc_id!r}: it is not in the index {self.index.version}. "
                f"/ Dokument {doc_id!r} ist nicht im Index."
            )
        return document
