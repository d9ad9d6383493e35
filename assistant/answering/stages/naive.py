"""Naive baseline (benchmarks only): the top chunks stuffed into the prompt, no gate, no citations."""

from __future__ import annotations

from collections.abc import Iterator

from assistant.answering.compose import build_naive_messages
from assistant.answering.context import AnswerContext, Ending, Resources
from assistant.answering.events import Token
from assistant.answering.stages.compose import model_tokens
from assistant.components.llm import token_counter
from assistant.records import Evidence


def compose(ctx: AnswerContext, res: Resources) -> Iterator[Token]:
    if res.chat_model is None:
        return
    messages, ctx.prompt_tokens = build_naive_messages(
        ctx.question,
        ctx.hits[: res.settings.retrieval.top_k],
        res.settings.answer.prompt_budget_tokens,
        token_counter(res.chat_model),
    )
    yield from model_tokens(ctx, res, messages)


def answer(ctx: AnswerContext, res: Resources) -> Ending:
    if res.chat_model is None:
        return Ending("answered", ctx.hits[0].chunk.text)
    supporting = [
        Evidence(
            n=i,
            doc_id=h.chunk.doc_id,
            title=h.chunk.title,
            url=h.chunk.url,
            source=h.chunk.source,
            updated=h.chunk.updated,
            quote=h.chunk.text,
            start=h.chunk.start,
            end=h.chunk.end,
            score=h.score,
        )
        for i, h in enumerate(ctx.hits[: res.settings.retrieval.top_k], start=1)
    ]
    return Ending("answered", ctx.draft.strip() or "-", supporting=supporting)
