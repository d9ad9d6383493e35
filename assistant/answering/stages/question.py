"""Question: what is searched for (a short follow-up with the previous question) and its vector."""

from __future__ import annotations

from assistant.answering.context import AnswerContext, History, Resources
from assistant.components.index import bm25_tokens

FOLLOW_UP_MAX_TERMS = 4


def embed_question(ctx: AnswerContext, res: Resources) -> None:
    ctx.search_text = with_history(ctx.question, ctx.history, ctx.language)
    ctx.question_vector = res.embedder.embed_queries([ctx.search_text])[0]


def with_history(question: str, history: History | None, language: str) -> str:
    """A short follow-up ("Und für Kinder?") is searched together with the last question.

    >>> with_history("Und für Kinder?", [{"role": "user", "content": "Was kostet ein Pass?"}], "de")
    'Was kostet ein Pass? Und für Kinder?'
    """
    if not history or len(bm25_tokens(question, language)) > FOLLOW_UP_MAX_TERMS:
        return question
    previous = [t.get("content", "") for t in history if t.get("role") == "user"]
    return f"{previous[-1]} {question}" if previous else question
