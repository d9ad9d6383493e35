"""The dense index type follows the corpus size; the approximate one keeps recall, survives
write/read and honours the allowed-rows filter."""

from __future__ import annotations

import faiss
import numpy as np
import pytest

from assistant.components import dense

DIM = 384
COUNT = 3000
THRESHOLD = 1000


def clustered(count: int, queries: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Vectors like e5 passages: a common mean direction, anisotropic clusters; queries held out, perturbed."""
    rng = np.random.default_rng(seed)
    basis, _ = np.linalg.qr(rng.standard_normal((DIM, DIM)))
    scale = np.arange(1, DIM) ** -0.35
    scale /= np.linalg.norm(scale)
    centres = rng.standard_normal((count // 5, DIM - 1)) * scale * 0.37

    def sample(n: int, noise: float) -> np.ndarray:
        z = centres[rng.integers(0, len(centres), n)] + rng.standard_normal((n, DIM - 1)) * scale * noise
        x = basis[:, 0] + z @ basis[:, 1:].T
        return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)

    return sample(count, 0.32), sample(queries, 0.5)


@pytest.fixture(scope="module")
def data():
    vectors, queries = clustered(COUNT, 50)
    flat = dense.build(vectors, threshold=THRESHOLD, kind="flat")
    truth = [dense.search(flat, vectors, q, 10) for q in queries]
    return vectors, queries, truth


def ids(hits) -> list[int]:
    return [i for i, _ in hits]


def recall(results, truth) -> float:
    return float(np.mean([len(set(ids(r)) & set(ids(t))) / len(t) for r, t in zip(results, truth, strict=True)]))


def test_the_type_follows_the_corpus_size(data):
    vectors, _, _ = data
    assert dense.kind_of(dense.build(vectors[: THRESHOLD - 1], threshold=THRESHOLD)) == "flat"
    assert dense.kind_of(dense.build(vectors, threshold=THRESHOLD)) == dense.ANN_KIND
    assert dense.kind_of(dense.build(vectors)) == ("flat" if COUNT < dense.ANN_THRESHOLD else dense.ANN_KIND)
    empty = dense.build(np.zeros((0, DIM), dtype=np.float32), threshold=THRESHOLD)
    assert empty.ntotal == 0 and dense.search(empty, np.zeros((0, DIM)), data[1][0], 10) == []


@pytest.mark.parametrize("kind", ["ivf", "hnsw", "ivfsq"])
def test_the_approximate_index_finds_what_exact_search_finds_before_and_after_a_round_trip(data, kind, tmp_path):
    vectors, queries, truth = data
    index = dense.build(vectors, threshold=THRESHOLD, kind=kind)
    assert dense.kind_of(index) == kind
    results = [dense.search(index, vectors, q, 10) for q in queries]
    assert recall(results, truth) >= 0.95
    for hits in results:
        scores = [s for _, s in hits]
        assert scores == sorted(scores, reverse=True)

    faiss.write_index(index, str(tmp_path / "dense.faiss"))
    loaded = faiss.read_index(str(tmp_path / "dense.faiss"))
    assert dense.kind_of(loaded) == kind
    assert [dense.search(loaded, vectors, q, 10) for q in queries] == results


@pytest.mark.parametrize("kind", ["flat", "ivf", "hnsw", "ivfsq"])
@pytest.mark.parametrize("share", [0.5, 0.1, 0.01])
def test_a_filtered_search_returns_only_allowed_rows_and_the_best_of_them(data, kind, share, tmp_path, monkeypatch):
    """0.5 and 0.1: the selector with widened nprobe / efSearch; 0.01 (30 rows): exact over the allowed rows."""
    monkeypatch.setattr(dense, "EXACT_FILTER_ROWS", 100)
    vectors, queries, _ = data
    allowed = np.random.default_rng(1).random(COUNT) < share
    index = dense.build(vectors, threshold=THRESHOLD, kind=kind)
    faiss.write_index(index, str(tmp_path / "dense.faiss"))
    index = faiss.read_index(str(tmp_path / "dense.faiss"))
    rows = np.flatnonzero(allowed)
    results, truth = [], []
    for q in queries:
        hits = dense.search(index, vectors, q, 10, allowed)
        assert hits and all(allowed[i] for i in ids(hits))
        assert len(hits) == min(10, len(rows))
        results.append(hits)
        exact = vectors[rows] @ q
        truth.append([(int(rows[i]), float(exact[i])) for i in np.argsort(-exact)[:10]])
    assert recall(results, truth) >= 0.95
    assert dense.search(index, vectors, queries[0], 10, np.zeros(COUNT, dtype=bool)) == []


def test_scores_are_cosines_of_the_stored_vectors(data):
    vectors, queries, _ = data
    for kind in ("flat", "ivf", "hnsw", "ivfsq"):
        index = dense.build(vectors, threshold=THRESHOLD, kind=kind)
        for i, score in dense.search(index, vectors, queries[0], 5):
            assert score == pytest.approx(float(vectors[i] @ queries[0]), abs=1e-4)
