"""Speed of the language-model profiles on this machine: small (SmolLM2-135M) and quality (Qwen2.5 1.5B).

For each profile's model, on real prompts (the evidence the assistant selects for the first
``--questions`` answerable questions of the sample golden set, in the prompt the compose stage
builds, within the profile's budget):

* prompt reading (tokens/s) and time to the first token, with an empty KV cache ("cold") and in
  serving order, where the fixed system prompt of the previous question is still cached ("warm"
  — llama.cpp reuses the common token prefix, nothing to configure);
* generation (tokens/s), and as a share of the memory-bandwidth bound (model bytes read per token
  vs. this machine's measured memory read speed);
* "why this answer?" (ablation): time and passes for one explanation;
* resident memory after loading and at peak.

    python eval/bench/bench_profiles.py [--questions 6] [--profile small --profile quality] [--json OUT]

Medians over the questions. Timings depend on what else runs: the load average is printed with them.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from assistant.answering.compose import build_messages  # noqa: E402
from assistant.answering.explain import explain  # noqa: E402
from assistant.app import App  # noqa: E402
from assistant.components.llm import LlamaCppChatModel, profile_model_path  # noqa: E402
from assistant.evaluation.golden import parse_cases  # noqa: E402
from assistant.settings import Settings  # noqa: E402


def rss_mib(field: str = "VmRSS") -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def memory_read_gbs(size_mib: int = 1024, repeats: int = 5) -> float:
    """Best of ``repeats`` matrix-vector products over a ``size_mib`` float32 matrix, in GB read per second.

    Generation is the same kind of work (every weight read once per token, on all cores through the
    BLAS threads), so this is the bound to compare generated tokens/s against; a one-thread ``sum``
    under load read far less than the machine can.
    """
    columns = 4096
    matrix = np.ones((size_mib * 1024 * 1024 // 4 // columns, columns), dtype=np.float32)
    vector = np.ones(columns, dtype=np.float32)
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        matrix @ vector
        best = min(best, time.perf_counter() - started)
    return matrix.nbytes / best / 1e9


def prompts(settings: Settings, questions: int) -> list[tuple[str, list, str]]:
    """(question, evidence, language) for the first answerable sample questions, evidence as selected."""
    settings = settings.model_copy(deep=True)
    settings.llm.mode = "extractive"
    settings.index_dir = ROOT / "index" / "eval-sample"
    scratch = Path(tempfile.mkdtemp(prefix="bench-profiles-"))  # never the project's database
    settings.store.url = f"sqlite:///{scratch / 'store.sqlite3'}"
    settings.store.spool_path = scratch / "spool.jsonl"
    app = App(settings, chat_model=None)
    chosen = []
    for case in parse_cases(ROOT / "eval" / "sets" / "sample_golden.jsonl"):
        if case.expected_status != "answered" or case.history:
            continue
        answer = app.answers.answer(case.question)
        if answer.status == "answered" and answer.supporting:
            chosen.append((case.question, answer.supporting, answer.language))
        if len(chosen) == questions:
            break
    return chosen


def timed_generation(model: LlamaCppChatModel, messages, max_tokens: int) -> dict:
    llama = model._llama
    started = time.perf_counter()
    first = None
    pieces = 0
    for part in llama.create_chat_completion(
        messages=model._messages(messages), stream=True, max_tokens=max_tokens, temperature=0.0
    ):
        if part["choices"][0]["delta"].get("content"):
            pieces += 1
            first = first or time.perf_counter()
    ended = time.perf_counter()
    generated = llama.n_tokens  # tokens now in the context: prompt + generated
    return {"first": (first or ended) - started, "total": ended - started, "context_tokens": generated}


def bench_profile(profile: str, questions: list, settings_for) -> dict:
    settings = settings_for(profile)
    path = profile_model_path(settings.llm)
    before = rss_mib()
    started = time.perf_counter()
    model = LlamaCppChatModel.load(path, n_ctx=settings.llm.n_ctx, max_tokens=settings.llm.max_tokens)
    load_s = time.perf_counter() - started
    llama = model._llama
    rows = []
    for mode in ("cold", "warm"):
        for question, evidence, language in questions:
            messages, _ = build_messages(
                question, evidence, language, None, settings.answer.prompt_budget_tokens, 0, model.get_num_tokens
            )
            prompt_tokens = len(model.prompt_tokens(messages))
            if mode == "cold":
                llama.reset()
            reused = llama.n_tokens and min(llama.n_tokens, prompt_tokens)
            run = timed_generation(model, messages, settings.llm.max_tokens)
            generated = run["context_tokens"] - prompt_tokens
            rows.append(
                {
                    "mode": mode,
                    "prompt_tokens": prompt_tokens,
                    "generated": generated,
                    "first_token_s": run["first"],
                    "total_s": run["total"],
                    "prompt_tok_s": prompt_tokens / run["first"],
                    "gen_tok_s": (generated - 1) / (run["total"] - run["first"])
                    if generated > 1 and run["total"] > run["first"]
                    else None,
                    "cached_before": bool(reused),
                }
            )
    explained = []
    for question, evidence, language in questions[:2]:
        messages, _ = build_messages(
            question, evidence, language, None, settings.answer.prompt_budget_tokens, 0, model.get_num_tokens
        )
        text = model.invoke(messages).content.strip() or evidence[0].quote
        started = time.perf_counter()
        explain(model, question, text, evidence, language)
        explained.append({"seconds": time.perf_counter() - started, "passes": len(evidence) + 1})

    def median(key: str, mode: str) -> float | None:
        values = [r[key] for r in rows if r["mode"] == mode and r[key] is not None]
        return round(statistics.median(values), 2) if values else None

    size = path.stat().st_size
    return {
        "profile": profile,
        "model": path.name,
        "model_bytes": size,
        "load_s": round(load_s, 2),
        "rss_model_mib": round(rss_mib() - before),
        "peak_rss_mib": round(rss_mib("VmHWM")),
        "prompt_tokens_median": median("prompt_tokens", "cold"),
        "prompt_tok_s_cold": median("prompt_tok_s", "cold"),
        "first_token_s_cold": median("first_token_s", "cold"),
        "first_token_s_warm": median("first_token_s", "warm"),
        "gen_tok_s": median("gen_tok_s", "cold"),
        "total_s": median("total_s", "cold"),
        "explain_s": round(statistics.median(e["seconds"] for e in explained), 2) if explained else None,
        "explain_passes": statistics.median(e["passes"] for e in explained) if explained else None,
        "rows": rows,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--questions", type=int, default=6)
    parser.add_argument("--profile", action="append", choices=["small", "quality"])
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    def settings_for(profile: str) -> Settings:
        os.environ["ASSISTANT_LLM__PROFILE"] = profile
        try:
            return Settings()
        finally:
            del os.environ["ASSISTANT_LLM__PROFILE"]

    questions = prompts(Settings(), args.questions)
    bandwidth = memory_read_gbs()
    results = []
    for profile in args.profile or ["small", "quality"]:
        result = bench_profile(profile, questions, settings_for)
        bound = bandwidth * 1e9 / result["model_bytes"]
        result["bandwidth_bound_tok_s"] = round(bound, 1)
        result["gen_share_of_bound"] = round(result["gen_tok_s"] / bound, 2) if result["gen_tok_s"] else None
        results.append(result)
    load = os.getloadavg()
    print(f"questions: {len(questions)}; memory read {bandwidth:.1f} GB/s; load average {load[0]:.1f} {load[1]:.1f}")
    header = (
        "| profile | prompt tokens | prompt tok/s | first token cold / warm (s) | gen tok/s (share of bound) "
        "| total (s) | explain (s, passes) | RSS model / peak (MiB) |"
    )
    print(header + "\n|" + "---|" * 8)
    for r in results:
        print(
            f"| {r['profile']} ({r['model']}) | {r['prompt_tokens_median']} | {r['prompt_tok_s_cold']} "
            f"| {r['first_token_s_cold']} / {r['first_token_s_warm']} | {r['gen_tok_s']} ({r['gen_share_of_bound']}) "
            f"| {r['total_s']} | {r['explain_s']} ({r['explain_passes']}) "
            f"| {r['rss_model_mib']} / {r['peak_rss_mib']} |"
        )
    if args.json:
        args.json.write_text(json.dumps({"bandwidth_gbs": bandwidth, "load": load, "results": results}, indent=2))


if __name__ == "__main__":
    main()
