"""Output check: no system-prompt text, no foreign links, no contact data that is not in the corpus."""

from __future__ import annotations

from assistant.answering.context import AnswerContext, Resources


def check_output(ctx: AnswerContext, res: Resources) -> None:
    if res.output_check is not None:
        ctx.sentences = res.output_check.keep(ctx.sentences)
