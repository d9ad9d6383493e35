"""Use case: find the staff-verified answer for a question, if there is one.

Staff corrections (see ``ReviewService.correct``) are stored in the shared
database; every instance reads them through ``source`` (which caches for a few
seconds). A new question gets the curated answer when it is in the same
language, its embedding is close to the curated question's, and it is about the
same thing: the small embedding model finds "Wie beantrage ich Elterngeld?"
closer to "Wie beantrage ich Kindergeld?" than some true paraphrases, so the
subject words (question words removed) must overlap too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import numpy as np

from assistant.answering.subject import subject_terms
from assistant.components.embeddings import E5Embeddings
from assistant.records import CuratedAnswer

log = logging.getLogger(__name__)


class CuratedMatcher:
    def __init__(
        self, source: Callable[[], list[CuratedAnswer]], embedder: E5Embeddings, min_similarity: float
    ) -> None:
        self.source = source
        self.embedder = embedder
        self.min_similarity = min_similarity
        self._vectors: dict[tuple[int | None, str], np.ndarray] = {}  # embeddings of curated questions

    def match(
        self,
        question: str,
        question_vector: np.ndarray,
        language: str,
    ) -> tuple[CuratedAnswer, float] | None:
        """The most similar curated answer about the same subject in ``language``, with its similarity."""
        try:
            curated = [item for item in self.source() if item.language == language]
        except Exception as exc:  # noqa: BLE001 - a store that is down must not stop answering
            log.warning("curated answers unavailable (%s: %s); answering from documents", type(exc).__name__, exc)
            return None
        subject = subject_terms(question, language)
        curated = [item for item in curated if _same_subject(subject, subject_terms(item.question, language))]
        if not curated:
            return None
        vectors = np.stack([self._vector(item) for item in curated])
        similarities = vectors @ question_vector
        best = int(np.argmax(similarities))
        if similarities[best] < self.min_similarity:
            return None
        return curated[best], float(similarities[best])

    def _vector(self, item: CuratedAnswer) -> np.ndarray:
        key = (item.id, item.question)
        if key not in self._vectors:
            self._vectors[key] = self.embedder.embed_queries([item.question])[0]
        return self._vectors[key]


def _same_subject(question: set[str], curated: set[str]) -> bool:
    """At least half of the two questions' subject words are shared (both empty: no evidence)."""
    union = question | curated
    return bool(union) and len(question & curated) / len(union) >= 0.5
