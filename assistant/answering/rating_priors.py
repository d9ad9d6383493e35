"""What citizens' ratings say about pages: a thumbs-down lowers the answer's pages, for the whole
corpus or for questions like the rated one, counted the same way for both.

Each client counts once per page (its latest rating of an answer citing the page); a page needs
``staff.rating_prior_min_clients`` distinct clients rating it down, and more than rating it up,
before its retrieval weight drops, by ``staff.rating_prior_step`` per net thumbs-down client, at
most ``staff.rating_prior_max``. One client's 20 ratings change nothing (:func:`page_priors`).

>>> from assistant.settings import StaffSettings
>>> rated = [RatedAnswer(interaction_id=str(n), question="q", doc_ids=("a",), rating="down", client=c)
...     for n, c in enumerate("xyzx")]
>>> {p.doc_id: (p.down_clients, p.weight) for p in page_priors(rated, StaffSettings()).values()}
{'a': (3, 0.7)}

A citizen's thumbs-down says the answer was wrong *for that question*. Counted for the whole page
(``ReviewService.document_priors``) it also lowered the page for every other question the page
answers right: the feedback benchmark's ratings-only part (three citizens rating every answer as
they find it) fixed 1 sample answer and broke 6. So the page-wide weight keeps only the "outdated"
thumbs-down (the page itself is the problem), and the others count in :class:`QuestionPrior`: the
ratings of questions at least ``staff.rating_prior_similarity`` (e5) similar to the one being
answered, with the same rule (distinct clients, more down than up, at least
``rating_prior_min_clients``, bounded), so a paraphrase of a question citizens rated down finds
the other pages first, and the same page still answers the questions it answers right.

Only the ratings of answers citing a page with at least ``rating_prior_min_clients`` thumbs-down
clients over all questions can lower it, so only their questions are embedded (once, in one call
for the new ones, when the ratings change); per answer there is one small matrix product.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence

import numpy as np

from assistant.components.embeddings import E5Embeddings
from assistant.records import DocumentPrior, RatedAnswer
from assistant.settings import StaffSettings


def page_priors(
    rated: Iterable[RatedAnswer], staff: StaffSettings, counts_down: Callable[[RatedAnswer], bool] | None = None
) -> dict[str, DocumentPrior]:
    """Per page, the clients rating it down and up (``rated`` oldest first: the latest rating of a
    client counts) and its weight; ``counts_down`` says which thumbs-down lower the weight (all by
    default), the others are still counted and listed."""
    votes: dict[tuple[str, str], RatedAnswer] = {}  # (page, client) -> its latest rating
    for item in rated:
        for doc_id in set(item.doc_ids) - {""}:
            votes[(doc_id, item.client)] = item
    priors: dict[str, DocumentPrior] = {}
    weighing: dict[str, int] = {}  # page -> thumbs-down clients that lower its weight
    for (doc_id, _client), item in votes.items():
        prior = priors.setdefault(doc_id, DocumentPrior(doc_id=doc_id))
        down = item.rating == "down"
        prior.up_clients += not down
        prior.down_clients += down
        prior.outdated_clients += down and item.reason == "outdated"
        weighing[doc_id] = weighing.get(doc_id, 0) + (down and (counts_down is None or counts_down(item)))
    for doc_id, prior in priors.items():
        net = weighing[doc_id] - prior.up_clients
        if weighing[doc_id] >= staff.rating_prior_min_clients and net > 0:
            prior.weight = round(1.0 - min(staff.rating_prior_max, staff.rating_prior_step * net), 3)
    return priors


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
