"""Clarify: ask back when two different topics fit a short question equally well ("Verkehr auf der B 37")."""

from __future__ import annotations

from assistant.answering.context import AnswerContext, Ending, Resources
from assistant.components.index import bm25_tokens
from assistant.messages import message
from assistant.records import SearchHit

CLARIFY_MARGIN = 0.015  # dense scores of two different topics this close: ask back
CLARIFY_MAX_TERMS = 5  # only short questions are ambiguous; a longer one names its topic
# two pages whose best chunks are this close say the same thing (a reworded copy): no topic to
# choose between. Different topics of the sample set's clarify cases are 0.80-0.90 apart.
SAME_TOPIC_COSINE = 0.93


def ask_back_if_ambiguous(ctx: AnswerContext, res: Resources) -> Ending | None:
    options = ambiguous_topics(ctx, res)
    if not options:
        return None
    titles = f" {message('or', ctx.language)} ".join(f"„{title}“" for title in options)
    return Ending("clarify", message("clarify", ctx.language).format(options=titles))


def ambiguous_topics(ctx: AnswerContext, res: Resources) -> list[str]:
    """Titles of two different topics that fit a short question equally well."""
    terms = set(bm25_tokens(ctx.question, ctx.language))
    if not terms or len(terms) > CLARIFY_MAX_TERMS:
        return []
    pair = _two_best_documents(ctx.hits)
    if pair is None:
        return []
    first, second = pair
    if abs((first.dense_score or 0) - (second.dense_score or 0)) > CLARIFY_MARGIN:
        return []
    titles = [set(bm25_tokens(h.chunk.title, h.chunk.language)) for h in (first, second)]
    only_first, only_second = titles[0] - titles[1], titles[1] - titles[0]
    overlap = len(titles[0] & titles[1]) / max(1, len(titles[0] | titles[1]))
    if not only_first or not only_second or overlap >= 0.5:  # versions of one page: conflicts
        return []
    if terms & (only_first | only_second):
        return []  # the question names one of them
    if _same_content(first, second, res):
        return []  # compare what the pages say, not only their titles
    for hit in (first, second):  # each topic must fit the whole question
        doc = res.index.documents.get(hit.chunk.doc_id)
        if doc is None or not terms <= set(bm25_tokens(f"{doc.title} {doc.text}", doc.language)):
            return []
    return [first.chunk.title, second.chunk.title]


def _two_best_documents(hits: list[SearchHit]) -> tuple[SearchHit, SearchHit] | None:
    """The best hit of each of the first two documents among the top four hits."""
    best: dict[str, SearchHit] = {}
    for hit in hits[:4]:
        best.setdefault(hit.chunk.doc_id, hit)
    if len(best) < 2:
        return None
    first, second = list(best.values())[:2]
    return first, second


def _same_content(first: SearchHit, second: SearchHit, res: Resources) -> bool:
    positions = [res.index.positions.get(h.chunk.chunk_id) for h in (first, second)]
    if None in positions:
        return False
    vectors = res.index.vectors[positions]
    return float(vectors[0] @ vectors[1]) >= SAME_TOPIC_COSINE
