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

The curated question must also ask for the same kind of answer (an amount, a date or
time): "Was kostet Sperrmüll?" shares its subject with "Wie melde ich Sperrmüll an?".

After retrieval a second, wider match can run (``match_by_page``, off unless
``store.curated_min_similarity_with_page`` is set): a curated answer in any language whose
page is among the first ``page_rank`` pages retrieved for the question, and whose question
is at least that similar. Retrieval tells "Elterngeld" from "Kindergeld" where e5 does not,
but not two facts of the same page apart; on the dev part of
``eval/sets/feedback_paraphrases.jsonl`` it added wrong curated answers and no
other-language match (``eval/bench_curated_match.py``), so it is off by default.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from assistant.answering.evidence import ANSWER_TYPES
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
        self,
        source: Callable[[], Sequence[CuratedAnswer]],
        embedder: E5Embeddings,
        min_similarity: float,
        min_similarity_with_page: float | None = None,
        page_rank: int = 3,
    ) -> None:
        self.source = source
        self.embedder = embedder
        self.min_similarity = min_similarity
        # None: no match by page (the wider match after retrieval is off)
        self.min_similarity_with_page = min_similarity_with_page
        self.page_rank = page_rank
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
        intent = asks_for(question)
        candidates = [
            curated.items[p]
            for p in positions
            if _same_subject(subject, curated.terms[p]) and asks_for(curated.items[p].question) == intent
        ]
        return self._most_similar(candidates, question_vector, self.min_similarity)

    def match_by_page(
        self, question: str, question_vector: np.ndarray, pages: Sequence[str]
    ) -> tuple[CuratedAnswer, float] | None:
        """The most similar curated answer (any language) whose page is among the first
        ``page_rank`` of ``pages`` (the retrieved documents, best first), with its similarity."""
        if self.min_similarity_with_page is None or not pages:
            return None
        top = set(list(dict.fromkeys(pages))[: self.page_rank])
        intent = asks_for(question)
        candidates = [
            item
            for group in self._prepared().values()
            for item in group.items
            if item.doc_id and item.doc_id in top and asks_for(item.question) == intent
        ]
        return self._most_similar(candidates, question_vector, self.min_similarity_with_page)

    def _most_similar(
        self, candidates: list[CuratedAnswer], question_vector: np.ndarray, threshold: float
    ) -> tuple[CuratedAnswer, float] | None:
        if not candidates:
            return None
        similarities = self._vectors_of(candidates) @ question_vector
        best = int(np.argmax(similarities))
        if similarities[best] < threshold:
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


def asks_for(question: str) -> tuple[bool, ...]:
    """Which checkable kinds of answer (an amount, a date or time) the question asks for.

    "Was kostet Sperrmüll?" and "Wie melde ich Sperrmüll an?" share their subject words, but
    the answer to one is not the answer to the other.
    """
    return tuple(bool(cue.search(question)) for cue, _answer in ANSWER_TYPES[:2])


def _same_subject(question: set[str], curated: frozenset[str]) -> bool:
    """More than half of the two questions' subject words are shared (both empty: no evidence).

    Exactly half let "Was kostet eine Apostille für meine Geburtsurkunde?" have the answer to
    "Was kostet eine Geburtsurkunde?" (feedback benchmark, eval/bench_curated_match.py).
    """
    union = question | curated
    return bool(union) and len(question & curated) / len(union) > 0.5
