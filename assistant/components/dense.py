"""The dense (FAISS) index: exact below a corpus size, approximate above it.

Below :data:`ANN_THRESHOLD` chunks the index is ``IndexFlatIP`` (exact). From the threshold on it
is ``IVF<4·sqrt(n)>,SQ8`` (8-bit codes, ~400 bytes a chunk instead of 1,536) whose shortlist of
``k·RERANK_FACTOR`` is re-ranked exactly with the stored float vectors; ``nprobe`` is calibrated
when the index is built (:func:`calibrate`). IVF-Flat is as accurate at 4x the memory; HNSW and
IVF-PQ were measured and rejected (``eval/bench/bench_scale.py``: HNSW32 reached recall@10 0.978 at
efSearch 512 at 100k and builds 2.3x slower; PQ codes reached <= 0.86 even re-ranking 10x).

The search parameters live in the FAISS index itself (``nprobe`` of an IVF index,
``efSearch`` of an HNSW graph are written by ``faiss.write_index``), so an index read
back with ``faiss.read_index`` searches exactly as the one built. Searches go through
:func:`search`, which builds parameters of the right type for the index (FAISS rejects
plain ``SearchParameters`` on IVF indexes) and handles the allowed-rows filter:

- flat: the filter is a bitmap selector, exact as before;
- approximate, few allowed rows (<= :data:`EXACT_FILTER_ROWS`; for HNSW also below
  :data:`HNSW_EXACT_FILTER_FRACTION` of the corpus): exact search over the allowed rows of the
  stored float vectors;
- approximate, more allowed rows: the selector with ``nprobe`` / ``efSearch`` widened by the
  inverse of the allowed fraction (IVF checks the selector before computing a distance, so even
  all lists cost little more than reading their ids); if that returns fewer than ``k`` hits,
  exact search over the allowed rows.

Vectors are L2-normalised, so inner product is cosine.
"""

from __future__ import annotations

import math

import numpy as np

# Chunks from which the index is approximate. Measured (eval/bench/bench_scale.py, busy 2-core machine):
# flat costs ~0.2 ms CPU per 1k chunks per query (single thread; 4x that with 2 OpenMP threads),
# p95 64 ms at 50k, 108 ms at 100k, 757 ms at 1M; IVF-SQ8 at 50k: recall@10 0.998, 0.6 ms, +19 s build.
ANN_THRESHOLD = 50_000
ANN_KIND = "ivfsq"  # "ivfsq" (IVF, 8-bit scalar codes + exact re-ranking), "ivf" (IVF-Flat), "hnsw" (HNSW32-Flat)
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 40
# nprobe / efSearch are calibrated at build time: the smallest value of the ladder whose recall@10
# against exact search reaches CALIBRATION_RECALL on CALIBRATION_QUERIES synthetic questions made
# from the corpus itself (a stored vector moved by 0.7 x the difference of two others: off the
# chunks, along the corpus's own spread); the target has a margin because real questions may be harder.
CALIBRATION_RECALL = 0.98  # margin: e5-like questions reach >= 0.95 where these reach 0.98
CALIBRATION_QUERIES = 200
NPROBE_LADDER = (8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512)
EF_SEARCH_LADDER = (16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512)
RERANK_FACTOR = 4  # ivfsq: k * this candidates from the 8-bit codes, re-ranked with the stored float vectors
# Gathering allowed rows for an exact search costs ~0.3 µs a row from a large matrix (7 ms for 15k of
# 1M on a busy 2-core machine), a widened IVF search with the selector ~1 ms: exact only for few rows.
EXACT_FILTER_ROWS = 2_000
HNSW_EXACT_FILTER_FRACTION = 0.05  # a graph walk finds too few allowed nodes below this
TRAIN_POINTS_PER_LIST = 64  # k-means training sample per list (FAISS warns below 39)


def nlist_for(count: int) -> int:
    """IVF lists for ``count`` vectors: about 4·sqrt(count), a power of two, 256 to 65536."""
    return int(min(65536, max(256, 2 ** round(math.log2(4 * math.sqrt(max(count, 1)))))))


def build(vectors: np.ndarray, threshold: int | None = None, kind: str | None = None, seed: int = 0):
    """A FAISS inner-product index over ``vectors`` (rows = ids): flat below ``threshold`` rows
    (default :data:`ANN_THRESHOLD`).

    ``kind`` forces a type ("flat", "ivf", "ivfsq", "hnsw"); ``None`` chooses by size.
    """
    import faiss

    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    count = len(vectors)
    dimension = int(vectors.shape[1]) if vectors.ndim == 2 and vectors.shape[1] else 1
    threshold = ANN_THRESHOLD if threshold is None else threshold
    kind = kind or ("flat" if count < threshold else ANN_KIND)
    if kind == "flat":
        index = faiss.IndexFlatIP(dimension)
    elif kind == "hnsw":
        index = faiss.IndexHNSWFlat(dimension, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
    elif kind in ("ivf", "ivfsq"):
        nlist = nlist_for(count)
        spec = f"IVF{nlist},Flat" if kind == "ivf" else f"IVF{nlist},SQ8"
        index = faiss.index_factory(dimension, spec, faiss.METRIC_INNER_PRODUCT)
        ivf = faiss.extract_index_ivf(index)
        ivf.cp.seed = seed
        sample = count if count <= nlist * TRAIN_POINTS_PER_LIST else nlist * TRAIN_POINTS_PER_LIST
        rows = np.sort(np.random.default_rng(seed).choice(count, size=sample, replace=False))
        index.train(vectors[rows])
    else:
        raise ValueError(f"unknown dense index kind {kind!r}")
    if count:
        index.add(vectors)
    if kind != "flat" and count:
        calibrate(index, vectors, seed=seed)
    return index


def calibrate(index, vectors: np.ndarray, k: int = 10, seed: int = 0) -> float:
    """Set the index's nprobe / efSearch to the smallest ladder value with recall@k >= CALIBRATION_RECALL
    (against exact search) on queries made from ``vectors``; returns the recall reached."""
    import faiss

    count = len(vectors)
    rng = np.random.default_rng(seed + 1)
    n = min(CALIBRATION_QUERIES, count)
    base, a, b = rng.choice(count, n, replace=False), rng.integers(0, count, n), rng.integers(0, count, n)
    queries = vectors[base] + 0.7 * (vectors[a] - vectors[b])
    queries /= np.maximum(np.linalg.norm(queries, axis=1, keepdims=True), 1e-12)
    queries = np.ascontiguousarray(queries, dtype=np.float32)
    k = min(k, count)
    _, truth = faiss.knn(queries, vectors, k, metric=faiss.METRIC_INNER_PRODUCT)
    ivf = faiss.try_extract_index_ivf(index)
    ladder = [p for p in NPROBE_LADDER if p < ivf.nlist] + [ivf.nlist] if ivf is not None else EF_SEARCH_LADDER
    reached = 0.0
    for value in ladder:
        if ivf is not None:
            ivf.nprobe = value
        else:
            index.hnsw.efSearch = value
        found = [{i for i, _ in search(index, vectors, q, k)} for q in queries]
        reached = float(np.mean([len(f & set(t)) / k for f, t in zip(found, truth, strict=True)]))
        if reached >= CALIBRATION_RECALL:
            break
    return reached


def kind_of(index) -> str:
    import faiss

    ivf = faiss.try_extract_index_ivf(index)
    if ivf is not None:
        return "ivf" if isinstance(faiss.downcast_index(ivf), faiss.IndexIVFFlat) else "ivfsq"
    if hasattr(index, "hnsw"):
        return "hnsw"
    return "flat"


def search(
    index, vectors: np.ndarray, query: np.ndarray, k: int, allowed: np.ndarray | None = None
) -> list[tuple[int, float]]:
    """(row, cosine) pairs, best first. ``vectors`` are the rows the index was built from
    (used for re-ranking and exact filtered search); ``allowed`` is a bool mask over rows."""
    import faiss

    count = int(index.ntotal)
    if not count or k <= 0:
        return []
    query = np.ascontiguousarray(query, dtype=np.float32).reshape(1, -1)
    kind = kind_of(index)
    fraction = 1.0
    selector = bitmap = None
    if allowed is not None:
        allowed = np.asarray(allowed, dtype=bool)
        allowed_count = int(allowed.sum())
        if not allowed_count:
            return []
        if allowed_count < count:
            fraction = allowed_count / count
            if kind != "flat" and (
                allowed_count <= EXACT_FILTER_ROWS or (kind == "hnsw" and fraction < HNSW_EXACT_FILTER_FRACTION)
            ):
                return _exact(vectors, query, k, np.flatnonzero(allowed))
            bitmap = np.packbits(allowed, bitorder="little")
            selector = faiss.IDSelectorBitmap(len(bitmap), faiss.swig_ptr(bitmap))
        k = min(k, allowed_count)
    k = min(k, count)
    fetch = min(count, k * RERANK_FACTOR) if kind == "ivfsq" else k
    if kind in ("ivf", "ivfsq"):
        ivf = faiss.extract_index_ivf(index)
        params = faiss.SearchParametersIVF(sel=selector, nprobe=min(ivf.nlist, math.ceil(ivf.nprobe / fraction)))
    elif kind == "hnsw":
        params = faiss.SearchParametersHNSW(
            sel=selector, efSearch=max(fetch, math.ceil(index.hnsw.efSearch / fraction))
        )
    else:
        params = faiss.SearchParameters(sel=selector) if selector is not None else None
    scores, ids = index.search(query, fetch, params=params)
    del bitmap  # the selector points into it until here
    keep = ids[0] >= 0
    ids, scores = ids[0][keep], scores[0][keep]
    if allowed is not None and kind != "flat" and len(ids) < k:
        return _exact(vectors, query, k, np.flatnonzero(allowed))
    if kind == "ivfsq":
        return _exact(vectors, query, k, np.sort(ids))  # re-rank the shortlist with the float vectors
    return [(int(i), float(s)) for i, s in zip(ids, scores, strict=True)]


def _exact(vectors: np.ndarray, query: np.ndarray, k: int, rows: np.ndarray) -> list[tuple[int, float]]:
    """Exact top ``k`` among ``rows`` (ascending, for a forward gather). ``einsum``, not a BLAS call:
    a single-query gemv through OpenBLAS's (or FAISS's OpenMP) threads cost 16 ms for 2,000 rows on a
    busy 2-core machine, the single-threaded loop 0.2 ms."""
    k = min(k, len(rows))
    scores = np.einsum("ij,j->i", np.asarray(vectors[rows], dtype=np.float32), query[0])
    top = np.argpartition(-scores, k - 1)[:k] if k < len(rows) else np.arange(len(rows))
    top = top[np.argsort(-scores[top], kind="stable")]
    return [(int(rows[i]), float(scores[i])) for i in top]
