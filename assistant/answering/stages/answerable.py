"""Answerability gates: abstain when the evidence lacks the asked-for kind of fact or the question's subject."""

from __future__ import annotations

from assistant.answering.context import AnswerContext, Ending, Resources
from assistant.answering.evidence import has_type, wanted_types
from assistant.answering.subject import subject_terms
from assistant.components.index import bm25_tokens
from assistant.records import Evidence


def abstain_if_unanswerable(ctx: AnswerContext, res: Resources) -> Ending | None:
    if not answer_type_present(ctx.question, ctx.evidence) or not covers_subject(ctx, res):
        return ctx.abstain()
    return None


def answer_type_present(question: str, evidence: list[Evidence]) -> bool:
    """A question about a cost needs an amount in the evidence, a "when" a date or time."""
    return all(any(has_type(e.quote, n) for e in evidence) for n in wanted_types(question))


def covers_subject(ctx: AnswerContext, res: Resources) -> bool:
    """Something of what the question is about must occur in the evidence documents.

    Dense retrieval always returns *something*: "Was kostet ein Fischereischein?" lands on
    another fee page. Checked only when question and documents share a language.
    """
    docs = [res.index.documents[e.doc_id] for e in ctx.evidence if e.doc_id in res.index.documents]
    if not docs or any(doc.language != ctx.language for doc in docs):
        return True
    subject = subject_terms(ctx.search_text, ctx.language)
    if not subject:
        return True
    vocabulary: set[str] = set()
    for doc in docs:
        vocabulary |= set(bm25_tokens(f"{doc.title} {doc.text} {doc.metadata.get('keywords', '')}", doc.language))
    # at least one subject word: colloquial questions carry many words no page uses
    return bool(subject & vocabulary)
