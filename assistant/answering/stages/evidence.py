"""Evidence: the sentences of the top chunks that answer the question (abstain when there are none)."""

from __future__ import annotations

from dataclasses import replace

from assistant.answering.context import AnswerContext, Ending, Resources
from assistant.answering.evidence import select_evidence
from assistant.answering.reader import Selection, best_probability, load_model, read_evidence, score_lines
from assistant.answering.rerank import rerank


def select(ctx: AnswerContext, res: Resources) -> Ending | None:
    settings = res.settings.evidence
    if settings.selector == "cross":  # the reader shortlists, the relevance model decides
        from assistant.relevance.cross import load_cross_encoder

        encoder = load_cross_encoder(settings.cross_encoder, res.settings.llm.models_dir)
        found, reader = score_lines(
            ctx.search_text, ctx.question_vector, ctx.hits, res.index, load_model(settings.reader_model), ctx.language
        )
        probabilities = rerank(encoder, ctx.search_text, found, reader, settings.cross_shortlist)
        ctx.evidence = read_evidence(
            found, probabilities, res.index, Selection(**encoder.manifest.get("selection", {}))
        )
        ctx.reader_confidence = max((e.score for e in ctx.evidence), default=None)
    elif settings.selector == "reader":  # the trained reader; it abstains when no line clears its threshold
        model = load_model(settings.reader_model)
        if settings.reader_answer is not None:
            model = replace(model, selection=replace(model.selection, answer=settings.reader_answer))
        scored = score_lines(ctx.search_text, ctx.question_vector, ctx.hits, res.index, model, ctx.language)
        ctx.evidence = read_evidence(*scored, res.index, model.selection)
        ctx.reader_confidence = max((e.score for e in ctx.evidence), default=None)  # the best line is quoted
    else:
        ctx.evidence = select_evidence(
            ctx.search_text, ctx.question_vector, ctx.hits, res.index, settings, ctx.language
        )
        if ctx.evidence and settings.reader_gate is not None:  # opt-in: the scorer quotes, the reader says
            model = load_model(settings.reader_model)  # how likely the pages answer at all
            ctx.reader_confidence = best_probability(
                *score_lines(ctx.search_text, ctx.question_vector, ctx.hits, res.index, model, ctx.language)
            )
            gate = model.selection.answer if settings.reader_gate < 0 else settings.reader_gate
            if ctx.reader_confidence < gate:
                ctx.evidence = []
    return None if ctx.evidence else ctx.abstain()
