"""Model backends side by side: llama.cpp in process vs. an OpenAI-compatible server over loopback.

The same questions go through the same answer path (same index, same embedding model, same
bundled GGUF, temperature 0) twice: once with ``ASSISTANT_LLM__MODE=llamacpp`` (the model in
this process) and once with ``ASSISTANT_LLM__MODE=openai`` against ``llama_cpp.server``
started here on loopback with the same GGUF (the code path a city uses with vLLM or
llama.cpp's server on GPUs). The two runs alternate per question, so drift on a shared
machine hits both alike.

Prints per backend: first-token and total latency p50 / p95 (from the question's arrival, so
both include retrieval and evidence selection), the grounded-answer rate (answered questions
whose composed text passed the grounding gate, rather than falling back to the cited
evidence), and how often both backends gave the same status, the same supporting evidence
and the same answer text.

    python eval/bench/bench_backends.py [--limit 30] [--index DIR] [--threads N] [--json OUT.json]
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from assistant.app import App  # noqa: E402
from assistant.components.embeddings import E5Embeddings  # noqa: E402
from assistant.components.index import HybridIndex  # noqa: E402
from assistant.components.llm import bundled_model_path  # noqa: E402
from assistant.ingest.pipeline import ingest  # noqa: E402
from assistant.messages import message  # noqa: E402
from assistant.records import Answer  # noqa: E402
from assistant.settings import Settings  # noqa: E402

SET = ROOT / "eval" / "sets" / "sample_golden.jsonl"


def questions(limit: int) -> list[str]:
    """Every answerable question of the sample set first (they reach the model), then the others."""
    cases = [json.loads(line) for line in SET.read_text(encoding="utf-8").splitlines() if line.strip()]
    answerable = [c["question"] for c in cases if c.get("expected_status") == "answered" and not c.get("history")]
    step = max(1, len(answerable) // limit)
    return answerable[::step][:limit]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(model: Path, n_ctx: int, threads: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        str(model),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_ctx",
        str(n_ctx),
    ]
    if threads:
        command += ["--n_threads", str(threads)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/v1"
    for _ in range(240):
        try:
            urllib.request.urlopen(f"{url}/models", timeout=1)
            return process, url
        except OSError:
            if process.poll() is not None:
                sys.exit("llama_cpp.server exited during start-up (pip install 'llama-cpp-python[server]')")
            time.sleep(0.5)
    process.kill()
    sys.exit("llama_cpp.server did not start within 120 s")


def index_dir(requested: Path | None, embedder: E5Embeddings, scratch: Path) -> Path:
    if requested is not None:
        return requested
    if (ROOT / "index" / "CURRENT").is_file():
        return ROOT / "index"
    settings = Settings(index_dir=scratch / "index")
    print("indexing corpus/ into a temporary folder ...", file=sys.stderr)
    ingest([ROOT / "corpus"], settings, embedder)
    return settings.index_dir


def make_app(base: Settings, embedder: E5Embeddings, index: HybridIndex, **llm) -> App:
    settings = base.model_copy(deep=True)
    for key, value in llm.items():
        setattr(settings.llm, key, value)
    return App(settings, embedder=embedder, index=index)  # loaded once, shared by both backends


def run(app: App, question: str) -> Answer:
    return app.answers.answer(question)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summary(answers: list[Answer]) -> dict:
    answered = [a for a in answers if a.status == "answered"]
    composed = [a for a in answered if not a.answer.startswith(message("evidence_intro", a.language))]
    first = [a.timings_ms["first_token"] for a in answers if "first_token" in a.timings_ms]
    total = [a.timings_ms["total"] for a in answered]
    return {
        "questions": len(answers),
        "answered": len(answered),
        "model_called": len(first),
        "grounded_answer_rate": round(len(composed) / len(answered), 3) if answered else 0.0,
        "first_token_ms_p50": round(percentile(first, 0.5), 1),
        "first_token_ms_p95": round(percentile(first, 0.95), 1),
        "total_ms_p50": round(percentile(total, 0.5), 1),
        "total_ms_p95": round(percentile(total, 0.95), 1),
    }


def _quotes(answer: Answer) -> list[tuple[str, str]]:
    return [(evidence.doc_id, evidence.quote) for evidence in answer.supporting]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=30, help="questions (answerable cases of the sample set)")
    parser.add_argument("--index", type=Path, default=None, help="index folder (default: index/, else built)")
    parser.add_argument("--threads", type=int, default=0, help="llama.cpp threads for both backends (0: default)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args()

    embedder = E5Embeddings()
    with tempfile.TemporaryDirectory() as scratch:
        folder = index_dir(args.index, embedder, Path(scratch))
        index = HybridIndex.load(folder, embedding_model=embedder.model_id)
        base = Settings(index_dir=folder)
        base.store.url = f"sqlite:///{Path(scratch) / 'bench.sqlite3'}"
        base.index_reload_s = 0
        model = bundled_model_path()
        server, url = start_server(model, base.llm.n_ctx, args.threads)
        try:
            backends = {
                "llamacpp (in process)": make_app(base, embedder, index, mode="llamacpp", n_threads=args.threads),
                "openai (llama_cpp.server, loopback)": make_app(
                    base, embedder, index, mode="openai", base_url=url, down_for_s=0
                ),
            }
            cases = questions(args.limit)
            for app in backends.values():  # warm-up: load the model, fill caches
                run(app, cases[0])
            results: dict[str, list[Answer]] = {name: [] for name in backends}
            for number, question in enumerate(cases, 1):
                for name, app in backends.items():
                    results[name].append(run(app, question))
                print(f"\r{number}/{len(cases)} questions", end="", file=sys.stderr, flush=True)
            print(file=sys.stderr)
        finally:
            server.terminate()
            server.wait(timeout=30)

    names = list(backends)
    pairs = list(zip(results[names[0]], results[names[1]], strict=True))
    same = {
        "same_status": sum(a.status == b.status for a, b in pairs),
        "same_supporting": sum(_quotes(a) == _quotes(b) for a, b in pairs),
        "same_disagreeing": sum(
            [d.doc_id for d in a.disagreeing] == [d.doc_id for d in b.disagreeing] for a, b in pairs
        ),
        "same_answer_text": sum(a.answer == b.answer for a, b in pairs),
        "questions": len(pairs),
    }
    figures = {name: summary(results[name]) for name in names}
    print(
        f"\nModel backends, {len(cases)} answerable questions of the sample set, bundled {model.name}, "
        f"temperature 0 (latency from the question's arrival; ms)\n"
    )
    header = f"{'backend':38} {'first token p50/p95':>22} {'total p50/p95':>18} {'grounded':>9} {'model calls':>12}"
    print(header)
    print("-" * len(header))
    for name in names:
        f = figures[name]
        print(
            f"{name:38} {f['first_token_ms_p50']:>10.0f} / {f['first_token_ms_p95']:<9.0f} "
            f"{f['total_ms_p50']:>8.0f} / {f['total_ms_p95']:<7.0f} {f['grounded_answer_rate']:>9.3f} "
            f"{f['model_called']:>12}"
        )
    n = same["questions"]
    print(
        f"\nidentical across backends: status {same['same_status']}/{n}, supporting evidence "
        f"{same['same_supporting']}/{n}, disagreeing sources {same['same_disagreeing']}/{n}, "
        f"answer text {same['same_answer_text']}/{n}"
    )
    if args.json:
        args.json.write_text(json.dumps({"backends": figures, "identical": same}, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
