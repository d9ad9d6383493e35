"""Redaction benchmark: what the pattern-based redactor catches, and what it wrongly removes.

Runs ``assistant.safety.redact.Redactor`` over labelled German and English
citizen texts (eval/sets/redaction_cases.jsonl: ``{"text", "pii": [[TYPE, span], ...]}``)
and prints recall per entity type (a labelled span counts as caught when a finding
of the same type overlaps it), how many labelled spans were removed under any
placeholder, the false positives (findings that overlap no labelled span) and the
median time per text.

    python eval/bench_redaction.py [--cases FILE] [--json OUT.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.safety.redact import Finding, Redactor  # noqa: E402

CASES = ROOT / "eval" / "sets" / "redaction_cases.jsonl"


def load_cases(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def labelled_spans(case: dict) -> list[tuple[str, int, int]]:
    spans = []
    for entity, span in case["pii"]:
        start = case["text"].index(span)  # a label that is not in its text is a broken case: fail loudly
        spans.append((entity, start, start + len(span)))
    return spans


def overlaps(finding: Finding, start: int, end: int) -> bool:
    return finding.start < end and start < finding.end


def run(cases: list[dict], redactor: Redactor) -> dict:
    expected, caught, removed = Counter(), Counter(), Counter()
    false_positives: list[str] = []
    seconds: list[float] = []
    for case in cases:
        began = time.perf_counter()
        findings = redactor.find(case["text"])
        redactor.redact(case["text"])  # timed as the service uses it: find and replace
        seconds.append(time.perf_counter() - began)
        spans = labelled_spans(case)
        for entity, start, end in spans:
            expected[entity] += 1
            hits = [f for f in findings if overlaps(f, start, end)]
            caught[entity] += any(f.entity == entity for f in hits)
            removed[entity] += bool(hits)
        for finding in findings:
            if not any(overlaps(finding, start, end) for _, start, end in spans):
                false_positives.append(f"{finding.entity} {case['text'][finding.start : finding.end]!r}")
    return {
        "texts": len(cases),
        "recall": {entity: round(caught[entity] / expected[entity], 3) for entity in sorted(expected)},
        "labelled": dict(sorted(expected.items())),
        "caught": {entity: caught[entity] for entity in sorted(expected)},
        "removed_any_placeholder": round(sum(removed.values()) / max(1, sum(expected.values())), 3),
        "recall_overall": round(sum(caught.values()) / max(1, sum(expected.values())), 3),
        "false_positives": len(false_positives),
        "false_positive_examples": false_positives,
        "texts_without_pii": sum(1 for case in cases if not case["pii"]),
        "median_ms_per_text": round(statistics.median(seconds) * 1000, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=Path, default=CASES)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    redactor = Redactor()
    redactor.redact("warm-up: Tel. 0761 555-1234")  # first call compiles the patterns
    report = run(load_cases(args.cases), redactor)

    print(f"{report['texts']} texts ({report['texts_without_pii']} without personal data)")
    for entity, recall in report["recall"].items():
        print(f"  {entity:<14} recall {recall:.2f}  ({report['caught'][entity]}/{report['labelled'][entity]})")
    print(
        f"  overall        recall {report['recall_overall']:.2f}; "
        f"removed under any placeholder {report['removed_any_placeholder']:.2f}"
    )
    print(f"false positives: {report['false_positives']}")
    for example in report["false_positive_examples"]:
        print(f"  {example}")
    print(f"median time per text: {report['median_ms_per_text']:.2f} ms")
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
