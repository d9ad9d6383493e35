"""Evidence: the sentences of the top chunks that answer the question (abstain when there are none)."""

from __future__ import annotations

from dataclasses import replace

from assistant.answering.context import AnswerContext, Ending, Resources
from assistant.answering.evidence import select_evidence
from assistant.answering.reader import load_model, read_evidence


def select(ctx: AnswerContext, res: Resources) -> Ending | None:
    settings = res.settings.evidence
    if settings.selector == "reader":  # the trained reader; it abstains when no line clears its threshold
        model = load_model(settings.reader_model)
        if settings.reader_answer is not None:
            model = replace(model, selection=replace(model.selection, answer=settings.reader_answer))
        ctx.evidence = read_evidence(ctx.search_text, ctx.question_vector, ctx.hits, res.index, model, ctx.language)
    else:
        ctx.evidence = select_evidence(
            ctx.search_text, ctx.question_vector, ctx.hits, res.index, settings, ctx.language
        )
    return None if ctx.evidence else ctx.abstain()
