"""The grounding gate: keep only answer sentences that the evidence supports.

A sentence of the model's answer survives when

1. every checkable fact in it (amount, number, date, time, phone number,
   e-mail, room) appears in the evidence it cites (or, without a citation
   marker, in the evidence it is closest to), and
2. it is close in meaning to that evidence (multilingual e5 cosine, so an
   English sentence can be supported by a German quote), and
3. where answer and evidence share a language, most of its words occur in the
   evidence: embeddings alone let "...in the City Hall, a former office
   building" pass, the word check does not; and
4. it says more than the question: a sentence whose words are (nearly) all the
   question's and that states no fact of its own repeats the question; a small
   model does that, and the evidence it cites makes it look supported.

Dropped sentences are returned with the reason, for a debug view and the
benchmarks. Citation markers like "[2]" are parsed and removed from the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from assistant.answering.facts.values import extract_facts
from assistant.components.embeddings import E5Embeddings
from assistant.components.index import bm25_tokens
from assistant.records import AnswerSentence, Evidence
from assistant.text import detect_language, split_sentences, strip_markup

CITATION = re.compile(r"\s*\[(\d+(?:\s*,\s*\d+)*)\]")
BOILERPLATE = re.compile(r"^(sources?|quellen?|answer|antwort|frage|question)\s*:?\s*$|^\[\d+\]\s*$", re.IGNORECASE)


MIN_WORD_COVERAGE = 0.7
MAX_QUESTION_SHARE = 0.75  # a sentence with more of its words from the question repeats it


def repeats_question(sentence: str, question: str, language: str) -> bool:
    """``sentence`` is the question again (its words nearly all the question's, no fact of its own).

    >>> repeats_question("Was kostet ein Reisepass?", "Was kostet ein Reisepass für Erwachsene?", "de")
    True
    >>> repeats_question("Ein Reisepass kostet 70 Euro.", "Was kostet ein Reisepass?", "de")
    False
    """
    words = set(bm25_tokens(sentence, language))
    if not words or not question:
        return False
    asked = set(bm25_tokens(question, language))
    own_facts = {f.value for f in extract_facts(sentence)} - {f.value for f in extract_facts(question)}
    return not own_facts and len(words & asked) / len(words) >= MAX_QUESTION_SHARE


def _word_coverage(sentence: str, evidence_text: str, language: str) -> float:
    """Share of the sentence's content words (stemmed) found in the evidence; 1.0 across languages."""
    if (
        detect_language(
            evidence_text[:400], (language, "de", "en") if language not in ("de", "en") else ("de", "en"), language
        )
        != language
    ):
        return 1.0
    words = set(bm25_tokens(sentence, language))
    if not words:
        return 1.0
    return len(words & set(bm25_tokens(evidence_text, language))) / len(words)


@dataclass
class Dropped:
    text: str
    reason: str


def _sentences(answer: str, language: str) -> list[str]:
    spans = split_sentences(answer, 0, len(answer), language)
    return [strip_markup(answer[s.start : s.end]) for s in spans]


def _citations(sentence: str, valid: set[int]) -> tuple[str, list[int]]:
    numbers: list[int] = []
    for match in CITATION.finditer(sentence):
        numbers += [int(n) for n in re.findall(r"\d+", match.group(1)) if int(n) in valid]
    return CITATION.sub("", sentence).strip(), sorted(set(numbers))


def verify(
    answer: str,
    evidence: list[Evidence],
    evidence_vectors: np.ndarray,
    embedder: E5Embeddings,
    language: str,
    min_support: float,
    question: str = "",
) -> tuple[list[AnswerSentence], list[Dropped]]:
    """Split ``answer`` into sentences and keep the supported ones.

    ``evidence_vectors`` are the evidence's stored vectors (rows in ``evidence`` order); only the
    answer's sentences are embedded here.
    """
    by_n = {e.n: e for e in evidence}
    candidates: list[tuple[str, list[int]]] = []
    dropped: list[Dropped] = []
    for raw in _sentences(answer, language):
        text, cited = _citations(raw, set(by_n))
        if not text or BOILERPLATE.match(text) or len(text) < 8:
            continue
        candidates.append((text, cited))
    if not candidates or not evidence:
        return [], [Dropped(t, "no evidence") for t, _ in candidates]
    vectors = embedder.embed_passages([t for t, _ in candidates])
    similarity = vectors @ evidence_vectors.T  # sentence x evidence
    question_values = {f.value for f in extract_facts(question) if f.kind != "amount"}
    kept: list[AnswerSentence] = []
    seen: set[str] = set()
    for row, (text, cited) in enumerate(candidates):
        if text.casefold() in seen:
            dropped.append(Dropped(text, "repeated"))
            continue
        seen.add(text.casefold())
        if repeats_question(text, question, language):
            dropped.append(Dropped(text, "repeats the question"))
            continue
        columns = [n - 1 for n in cited if 0 < n <= len(evidence)] or [int(np.argmax(similarity[row]))]
        support = float(max(similarity[row, c] for c in columns))
        cited_text = " ".join(evidence[c].quote for c in columns)
        available = {f.value for f in extract_facts(cited_text)} | question_values
        unsupported = [f for f in extract_facts(text) if f.value not in available]
        if unsupported:
            dropped.append(
                Dropped(text, "not in the cited evidence: " + ", ".join(f"{f.kind} {f.value}" for f in unsupported))
            )
        elif support < min_support:
            dropped.append(Dropped(text, f"meaning not supported (similarity {support:.2f})"))
        elif (coverage := _word_coverage(text, cited_text, language)) < MIN_WORD_COVERAGE:
            dropped.append(Dropped(text, f"words not in the evidence (coverage {coverage:.2f})"))
        else:
            kept.append(AnswerSentence(text=text, citations=[evidence[c].n for c in columns]))
    return kept, dropped
