"""Evidence: the sentences of the top chunks that answer the question (abstain when there are none)."""

from __future__ import annotations

from assistant.answering.context import AnswerContext, Ending, Resources
from assistant.answering.evidence import select_evidence


def select(ctx: AnswerContext, res: Resources) -> Ending | None:
    ctx.evidence = select_evidence(
        ctx.search_text, ctx.question_vector, ctx.hits, res.index, res.settings.evidence, ctx.language
    )
    return None if ctx.evidence else ctx.abstain()
