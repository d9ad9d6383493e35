"""Conflicts: other sources that state something different about the same thing; the newer side answers.

By fact (the default): the fee row that fits the question, each cited fee or opening-hour slot
compared with the same slot on the service's other pages (``answering/facts/answers.py``).
By sentence (``answer.conflicts = "sentences"``, the older way): probes per evidence sentence.
"""

from __future__ import annotations

from datetime import date

from assistant.answering.citations import cite, renumber
from assistant.answering.conflicts import find_conflicts
from assistant.answering.context import AnswerContext, Resources
from assistant.answering.facts.answers import answer_by_facts
from assistant.records import Disagreement, Evidence, SearchHit

PROBE_K = 4  # chunks per evidence sentence searched for disagreeing sources


def find_disagreeing(ctx: AnswerContext, res: Resources) -> None:
    if res.settings.answer.conflicts == "facts":
        found = answer_by_facts(
            ctx.search_text or ctx.question,  # a follow-up ("und für den zweiten?") with its question
            ctx.language,
            ctx.evidence,
            ctx.hits,
            res.facts.without(ctx.flagged),
            max_sentences=res.settings.evidence.max_sentences,
        )
        evidence, disagreeing = drop_superseded(found.evidence, found.disagreeing, res)
        ctx.evidence, ctx.disagreeing = renumber(evidence, disagreeing)
        ctx.more_rows = found.more_rows
        return
    evidence, disagreeing = find_conflicts(
        ctx.evidence,
        ctx.hits + probe(ctx.evidence, ctx.flagged, res),
        today=date.today(),
        language=ctx.language,
        vectors=res.index,
    )
    evidence, disagreeing = drop_superseded(evidence, disagreeing, res)
    ctx.evidence, ctx.disagreeing = renumber(evidence, disagreeing)


def probe(evidence: list[Evidence], exclude: set[str], res: Resources) -> list[SearchHit]:
    """Chunks of other documents closest to each evidence sentence.

    The question may not retrieve the page that contradicts the evidence (an English
    question finds the English page, not the newer German one); the evidence itself does.
    """
    vectors = res.quote_vectors(evidence)  # stored at ingest: nothing is embedded here
    probes: dict[str, SearchHit] = {}
    for item, vector in zip(evidence, vectors, strict=True):
        for position, score in res.index.dense_search(vector, PROBE_K):
            chunk = res.index.chunks[position]
            if chunk.doc_id != item.doc_id and chunk.doc_id not in exclude and chunk.chunk_id not in probes:
                probes[chunk.chunk_id] = SearchHit(chunk=chunk, score=score, rank=len(probes) + 1, dense_score=score)
    return list(probes.values())


def drop_superseded(
    evidence: list[Evidence], disagreeing: list[Disagreement], res: Resources
) -> tuple[list[Evidence], list[Disagreement]]:
    """A page that lost a conflict is outdated: its other sentences are not cited either.

    A sentence that the newer page states word for word is cited from the newer page.
    """
    losers = {d.doc_id for d in disagreeing}
    documents = res.index.documents
    winners = [documents[e.doc_id] for e in evidence if e.doc_id not in losers and e.doc_id in documents]
    current: list[Evidence] = []
    for item in evidence:
        if item.doc_id not in losers:
            current.append(item)
            continue
        for doc in winners:
            start = doc.text.find(item.quote)
            if start >= 0:
                current.append(cite(doc, item.quote, start, item.score, item.n))
                break
    if not current:
        return evidence, disagreeing
    kept = {e.n for e in current}
    return current, [d for d in disagreeing if d.conflicts_with in kept]
