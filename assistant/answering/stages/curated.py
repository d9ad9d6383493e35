"""Curated: a staff-verified answer to the same or a similar question is given as it is."""

from __future__ import annotations

from assistant.answering.citations import cite
from assistant.answering.context import AnswerContext, Ending, Resources
from assistant.records import AnswerSentence


def answer_if_verified(ctx: AnswerContext, res: Resources) -> Ending | None:
    if res.curated is None:
        return None
    match = res.curated.match(ctx.search_text, ctx.question_vector, ctx.language)
    if match is None:
        return None
    curated, similarity = match
    doc = res.index.documents.get(curated.doc_id)
    supporting = []
    if doc is not None:  # cite the source staff named
        quote = curated.quote or doc.title
        supporting = [cite(doc, quote, max(doc.text.find(quote), 0), similarity)]
    sentence = AnswerSentence(text=curated.answer, citations=[1] if supporting else [])
    return Ending(
        "answered",
        curated.answer,
        [sentence],
        supporting,
        confidence=similarity,
        verified_by_staff=True,
        curated_id=curated.id,
    )
