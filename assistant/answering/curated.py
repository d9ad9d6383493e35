"""Use case: find the staff-verified answer for a question, if there is one.

Staff corrections (see ``ReviewService.correct``) are stored in the shared
database; every instance keeps them in memory (``ReviewService.curated_answers``
returns the same list until staff change them, on any instance). A new question
gets the curated answer when it is in the same language, its embedding is close
to the curated question's, and it is about the same thing: the small embedding
model finds "Wie beantrage ich Elterngeld?" closer to "Wie beantrage ich
Kindergeld?" than some true paraphrases, so the subject words (question words
removed) must overlap too.

What does not depend on the question is done once per list (when it changes):
the curated answers grouped by language, their subject words and an index from
each subject word to the answers that have it; their question embeddings are
cached. Per question there is only the question's subject words, the candidates
sharing one of them, and one small matrix product.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from assistant.answering.subject import subject_terms
from assistant.components.embeddings import E5Embeddings
from assistant.records import CuratedAnswer

log = logging.getLogger(__name__)

_Key = tuple[int | None, str]  # a curated answer's embedding: (id, question)


@dataclass(frozen=True)
class _Language:
    """The curated answers in one language, prepared for matching."""

    items: tuple[CuratedAnswer, ...]  # in the source's order (newest first)
    terms: tuple[frozenset[str], ...]  # subject words of each item's question
    by_term: dict[str, tuple[int, ...]]  # subject word -> positions of the items that have it


class CuratedMatcher:
    def __init__(
        self, source: Callable[[], Sequence[CuratedAnswer]], embedder: E5Embeddings, min_similarity: float
    ) -> None:
        self.source = source
        self.embedder = embedder
        self.min_similarity = min_similarity
        self._items: Sequence[CuratedAnswer] | None = None  # the source's list the preparation is for
        self._by_language: dict[str, _Language] = {}
        self._vectors: dict[_Key, np.ndarray] = {}  # embeddings of curated questions (replaced, never mutated)
        self._lock = threading.Lock()
        self._unavailable = False

    def match(
        self,
        question: str,
        question_vector: np.ndarray,
        language: str,
    ) -> tuple[CuratedAnswer, float] | None:
        """The most similar curated answer about the same subject in ``language``, with its similarity."""
        curated = self._prepared().get(language)
        if curated is None:
            return None
        subject = subject_terms(question, language)
        positions = sorted({position for term in subject for position in curated.by_term.get(term, ())})
        candidates = [curated.items[p] for p in positions if _same_subject(subject, curated.terms[p])]
        if not candidates:
            return None
        similarities = self._vectors_of(candidates) @ question_vector
        best = int(np.argmax(similarities))
        if similarities[best] < self.min_similarity:
            return None
        return candidates[best], float(similarities[best])

    def _prepared(self) -> dict[str, _Language]:
        try:
            items = self.source()
        except Exception as exc:  # noqa: BLE001 - a store that is down must not stop answering
            if not self._unavailable:
                log.warning(
                    "curated answers unavailable (%s: %s); using the %d last known",
                    type(exc).__name__,
                    exc,
                    sum(len(group.items) for group in self._by_language.values()),
                )
            self._unavailable = True
            return self._by_language
        self._unavailable = False
        if items is not self._items:  # a new list (the review service returns the same one until a change)
            by_language = _prepare(items)
            keys = {_key(item) for group in by_language.values() for item in group.items}
            with self._lock:
                self._vectors = {key: vector for key, vector in self._vectors.items() if key in keys}
                self._by_language, self._items = by_language, items
        return self._by_language

    def _vectors_of(self, items: list[CuratedAnswer]) -> np.ndarray:
        cache = self._vectors
        missing = list(dict.fromkeys(_key(item) for item in items if _key(item) not in cache))
        if missing:  # embedded once, all new ones in one call
            embedded = dict(zip(missing, self.embedder.embed_queries([q for _, q in missing]), strict=True))
            with self._lock:
                self._vectors = {**self._vectors, **embedded}
            cache = {**cache, **embedded}
        return np.stack([cache[_key(item)] for item in items])


def _prepare(items: Sequence[CuratedAnswer]) -> dict[str, _Language]:
    grouped: dict[str, list[CuratedAnswer]] = {}
    for item in items:
        grouped.setdefault(item.language, []).append(item)
    prepared = {}
    for language, group in grouped.items():
        terms = tuple(frozenset(subject_terms(item.question, language)) for item in group)
        by_term: dict[str, list[int]] = {}
        for position, words in enumerate(terms):
            for word in words:
                by_term.setdefault(word, []).append(position)
        prepared[language] = _Language(
            tuple(group), terms, {word: tuple(positions) for word, positions in by_term.items()}
        )
    return prepared


def _key(item: CuratedAnswer) -> _Key:
    return (item.id, item.question)


def _same_subject(question: set[str], curated: frozenset[str]) -> bool:
    """At least half of the two questions' subject words are shared (both empty: no evidence)."""
    union = question | curated
    return bool(union) and len(question & curated) / len(union) >= 0.5
