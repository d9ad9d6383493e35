"""Dense retrieval at scale: exact (flat) against the approximate index types, on synthetic vectors.

    nice -n 10 .venv/bin/python eval/bench/bench_scale.py --sizes 100000 1000000 --queries 200 --repeats 3

For each size: build seconds, index bytes per chunk (serialized), recall@10 against flat,
single-query latency p50/p95 (median over repeats) through ``assistant.components.dense.search``
(the path answers use), and the ANN/flat p95 ratio measured in the same run. ``--sweep`` also
prints recall and p95 for a range of ``nprobe`` / ``efSearch`` / re-rank settings.
Filtered rows: the same queries with an allowed-rows mask of 30 % (a language) and 2 % (a department).

Synthetic vectors imitate multilingual-e5-small passages (384-d, L2-normalised): a strong common
mean direction (|mean| ≈ 0.90, so cosines of unrelated chunks are ≈ 0.73-0.91, not ≈ 0 as on a
uniform sphere), an anisotropic power-law spectrum (λ_i ∝ i^-0.7) and a hierarchy topics → documents →
chunks (about 5 chunks per document). Queries are held-out vectors from the same mixture with
extra within-document noise, so their best cosine (median ≈ 0.87) sits below the chunks' nearest-neighbour
cosine, like real e5 questions against passages. ``--real DIR`` prints these distributions for the
vectors of a real index version beside a synthetic sample of the same size.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from assistant.components import dense  # noqa: E402

DIM = 384
SPECTRUM = 0.7  # eigenvalues of the deviations from the mean: λ_i ∝ i^-SPECTRUM
TOPIC_VAR, DOC_VAR, CHUNK_VAR = 0.08, 0.06, 0.10  # shares of the (unit) mean direction's squared length
QUERY_EXTRA = 1.75  # queries: chunk noise variance times (1 + this)
CHUNKS_PER_DOC, CHUNKS_PER_TOPIC = 5, 2000


class Mixture:
    """A reproducible mixture of Gaussians around a common mean direction."""

    def __init__(self, size: int, seed: int = 0) -> None:
        rng = np.random.default_rng(seed)
        basis, _ = np.linalg.qr(rng.standard_normal((DIM, DIM)))
        self.mean = basis[:, 0].astype(np.float32)
        self.basis = np.ascontiguousarray(basis[:, 1:].T, dtype=np.float32)  # (DIM-1, DIM)
        spectrum = np.arange(1, DIM, dtype=np.float64) ** -SPECTRUM
        self.scale = np.sqrt(spectrum / spectrum.sum()).astype(np.float32)
        topics = max(12, size // CHUNKS_PER_TOPIC)
        docs = max(70, size // CHUNKS_PER_DOC)
        topic_centres = rng.standard_normal((topics, DIM - 1), dtype=np.float32) * self.scale * math.sqrt(TOPIC_VAR)
        self.docs = topic_centres[rng.integers(0, topics, docs)]
        self.docs += rng.standard_normal((docs, DIM - 1), dtype=np.float32) * self.scale * math.sqrt(DOC_VAR)
        self.rng = rng

    def sample(self, count: int, extra: float = 0.0, block: int = 100_000) -> np.ndarray:
        out = np.empty((count, DIM), dtype=np.float32)
        sd = self.scale * math.sqrt(CHUNK_VAR * (1 + extra))
        for start in range(0, count, block):
            n = min(block, count - start)
            z = self.docs[self.rng.integers(0, len(self.docs), n)]
            z += self.rng.standard_normal((n, DIM - 1), dtype=np.float32) * sd
            x = self.mean + z @ self.basis
            x /= np.linalg.norm(x, axis=1, keepdims=True)
            out[start : start + n] = x
        return out


def describe(vectors: np.ndarray, queries: np.ndarray | None = None) -> str:
    """Pair cosines, nearest-neighbour cosines, |mean| (and queries' best / 10th cosine)."""
    v = vectors.astype(np.float64)
    sims = v @ v.T
    pairs = sims[np.triu_indices(len(v), 1)]
    np.fill_diagonal(sims, -1)
    nn = sims.max(axis=1)
    line = (
        f"n={len(v)} pair cos p1/p5/p50/p95/p99 {np.percentile(pairs, [1, 5, 50, 95, 99]).round(3).tolist()} "
        f"NN cos p5/p50/p95 {np.percentile(nn, [5, 50, 95]).round(3).tolist()} |mean| {np.linalg.norm(v.mean(0)):.3f}"
    )
    if queries is not None and len(queries):
        s = np.sort(queries.astype(np.float64) @ v.T, axis=1)[:, ::-1]
        line += (
            f"\n    queries: top1 p5/p50/p95 {np.percentile(s[:, 0], [5, 50, 95]).round(3).tolist()} "
            f"top10 p50 {np.median(s[:, min(9, s.shape[1] - 1)]):.3f}"
        )
    return line


def serialized_bytes(index) -> int:
    import faiss

    fd, name = tempfile.mkstemp(suffix=".faiss")
    os.close(fd)
    try:
        faiss.write_index(index, name)
        return os.path.getsize(name)
    finally:
        os.unlink(name)


def timed_search(index, vectors, queries, k, allowed, repeats):
    """(results of the last repeat, p50 ms, p95 ms, CPU ms per query): per-query wall-clock latencies
    and the process's CPU time (all FAISS threads; unaffected by other processes), median over repeats."""
    p50s, p95s, cpus = [], [], []
    for _ in range(repeats):
        times, results = [], []
        cpu0 = time.process_time()
        for q in queries:
            t0 = time.perf_counter()
            results.append(dense.search(index, vectors, q, k, allowed))
            times.append((time.perf_counter() - t0) * 1000)
        cpus.append((time.process_time() - cpu0) * 1000 / len(queries))
        p50s.append(float(np.percentile(times, 50)))
        p95s.append(float(np.percentile(times, 95)))
    return results, statistics.median(p50s), statistics.median(p95s), statistics.median(cpus)


def recall(results, truth, k) -> float:
    return float(
        np.mean(
            [
                len({i for i, _ in r[:k]} & {i for i, _ in t[:k]}) / max(1, min(k, len(t)))
                for r, t in zip(results, truth, strict=True)
            ]
        )
    )


def sweep(index, kind, vectors, queries, truth, k) -> None:
    import faiss

    if kind == "hnsw":
        settings = [("efSearch", v) for v in (16, 32, 64, 128, 256)]
    elif kind == "ivf":
        settings = [("nprobe", v) for v in (4, 8, 16, 32, 64, 128)]
    else:
        settings = [("nprobe,rerank", (p, r)) for p in (16, 32, 64) for r in (1, 2, 4)]
    saved = (index.hnsw.efSearch if kind == "hnsw" else faiss.extract_index_ivf(index).nprobe, dense.RERANK_FACTOR)
    print(f"    calibrated: {describe_params(index, kind)}", flush=True)
    for name, value in settings:
        if kind == "hnsw":
            index.hnsw.efSearch = value
        elif kind == "ivf":
            faiss.extract_index_ivf(index).nprobe = value
        else:
            faiss.extract_index_ivf(index).nprobe, dense.RERANK_FACTOR = value
        results, p50, p95, cpu = timed_search(index, vectors, queries, k, None, 1)
        print(
            f"    sweep {kind} {name}={value}: recall@{k} {recall(results, truth, k):.3f} "
            f"p50 {p50:.2f} p95 {p95:.2f} cpu {cpu:.2f} ms",
            flush=True,
        )
    if kind == "hnsw":
        index.hnsw.efSearch = saved[0]
    else:
        faiss.extract_index_ivf(index).nprobe = saved[0]
    dense.RERANK_FACTOR = saved[1]


def describe_params(index, kind: str) -> str:
    import faiss

    if kind == "hnsw":
        return f" efSearch={index.hnsw.efSearch}"
    if kind in ("ivf", "ivfsq"):
        ivf = faiss.extract_index_ivf(index)
        return f" nlist={ivf.nlist} nprobe={ivf.nprobe}" + (f" rerank={dense.RERANK_FACTOR}" if kind == "ivfsq" else "")
    return ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--kinds", nargs="+", default=[dense.ANN_KIND], choices=["ivf", "hnsw", "ivfsq"])
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--threads", type=int, default=2, help="FAISS OpenMP threads")
    parser.add_argument("--sweep", action="store_true", help="also sweep nprobe / efSearch / re-rank")
    parser.add_argument("--real", type=Path, help="an index version folder (vectors.npy) to compare distributions")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    import faiss

    faiss.omp_set_num_threads(args.threads)
    k = args.k
    if args.real:
        real = np.load(args.real / "vectors.npy")
        print("real     ", describe(real))
        mix = Mixture(len(real), seed=args.seed)
        print("synthetic", describe(mix.sample(len(real)), mix.sample(args.queries, extra=QUERY_EXTRA)))
    rows: list[dict] = []
    for size in args.sizes:
        mix = Mixture(size, seed=args.seed)
        t0 = time.perf_counter()
        vectors = mix.sample(size)
        queries = mix.sample(args.queries, extra=QUERY_EXTRA)
        print(f"\n== {size:,} chunks (generated in {time.perf_counter() - t0:.1f} s)", flush=True)
        sample = vectors[np.random.default_rng(1).choice(size, 2000, replace=False)]
        print("  sample of 2000:", describe(sample, queries), flush=True)
        rng = np.random.default_rng(args.seed + 1)
        masks = {"none": None, "30%": rng.random(size) < 0.30, "2%": rng.random(size) < 0.02}
        truth: dict[str, list] = {}
        flat_p95: dict[str, float] = {}
        for kind in ["flat", *args.kinds]:
            t0 = time.perf_counter()
            index = dense.build(vectors, kind=kind, seed=args.seed)
            build_s = time.perf_counter() - t0
            per_chunk = serialized_bytes(index) / size
            name = kind + describe_params(index, kind)
            print(f"  {name}: build {build_s:.1f} s, {per_chunk:.0f} B/chunk", flush=True)
            if args.sweep and kind != "flat":
                sweep(index, kind, vectors, queries, truth["none"], k)
            for label, mask in masks.items():
                results, p50, p95, cpu = timed_search(index, vectors, queries, k, mask, args.repeats)
                if kind == "flat":
                    truth[label], flat_p95[label] = results, p95
                row = dict(
                    size=size, name=name, filter=label, build=build_s if label == "none" else None,
                    per_chunk=per_chunk if label == "none" else None, recall=recall(results, truth[label], k),
                    p50=p50, p95=p95, cpu=cpu, ratio=p95 / flat_p95[label],
                )  # fmt: skip
                rows.append(row)
                print(
                    f"    filter {label}: recall@{k} {row['recall']:.3f} p50 {p50:.2f} p95 {p95:.2f} cpu {cpu:.2f} ms",
                    flush=True,
                )
            del index
        del vectors

    print(f"\nthreads={args.threads} queries={args.queries} repeats={args.repeats}; latency = one query per call,")
    print("wall-clock p50/p95 and CPU ms per query (all FAISS threads), medians over repeats")
    header = (
        f"{'chunks':>9} {'index':<30} {'filter':>6} {'build s':>8} {'B/chunk':>8} {'recall@10':>9} "
        f"{'p50 ms':>8} {'p95 ms':>8} {'cpu ms':>7} {'p95/flat':>8}"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        build = f"{r['build']:.1f}" if r["build"] is not None else ""
        per = f"{r['per_chunk']:.0f}" if r["per_chunk"] is not None else ""
        print(
            f"{r['size']:>9,} {r['name']:<30} {r['filter']:>6} {build:>8} {per:>8} {r['recall']:>9.3f} "
            f"{r['p50']:>8.2f} {r['p95']:>8.2f} {r['cpu']:>7.2f} {r['ratio']:>8.3f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
