"""Speed benchmark: time to the first useful text, full answers and ingest, against the naive baseline.

Corpus: the OMoS-QA train and dev pages (German; real integration pages, ../shared/data/omosqa)
plus the Munich DLDB export (../shared/data/munich-dldb): about 700 documents, indexed once into
``index/bench-speed/`` (re-used by later runs; ``--fresh`` rebuilds it).

Questions: the first ``--questions`` German OMoS-QA dev questions and Munich golden questions, half
each. Each system answers all of them ``--repeats`` times; the figures are the medians over the
passes of each pass's p50 / p95 (milliseconds):

* ``assistant, extractive``: the verified evidence answer (no model);
* ``assistant, cross-encoder``: the same with the relevance model choosing the lines
  (``evidence.selector = "cross"``: the reader's shortlist scored by the fine-tuned cross-encoder);
* ``assistant, SmolLM2``: the bundled model composes; the evidence answer is shown first
  (``first_text``), the checked answer follows (``total``);
* ``naive, SmolLM2``: the baseline every RAG demo starts from — the top chunks stuffed into the
  same model, no evidence selection and no gate; its first useful text is its first token.

Ingest: the pipeline's words/s on ``--ingest-docs`` documents (a fresh temporary index), against
the embedding model's own words/s on exactly the texts that ingest embedded, measured in the same
run (median of ``--repeats``).

    python eval/bench/bench_speed.py [--questions 40] [--repeats 3] [--ingest-docs 120] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from assistant.app import App  # noqa: E402
from assistant.components.embeddings import E5Embeddings  # noqa: E402
from assistant.components.index import HybridIndex, sentence_contexts  # noqa: E402
from assistant.components.llm import create_chat_model  # noqa: E402
from assistant.evaluation.configs import OmosqaSource  # noqa: E402
from assistant.evaluation.omosqa import load_omosqa, write_pages  # noqa: E402
from assistant.ingest.chunking import chunk_document  # noqa: E402
from assistant.ingest.loaders import load_file  # noqa: E402
from assistant.ingest.pipeline import discover, ingest  # noqa: E402
from assistant.settings import Settings  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"
MUNICH = SHARED / "munich-dldb"
OMOSQA = SHARED / "omosqa"
CACHE = ROOT / "index" / "bench-speed"


def corpus_paths() -> list[Path]:
    """The OMoS-QA train+dev German pages (written as Markdown once) and the Munich export."""
    pages = {}
    for split in ("train", "dev"):
        pages |= load_omosqa(OmosqaSource(data=OMOSQA, split=split, questions="de", pages="de")).pages
    return [write_pages(pages, CACHE / "omosqa-pages"), MUNICH]


def questions(count: int) -> list[str]:
    omosqa = load_omosqa(OmosqaSource(data=OMOSQA, split="dev", questions="de", pages="de")).cases
    munich = [json.loads(line) for line in (ROOT / "eval/sets/munich_golden.jsonl").read_text().splitlines() if line]
    half = count // 2
    return [c.question for c in omosqa[:half]] + [c["question"] for c in munich[: count - half]]


def timed_answers(app: App, texts: list[str], repeats: int) -> dict[str, dict[str, float]]:
    """Per timing (first_text, first_token, total): the median over passes of the pass's p50 and p95."""
    passes: dict[str, list[list[float]]] = {}
    statuses: dict[str, int] = {}
    for repeat in range(repeats):
        per_pass: dict[str, list[float]] = {}
        for text in texts:
            answer = app.answers.answer(text)
            for name, value in answer.timings_ms.items():
                per_pass.setdefault(name, []).append(value)
            if repeat == 0:
                statuses[answer.status] = statuses.get(answer.status, 0) + 1
        for name, values in per_pass.items():
            passes.setdefault(name, []).append(values)
    figures = {
        name: {
            "p50": round(statistics.median(float(np.percentile(v, 50)) for v in runs), 1),
            "p95": round(statistics.median(float(np.percentile(v, 95)) for v in runs), 1),
            "n": len(runs[0]),
        }
        for name, runs in passes.items()
    }
    figures["statuses"] = statuses
    return figures


def ingest_figures(paths: list[Path], embedder: E5Embeddings, settings: Settings, docs: int, repeats: int) -> dict:
    """Words/s of a fresh ingest of the first ``docs`` files vs. the model embedding the same texts."""
    files = [file for file, _doc_id, _root in discover(paths)][:docs]
    with tempfile.TemporaryDirectory() as tmp:
        subset = Path(tmp) / "docs"
        for file in files:
            (subset / file.parent.name).mkdir(parents=True, exist_ok=True)
            shutil.copy(file, subset / file.parent.name / file.name)
        timings, words = [], 0
        for repeat in range(repeats):
            run = settings.model_copy(deep=True)
            run.index_dir = Path(tmp) / f"index-{repeat}"
            started = time.perf_counter()
            report = ingest([subset], run, embedder)
            timings.append(time.perf_counter() - started)
            words = report.words_embedded
        texts = _embedded_texts(subset, run)
        model_timings = []
        for _ in range(repeats):
            started = time.perf_counter()
            for start in range(0, len(texts), settings.ingest.embed_batch_size):
                embedder.embed_passages(texts[start : start + settings.ingest.embed_batch_size])
            model_timings.append(time.perf_counter() - started)
    pipeline = words / statistics.median(timings)
    model = sum(len(t.split()) for t in texts) / statistics.median(model_timings)
    return {
        "documents": report.documents_total,
        "chunks": report.chunks_total,
        "words": words,
        "ingest_s": round(statistics.median(timings), 1),
        "pipeline_words_per_s": round(pipeline, 1),
        "model_words_per_s": round(model, 1),
        "ratio": round(pipeline / model, 3),
    }


def _embedded_texts(folder: Path, settings: Settings) -> list[str]:
    """What ingest embeds for these documents: distinct chunk texts, sentences in context, titles."""
    documents = []
    for file, doc_id, _root in discover([folder]):
        documents.extend(load_file(file, doc_id, settings.ingest.max_file_bytes))
    limits = settings.ingest.chunk_max_chars, settings.ingest.chunk_min_chars
    chunks = [c for d in documents for c in chunk_document(d, *limits)]
    everything = (
        [c.embedding_text() for c in chunks]
        + [s for c in chunks for s in sentence_contexts(c)]
        + [d.title for d in documents]
    )
    return list(dict.fromkeys(everything))  # ingest embeds each distinct text once


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--questions", type=int, default=40)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--ingest-docs", type=int, default=120, help="documents in the ingest throughput run")
    parser.add_argument("--fresh", action="store_true", help="rebuild the cached benchmark index")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    args = parser.parse_args()
    for folder in (MUNICH, OMOSQA):
        if not folder.is_dir():
            sys.exit(f"error: {folder} not found (the shared data folder beside the checkout)")

    embedder = E5Embeddings()
    settings = Settings(index_dir=CACHE / "index")
    settings.store.url = f"sqlite:///{CACHE / 'store.sqlite3'}"
    settings.store.spool_path = CACHE / "spool.jsonl"
    paths = corpus_paths()
    if args.fresh:
        shutil.rmtree(settings.index_dir, ignore_errors=True)
    started = time.perf_counter()
    report = ingest(paths, settings, embedder)
    print(
        f"index: {report.documents_total} documents, {report.chunks_total} chunks "
        f"({report.chunks_embedded} embedded now, {time.perf_counter() - started:.0f} s)",
        flush=True,
    )
    index = HybridIndex.load(settings.index_dir, embedding_model=embedder.model_id)
    texts = questions(args.questions)
    model_settings = settings.model_copy(deep=True)
    model_settings.llm.mode = "llamacpp"
    chat_model = create_chat_model(model_settings)
    cross_settings = settings.model_copy(deep=True)
    cross_settings.evidence.selector = "cross"
    naive_settings = model_settings.model_copy(deep=True)
    naive_settings.answer.strategy = "naive"
    systems = {
        "assistant, extractive": App(settings, embedder=embedder, index=index, chat_model=None),
        "assistant, cross-encoder": App(cross_settings, embedder=embedder, index=index, chat_model=None),
        "assistant, SmolLM2": App(model_settings, embedder=embedder, index=index, chat_model=chat_model),
        "naive, SmolLM2": App(naive_settings, embedder=embedder, index=index, chat_model=chat_model),
    }
    results: dict[str, dict] = {}
    for name, app in systems.items():
        app.answers.answer(texts[0])  # warm-up: caches, first model call
        results[name] = timed_answers(app, texts, args.repeats)
        print(f"{name}: {json.dumps(results[name])}", flush=True)
    results["ingest"] = ingest_figures(paths, embedder, settings, args.ingest_docs, args.repeats)
    print_table(results, len(texts), args.repeats, report.documents_total)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")


def print_table(results: dict, questions_asked: int, repeats: int, documents: int) -> None:
    print(f"\n## {documents} documents, {questions_asked} questions, median of {repeats} passes (ms)")
    print(f"{'system':24} {'first text p50':>15} {'p95':>8} {'first token p50':>16} {'total p50':>10} {'p95':>8}")
    for name in ("assistant, extractive", "assistant, cross-encoder", "assistant, SmolLM2", "naive, SmolLM2"):
        r = results[name]
        # the naive baseline has nothing checked to show early: its first useful text is its first token
        first = r.get("first_token", r["total"]) if name.startswith("naive") else r["first_text"]
        token = r.get("first_token", {"p50": float("nan")})
        print(
            f"{name:24} {first['p50']:15.1f} {first['p95']:8.1f} {token['p50']:16.1f} "
            f"{r['total']['p50']:10.1f} {r['total']['p95']:8.1f}"
        )
    naive = results["naive, SmolLM2"]
    ours = results["assistant, SmolLM2"]["first_text"]["p50"]
    print(
        f"first useful text, naive / assistant (SmolLM2): "
        f"{naive.get('first_token', naive['total'])['p50'] / max(ours, 1e-9):.1f}x"
    )
    ingest = results["ingest"]
    print(
        f"ingest of {ingest['documents']} documents ({ingest['chunks']} chunks, {ingest['words']} words embedded): "
        f"{ingest['pipeline_words_per_s']} words/s; the embedding model alone on the same texts: "
        f"{ingest['model_words_per_s']} words/s; ratio {ingest['ratio']}"
    )


if __name__ == "__main__":
    main()
