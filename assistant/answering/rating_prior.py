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

Only the ratings of answers citing a page with at least ``rating_prior_min_clients`` thumbs-down
clients over all questions can lower it, so only their questions are embedded (once, in one call
for the new ones, when the ratings change); per answer there is one small matrix product.
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
    """Page -> retrieval weight for a question, from the ratings of questions like it (see above)."""

    def __init__(
        self, source: Callable[[], Sequence[RatedAnswer]], embedder: E5Embeddings, staff: StaffSettings
    ) -> None:
        self.source = source
        self.embedder = embedder
        self.staff = staff
        self._rated: Sequence[RatedAnswer] | None = None  # the source's list the matrix is for
        self._items: Sequence[RatedAnswer] = []  # of those, the ratings that can lower a page
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
        """The ratings that can lower a page, and their questions' embeddings (one row each)."""
        rated = self.source()
        with self._lock:
            if rated is self._rated:
                return self._items, self._matrix
        # a page needs this many thumbs-down clients among all questions before any question can
        # lower it: only the ratings of answers citing such a page are embedded and compared
        down = page_priors(rated, self.staff)
        pages = {doc_id for doc_id, prior in down.items() if prior.down_clients >= self.staff.rating_prior_min_clients}
        items = [item for item in rated if pages & set(item.doc_ids)]
        known = self._vectors
        missing = list(dict.fromkeys(item.question for item in items if item.question not in known))
        embedded = dict(zip(missing, self.embedder.embed_queries(missing), strict=True)) if missing else {}
        vectors = {item.question: known.get(item.question, embedded.get(item.question)) for item in items}
        matrix = (
            np.stack([vectors[item.question] for item in items])
            if items
            else np.zeros((0, self.embedder.dimension), dtype=np.float32)
        )
        with self._lock:
            self._rated, self._items, self._matrix, self._vectors = rated, items, matrix, vectors
        return items, matrix
