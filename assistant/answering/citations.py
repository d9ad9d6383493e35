"""Citations: evidence quoted from a document, numbered [1], [2], ... and joined into answer text.

>>> from assistant.records import AnswerSentence
>>> join([AnswerSentence(text="Die Gebühr beträgt 37,00 Euro.", citations=[1])])
'Die Gebühr beträgt 37,00 Euro. [1]'
"""

from __future__ import annotations

from assistant.records import AnswerSentence, Disagreement, Document, Evidence


def cite(doc: Document, quote: str, start: int, score: float, n: int = 1) -> Evidence:
    """Evidence quoting ``doc`` from ``start``, with the document's title, link and date."""
    return Evidence(
        n=n,
        doc_id=doc.doc_id,
        title=doc.title,
        url=doc.url,
        source=doc.source,
        updated=doc.updated,
        quote=quote,
        start=start,
        end=start + len(quote),
        score=score,
    )


def join(sentences: list[AnswerSentence]) -> str:
    """The answer text: one sentence a line, each followed by its citation numbers."""
    return "\n".join(f"{s.text} " + "".join(f"[{n}]" for n in s.citations) for s in sentences)


def renumber(evidence: list[Evidence], disagreeing: list[Disagreement]) -> tuple[list[Evidence], list[Disagreement]]:
    """Number the evidence 1, 2, ... again after some was dropped; disagreements follow their evidence."""
    mapping = {}
    renumbered = []
    for n, item in enumerate(evidence, start=1):
        mapping[item.n] = n
        renumbered.append(item.model_copy(update={"n": n}))
    moved = [d.model_copy(update={"conflicts_with": mapping.get(d.conflicts_with, 1)}) for d in disagreeing]
    return renumbered, moved
