"""Link check: evidence that links outside the city's domains is neither composed from nor quoted."""

from __future__ import annotations

from assistant.answering.citations import renumber
from assistant.answering.context import AnswerContext, Ending, Resources


def drop_foreign_links(ctx: AnswerContext, res: Resources) -> Ending | None:
    if res.output_check is None:
        return None
    evidence = [e for e in ctx.evidence if not res.output_check.problems(e.quote)]
    if not evidence:
        return ctx.abstain()
    kept = {e.n for e in evidence}
    ctx.evidence, ctx.disagreeing = renumber(evidence, [d for d in ctx.disagreeing if d.conflicts_with in kept])
    return None
