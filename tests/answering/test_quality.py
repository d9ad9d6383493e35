"""The per-answer quality score: what staff notice in the review queue."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.answering.quality import answer_quality
from assistant.records import Answer, Evidence
from assistant.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
THRESHOLD = Settings().evidence.min_dense_score


def evidence(n: int, doc_id: str, title: str, quote: str, score: float) -> Evidence:
    return Evidence(n=n, doc_id=doc_id, title=title, quote=quote, start=0, end=len(quote), score=score)


def answered(question: str, language: str, quotes: list[Evidence], confidence: float) -> Answer:
    """An extractive answer: the quotes, cited."""
    text = " ".join(f"{q.quote} [{q.n}]" for q in quotes)
    return Answer(
        question=question, language=language, status="answered", answer=text, supporting=quotes, confidence=confidence
    )


def well_supported() -> Answer:
    """A fee question answered from the fee page: its subject in every quote, clear relevance."""
    quotes = [
        evidence(
            1,
            "baugenehmigung",
            "Baugenehmigung beantragen (Bauantrag)",
            "Die Gebühr für eine Baugenehmigung beträgt in der Regel 0,5 Prozent der Baukosten.",
            1.0,
        ),
        evidence(
            2,
            "baugenehmigung",
            "Baugenehmigung beantragen (Bauantrag)",
            "Für einen Bauvorbescheid wird eine Gebühr nach Zeitaufwand erhoben.",
            0.97,
        ),
        evidence(
            3,
            "baugenehmigung",
            "Baugenehmigung beantragen (Bauantrag)",
            "Mit den Bauarbeiten dürfen Sie erst beginnen, wenn die Baugenehmigung vorliegt.",
            0.92,
        ),
    ]
    return answered("Was kostet eine Baugenehmigung?", "de", quotes, confidence=0.93)


def off_subject() -> Answer:
    """Relevance barely above the abstention threshold, quotes from unrelated pages that never
    name what was asked about (the rent per square metre)."""
    quotes = [
        evidence(1, "wegzug", "Moving away from Musterstadt", "Rathausplatz 1, 79000 Musterstadt", 0.863),
        evidence(2, "bibliothek", "City Library", "Marktplatz 5, 79000 Musterstadt", 0.857),
        evidence(3, "auslaender", "Residence permits for foreign nationals", "Email: abh@musterstadt.de", 0.852),
    ]
    return answered("What is the average rent per square metre in Musterstadt?", "en", quotes, THRESHOLD + 0.02)


def test_an_off_subject_answer_barely_above_the_threshold_scores_lower_than_a_well_supported_one():
    weak, strong = answer_quality(off_subject(), THRESHOLD), answer_quality(well_supported(), THRESHOLD)
    assert 0.0 <= weak < strong <= 1.0
    assert strong - weak > 0.5  # not a tie broken by rounding: staff see the weak one far down


def test_the_review_queue_takes_the_weak_answer_and_leaves_the_supported_one():
    below = Settings().staff.review_below_quality  # the queue's rule: quality < this, without a rating
    assert answer_quality(off_subject(), THRESHOLD) < below
    assert answer_quality(well_supported(), THRESHOLD) >= below


@pytest.mark.parametrize("status", ["abstained", "refused", "clarify"])
def test_answers_that_state_no_facts_get_no_score(status):
    assert answer_quality(well_supported().model_copy(update={"status": status}), THRESHOLD) is None


def test_a_staff_verified_answer_scores_one_even_with_weak_signals():
    verified = off_subject().model_copy(update={"verified_by_staff": True, "curated_id": 7})
    assert answer_quality(verified, THRESHOLD) == 1.0


def test_the_shipped_model_is_reproduced_by_its_training_command(tmp_path):
    """Same stored answers -> the same coefficients (no randomness in the fit)."""
    cache = tmp_path / "answers"
    cache.mkdir()
    rows = []
    for n in range(12):
        answer = well_supported() if n % 2 else off_subject()
        right = bool(n % 2) != (n % 5 == 0)  # mostly right when supported, a few exceptions
        rows.append({"case": f"c{n}", "right": right, "answer": answer.model_dump(mode="json")})
    (cache / "toy.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    outputs = []
    for run in ("a", "b"):
        out = tmp_path / f"model-{run}.json"
        subprocess.run(
            [
                sys.executable,
                "eval/bench/train_quality.py",
                "fit",
                "--train",
                "toy",
                "--cache",
                str(cache),
                "--out",
                str(out),
            ],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
        outputs.append(json.loads(out.read_text(encoding="utf-8")))
    assert outputs[0] == outputs[1]
    shipped = json.loads((ROOT / "assistant/answering/quality_model.json").read_text(encoding="utf-8"))
    assert set(outputs[0]["weights"]) == set(shipped["weights"])  # the training script writes what answering reads
