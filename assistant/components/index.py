"""The hybrid index: FAISS over dense vectors plus one bm25s index per language.

On disk an index folder holds immutable versions and a pointer::

    index/
      CURRENT                      # name of the version in use (replaced atomically)
      versions/<version>/
        manifest.json              # schema, embedding model id and dimension, corpus hash, documents
        documents.jsonl  chunks.jsonl  vectors.npy  dense.faiss  bm25-<lang>/
        sentences.npy              # one vector per sentence of every chunk, in chunk order (memory-mapped)
        titles.npy                 # one vector per document title, in documents.jsonl order

Sentences are embedded once, at ingest, with their page title and heading path
(:func:`sentence_contexts`), so answering a question embeds only the question.

A version is written into a temporary folder, flushed, renamed into place,
and only then does ``CURRENT`` switch (``os.replace``), so a killed ingest
leaves the previous version in use, untouched.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from datetime import UTC, datetime
from functools import cache, cached_property
from pathlib import Path

import numpy as np
from pydantic import BaseModel

from assistant.components import dense as dense_index
from assistant.hashing import sha256_hex
from assistant.records import Chunk, Document
from assistant.text import strip_markup

SCHEMA_VERSION = 2  # 2: sentence and title vectors stored beside the chunk vectors
BM25_LANGUAGES = {
    "de": "german",
    "en": "english",
    "fr": "french",
    "es": "spanish",
    "it": "italian",
    "nl": "dutch",
    "tr": "turkish",
    "ru": "russian",
    "pl": "polish",
    "ar": "arabic",
}
TOKEN = re.compile(r"\w+", re.UNICODE)


class IndexNotFoundError(RuntimeError):
    pass


class IndexMismatchError(RuntimeError):
    pass


class DocEntry(BaseModel):
    doc_id: str
    source: str
    content_hash: str
    chunk_count: int


class Manifest(BaseModel):
    schema_version: int = SCHEMA_VERSION
    version: str
    created: str
    embedding_model: str
    dimension: int
    corpus_hash: str
    chunk_count: int
    languages: list[str]
    documents: list[DocEntry]


@cache
def stemmer(language: str):
    import Stemmer

    return Stemmer.Stemmer(BM25_LANGUAGES.get(language, "german"))


@cache
def _stopwords(language: str) -> frozenset[str]:
    from bm25s import stopwords

    names = {
        "de": "STOPWORDS_GERMAN",
        "en": "STOPWORDS_EN",
        "fr": "STOPWORDS_FRENCH",
        "es": "STOPWORDS_SPANISH",
        "it": "STOPWORDS_ITALIAN",
        "nl": "STOPWORDS_DUTCH",
    }
    return frozenset(getattr(stopwords, names.get(language, ""), ()) or ())


def bm25_tokens(text: str, language: str) -> list[str]:
    """Lowercased word tokens without stop words, stemmed for ``language``.

    >>> bm25_tokens("Die Gebühren für den Reisepass", "de")
    ['gebuhr', 'reisepass']
    """
    stop = _stopwords(language)
    words = [w for w in TOKEN.findall(text.lower()) if w not in stop and len(w) > 1]
    return stemmer(language).stemWords(words)


def sentence_contexts(chunk: Chunk) -> list[str]:
    """What is embedded for each sentence of ``chunk``: its page title and heading path, then the sentence.

    "ab 24 Jahren: 37,00 Euro" alone says nothing about ID cards; under "Personalausweis > Gebühren" it does.

    >>> from assistant.records import Span
    >>> chunk = Chunk(chunk_id="p#0", doc_id="p", title="Personalausweis", headings=["Gebühren"],
    ...               text="- ab 24 Jahren: 37,00 Euro", start=10, end=36, sentences=[Span(start=10, end=36)])
    >>> sentence_contexts(chunk)
    ['Personalausweis > Gebühren: ab 24 Jahren: 37,00 Euro']
    """
    path = " > ".join(dict.fromkeys([chunk.title, *chunk.headings]))
    return [
        f"{path}: {strip_markup(chunk.text[span.start - chunk.start : span.end - chunk.start])}"
        for span in chunk.sentences
    ]


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class HybridIndex:
    """Chunks, their vectors, a FAISS inner-product index and per-language BM25."""

    def __init__(
        self,
        manifest: Manifest,
        documents: list[Document],
        chunks: list[Chunk],
        vectors: np.ndarray,
        dense,
        bm25: dict[str, tuple[object, np.ndarray]],
        sentence_vectors: np.ndarray,
        title_vectors: np.ndarray,
        path: Path | None = None,
    ) -> None:
        self.manifest = manifest
        self.documents = {doc.doc_id: doc for doc in documents}
        self.chunks = chunks
        self.vectors = vectors
        self.dense = dense
        self.bm25 = bm25  # language -> (bm25s.BM25, row -> chunk position)
        self.sentence_vectors = sentence_vectors  # rows: the sentences of chunk 0, then chunk 1, ...
        self.title_vectors = title_vectors  # rows: documents in insertion order
        self.path = path
        self.positions = {chunk.chunk_id: i for i, chunk in enumerate(chunks)}
        self.sentence_offsets = np.cumsum([0, *(len(chunk.sentences) for chunk in chunks)])
        if len(sentence_vectors) != self.sentence_offsets[-1] or len(title_vectors) != len(self.documents):
            raise IndexMismatchError(
                f"Index {manifest.version} is inconsistent: {len(sentence_vectors)} sentence vectors for "
                f"{self.sentence_offsets[-1]} sentences, {len(title_vectors)} title vectors for "
                f"{len(self.documents)} documents. Rebuild it: assistant ingest --rebuild --index DIR PATH..."
            )
        self._title_rows = {doc_id: i for i, doc_id in enumerate(self.documents)}
        self._page_terms: dict[tuple[str, str], frozenset[str]] = {}  # (doc id, language) -> stemmed words

    @property
    def version(self) -> str:
        return self.manifest.version

    # -- building ----------------------------------------------------------
    # -- stored sentence and title vectors ---------------------------------
    def sentence_rows(self, chunk_position: int) -> range:
        """Rows of ``sentence_vectors`` for the sentences of one chunk, in ``chunk.sentences`` order."""
        return range(int(self.sentence_offsets[chunk_position]), int(self.sentence_offsets[chunk_position + 1]))

    def span_vector(self, doc_id: str, start: int, end: int) -> np.ndarray | None:
        """The stored vector of a quote ``[start, end)`` of a document: its sentences' mean, normalised."""
        spans = self._sentence_spans.get(doc_id)
        if spans is None:
            return None
        starts, ends, rows = spans
        covered = rows[(starts < end) & (ends > start)]
        if not len(covered):
            return None
        vector = np.asarray(self.sentence_vectors[covered], dtype=np.float32).mean(axis=0)
        return vector / max(float(np.linalg.norm(vector)), 1e-12)

    def sentence_spans(self, doc_id: str) -> list[tuple[int, int]]:
        """The (start, end) offsets of a document's sentences as chunking found them, in text order."""
        spans = self._sentence_spans.get(doc_id)
        if spans is None:
            return []
        starts, ends, _rows = spans
        return sorted(zip(starts.tolist(), ends.tolist(), strict=True))

    def title_vector(self, doc_id: str) -> np.ndarray | None:
        row = self._title_rows.get(doc_id)
        return None if row is None else np.asarray(self.title_vectors[row], dtype=np.float32)

    def page_terms(self, doc_id: str, language: str) -> frozenset[str]:
        """The stemmed words (BM25 tokens in ``language``) of a document's title and text; empty when unknown."""
        key = (doc_id, language)
        if key not in self._page_terms:
            doc = self.documents.get(doc_id)
            text = f"{doc.title}\n{doc.text}" if doc is not None else ""
            self._page_terms[key] = frozenset(bm25_tokens(text, language))
        return self._page_terms[key]

    @cached_property
    def document_languages(self) -> dict[str, str]:
        """Each document's language, by id."""
        return {doc_id: doc.language for doc_id, doc in self.documents.items()}

    @cached_property
    def _sentence_spans(self) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Per document: sentence starts, ends and their rows (chunks of a document do not overlap)."""
        collected: dict[str, list[tuple[int, int, int]]] = {}
        for position, chunk in enumerate(self.chunks):
            rows = self.sentence_rows(position)
            collected.setdefault(chunk.doc_id, []).extend(
                (span.start, span.end, row) for span, row in zip(chunk.sentences, rows, strict=True)
            )
        return {
            doc_id: tuple(np.array(column) for column in zip(*items, strict=True))
            for doc_id, items in collected.items()
        }

    @classmethod
    def build(
        cls,
        documents: list[Document],
        chunks: list[Chunk],
        vectors: np.ndarray,
        embedding_model: str,
        sentence_vectors: np.ndarray,
        title_vectors: np.ndarray,
    ) -> HybridIndex:
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        dimension = int(vectors.shape[1]) if vectors.size else 0
        dense = dense_index.build(vectors if dimension else np.zeros((0, 1), dtype=np.float32))
        bm25 = {language: cls._build_bm25(chunks, language) for language in sorted({c.language for c in chunks})}
        corpus_hash = sha256_hex("\n".join(sorted(f"{d.doc_id}:{d.content_hash}" for d in documents)))
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        counts: dict[str, int] = {}
        for chunk in chunks:
            counts[chunk.doc_id] = counts.get(chunk.doc_id, 0) + 1
        manifest = Manifest(
            version=f"{stamp}-{corpus_hash[:8]}",
            created=datetime.now(UTC).isoformat(),
            embedding_model=embedding_model,
            dimension=dimension,
            corpus_hash=corpus_hash,
            chunk_count=len(chunks),
            languages=sorted(bm25),
            documents=[
                DocEntry(
                    doc_id=d.doc_id, source=d.source, content_hash=d.content_hash, chunk_count=counts.get(d.doc_id, 0)
                )
                for d in documents
            ],
        )
        return cls(manifest, documents, chunks, vectors, dense, bm25, sentence_vectors, title_vectors)

    @staticmethod
    def _build_bm25(chunks: list[Chunk], language: str):
        import bm25s

        rows = np.array([i for i, c in enumerate(chunks) if c.language == language], dtype=np.int64)
        corpus = [bm25_tokens(chunks[i].embedding_text(), language) or ["_empty_"] for i in rows]
        retriever = bm25s.BM25()
        retriever.index(corpus, show_progress=False)
        return retriever, rows

    # -- persistence ---------------------------------------------------------
    def save(self, index_dir: Path, keep_versions: int = 2) -> Path:
        """Write this index as a new version and switch CURRENT to it atomically."""
        import faiss

        versions = index_dir / "versions"
        versions.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=versions))
        try:
            (tmp / "manifest.json").write_text(self.manifest.model_dump_json(indent=1), encoding="utf-8")
            _write_jsonl(tmp / "documents.jsonl", self.documents.values())
            _write_jsonl(tmp / "chunks.jsonl", self.chunks)
            np.save(tmp / "vectors.npy", self.vectors)
            np.save(tmp / "sentences.npy", np.asarray(self.sentence_vectors, dtype=np.float32))
            np.save(tmp / "titles.npy", np.asarray(self.title_vectors, dtype=np.float32))
            faiss.write_index(self.dense, str(tmp / "dense.faiss"))
            for language, (retriever, rows) in self.bm25.items():
                retriever.save(str(tmp / f"bm25-{language}"))
                np.save(tmp / f"bm25-{language}" / "rows.npy", rows)
            for file in tmp.rglob("*"):
                if file.is_file():
                    with open(file, "rb") as handle:
                        os.fsync(handle.fileno())
            final = versions / self.manifest.version
            os.rename(tmp, final)
            _fsync_dir(versions)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        pointer_tmp = index_dir / "CURRENT.tmp"
        pointer_tmp.write_text(self.manifest.version + "\n", encoding="utf-8")
        with open(pointer_tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(pointer_tmp, index_dir / "CURRENT")
        _fsync_dir(index_dir)
        self.path = final
        _prune(versions, keep=max(1, keep_versions), current=self.manifest.version)
        return final

    @classmethod
    def load(cls, index_dir: Path, embedding_model: str | None = None) -> HybridIndex:
        """Load the current version; checks schema and embedding model."""
        import bm25s
        import faiss

        path = current_version_path(index_dir)
        manifest = Manifest.model_validate_json((path / "manifest.json").read_text(encoding="utf-8"))
        if manifest.schema_version != SCHEMA_VERSION:
            raise IndexMismatchError(
                f"Index at {index_dir} has schema version {manifest.schema_version}, this program "
                f"needs {SCHEMA_VERSION}. Rebuild it: assistant ingest --rebuild --index {index_dir} PATH..."
            )
        if embedding_model and manifest.embedding_model != embedding_model:
            raise IndexMismatchError(
                f"Index at {index_dir} was built with embedding model '{manifest.embedding_model}' "
                f"(dimension {manifest.dimension}), but the configured model is '{embedding_model}'. "
                f"Rebuild it: assistant ingest --rebuild --index {index_dir} PATH..."
            )
        documents = [
            Document.model_validate_json(line)
            for line in (path / "documents.jsonl").read_text(encoding="utf-8").splitlines()
            if line
        ]
        chunks = [
            Chunk.model_validate_json(line)
            for line in (path / "chunks.jsonl").read_text(encoding="utf-8").splitlines()
            if line
        ]
        vectors = np.load(path / "vectors.npy")
        dense = faiss.read_index(str(path / "dense.faiss"))
        bm25 = {}
        for language in manifest.languages:
            folder = path / f"bm25-{language}"
            bm25[language] = (bm25s.BM25.load(str(folder)), np.load(folder / "rows.npy"))
        sentence_vectors = np.load(path / "sentences.npy", mmap_mode="r")  # paged in as answers need them
        title_vectors = np.load(path / "titles.npy")
        return cls(manifest, documents, chunks, vectors, dense, bm25, sentence_vectors, title_vectors, path=path)

    # -- search --------------------------------------------------------------
    def dense_search(
        self, query_vector: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """(chunk position, cosine) pairs, best first; ``allowed`` is a bool mask."""
        if not self.chunks:
            return []
        return dense_index.search(self.dense, self.vectors, query_vector, k, allowed)

    def bm25_search(
        self, query: str, language: str, k: int, allowed: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """(chunk position, BM25 score) pairs from the index of ``language``."""
        if language not in self.bm25:
            return []
        retriever, rows = self.bm25[language]
        tokens = [t for t in bm25_tokens(query, language) if t in retriever.vocab_dict]
        if not tokens or not len(rows):
            return []
        mask = allowed[rows].astype(np.float32) if allowed is not None else None
        if mask is not None and not mask.any():
            return []
        k = min(k, len(rows))
        found, scores = retriever.retrieve([tokens], k=k, show_progress=False, weight_mask=mask)
        return [(int(rows[i]), float(s)) for i, s in zip(found[0], scores[0], strict=True) if s > 0]


def current_version_path(index_dir: Path) -> Path:
    pointer = index_dir / "CURRENT"
    if not pointer.is_file():
        raise IndexNotFoundError(
            f"No index found at {index_dir}. Build one: assistant ingest --index {index_dir} corpus/"
        )
    path = index_dir / "versions" / pointer.read_text(encoding="utf-8").strip()
    if not (path / "manifest.json").is_file():
        raise IndexNotFoundError(
            f"Index at {index_dir} points to a missing version ({path.name}). Rebuild it: "
            f"assistant ingest --rebuild --index {index_dir} PATH..."
        )
    return path


def _write_jsonl(path: Path, records) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        for record in records:
            handle.write(record.model_dump_json() + "\n")


def _prune(versions: Path, keep: int, current: str) -> None:
    names = sorted((p.name for p in versions.iterdir() if p.is_dir() and not p.name.startswith(".")), reverse=True)
    for name in names[keep:]:
        if name != current:
            shutil.rmtree(versions / name, ignore_errors=True)
    for stale in versions.glob(".tmp-*"):
        shutil.rmtree(stale, ignore_errors=True)
