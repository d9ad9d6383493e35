"""Respond: the checked sentences, or (when none survived or no model wrote) the evidence itself, cited."""

from __future__ import annotations

import re

from assistant.answering.citations import join
from assistant.answering.context import AnswerContext, Ending, Resources
from assistant.answering.facts.english import english_row
from assistant.messages import message
from assistant.records import AnswerSentence, Evidence
from assistant.text import strip_markup

HEADING_LINE = re.compile(r"^#{1,6}\s+(.+)$", re.MULTILINE)


def answer(ctx: AnswerContext, res: Resources) -> Ending:
    if ctx.documents_disagree:  # undated sources disagree: say so and point to the office, quote both below
        return Ending("answered", message("documents_disagree", ctx.language), [], [], ctx.disagreeing)
    sentences = ctx.sentences
    if sentences:
        text = join(sentences)
    else:
        sentences, translated = evidence_sentences(ctx.evidence, res, ctx.language)
        intro = message("fee_rows_intro" if translated else "evidence_intro", ctx.language)
        text = intro + "\n" + join(sentences)
    if ctx.more_rows:  # the fee table has more rows that fit than are quoted: ask which one applies
        text += "\n" + message("which_row", ctx.language).format(options=", ".join(ctx.more_rows))
    if ctx.disagreeing:
        text += "\n" + message("conflict_note", ctx.language)
    undated = [f"[{e.n}]" for e in ctx.evidence if e.updated is None]  # numbers only: titles can hold numbers
    if undated:
        text += "\n" + message("undated_note", ctx.language).format(sources=", ".join(undated))
    return Ending("answered", text, sentences, ctx.evidence, ctx.disagreeing)


def evidence_sentences(
    evidence: list[Evidence], res: Resources, language: str = ""
) -> tuple[list[AnswerSentence], bool]:
    """The evidence as answer sentences, each citing itself; for an English question, a German fee row
    in English words (the German line stays the quote in ``supporting``). The flag: any row was put in
    English words."""
    rows = [fee_row_in(language, e, res) for e in evidence]
    sentences = [
        AnswerSentence(text=row or in_context(e, res), citations=[e.n]) for row, e in zip(rows, evidence, strict=True)
    ]
    return sentences, any(rows)


def fee_row_in(language: str, evidence: Evidence, res: Resources) -> str:
    """``evidence`` as an English fee row when it quotes a fee row of a German page ("" otherwise)."""
    doc = res.index.documents.get(evidence.doc_id)
    if language != "en" or doc is None or doc.language != "de":
        return ""
    inside = [
        fact
        for fact in res.facts.facts(evidence.doc_id)
        if fact.kind == "fee" and fact.start < evidence.end and evidence.start < fact.end
    ]
    return english_row(inside[0]) if len(inside) == 1 else ""  # a line with several rows stays as written


def in_context(evidence: Evidence, res: Resources) -> str:
    """A list item quoted alone loses its subject ("Samstag: 8:00 bis 14:00 Uhr" - where?).

    It is shown after its heading. The quote itself stays verbatim in ``supporting``.
    """
    text = strip_markup(evidence.quote)
    doc = res.index.documents.get(evidence.doc_id)
    if doc is None or not evidence.quote.lstrip().startswith(("-", "*", "•")):
        return text
    headings = HEADING_LINE.findall(doc.text[: evidence.start])
    if not headings:
        return f"{doc.title} – {text}"
    heading = headings[-1].strip()
    if len(heading.split()) == 1 and heading != doc.title:  # "Gebühren": whose?
        heading = f"{doc.title}, {heading}"
    return f"{heading} – {text}"
