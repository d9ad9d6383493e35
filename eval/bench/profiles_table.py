"""Side-by-side profile figures from `assistant eval` reports (model profiles), as a Markdown table.

    python eval/bench/profiles_table.py eval/reports/profiles-quality/report.json \
        eval/reports/profiles-small-extractive/report.json

Besides the report's own figures: the share of the model's sentences the grounding gate dropped
(``Answer.model_sentences`` / ``model_sentences_kept``), how many answers kept at least one model
sentence, and the time from the model's start (``first_text``: the evidence answer is shown) to its
first token, which is mostly prompt reading.
"""

from __future__ import annotations

import json
import statistics
import sys


def _fmt(value) -> str:
    if value is None:
        return "–"
    return f"{value:.3f}" if isinstance(value, float) and value <= 1 else str(value)


def rows(report: dict) -> list[str]:
    lines = []
    for run in report["runs"]:
        metrics = run["metrics"]
        answers = [case["answer"] for case in run["cases"] if case.get("answer")]
        drafted = sum(a.get("model_sentences") or 0 for a in answers)
        kept = sum(a.get("model_sentences_kept") or 0 for a in answers)
        with_model = sum(a.get("model_sentences") is not None for a in answers)
        composed = sum(bool(a.get("model_sentences_kept")) for a in answers)
        timed = [a for a in answers if "first_token" in a["timings_ms"]]
        to_token = [a["timings_ms"]["first_token"] - a["timings_ms"].get("first_text", 0) for a in timed]
        prompt = [a["prompt_tokens"] for a in timed]
        latency = metrics.get("latency_ms", {})

        def p(key: str, q: str = "p50", latency=latency):
            return latency.get(key, {}).get(q)

        dropped = f"{drafted - kept}/{drafted}" + (f" ({(drafted - kept) / drafted:.2f})" if drafted else "")
        cells = [
            run["set_name"],
            run["config"],
            str(metrics["cases"]),
            f"{_fmt(metrics.get('key_fact_accuracy'))} ({metrics.get('key_fact_cases')})",
            f"{_fmt(metrics.get('grounded_number_rate'))} ({metrics.get('numbers_total')})",
            dropped,
            f"{composed}/{with_model}",
            _fmt(metrics.get("language_match")),
            _fmt(metrics.get("behaviour_accuracy")),
            _fmt(p("first_text")),
            f"{_fmt(p('total'))} / {_fmt(p('total', 'p95'))}",
            _fmt(round(statistics.median(to_token)) if to_token else None),
            _fmt(round(statistics.median(prompt)) if prompt else None),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def main() -> None:
    header = [
        "set",
        "config",
        "cases",
        "key facts (cases)",
        "grounded numbers (numbers)",
        "model sentences dropped by the gate",
        "answers keeping model text",
        "language match",
        "behaviour",
        "first text p50 (ms)",
        "total p50 / p95 (ms)",
        "evidence shown → first model token p50 (ms)",
        "prompt tokens p50",
    ]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for path in sys.argv[1:]:
        with open(path, encoding="utf-8") as handle:
            print("\n".join(rows(json.load(handle))))


if __name__ == "__main__":
    main()
