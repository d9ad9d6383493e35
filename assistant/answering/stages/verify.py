"""Grounding gate: keep only the model's sentences whose facts and meaning the cited evidence supports."""

from __future__ import annotations

from assistant.answering.context import AnswerContext, Resources
from assistant.answering.evidence import has_type, wanted_types
from assistant.answering.verify import verify
from assistant.records import AnswerSentence, Evidence


def keep_supported(ctx: AnswerContext, res: Resources) -> None:
    if res.chat_model is None:
        return
    sentences, dropped = verify(
        ctx.draft,
        ctx.evidence,
        res.quote_vectors(ctx.evidence),
        res.embedder,
        ctx.language,
        res.settings.answer.min_support,
        ctx.question,
    )
    ctx.sentences = useful(ctx.question, sentences, ctx.evidence)
    ctx.drafted_sentences = len(sentences) + len(dropped)


def useful(question: str, sentences: list[AnswerSentence], evidence: list[Evidence]) -> list[AnswerSentence]:
    """Grounded is not enough: a composed answer must also answer.

    A dangling intro ("Für Erwachsene:") says nothing, and an answer to "what does it cost"
    without the amount that the evidence has loses the point; then the evidence itself is
    the better answer.
    """
    sentences = [s for s in sentences if not s.text.rstrip(" []0-9").endswith(":")]
    for n in wanted_types(question):
        if any(has_type(e.quote, n) for e in evidence) and not any(has_type(s.text, n) for s in sentences):
            return []
    return sentences
