"""Training the evidence reader: reproducible artifacts, the eval's line figures offline."""

from __future__ import annotations

import json

import numpy as np
import pytest

from assistant.answering.reader import (
    FEATURES,
    Candidates,
    ReaderModelError,
    Selection,
    load_model,
    model_from_json,
)
from assistant.evaluation.train_reader import (
    Question,
    artifact_hash,
    artifact_text,
    build_model,
    figures,
    golden_labels,
)
from assistant.records import GoldenCase

pytest.importorskip("sklearn", reason="training needs scikit-learn (pip install -e '.[dev]')")


def _questions(seed: int, count: int = 40) -> list[Question]:
    """Questions whose answer line has a higher cosine than the others (and unanswerable ones)."""
    generator = np.random.default_rng(seed)
    questions = []
    for number in range(count):
        candidates = 12
        rows = generator.normal(0.0, 0.05, size=(candidates, len(FEATURES))) + 0.8
        answerable = number % 4 != 0
        labels = np.zeros(candidates, dtype=np.int8)
        if answerable:
            labels[3] = 1
            rows[3, 0] += 0.3  # the cosine of the answer line
        questions.append(
            Question(
                case_id=f"q{number}",
                rows=rows.astype(np.float32),
                labels=labels,
                lines=[frozenset({("page", i)}) for i in range(candidates)],
                gold=frozenset({("page", 3)}) if answerable else frozenset(),
                page=[0] * candidates,
                intro=[-1] * candidates,
                group=list(range(candidates)),
                relevance=0.9,
            )
        )
    return questions


GRID = {"answer": (0.2, 0.4), "line": (0.3, 0.6), "relative": (0.0,), "second_page": (1.01,), "max_lines": (1, 2)}


@pytest.mark.parametrize("kind", ["logistic", "trees"])
def test_same_data_and_seed_give_the_same_artifact(kind):
    train, dev = _questions(1), {"dev": _questions(2)}
    first, _ = build_model(train, dev, kind, seed=7, min_dense_score=0.83, training={}, log=print, grid=GRID)
    second, _ = build_model(train, dev, kind, seed=7, min_dense_score=0.83, training={}, log=print, grid=GRID)
    assert artifact_hash(first) == artifact_hash(second)
    # and it learned the signal: the answer line is found, unanswerable questions abstain
    assert first.training["dev"]["dev"]["evidence_f1"] > 0.8
    assert first.training["dev"]["dev"]["no_answer_f1"] > 0.8


def test_figures_count_lines_like_the_eval():
    question = _questions(3, count=2)[1]  # answerable, gold line 3
    scores = np.zeros(12)
    scores[3], scores[5] = 0.9, 0.8
    two = figures([question], [scores], Selection(answer=0.5, line=0.5, max_lines=2), min_dense_score=0.83)
    assert (two.evidence_precision, two.evidence_recall) == (0.5, 1.0)
    one = figures([question], [scores], Selection(answer=0.5, line=0.85, max_lines=2), min_dense_score=0.83)
    assert one.evidence_f1 == 1.0 and one.quotes_per_answer == 1.0
    none = figures([question], [scores], Selection(answer=0.95), min_dense_score=0.83)
    assert none.evidence_f1 == 0.0 and none.no_answer_precision == 0.0


def test_the_bundled_artifact_loads_and_another_feature_version_is_refused(tmp_path):
    model = load_model()
    assert model.kind in ("logistic", "trees")
    assert model.training["data_sha256"] and model.training["dev"]
    data = json.loads(artifact_text(model))
    data["feature_version"] += 1
    stale = tmp_path / "reader.json"
    stale.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ReaderModelError, match="feature version"):
        load_model(stale)
    with pytest.raises(ReaderModelError, match="not a reader artifact"):
        model_from_json({"kind": "trees"})


def test_a_golden_case_labels_the_candidates_that_match_its_expected_quotes():
    case = GoldenCase(
        id="fee",
        question="Was kostet der Personalausweis?",
        language="de",
        expected_status="answered",
        expected_evidence=["Der Personalausweis kostet 37,00 Euro.", "Eine Expressgebühr gibt es nicht."],
    )
    found = Candidates(
        doc_ids=["ausweis", "ausweis"],
        starts=[0, 40],
        texts=["Der Personalausweis kostet 37,00 Euro.", "Bringen Sie ein Passfoto mit."],
    )
    lines, gold = golden_labels(case, found)
    assert lines == [frozenset({("ausweis", 0)}), frozenset({("ausweis", 40)})]
    # the second expected quote is on no candidate: it counts as a missed line
    assert gold == frozenset({("ausweis", 0), ("missing", 1)})


def test_figures_refuse_a_cost_answer_without_an_amount_like_the_answer_path():
    question = _questions(3, count=2)[1]  # answerable, gold line 3
    question.wanted = (0,)  # asks for an amount
    question.types = [frozenset({0}) if i == 5 else frozenset() for i in range(12)]  # only line 5 has one
    scores = np.zeros(12)
    scores[3], scores[5] = 0.9, 0.1
    refused = figures([question], [scores], Selection(answer=0.5, line=0.5, max_lines=1), min_dense_score=0.83)
    assert refused.evidence_f1 == 0.0 and refused.quotes_per_answer == 0.0
    completed = figures(
        [question], [scores], Selection(answer=0.5, line=0.5, max_lines=1, typed=0.05), min_dense_score=0.83
    )
    assert (completed.evidence_precision, completed.evidence_recall, completed.quotes_per_answer) == (0.5, 1.0, 2.0)
