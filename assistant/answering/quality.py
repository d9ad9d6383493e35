"""Quality: a score per answer from signals the pipeline already has, without a judge model.

The score is the probability that the answer is right, from a logistic regression over seven
signals of the Answer record (:func:`answer_features`): how far its relevance lies above the
abstention threshold, the best and the mean quote score, how many quotes and pages it rests
on, whether the question's subject words occur in the quotes (and their titles), and the
answer's length. The weights are trained by ``eval/bench/train_quality.py`` on answers whose
correctness is known (OMoS-QA train and the sample golden set; ``quality_model.json`` names
the data and the command) and read from ``quality_model.json``: no scikit-learn and no pickle
at answer time. A staff-verified answer scores 1. Answers that state nothing from the
documents (abstained, refused, clarify) get no score: abstentions are in the review queue
anyway.

Low scores enter the staff review queue without waiting for a thumbs-down
(``settings.staff.review_below_quality``). How well the score predicts a wrong answer on the
golden sets (ROC AUC, wrong answers among the lowest 10 %) is printed by
``eval/bench/bench_feedback.py``.

>>> from assistant.records import Answer, Evidence
>>> text = "Die Hundesteuer beträgt 96 Euro im Jahr für den ersten Hund."
>>> quote = Evidence(n=1, doc_id="d", title="Hundesteuer", quote=text, start=0, end=60, score=1.0)
>>> answer = Answer(question="Wie hoch ist die Hundesteuer?", language="de", status="answered",
...     answer=f"{text} [1]", supporting=[quote], confidence=0.9)
>>> answer_quality(answer, min_dense_score=0.83)
0.407

The same quote for a question about another tax, barely above the threshold, scores lower:

>>> answer_quality(answer.model_copy(update={"question": "Wie hoch ist die Zweitwohnungsteuer?",
...     "confidence": 0.84}), min_dense_score=0.83)
0.121
>>> answer_quality(answer.model_copy(update={"status": "abstained"}), min_dense_score=0.83) is None
True
"""

from __future__ import annotations

import json
import math
from functools import cache
from pathlib import Path

from assistant.answering.subject import subject_terms
from assistant.components.index import bm25_tokens
from assistant.records import Answer

FACT_STATUSES = ("answered", "referred")
MODEL_PATH = Path(__file__).with_name("quality_model.json")


def answer_quality(answer: Answer, min_dense_score: float, model: dict | None = None) -> float | None:
    """P(the answer is right) under ``model`` (default: ``quality_model.json``), rounded to 3 places."""
    if answer.status not in FACT_STATUSES:
        return None
    if answer.verified_by_staff:
        return 1.0
    model = model or _model()
    features = answer_features(answer, min_dense_score)
    logit = model["intercept"] + sum(weight * features[name] for name, weight in model["weights"].items())
    return round(1.0 / (1.0 + math.exp(-logit)), 3)


@cache
def _model() -> dict:
    return json.loads(MODEL_PATH.read_text(encoding="utf-8"))


def answer_features(answer: Answer, min_dense_score: float) -> dict[str, float]:
    """The signals of a fact-stating answer the score weighs (all known when it is answered).

    >>> from assistant.records import Answer, Evidence
    >>> quote = Evidence(n=1, doc_id="d", title="Hundesteuer", quote="Die Hundesteuer beträgt 96 Euro.",
    ...     start=0, end=32, score=0.9)
    >>> answer_features(Answer(question="Wie hoch ist die Hundesteuer?", language="de", status="answered",
    ...     answer="Die Hundesteuer beträgt 96 Euro. [1]", supporting=[quote], confidence=0.9), 0.83)["pages"]
    1.0
    """
    scores = [evidence.score for evidence in answer.supporting] or [0.0]
    margin = (answer.confidence - min_dense_score) / max(1.0 - min_dense_score, 1e-6)
    return {
        "margin": min(max(margin, -1.0), 1.0),  # relevance above the abstention threshold
        "best_quote_score": max(scores),
        "mean_quote_score": sum(scores) / len(scores),
        "quotes": math.log1p(len(answer.supporting)),
        "pages": float(len({evidence.doc_id for evidence in answer.supporting})),
        "subject_coverage": subject_coverage(answer),
        "answer_length": math.log1p(len(answer.answer)),
    }


def subject_coverage(answer: Answer) -> float:
    """Share of the question's subject words found in the quoted evidence (titles included)."""
    subject = subject_terms(answer.question, answer.language)
    if not subject:
        return 1.0
    quoted: set[str] = set()
    for evidence in answer.supporting:
        quoted |= set(bm25_tokens(f"{evidence.title} {evidence.quote}", answer.language))
    return len(subject & quoted) / len(subject)
