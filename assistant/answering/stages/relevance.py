"""Relevance gate: abstain when the best retrieved chunk is not close enough to the question.

e5 puts a question closer to a page in its own language than to the same content in another
language, so the threshold for a best chunk in another language than the question's (an English
question over the German pages) is its own setting, ``evidence.min_dense_score_other_language``.
"""

from __future__ import annotations

import numpy as np

from assistant.answering.context import AnswerContext, Ending, Resources


def abstain_if_irrelevant(ctx: AnswerContext, res: Resources) -> Ending | None:
    ctx.relevance, language = best_cosine(ctx, res)
    evidence = res.settings.evidence
    threshold = evidence.min_dense_score
    if language not in (None, ctx.language) and evidence.min_dense_score_other_language is not None:
        threshold = evidence.min_dense_score_other_language
    if ctx.relevance < threshold:
        return ctx.abstain()
    return None


def best_cosine(ctx: AnswerContext, res: Resources) -> tuple[float, str | None]:
    """Cosine of the question and the best retrieved chunk (for every retrieval mode), and that chunk's language."""
    hits = [h for h in ctx.hits if h.chunk.chunk_id in res.index.positions]
    if not hits:
        return 0.0, None
    cosines = res.index.vectors[[res.index.positions[h.chunk.chunk_id] for h in hits]] @ ctx.question_vector
    best = int(np.argmax(cosines))
    return float(cosines[best]), hits[best].chunk.language
