"""Use case: ``ingest(paths) -> IngestReport``.

Incremental: a document whose content hash is unchanged keeps its chunks and
vectors from the previous index version; only new or changed documents are
embedded. Documents that came from one of the given paths but are no longer
there are removed; documents from other paths are kept.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.components.embeddings import E5Embeddings
from assistant.components.index import HybridIndex, IndexNotFoundError, sentence_contexts
from assistant.components.locking import index_lock
from assistant.ingest.chunking import chunk_document
from assistant.ingest.loaders import SUPPORTED_SUFFIXES, LoadError, load_file
from assistant.records import Chunk, Document, IngestReport, SkippedFile
from assistant.settings import Settings

Progress = Callable[[str, int, int], None]  # (stage, done, total)


def discover(paths: Iterable[Path]) -> list[tuple[Path, str, Path]]:
    """(file, doc_id, root) for every file under ``paths``, sorted for stable ids.

    The doc id is the path relative to the given root without its suffix
    (``corpus/en/dog-tax.md`` ingested as ``corpus/`` -> ``en/dog-tax``).
    """
    found: list[tuple[Path, str, Path]] = []
    for root in paths:
        root = Path(root)
        if root.is_dir():
            for file in sorted(p for p in root.rglob("*") if p.is_file()):
                rel = file.relative_to(root)
                if any(part.startswith(".") for part in rel.parts) or file.name.lower() == "readme.md":
                    continue
                found.append((file, rel.with_suffix("").as_posix(), root))
        elif root.exists():
            found.append((root, root.stem, root.parent))
    return found


def _under(source: str, roots: list[Path]) -> bool:
    resolved = Path(source).resolve()
    return any(resolved == root or root in resolved.parents for root in roots)


def ingest(
    paths: list[Path],
    settings: Settings,
    embedder: E5Embeddings,
    rebuild: bool = False,
    progress: Progress | None = None,
) -> IngestReport:
    """Load, chunk, embed and index ``paths`` into ``settings.index_dir``.

    Holds the index folder's lock throughout (``IndexLocked`` when another ingest has it).
    """
    with index_lock(settings.index_dir, settings.ingest.lock_wait_s):
        return _ingest(paths, settings, embedder, rebuild, progress)


def _ingest(
    paths: list[Path], settings: Settings, embedder: E5Embeddings, rebuild: bool, progress: Progress | None
) -> IngestReport:
    started = time.perf_counter()
    progress = progress or (lambda stage, done, total: None)
    index_dir = settings.index_dir
    previous: HybridIndex | None = None
    if not rebuild:
        try:
            previous = HybridIndex.load(index_dir, embedding_model=embedder.model_id)
        except IndexNotFoundError:  # a first ingest; IndexMismatchError reaches the caller
            previous = None

    report = IngestReport(index_dir=str(index_dir), index_version="")
    files = discover(paths)
    missing = [p for p in paths if not Path(p).exists()]
    for path in missing:
        report.skipped.append(SkippedFile(path=str(path), reason="not found"))

    loaded: list[Document] = []
    for done, (file, doc_id, _root) in enumerate(files, start=1):
        progress("load", done, len(files))
        if file.suffix.lower() not in SUPPORTED_SUFFIXES:
            report.skipped.append(SkippedFile(path=str(file), reason=f"unknown format '{file.suffix}'"))
            continue
        try:
            loaded.extend(load_file(file, doc_id, settings.ingest.max_file_bytes))
        except LoadError as exc:
            report.skipped.append(SkippedFile(path=str(file), reason=str(exc)))

    unique: dict[str, Document] = {}
    for doc in loaded:
        doc.source = str(Path(doc.source).resolve())
        if doc.doc_id in unique:
            report.skipped.append(
                SkippedFile(
                    path=doc.source,
                    reason=f"duplicate document id '{doc.doc_id}' (already loaded from {unique[doc.doc_id].source})",
                )
            )
            continue
        unique[doc.doc_id] = doc
    loaded = list(unique.values())

    kept = _carry_over(previous, loaded, paths, report)
    kept_ids = {d.doc_id for d in kept.documents}
    new_docs = [doc for doc in loaded if doc.doc_id not in kept_ids]
    new_chunks: list[Chunk] = []
    for doc in new_docs:
        new_chunks.extend(chunk_document(doc, settings.ingest.chunk_max_chars, settings.ingest.chunk_min_chars))
    new = _embed(new_docs, new_chunks, embedder, settings.ingest.embed_batch_size, progress)
    report.chunks_embedded = len(new_chunks)
    report.words_embedded = new.words

    documents = kept.documents + new_docs
    chunks = kept.chunks + new_chunks
    vectors, sentence_vectors, title_vectors = (
        _stack(embedder, old, added)
        for old, added in (
            (kept.vectors, new.chunks),
            (kept.sentence_vectors, new.sentences),
            (kept.title_vectors, new.titles),
        )
    )

    index = HybridIndex.build(
        documents,
        chunks,
        vectors,
        embedding_model=embedder.model_id,
        sentence_vectors=sentence_vectors,
        title_vectors=title_vectors,
    )
    changed = report.added or report.updated or report.removed or previous is None
    if changed or rebuild:
        index.save(index_dir, keep_versions=settings.ingest.keep_versions)
        report.index_version = index.version
    else:  # nothing changed: keep the version in use, no new folder
        report.index_version = previous.version
    report.documents_total = len(documents)
    report.chunks_total = len(chunks)
    report.seconds = round(time.perf_counter() - started, 3)
    return report


@dataclass
class _Vectors:
    """Documents and chunks with their chunk, sentence and title vectors (rows in the same order)."""

    documents: list[Document]
    chunks: list[Chunk]
    vectors: np.ndarray
    sentence_vectors: np.ndarray
    title_vectors: np.ndarray


@dataclass
class _Embedded:
    chunks: np.ndarray
    sentences: np.ndarray
    titles: np.ndarray
    words: int


def _carry_over(
    previous: HybridIndex | None, loaded: list[Document], paths: list[Path], report: IngestReport
) -> _Vectors:
    """Unchanged and untouched documents (with chunks and all their vectors) from the previous index."""
    empty = np.zeros((0, 0), dtype=np.float32)
    if previous is None:
        report.added = [doc.doc_id for doc in loaded]
        return _Vectors([], [], empty, empty, empty)
    roots = [Path(p).resolve() for p in paths]
    loaded_by_id = {doc.doc_id: doc for doc in loaded}
    keep_ids: set[str] = set()
    for doc_id, old in previous.documents.items():
        new = loaded_by_id.get(doc_id)
        if new is None:
            if _under(old.source, roots):
                report.removed.append(doc_id)
            else:
                keep_ids.add(doc_id)  # from another path: not part of this run
        elif new.content_hash == old.content_hash:
            keep_ids.add(doc_id)
            report.unchanged += 1
        else:
            report.updated.append(doc_id)
    report.added = [doc.doc_id for doc in loaded if doc.doc_id not in previous.documents]
    rows = [i for i, chunk in enumerate(previous.chunks) if chunk.doc_id in keep_ids]
    sentence_rows = [row for i in rows for row in previous.sentence_rows(i)]
    doc_ids = [d for d in previous.documents if d in keep_ids]
    docs = [previous.documents[d] for d in doc_ids]
    # an unchanged document may have moved: record where it was loaded from now
    for doc in docs:
        if doc.doc_id in loaded_by_id:
            doc.source = loaded_by_id[doc.doc_id].source
    return _Vectors(
        docs,
        [previous.chunks[i] for i in rows],
        previous.vectors[rows],
        np.asarray(previous.sentence_vectors[sentence_rows], dtype=np.float32),
        np.stack([previous.title_vector(d) for d in doc_ids]) if doc_ids else empty,
    )


def _embed(
    documents: list[Document], chunks: list[Chunk], embedder: E5Embeddings, batch_size: int, progress: Progress
) -> _Embedded:
    """Chunks, their sentences (in context) and document titles, embedded in one pass with one progress bar."""
    texts = [c.embedding_text() for c in chunks]
    sentences = [context for c in chunks for context in sentence_contexts(c)]
    titles = [doc.title for doc in documents]
    everything = texts + sentences + titles
    # Real pages repeat themselves (contact lines, "Weitere Informationen", the same title twice):
    # each distinct text is embedded once.
    distinct = list(dict.fromkeys(everything))
    batches = []
    for start in range(0, len(distinct), batch_size):
        progress("embed", start, len(distinct))
        batches.append(embedder.embed_passages(distinct[start : start + batch_size]))
    progress("embed", len(distinct), len(distinct))
    unique = np.concatenate(batches) if batches else np.zeros((0, embedder.dimension), dtype=np.float32)
    row = {text: i for i, text in enumerate(distinct)}
    vectors = unique[[row[text] for text in everything]] if everything else unique
    first_sentence, first_title = len(texts), len(texts) + len(sentences)
    return _Embedded(
        chunks=vectors[:first_sentence],
        sentences=vectors[first_sentence:first_title],
        titles=vectors[first_title:],
        words=sum(len(text.split()) for text in distinct),
    )


def _stack(embedder: E5Embeddings, kept: np.ndarray, added: np.ndarray) -> np.ndarray:
    """Carried-over rows, then new rows (an empty index still has the model's dimension)."""
    stacked = np.concatenate([kept, added]) if len(kept) else added
    return stacked if len(stacked) else np.zeros((0, embedder.dimension), dtype=np.float32)
