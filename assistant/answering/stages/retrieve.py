"""Retrieve: the hybrid search's chunks for the question, without documents staff flagged."""

from __future__ import annotations

import logging

from assistant.answering.context import AnswerContext, Resources
from assistant.answering.retrieve import search

log = logging.getLogger(__name__)


def retrieve(ctx: AnswerContext, res: Resources) -> None:
    retrieval = res.settings.retrieval
    hits = search(
        res.index,
        res.embedder,
        ctx.search_text,
        retrieval,
        k=retrieval.evidence_pool,
        mode=retrieval.mode,
        query_language=ctx.language,
        query_vector=ctx.question_vector,
    )
    ctx.flagged = flagged_documents(res)
    ctx.hits = [hit for hit in hits if hit.chunk.doc_id not in ctx.flagged]
    ctx.timings["retrieval"] = ctx.elapsed_ms()


def flagged_documents(res: Resources) -> set[str]:
    """Documents staff marked outdated or wrong: they no longer support (or contradict) answers."""
    if res.flagged is None:
        return set()
    try:
        return res.flagged()
    except Exception as exc:  # noqa: BLE001 - a store that is down must not stop answering
        log.warning("flagged documents unavailable (%s: %s)", type(exc).__name__, exc)
        return set()
