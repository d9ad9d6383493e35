"""Question–line pairs for training the relevance model (no JAX needed).

OMoS-QA's pages are lists of lines with the volunteers' answer lines marked; every line of the
question's own page is a candidate (the answer lines positive, the rest hard negatives: they
share the page's topic and words), and an unanswerable question contributes only negatives,
which teaches the model to say "no line answers". The English questions are also paired with
the German page (the kiosk case: a question in English about German pages).

>>> pair_text("Was kostet ein Reisepass?", "Der Reisepass kostet 70 Euro.")
'Was kostet ein Reisepass? </s></s> passage: Der Reisepass kostet 70 Euro.'
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass
from pathlib import Path

# the settings a training set is built from: (question language, page language)
OMOSQA_SETTINGS = (("de", "de"), ("en", "de"), ("en", "en"))


@dataclass(frozen=True)
class Pair:
    question: str
    line: str
    label: int  # 1 = the line answers the question
    group: str  # question id + setting: the lines of one question, for per-question figures


def pair_text(question: str, line: str) -> str:
    """The cross-encoder's input; the engine adds ``query: `` in front (``</s>`` is the separator id)."""
    return f"{question} </s></s> passage: {line}"


def _read(path: Path) -> dict[int, dict]:
    with path.open(encoding="utf-8") as handle:
        return {row["id"]: row for row in map(json.loads, handle)}


def omosqa_pairs(
    data: Path,
    split: str,
    settings: tuple[tuple[str, str], ...] = OMOSQA_SETTINGS,
    max_negatives: int | None = None,
    seed: int = 0,
) -> list[Pair]:
    """Every question of ``split`` with the lines of its page, in each (question, page) language setting.

    ``max_negatives`` keeps at most that many non-answer lines per question (a fixed random choice).
    """
    rng = random.Random(seed)
    pairs: list[Pair] = []
    for question_language, page_language in settings:
        questions = _read(data / f"{split}_{question_language}.jsonl")
        pages = _read(data / f"{split}_{page_language}.jsonl")
        for key in sorted(questions):
            page = pages.get(key)
            if page is None:
                continue
            gold = set(page["answers"])
            lines = [(n, line.strip()) for n, line in enumerate(page["context"].split("\n")) if line.strip()]
            negatives = [item for item in lines if item[0] not in gold]
            if max_negatives is not None and len(negatives) > max_negatives:
                negatives = rng.sample(negatives, max_negatives)
            group = f"{key}:{question_language}-{page_language}"
            chosen = sorted([item for item in lines if item[0] in gold] + negatives)
            question = questions[key]["question"]
            pairs += [Pair(question, line, int(n in gold), group) for n, line in chosen]
    return pairs


def pairs_hash(pairs: list[Pair]) -> str:
    """SHA-256 of the pairs' content (the manifest's training-data hash)."""
    digest = hashlib.sha256()
    for pair in pairs:
        digest.update(f"{pair.group}\t{pair.label}\t{pair.question}\t{pair.line}\n".encode())
    return digest.hexdigest()
