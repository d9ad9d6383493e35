"""Learning from ratings without staff: a thumbs-down lowers the answer's pages for questions like the rated one.

A citizen's thumbs-down says the answer was wrong *for that question*. Counted for the whole page
(``ReviewService.document_priors``) it also lowered the page for every other question the page
answers right: the feedback benchmark's ratings-only part (three citizens rating every answer as
they find it) fixed 1 sample answer and broke 6. So the page-wide weight keeps only the "outdated"
thumbs-down (the page itself is the problem), and the others count here: the ratings of questions
at least ``staff.rating_prior_similarity`` (e5) similar to the one being answered, with the same
rule (``assistant/rating_priors.py``: distinct clients, more down than up, at least
``rating_prior_min_clients``, bounded), so a paraphrase of a question citizens rated down finds
the other pages first, and the same page still answers the questions it answers right.

The rated questions are embedded once (in one call for the new ones); per answer there is one
small matrix product.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

import numpy as np

from assistant.components.embeddings import E5Embeddings
from assistant.rating_priors import page_priors
from assistant.records import RatedAnswer
from assistant.settings import StaffSettings


class QuestionPrior:
    def __init__(
        self, source: Callable[[], Sequence[RatedAnswer]], embedder: E5Embeddings, staff: StaffSettings
    ) -> None:
        self.source = source
        self.embedder = embedder
        self.staff = staff
        self._items: Sequence[RatedAnswer] | None = None  # the source's list the matrix is for
        self._matrix = np.zeros((0, embedder.dimension), dtype=np.float32)
        self._vectors: dict[str, np.ndarray] = {}  # question -> embedding (replaced, never mutated)
        self._lock = threading.Lock()

    def weights(self, question_vector: np.ndarray) -> dict[str, float]:
        """Page -> retrieval weight below 1 from the ratings of questions like this one."""
        if self.staff.rating_prior_similarity is None:
            return {}
        items, matrix = self._prepared()
        if not items:
            return {}
        near = np.flatnonzero(matrix @ question_vector >= self.staff.rating_prior_similarity)
        priors = page_priors((items[i] for i in near), self.staff)
        return {doc_id: prior.weight for doc_id, prior in priors.items() if prior.weight < 1.0}

    def _prepared(self) -> tuple[Sequence[RatedAnswer], np.ndarray]:
        items = self.source()
        with self._lock:
            if items is self._items:
                return items, self._matrix
        vectors = self._vectors
        missing = list(dict.fromkeys(item.question for item in items if item.question not in vectors))
        if missing:
            vectors = {**vectors, **dict(zip(missing, self.embedder.embed_queries(missing), strict=True))}
        matrix = (
            np.stack([vectors[item.question] for item in items])
            if items
            else np.zeros((0, self.embedder.dimension), dtype=np.float32)
        )
        with self._lock:
            self._items, self._matrix, self._vectors = items, matrix, vectors
        return items, matrix
