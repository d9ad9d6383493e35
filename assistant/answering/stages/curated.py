"""Curated: a staff-verified answer to the same or a similar question is given as it is.

Three matches (see ``assistant/answering/curated.py``): before retrieval the close match in the
question's language (same kind of answer, most subject words shared); after retrieval, when the
documents search ranks the verified answer's page among its first pages, the paraphrase match in
the question's language and the match in another language.
"""

from __future__ import annotations

import numpy as np

from assistant.answering.citations import cite
from assistant.answering.context import AnswerContext, Ending, Resources
from assistant.answering.retrieve import pages_in_language
from assistant.answering.stages.retrieve import hits_for
from assistant.messages import message
from assistant.records import AnswerSentence, CuratedAnswer


def answer_if_verified(ctx: AnswerContext, res: Resources) -> Ending | None:
    # a short follow-up is searched with the question before it ("Und wenn sie drei ist?" after the Krippe fee
    # for a one-year-old); that text matches the curated answer to the question before, not to the follow-up
    if res.curated is None or ctx.search_text != ctx.question:
        return None
    match = res.curated.match(ctx.search_text, ctx.question_vector, ctx.language)
    if match is None:
        return None
    return verified(ctx, res, *match)


def answer_if_verified_for_page(ctx: AnswerContext, res: Resources) -> Ending | None:
    """After retrieval: a verified answer whose page the search ranks high (in the question's language:
    among all pages found; in another language: among the pages a search of that language finds)."""
    if res.curated is None or ctx.history:  # a follow-up's question alone does not say what is asked
        return None
    pages = [hit.chunk.doc_id for hit in ctx.hits]

    def search_in(language: str) -> list[str]:  # only asked when an answer in another language is close
        retrieval = res.settings.retrieval
        found = pages_in_language(
            res.index, res.embedder, ctx.search_text, retrieval, language, ctx.language, ctx.question_vector
        )
        return [page for page in found if page not in ctx.flagged]

    def pages_of(question: str, vector: np.ndarray, language: str) -> list[str]:  # a curated question's search
        return [hit.chunk.doc_id for hit in hits_for(res, question, language, vector, ctx.flagged)]

    match = res.curated.match_by_page(
        ctx.search_text,
        ctx.question_vector,
        pages,
        ctx.language,
        res.index.document_languages,
        search_in,
        res.index.page_terms,
        pages_of,
    )
    if match is None:
        return None
    return verified(ctx, res, *match)


def verified(ctx: AnswerContext, res: Resources, curated: CuratedAnswer, similarity: float) -> Ending:
    doc = res.index.documents.get(curated.doc_id)
    supporting = []
    if doc is not None:  # cite the source staff named
        quote = curated.quote or doc.title
        supporting = [cite(doc, quote, max(doc.text.find(quote), 0), similarity)]
    sentence = AnswerSentence(text=curated.answer, citations=[1] if supporting else [])
    text = curated.answer
    if curated.language != ctx.language:  # staff wrote it in the other language: say so
        text = message("curated_other_language", ctx.language) + "\n" + curated.answer
    return Ending(
        "answered",
        text,
        [sentence],
        supporting,
        confidence=similarity,
        verified_by_staff=True,
        curated_id=curated.id,
    )
