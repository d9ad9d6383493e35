"""Where an answer's time goes: cProfile over extractive answers to the golden questions.

Builds (or re-uses) an index of ``corpus/`` in ``index/profile-sample/``, warms the caches with
one answer, then profiles ``--questions`` answers and prints the functions with the most
cumulative time (and the share of the total each one takes).

    .venv/bin/python eval/bench/profile_answer.py [--questions 40] [--top 25] [--corpus corpus/]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from assistant.app import App  # noqa: E402
from assistant.components.embeddings import E5Embeddings  # noqa: E402
from assistant.components.index import HybridIndex  # noqa: E402
from assistant.ingest.pipeline import ingest  # noqa: E402
from assistant.settings import Settings  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--questions", type=int, default=40)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    parser.add_argument("--golden", type=Path, default=ROOT / "eval" / "sets" / "sample_golden.jsonl")
    args = parser.parse_args()

    cache = ROOT / "index" / "profile-sample"
    settings = Settings(index_dir=cache / "index")
    settings.llm.mode = "extractive"
    settings.store.url = f"sqlite:///{cache / 'store.sqlite3'}"
    settings.store.spool_path = cache / "spool.jsonl"
    embedder = E5Embeddings()
    ingest([args.corpus], settings, embedder)
    app = App(settings, embedder=embedder, index=HybridIndex.load(settings.index_dir), chat_model=None)
    cases = [json.loads(line) for line in args.golden.read_text(encoding="utf-8").splitlines() if line.strip()]
    questions = [c["question"] for c in cases][: args.questions]
    app.answers.answer(questions[0])  # warm-up: caches, lazy loads

    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for question in questions:
        app.answers.answer(question)
    profiler.disable()
    elapsed = time.perf_counter() - started
    print(f"{len(questions)} extractive answers in {elapsed:.2f} s ({1000 * elapsed / len(questions):.1f} ms each)")
    stats = pstats.Stats(profiler)
    total = sum(row[3] for row in stats.stats.values() if row[3] > 0) or 1.0
    rows = sorted(stats.stats.items(), key=lambda item: -item[1][3])[: args.top]
    print(f"{'cumulative s':>12} {'share':>6} {'calls':>7}  function")
    own = max((row[3] for _key, row in rows), default=total)
    for (filename, line, name), (_cc, calls, _tt, cumulative, _callers) in rows:
        where = Path(filename).name if filename != "~" else ""
        print(f"{cumulative:12.3f} {cumulative / own:6.1%} {calls:7d}  {name} ({where}:{line})")


if __name__ == "__main__":
    main()
