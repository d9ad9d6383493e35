"""Quality: a score per answer from signals the pipeline already has, without a judge model.

How far the answer's relevance (cosine of the question and the best retrieved chunk) lies
above the abstention threshold, scaled to 0..1; a little more when the question's subject
words occur in the quoted evidence; less for each model sentence the grounding gate had to
drop. A staff-verified answer scores 1. Answers that state nothing from the documents
(abstained, refused, clarify) get no score: abstentions are in the review queue anyway.

Low scores enter the staff review queue without waiting for a thumbs-down
(``settings.staff.review_below_quality``). How well the score predicts a wrong answer on the
golden sets (ROC AUC, wrong answers among the lowest 10 %) is printed by
``eval/bench_feedback.py``.

>>> from assistant.records import Answer, Evidence
>>> quote = Evidence(n=1, doc_id="d", title="Hundesteuer", quote="Die Hundesteuer beträgt 96 Euro.",
...     start=0, end=32, score=0.9)
>>> answer = Answer(question="Wie hoch ist die Hundesteuer?", language="de", status="answered",
...     answer="...", supporting=[quote], confidence=0.9)
>>> answer_quality(answer, min_dense_score=0.83)
0.462
"""

from __future__ import annotations

from assistant.answering.subject import subject_terms
from assistant.components.index import bm25_tokens
from assistant.records import Answer

FACT_STATUSES = ("answered", "referred")
COVERAGE_WEIGHT = 0.05  # chosen on the sample golden set (ROC AUC), reported on Munich
DROPPED_WEIGHT = 0.2


def answer_quality(answer: Answer, min_dense_score: float) -> float | None:
    if answer.status not in FACT_STATUSES:
        return None
    if answer.verified_by_staff:
        return 1.0
    margin = (answer.confidence - min_dense_score) / max(1.0 - min_dense_score, 1e-6)
    score = min(max(margin, 0.0), 1.0) + COVERAGE_WEIGHT * subject_coverage(answer)
    if answer.model_sentences:
        dropped = 1.0 - (answer.model_sentences_kept or 0) / answer.model_sentences
        score -= DROPPED_WEIGHT * dropped
    return round(min(max(score, 0.0), 1.0), 3)


def subject_coverage(answer: Answer) -> float:
    """Share of the question's subject words found in the quoted evidence (titles included)."""
    subject = subject_terms(answer.question, answer.language)
    if not subject:
        return 1.0
    quoted: set[str] = set()
    for evidence in answer.supporting:
        quoted |= set(bm25_tokens(f"{evidence.title} {evidence.quote}", answer.language))
    return len(subject & quoted) / len(subject)
