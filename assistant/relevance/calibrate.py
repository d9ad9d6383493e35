"""The cross-encoder's line choice, calibrated on OMoS-QA dev through the real retrieval path.

The reader's candidate pages and lines of every dev question (the open corpus: all pages of the
split indexed together, as ``assistant eval`` runs it; cached by
:func:`assistant.evaluation.train_reader.gather`) are re-scored with :func:`~assistant.answering.rerank.rerank`,
and the reader's selection grid is searched on those probabilities (best mean evidence F1, then
no-answer F1). The chosen selection and the dev figures, beside the reader's own on the same
questions, go into the manifest, where the answer path reads the selection.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from assistant.answering.reader import load_model
from assistant.answering.rerank import rerank
from assistant.evaluation.train_reader import DEV_SETS, calibrate_scores, figures, gather
from assistant.relevance.artifact import DEFAULT_MANIFEST
from assistant.relevance.cross import CrossEncoder
from assistant.settings import Settings

Log = Callable[[str], None]
# the reader's grid moved up: the cross-encoder's probabilities of answer lines sit higher (trained on
# classes near 1:1), so its thresholds are searched over a higher range
CROSS_GRID = {
    "answer": (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9),
    "line": (0.4, 0.6, 0.8),
    "relative": (0.0,),
    "second_page": (0.9, 1.01),
    "max_lines": (1, 2, 3),
    "intro": (False, True),
    "extend": (0.3, 0.5, 0.7, 1.01),
    "block": (5, 8),
    "typed": (0.0, 0.2, 1.01),
}


def calibrate_cross_encoder(
    settings: Settings, manifest_path: Path = DEFAULT_MANIFEST, dev_sets: tuple[str, ...] = DEV_SETS, log: Log = print
) -> dict:
    """Choose the selection on dev, write it and the figures into the manifest; returns the manifest."""
    from assistant.evaluation.runner import Runner

    runner = Runner(log)
    dev = {name: gather(name, settings, runner, log) for name in dev_sets}
    encoder = CrossEncoder.load(manifest_path, settings.llm.models_dir)
    reader = load_model(settings.evidence.reader_model)
    size = settings.evidence.cross_shortlist
    reader_scores = {name: [reader.probabilities(q.rows) for q in questions] for name, questions in dev.items()}
    scores = {
        name: [
            rerank(encoder, q.question, replace(q.candidates(), texts=q.texts), p, size)
            for q, p in zip(questions, reader_scores[name], strict=True)
        ]
        for name, questions in dev.items()
    }
    minimum = settings.evidence.min_dense_score
    selection, per_set, _ = calibrate_scores(dev, scores, minimum, CROSS_GRID)
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["selection"] = selection.__dict__
    manifest["dev_open_corpus"] = {name: f.rounded() for name, f in per_set.items()}
    manifest["dev_open_corpus_reader"] = {
        name: figures(dev[name], reader_scores[name], reader.selection, minimum).rounded() for name in dev
    }
    manifest_path.write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    for name in dev:
        ours, theirs = manifest["dev_open_corpus"][name], manifest["dev_open_corpus_reader"][name]
        log(
            f"  {name:24} evidence F1 {theirs['evidence_f1']:.3f} -> {ours['evidence_f1']:.3f} | no-answer F1 "
            f"{theirs['no_answer_f1']:.3f} -> {ours['no_answer_f1']:.3f} | page hit {theirs['page_hit']:.3f} -> "
            f"{ours['page_hit']:.3f}  (reader -> cross-encoder)"
        )
    log(f"  selection: {selection}")
    return manifest
