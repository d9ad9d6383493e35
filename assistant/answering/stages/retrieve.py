"""Retrieve: the hybrid search's chunks for the question, without documents staff flagged."""

from __future__ import annotations

import logging

import numpy as np

from assistant.answering.context import AnswerContext, Resources
from assistant.answering.retrieve import search
from assistant.records import SearchHit

log = logging.getLogger(__name__)


def retrieve(ctx: AnswerContext, res: Resources) -> None:
    ctx.flagged = flagged_documents(res)
    ctx.hits = hits_for(res, ctx.search_text, ctx.language, ctx.question_vector, ctx.flagged)
    ctx.timings["retrieval"] = ctx.elapsed_ms()


def hits_for(
    res: Resources, text: str, language: str, vector: np.ndarray, flagged: set[str] | frozenset[str]
) -> list[SearchHit]:
    """The chunks the answer path retrieves for ``text``: the evidence pool of the hybrid search,
    without ``flagged`` documents, re-ordered by the pages' rating weights."""
    retrieval = res.settings.retrieval
    hits = search(
        res.index,
        res.embedder,
        text,
        retrieval,
        k=retrieval.evidence_pool,
        mode=retrieval.mode,
        query_language=language,
        query_vector=vector,
    )
    return weighted([hit for hit in hits if hit.chunk.doc_id not in flagged], rating_weights(res, vector))


def weighted(hits: list[SearchHit], weights: dict[str, float]) -> list[SearchHit]:
    """The hits re-ordered with each page's score times its rating weight (stable for ties).

    >>> from assistant.records import Chunk
    >>> hit = lambda doc, score: SearchHit(chunk=Chunk(chunk_id=doc, doc_id=doc, text="", start=0, end=0),
    ...     score=score, rank=0)
    >>> [h.chunk.doc_id for h in weighted([hit("old", 1.0), hit("new", 0.8)], {"old": 0.7})]
    ['new', 'old']
    """
    if not weights:
        return hits
    return sorted(hits, key=lambda hit: -hit.score * weights.get(hit.chunk.doc_id, 1.0))


def rating_weights(res: Resources, vector: np.ndarray) -> dict[str, float]:
    """Page -> weight below 1: the page-wide weights and those from the ratings of questions like
    this one (``vector``), the lower of the two."""
    weights: dict[str, float] = {}
    sources = [res.rating_weights] if res.rating_weights is not None else []
    if res.question_prior is not None:
        sources.append(lambda prior=res.question_prior: prior.weights(vector))
    for source in sources:
        try:
            found = source()
        except Exception as exc:  # noqa: BLE001 - a store that is down must not stop answering
            log.warning("rating weights unavailable (%s: %s)", type(exc).__name__, exc)
            continue
        for doc_id, weight in found.items():
            weights[doc_id] = min(weight, weights.get(doc_id, 1.0))
    return weights


def flagged_documents(res: Resources) -> set[str]:
    """Documents staff marked outdated or wrong: they no longer support (or contradict) answers."""
    if res.flagged is None:
        return set()
    try:
        return res.flagged()
    except Exception as exc:  # noqa: BLE001 - a store that is down must not stop answering
        log.warning("flagged documents unavailable (%s: %s)", type(exc).__name__, exc)
        return set()
