"""Router benchmark: routes on held-out wording, and false refusals on real citizens' questions.

Four sets, none of them used for training (``assistant train-router`` reads
``assistant/safety/router_examples.tsv``, the OMoS-QA *train* split and the retired held-out sets):

* ``eval/sets/router_heldout.jsonl`` - questions written for this benchmark, with their route
  (refusal routes in the kiosk's 10 languages): per-route precision, recall and F1.
* the OMoS-QA **dev** questions, German and English (``eval/sets.toml``, ``omosqa.data``) and
* the Munich golden set (``eval/sets/munich_golden.jsonl``) and the sample golden set's questions
  that expect no refusal (``eval/sets/sample_golden.jsonl``, 184 of 194: follow-ups and vague
  questions that expect a clarifying question among them): all legitimate, so every refusal
  route there is a false refusal. ``other_authority`` is no refusal (the answer path still
  runs and names the authority from the pages); it is counted separately.

The router is timed as the pipeline uses it: the question vector is given (the question
stage computes it for retrieval), so the time is the patterns plus one matrix product.
A crisis question whose reply got the crisis numbers first (the crisis probability between the
router's floor and threshold) counts as ``crisis`` in the per-route table (the numbers are shown);
any other question keeps its route (an answer with the numbers first is no refusal). How many got
the numbers first is printed per expected route.
"Endorsements": held-out political-opinion questions the router let through to the answer
path (where they would be answered with a quote); the target is 0.

    python eval/bench/bench_router.py [--model FILE] [--set HELDOUT.jsonl] [--json OUT.json] [--aggregate-only]

``--aggregate-only`` prints and stores only the aggregate figures for the held-out set (no
misrouted questions), for a blind set that must not be looked at question by question.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import tomllib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from assistant.components.embeddings import create_embeddings  # noqa: E402
from assistant.safety.router import MODEL_PATH, REFUSALS, ROUTES, QuestionRouter, Route  # noqa: E402
from assistant.safety.router_train import VectorCache  # noqa: E402
from assistant.settings import Settings  # noqa: E402

HELDOUT = ROOT / "eval" / "sets" / "router_heldout.jsonl"
MUNICH = ROOT / "eval" / "sets" / "munich_golden.jsonl"
SAMPLE = ROOT / "eval" / "sets" / "sample_golden.jsonl"


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def sample_legitimate() -> list[dict]:
    """The sample golden set's questions that expect no refusal (short follow-ups and vague ones included)."""
    return [row for row in read_jsonl(SAMPLE) if row.get("expected_status") != "refused"]


def omosqa_dev() -> list[dict]:
    config = tomllib.loads((ROOT / "eval" / "sets.toml").read_text(encoding="utf-8"))
    folder = ROOT / config["omosqa-dev"]["omosqa"]["data"]
    rows = []
    for language in ("de", "en"):
        for row in read_jsonl(folder / f"dev_{language}.jsonl"):
            rows.append({"question": row["question"], "language": language, "route": "answer"})
    return rows


def route_all(router: QuestionRouter, rows: list[dict], cache: VectorCache) -> tuple[list[Route], list[float]]:
    vectors = cache.get([row["question"] for row in rows])
    routes, seconds = [], []
    for row, vector in zip(rows, vectors, strict=True):
        began = time.perf_counter()
        routes.append(router.route(row["question"], vector))
        seconds.append(time.perf_counter() - began)
    return routes, seconds


def shown(expected: str, decision: Route) -> str:
    """The route, except that a crisis question whose reply got the crisis numbers first counts as crisis (the
    numbers are shown). Elsewhere the numbers first change nothing: an answer is still no refusal."""
    return "crisis" if expected == "crisis" and decision.crisis_first else decision.route


def per_route(expected: list[str], predicted: list[str]) -> dict[str, dict[str, float]]:
    report = {}
    for route in ROUTES:
        tp = sum(e == route and p == route for e, p in zip(expected, predicted, strict=True))
        fp = sum(e != route and p == route for e, p in zip(expected, predicted, strict=True))
        fn = sum(e == route and p != route for e, p in zip(expected, predicted, strict=True))
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        report[route] = {"n": tp + fn, "precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3)}
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=MODEL_PATH)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--set", type=Path, default=HELDOUT, help=f"held-out set (default {HELDOUT.relative_to(ROOT)})")
    parser.add_argument(
        "--aggregate-only",
        action="store_true",
        help="no misrouted held-out questions in the output or the JSON (for a blind set)",
    )
    args = parser.parse_args()

    settings = Settings()
    router = QuestionRouter.load(args.model)
    embedder = create_embeddings(settings.embedding_model, settings.embedding_threads)
    cache = VectorCache(settings.index_dir / "router-cache" / "vectors.npz", embedder)

    heldout = read_jsonl(args.set)
    legitimate = {"omosqa-dev": omosqa_dev(), "munich": read_jsonl(MUNICH), "sample": sample_legitimate()}
    decisions, seconds = route_all(router, heldout, cache)
    expected = [row["route"] for row in heldout]
    predicted = [shown(e, d) for e, d in zip(expected, decisions, strict=True)]
    report: dict = {
        "model": str(args.model),
        "data_hash": router.data_hash,
        "set": str(args.set),
        "heldout": len(heldout),
    }
    report["per_route"] = per_route(expected, predicted)
    report["languages"] = dict(Counter(row["language"] for row in heldout))
    report["endorsements"] = sum(
        e == "political_opinion" and d.route in ("answer", "other_authority")
        for e, d in zip(expected, decisions, strict=True)
    )
    report["numbers_first"] = dict(
        Counter(row["route"] for row, d in zip(heldout, decisions, strict=True) if d.crisis_first)
    )
    report["misrouted"] = [
        f"{row['route']} -> {p}: {row['question']}"
        for row, p in zip(heldout, predicted, strict=True)
        if p != row["route"] and not args.aggregate_only
    ]
    for name, rows in legitimate.items():
        routed, more = route_all(router, rows, cache)
        seconds += more
        routes = [d.route for d in routed]
        refused = [f"{r}: {row['question']}" for row, r in zip(rows, routes, strict=True) if r in REFUSALS]
        report[name] = {
            "questions": len(rows),
            "false_refusals": len(refused),
            "false_refusal_rate": round(len(refused) / len(rows), 4),
            "other_authority": routes.count("other_authority"),
            "refused": refused,
            "numbers_first": [row["question"] for row, d in zip(rows, routed, strict=True) if d.crisis_first],
        }
    report["router_ms_per_question"] = {
        "median": round(statistics.median(seconds) * 1000, 3),
        "p95": round(sorted(seconds)[int(0.95 * (len(seconds) - 1))] * 1000, 3),
    }

    print(f"held-out: {len(heldout)} questions, languages {report['languages']}")
    print(f"{'route':18} {'n':>4} {'precision':>9} {'recall':>7} {'F1':>6}")
    for route, figures in report["per_route"].items():
        print(
            f"{route:18} {figures['n']:>4} {figures['precision']:>9.3f} {figures['recall']:>7.3f} {figures['f1']:>6.3f}"
        )
    print(f"political-opinion questions let through to the answer path (endorsement risk): {report['endorsements']}")
    print(
        "replies with the crisis numbers first, by expected route (crisis ones count as crisis above): "
        f"{report['numbers_first'] or 'none'}"
    )
    for name in legitimate:
        figures = report[name]
        print(
            f"{name}: {figures['false_refusals']}/{figures['questions']} falsely refused "
            f"({100 * figures['false_refusal_rate']:.2f}%), {figures['other_authority']} routed other_authority"
        )
        for line in figures["refused"]:
            print(f"  {line}")
        print(f"  answered with the crisis numbers first: {len(figures['numbers_first'])}")
        for line in figures["numbers_first"]:
            print(f"    {line}")
    timing = report["router_ms_per_question"]
    print(f"router time per question (vector given): median {timing['median']:.2f} ms, p95 {timing['p95']:.2f} ms")
    if args.aggregate_only:
        wrong = sum(e != p for e, p in zip(expected, predicted, strict=True))
        print(f"misrouted held-out questions: {wrong} (not shown)")
    else:
        print("misrouted held-out questions:")
    for line in report["misrouted"]:
        print(f"  {line}")
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
