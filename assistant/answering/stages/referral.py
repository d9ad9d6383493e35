"""Referral: when the best page says another authority is responsible, the answer names it."""

from __future__ import annotations

import re

from assistant.answering.citations import cite, join, renumber
from assistant.answering.context import AnswerContext, Ending, Resources
from assistant.messages import message
from assistant.records import AnswerSentence
from assistant.text import strip_markup

REFERRAL = re.compile(
    r"nicht zuständig|ist nicht die stadt|not responsible|is not in charge|"
    r"zuständig ist (die|das|der)|responsible is the",
    re.IGNORECASE,
)
REFERRAL_HEAD_CHARS = 600  # the page says so near its top
MAX_REFERRAL_QUOTES = 3


def find_referral(ctx: AnswerContext, res: Resources) -> None:
    """The sentence saying another authority is responsible, if the best evidence is such a page."""
    doc = res.index.documents.get(ctx.evidence[0].doc_id)
    if doc is None:
        return
    for start, end in res.index.sentence_spans(doc.doc_id):  # as chunking split them at ingest
        if start >= REFERRAL_HEAD_CHARS:
            return
        sentence = doc.text[start:end]
        if REFERRAL.search(sentence):
            ctx.referral = cite(doc, sentence, start, ctx.evidence[0].score)
            return


def refer(ctx: AnswerContext, res: Resources) -> Ending | None:
    """End with the referral sentence and the page's other evidence (found before the conflict check)."""
    referral = ctx.referral
    if referral is None:
        return None
    same_page = [e for e in ctx.evidence if e.doc_id == referral.doc_id and e.start != referral.start]
    evidence, _ = renumber([referral, *same_page][:MAX_REFERRAL_QUOTES], [])
    sentences = [AnswerSentence(text=strip_markup(e.quote), citations=[e.n]) for e in evidence]
    text = message("referred", ctx.language) + "\n" + join(sentences)
    return Ending("referred", text, sentences, evidence)
