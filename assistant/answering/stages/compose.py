"""Compose: the language model writes the answer from the numbered evidence, streamed token by token."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from langchain_core.messages import BaseMessage

from assistant.answering.compose import build_messages
from assistant.answering.context import AnswerContext, Resources
from assistant.answering.events import Token
from assistant.components.llm import GenerationTimeout, token_counter

log = logging.getLogger(__name__)


def compose(ctx: AnswerContext, res: Resources) -> Iterator[Token]:
    if res.chat_model is None or not ctx.evidence:  # extractive, or nothing to write from: the evidence answers
        return
    if not res.settings.llm.writes(ctx.language):  # the model cannot write it: the evidence answers
        return
    answer = res.settings.answer
    messages, ctx.prompt_tokens = build_messages(
        ctx.question,
        ctx.evidence,
        ctx.language,
        ctx.history,
        answer.prompt_budget_tokens,
        answer.history_turns,
        token_counter(res.chat_model),
    )
    yield from model_tokens(ctx, res, messages)


def model_tokens(ctx: AnswerContext, res: Resources, messages: list[BaseMessage]) -> Iterator[Token]:
    """Stream the model's draft into ``ctx.draft``; a failing or timed-out model leaves the evidence to answer."""
    try:
        for chunk in res.chat_model.stream(messages):
            if not chunk.content:
                continue
            if not ctx.draft:
                ctx.timings["first_token"] = ctx.elapsed_ms()
            ctx.draft += str(chunk.content)
            yield Token(str(chunk.content))
    except GenerationTimeout as exc:
        log.warning("language model timed out (%s); answering with the evidence", exc)
        ctx.draft = ""  # a cut-off draft is not an answer
    except Exception as exc:  # noqa: BLE001 - a failing model must not fail the answer
        log.warning("language model failed (%s: %s); answering with the evidence", type(exc).__name__, exc)
