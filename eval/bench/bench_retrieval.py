"""Retrieval benchmark: BM25-only, dense-only and hybrid side by side, in one run.

Corpora and question sets:
  * Munich DLDB (../shared/data/munich-dldb, real city data) with eval/sets/munich_golden.jsonl
  * the bundled sample corpus (corpus/) with the answerable cases of eval/sets/sample_golden.jsonl

Prints, per corpus and mode: recall@1, recall@5, MRR (first chunk of any
expected document), retrieval latency p50/p95 per question *including the
query embedding* (median over --repeats passes), the latency ratio against
BM25-only, and the ingest throughput (words embedded per second).

    python eval/bench/bench_retrieval.py [--repeats 3] [--json OUT.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from assistant.answering.retrieve import search  # noqa: E402
from assistant.components.embeddings import E5Embeddings  # noqa: E402
from assistant.components.index import HybridIndex  # noqa: E402
from assistant.ingest.pipeline import ingest  # noqa: E402
from assistant.settings import Settings  # noqa: E402

MODES = ("bm25", "dense", "hybrid")


def load_cases(path: Path) -> list[dict]:
    cases = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [c for c in cases if c.get("expected_docs") and not c.get("history")]


def evaluate(
    index: HybridIndex, embedder: E5Embeddings, settings: Settings, cases: list[dict], mode: str, repeats: int
) -> dict:
    ranks: list[int | None] = []
    per_pass: list[list[float]] = []
    for repeat in range(repeats):
        latencies = []
        for case in cases:
            started = time.perf_counter()
            hits = search(index, embedder, case["question"], settings.retrieval, k=10, mode=mode)
            latencies.append((time.perf_counter() - started) * 1000)
            if repeat == 0:
                docs = [hit.chunk.doc_id for hit in hits]
                expected = set(case["expected_docs"])
                ranks.append(next((i + 1 for i, d in enumerate(docs) if d in expected), None))
        per_pass.append(latencies)
    p50 = statistics.median(float(np.percentile(p, 50)) for p in per_pass)
    p95 = statistics.median(float(np.percentile(p, 95)) for p in per_pass)
    by_language: dict[str, list[int | None]] = {}
    for case, rank in zip(cases, ranks, strict=True):
        by_language.setdefault(case["language"], []).append(rank)
    return {
        "questions": len(cases),
        "recall@1": _recall(ranks, 1),
        "recall@5": _recall(ranks, 5),
        "mrr": _mrr(ranks),
        "recall@5_by_language": {lang: _recall(r, 5) for lang, r in sorted(by_language.items())},
        "latency_ms_p50": round(p50, 2),
        "latency_ms_p95": round(p95, 2),
    }


def _recall(ranks: list[int | None], k: int) -> float:
    return round(sum(1 for r in ranks if r is not None and r <= k) / max(1, len(ranks)), 3)


def _mrr(ranks: list[int | None]) -> float:
    return round(sum(1 / r for r in ranks if r) / max(1, len(ranks)), 3)


def ingest_throughput(index: HybridIndex, embedder: E5Embeddings, repeats: int) -> float:
    """Median words/s of embedding the first 100 chunks (the dominant ingest cost)."""
    chunks = index.chunks[:100]
    words = sum(len(c.text.split()) for c in chunks)
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        embedder.embed_passages([c.embedding_text() for c in chunks])
        timings.append(time.perf_counter() - started)
    return round(words / statistics.median(timings), 1)


def run_corpus(name: str, paths: list[Path], cases_file: Path, embedder: E5Embeddings, repeats: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(index_dir=Path(tmp))
        started = time.perf_counter()
        report = ingest(paths, settings, embedder)
        ingest_seconds = time.perf_counter() - started
        index = HybridIndex.load(settings.index_dir, embedding_model=embedder.model_id)
        cases = load_cases(cases_file)
        results = {mode: evaluate(index, embedder, settings, cases, mode, repeats) for mode in MODES}
        base = results["bm25"]["latency_ms_p50"]
        for mode in MODES:
            results[mode]["latency_ratio_vs_bm25"] = round(results[mode]["latency_ms_p50"] / base, 2)
        return {
            "corpus": name,
            "documents": report.documents_total,
            "chunks": report.chunks_total,
            "ingest_seconds_full": round(ingest_seconds, 1),
            "ingest_words_per_s_full": round(report.words_embedded / max(ingest_seconds, 1e-9), 1),
            "embed_words_per_s_median": ingest_throughput(index, embedder, repeats),
            "modes": results,
        }


def print_table(result: dict) -> None:
    print(
        f"\n## {result['corpus']}: {result['documents']} documents, {result['chunks']} chunks, "
        f"{result['modes']['hybrid']['questions']} questions"
    )
    print(
        f"ingest (full, one run): {result['ingest_seconds_full']} s, "
        f"{result['ingest_words_per_s_full']} words/s; embedding throughput (median): "
        f"{result['embed_words_per_s_median']} words/s"
    )
    print(f"{'mode':8} {'R@1':>6} {'R@5':>6} {'MRR':>6} {'p50 ms':>8} {'p95 ms':>8} {'x bm25':>7}  R@5 by language")
    for mode, r in result["modes"].items():
        langs = " ".join(f"{k}={v}" for k, v in r["recall@5_by_language"].items())
        print(
            f"{mode:8} {r['recall@1']:6.3f} {r['recall@5']:6.3f} {r['mrr']:6.3f} "
            f"{r['latency_ms_p50']:8.1f} {r['latency_ms_p95']:8.1f} {r['latency_ratio_vs_bm25']:7.2f}  {langs}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3, help="passes over the questions (median)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    parser.add_argument("--only", choices=["munich", "sample"], help="run one corpus")
    args = parser.parse_args()
    embedder = E5Embeddings()
    munich = ROOT.parent / "shared" / "data" / "munich-dldb"
    runs = []
    if args.only in (None, "sample"):
        runs.append(("sample corpus (Musterstadt)", [ROOT / "corpus"], ROOT / "eval/sets/sample_golden.jsonl"))
    if args.only in (None, "munich") and munich.is_dir():
        runs.append(("Munich DLDB", [munich], ROOT / "eval/sets/munich_golden.jsonl"))
    results = []
    for name, paths, cases in runs:
        print(f"... {name}: ingesting and evaluating", file=sys.stderr, flush=True)
        results.append(run_corpus(name, paths, cases, embedder, args.repeats))
        print_table(results[-1])
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
