"""Hybrid retrieval: BM25 per language and dense FAISS, fused by weighted RRF.

Reciprocal rank fusion (Cormack et al. 2009) needs no score calibration
between BM25 and cosine. The BM25 list of the question's own language gets
full weight; BM25 lists of other languages get less (their stemmer does not
fit the question), and the dense list carries cross-lingual matches (an
English question finds German pages). ``eval/bench/bench_retrieval.py`` measures
the three modes side by side.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.answering.facts.words import glossed
from assistant.components.embeddings import E5Embeddings
from assistant.components.index import BM25_LANGUAGES, HybridIndex
from assistant.records import SearchHit
from assistant.settings import RetrievalSettings
from assistant.text import detect_language

Mode = Literal["hybrid", "bm25", "dense"]


def _mask(index: HybridIndex, language: str | None, department: str | None) -> np.ndarray | None:
    if not language and not department:
        return None
    return np.array(
        [
            (not language or c.language == language)
            and (not department or c.department.casefold() == department.casefold())
            for c in index.chunks
        ],
        dtype=bool,
    )


def rrf(ranked_lists: list[tuple[float, list[int]]], k: int) -> dict[int, float]:
    """Weighted reciprocal rank fusion of ``(weight, [item, ...])`` lists.

    >>> sorted(rrf([(1.0, [7, 3]), (1.0, [3, 9])], k=60).items(), key=lambda kv: -kv[1])[0][0]
    3
    """
    fused: dict[int, float] = {}
    for weight, items in ranked_lists:
        for rank, item in enumerate(items):
            fused[item] = fused.get(item, 0.0) + weight / (k + rank + 1)
    return fused


def search(
    index: HybridIndex,
    embedder: E5Embeddings,
    query: str,
    settings: RetrievalSettings,
    k: int | None = None,
    mode: Mode = "hybrid",
    language: str | None = None,
    department: str | None = None,
    query_language: str | None = None,
    query_vector: np.ndarray | None = None,
) -> list[SearchHit]:
    """Top-``k`` chunks for ``query``; ``language``/``department`` filter the chunks."""
    k = k or settings.top_k
    allowed = _mask(index, language, department)
    # detect among all supported languages, not only the index's: an English question
    # over German-only pages must still count as English (its BM25 list is down-weighted)
    query_language = query_language or detect_language(query, tuple(BM25_LANGUAGES))
    dense: dict[int, float] = {}
    bm25: dict[int, float] = {}
    lists: list[tuple[float, list[int]]] = []
    if mode in ("hybrid", "dense"):
        if query_vector is None:
            query_vector = embedder.embed_queries([query])[0]
        found = index.dense_search(query_vector, settings.candidates, allowed)
        dense = dict(found)
        lists.append((settings.dense_weight, [i for i, _ in found]))
    if mode in ("hybrid", "bm25"):
        for bm25_language in index.bm25:
            weight = settings.bm25_weight * (
                1.0 if bm25_language == query_language else settings.other_language_bm25_weight
            )
            text = query
            if bm25_language == "de" and query_language == "en" and settings.glossed_bm25_weight:
                german = glossed(query)  # the glossary's German service names in the English question
                if german != query.casefold():
                    text, weight = german, settings.bm25_weight * settings.glossed_bm25_weight
            found = index.bm25_search(text, bm25_language, settings.candidates, allowed)
            for i, score in found:
                bm25[i] = max(bm25.get(i, 0.0), score)
            lists.append((weight, [i for i, _ in found]))
    fused = rrf(lists, settings.rrf_k)
    ranked = sorted(fused.items(), key=lambda kv: -kv[1])[:k]
    return [
        SearchHit(
            chunk=index.chunks[i], score=round(score, 6), rank=rank, dense_score=dense.get(i), bm25_score=bm25.get(i)
        )
        for rank, (i, score) in enumerate(ranked, start=1)
    ]


def pages_in_language(
    index: HybridIndex,
    embedder: E5Embeddings,
    query: str,
    settings: RetrievalSettings,
    language: str,
    query_language: str | None = None,
    query_vector: np.ndarray | None = None,
) -> list[str]:
    """The pages the search restricted to ``language`` finds for ``query``, best first."""
    hits = search(
        index,
        embedder,
        query,
        settings,
        k=settings.evidence_pool,
        mode=settings.mode,
        language=language,
        query_language=query_language,
        query_vector=query_vector,
    )
    return list(dict.fromkeys(hit.chunk.doc_id for hit in hits))


class HybridRetriever(BaseRetriever):
    """LangChain retriever over the hybrid index, so a chain or agent can use it.

    Metadata filters: ``language`` and ``department``.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    index: HybridIndex
    embedder: E5Embeddings
    settings: RetrievalSettings
    k: int = 5
    mode: Mode = "hybrid"
    language: str | None = None
    department: str | None = None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[LCDocument]:
        hits = search(
            self.index,
            self.embedder,
            query,
            self.settings,
            k=self.k,
            mode=self.mode,
            language=self.language,
            department=self.department,
        )
        return [
            LCDocument(
                page_content=hit.chunk.text,
                id=hit.chunk.chunk_id,
                metadata={
                    "doc_id": hit.chunk.doc_id,
                    "title": hit.chunk.title,
                    "url": hit.chunk.url,
                    "language": hit.chunk.language,
                    "department": hit.chunk.department,
                    "updated": hit.chunk.updated.isoformat() if hit.chunk.updated else None,
                    "start": hit.chunk.start,
                    "end": hit.chunk.end,
                    "score": hit.score,
                },
            )
            for hit in hits
        ]
