"""Relevance gate: abstain when the best retrieved chunk is not close enough to the question."""

from __future__ import annotations

import numpy as np

from assistant.answering.context import AnswerContext, Ending, Resources


def abstain_if_irrelevant(ctx: AnswerContext, res: Resources) -> Ending | None:
    ctx.relevance = best_cosine(ctx, res)
    if ctx.relevance < res.settings.evidence.min_dense_score:
        return ctx.abstain()
    return None


def best_cosine(ctx: AnswerContext, res: Resources) -> float:
    """Cosine of the question and the best retrieved chunk (for every retrieval mode)."""
    positions = [res.index.positions[h.chunk.chunk_id] for h in ctx.hits if h.chunk.chunk_id in res.index.positions]
    if not positions:
        return 0.0
    return float(np.max(res.index.vectors[positions] @ ctx.question_vector))
