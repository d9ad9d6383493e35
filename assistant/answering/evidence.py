"""Evidence selection: the sentences of the retrieved chunks that answer the question.

Every candidate sentence's vector (e5 "passage", embedded at ingest with its page
title and heading path) is scored by cosine similarity to the question, plus a small bonus for the question's stemmed
words it contains. A list intro ending in ":" brings its list items along,
because the items are the answer ("Mitzubringen sind: ..."). Each piece of
evidence is a verbatim quote with character offsets into its document.
"""

from __future__ import annotations

import re

import numpy as np

from assistant.components.index import HybridIndex, bm25_tokens
from assistant.records import Evidence, SearchHit, Span
from assistant.settings import EvidenceSettings
from assistant.text import is_heading, strip_markup

MAX_LIST_ITEMS = 8
# Expected answer type (classic factoid QA): a cost question wants an amount, a
# "when" question a date or time, a "where" question an address or room.
ANSWER_TYPES = [
    (
        re.compile(
            r"\b(kost\w*|gebühr\w*|preis\w*|teuer|euro|zahl\w*|how much|cost\w*|fee\w*|price\w*|"
            r"charge\w*|pay)\b",
            re.I,
        ),
        re.compile(r"\d[\d.,]*\s*(?:€|euros?\b|eur\b)|(?:€|\beur)\s*\d|kostenlos|gebührenfrei|free of charge", re.I),
    ),
    (
        re.compile(
            r"\b(wann|öffnungszeit\w*|geöffnet|offen|uhrzeit|frist\w*|bis wann|when|opening|open|"
            r"hours|deadline)\b",
            re.I,
        ),
        re.compile(
            r"\b\d{1,2}[:.]\d{2}\b|\b\d{1,2}\s*uhr\b|\b\d{1,2}\.\s*\w+\s+\d{4}\b|"
            r"\b(montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|monday|tuesday|"
            r"wednesday|thursday|friday|saturday|sunday|wochen?|tage?n?|weeks?|days?)\b",
            re.I,
        ),
    ),
    (
        re.compile(r"\b(wo|wohin|adresse|zimmer|raum|where|address|room|office)\b", re.I),
        re.compile(r"\b(zimmer|raum|room|straße|str\.|platz|weg|allee|erdgeschoss|stock|floor)\b", re.I),
    ),
    (
        re.compile(r"\b(unterlagen|dokumente|mitbringen|mitzubringen|brauche|benötige|documents?|bring|need)\b", re.I),
        re.compile(
            r"\b(ausweis|pass|urkunde|foto|nachweis|bescheinigung|formular|id card|passport|"
            r"certificate|photo|proof|form)\b",
            re.I,
        ),
    ),
]
# amounts and times: the kinds a sentence visibly has or has not (a question about a cost whose
# evidence names no amount is not answered: stages/answerable.py)
CHECKABLE_TYPES = ANSWER_TYPES[:2]


def wanted_types(question: str) -> tuple[int, ...]:
    """The checkable kinds of answer (numbers into :data:`CHECKABLE_TYPES`) that ``question`` asks for.

    >>> wanted_types("Was kostet der Reisepass und wann ist das Amt geöffnet?"), wanted_types("Wo ist das Amt?")
    ((0, 1), ())
    """
    return tuple(n for n, (cue, _) in enumerate(CHECKABLE_TYPES) if cue.search(question))


def has_type(text: str, n: int) -> bool:
    """``text`` states a fact of the checkable kind ``n`` (an amount, a date or time)."""
    return bool(CHECKABLE_TYPES[n][1].search(text))


ANSWER_TYPE_BONUS = 0.03
_URL = re.compile(r"https?://\S+")


def _candidates(hits: list[SearchHit]) -> list[tuple[SearchHit, int, Span]]:
    out = []
    for hit in hits:
        for position, span in enumerate(hit.chunk.sentences):
            sentence = hit.chunk.text[span.start - hit.chunk.start : span.end - hit.chunk.start]
            if is_heading(sentence) or len(_URL.sub("", strip_markup(sentence))) < 25:
                continue  # headings and bare links are context, not answers
            out.append((hit, position, span))
    return out


def _with_list_items(hit: SearchHit, position: int) -> Span:
    """The sentence at ``position``, extended over the list items that follow a ':' intro."""
    sentences = hit.chunk.sentences
    span = sentences[position]
    text = hit.chunk.text
    offset = hit.chunk.start
    if not text[span.start - offset : span.end - offset].rstrip().endswith(":"):
        return span
    end = span.end
    for follower in sentences[position + 1 : position + 1 + MAX_LIST_ITEMS]:
        if not text[follower.start - offset : follower.end - offset].lstrip().startswith(("-", "*", "•")):
            break
        end = follower.end
    return Span(start=span.start, end=end)


def select_evidence(
    question: str,
    question_vector: np.ndarray,
    hits: list[SearchHit],
    index: HybridIndex,
    settings: EvidenceSettings,
    language: str = "de",
    max_hits: int = 6,
) -> list[Evidence]:
    """Up to ``settings.max_sentences`` quotes, best first, numbered from 1."""
    # the best fused chunks and the best dense chunks: RRF can bury the chunk whose
    # meaning matches best (a fee list shares few words with "Was kostet ...?")
    by_dense = sorted(hits, key=lambda h: -(h.dense_score or 0.0))[: max_hits // 2]
    chosen = {h.chunk.chunk_id: h for h in [*hits[:max_hits], *by_dense]}
    candidates = _candidates(list(chosen.values()))
    if not candidates:
        return []
    texts = [strip_markup(h.chunk.text[s.start - h.chunk.start : s.end - h.chunk.start]) for h, _, s in candidates]
    wanted = [answer for cue, answer in ANSWER_TYPES if cue.search(question)]
    scores = _scores(question, question_vector, candidates, texts, index, wanted, language)
    order = _typed_first(list(np.argsort(scores)[::-1]), scores, texts, wanted, settings)
    return _quotes(order, scores, candidates, settings)


def _scores(
    question: str,
    question_vector: np.ndarray,
    candidates: list[tuple[SearchHit, int, Span]],
    texts: list[str],
    index: HybridIndex,
    wanted: list[re.Pattern[str]],
    language: str,
) -> list[float]:
    """Cosine of question and sentence, plus small bonuses for shared words, rank and the wanted answer type."""
    # stored at ingest with the page title and heading path (see components.index.sentence_contexts)
    rows = [index.sentence_rows(index.positions[h.chunk.chunk_id])[position] for h, position, _ in candidates]
    similarity = np.asarray(index.sentence_vectors[rows], dtype=np.float32) @ question_vector
    question_terms = set(bm25_tokens(question, language))
    scores = []
    for (hit, _, _), text, sim in zip(candidates, texts, similarity, strict=True):
        overlap = len(question_terms & set(bm25_tokens(text, hit.chunk.language)))
        bonus = 0.02 * min(overlap, 3) - 0.004 * (hit.rank - 1)
        if any(answer.search(text) for answer in wanted):
            bonus += ANSWER_TYPE_BONUS
        scores.append(float(sim) + bonus)
    return scores


def _typed_first(
    order: list[int], scores: list[float], texts: list[str], wanted: list[re.Pattern[str]], settings: EvidenceSettings
) -> list[int]:
    """A question that wants an amount (or a time) gets the best sentence that has one,
    even if other sentences are a little closer in meaning."""
    for answer_type in wanted:
        typed = [i for i in order if answer_type.search(texts[i])]
        if (
            typed
            and not any(answer_type.search(texts[i]) for i in order[: settings.max_sentences])
            and scores[typed[0]] >= settings.min_sentence_score
        ):
            order.remove(typed[0])
            order.insert(0, typed[0])
    return order


def _quotes(
    order: list[int], scores: list[float], candidates: list[tuple[SearchHit, int, Span]], settings: EvidenceSettings
) -> list[Evidence]:
    """The best sentences above the threshold as quotes (a list intro with its items; nothing quoted twice)."""
    evidence: list[Evidence] = []
    covered: list[tuple[str, Span]] = []
    for i in order:
        if len(evidence) >= settings.max_sentences or scores[i] < settings.min_sentence_score:
            break
        hit, position, _ = candidates[i]
        if evidence and _too_far_below(scores[i], hit.chunk.doc_id, evidence[0], settings):
            continue
        span = _with_list_items(hit, position)
        if any(doc == hit.chunk.doc_id and s.start <= span.start and span.end <= s.end for doc, s in covered):
            continue
        covered.append((hit.chunk.doc_id, span))
        evidence.append(Evidence.quoted(hit.chunk, span.start, span.end, len(evidence) + 1, scores[i]))
    return evidence


def _too_far_below(score: float, doc_id: str, best: Evidence, settings: EvidenceSettings) -> bool:
    """Minimal answers: a quote far below the best one adds more reading than answer, and one from
    another page must come close to the best (a second page only when it is about as good)."""
    gap = best.score - score
    if settings.max_score_gap is not None and gap > settings.max_score_gap:
        return True
    return settings.other_page_gap is not None and doc_id != best.doc_id and gap > settings.other_page_gap
