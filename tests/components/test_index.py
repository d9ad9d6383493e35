"""The hybrid index chooses its dense index by corpus size and keeps it across a save and load."""

from __future__ import annotations

import numpy as np

from assistant.components import dense
from assistant.components.index import HybridIndex
from assistant.records import Chunk, Document, Span


def synthetic_corpus(count: int, dimension: int = 32, seed: int = 0):
    rng = np.random.default_rng(seed)
    vectors = rng.normal(size=(count, dimension)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    documents, chunks = [], []
    for i in range(count):
        text = f"Seite {i} über Thema {i}."
        documents.append(Document(doc_id=f"d{i}", title=f"Thema {i}", text=text, source=f"d{i}.md"))
        chunks.append(
            Chunk(
                chunk_id=f"d{i}#0",
                doc_id=f"d{i}",
                text=text,
                start=0,
                end=len(text),
                sentences=[Span(start=0, end=len(text))],
                title=f"Thema {i}",
            )
        )
    return documents, chunks, vectors


def test_a_large_corpus_gets_the_approximate_index_and_finds_what_flat_search_finds(tmp_path, monkeypatch):
    documents, chunks, vectors = synthetic_corpus(3000)
    monkeypatch.setattr(dense, "ANN_THRESHOLD", 1000)  # "large" for this test
    index = HybridIndex.build(documents, chunks, vectors, "test-model", vectors, vectors)
    assert dense.kind_of(index.dense) == dense.ANN_KIND
    index.save(tmp_path)
    loaded = HybridIndex.load(tmp_path, embedding_model="test-model")
    assert dense.kind_of(loaded.dense) == dense.ANN_KIND

    rng = np.random.default_rng(1)
    overlaps = []
    for row in rng.choice(len(vectors), 20, replace=False):
        query = vectors[row] + 0.1 * rng.normal(size=vectors.shape[1]).astype(np.float32)
        query /= np.linalg.norm(query)
        exact = np.argsort(-(vectors @ query))[:10]
        found = [position for position, _ in loaded.dense_search(query, 10)]
        assert found[0] == exact[0]  # the nearest chunk is found first
        overlaps.append(len(set(found) & set(exact.tolist())) / 10)
        allowed = np.zeros(len(vectors), dtype=bool)
        allowed[exact[5:]] = True
        assert {p for p, _ in loaded.dense_search(query, 3, allowed)} <= set(np.flatnonzero(allowed).tolist())
    assert np.mean(overlaps) >= 0.95  # recall@10 against exact search (calibrated at build time)


def test_a_small_corpus_stays_exact():
    documents, chunks, vectors = synthetic_corpus(50)
    index = HybridIndex.build(documents, chunks, vectors, "test-model", vectors, vectors)
    assert dense.kind_of(index.dense) == "flat"
    hits = index.dense_search(vectors[7], 3)
    assert hits[0][0] == 7 and abs(hits[0][1] - 1.0) < 1e-5
