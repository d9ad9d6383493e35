"""The summary table (configurations side by side), for the terminal and the HTML report."""

from __future__ import annotations

from collections.abc import Callable
from typing import get_args

from rich.console import Console
from rich.table import Table
from rich.text import Text

from assistant.evaluation.records import Aggregate, Report, RunResult
from assistant.records import Status

STATUSES: tuple[Status, ...] = get_args(Status)
LATENCY_KEYS = ("retrieval", "first_token", "total", "wall")


def _rate(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def _metric(field: str) -> Callable[[Aggregate], str]:
    return lambda agg: _rate(getattr(agg, field))


def _latency(key: str) -> Callable[[Aggregate], str]:
    def show(agg: Aggregate) -> str:
        latency = agg.latency_ms.get(key)
        return "–" if latency is None else f"{latency.p50:.0f} / {latency.p95:.0f}"

    return show


# (label, denominator field or None, formatter); "↓" marks figures where lower is better
ROWS: list[tuple[str, str | None, Callable[[Aggregate], str]]] = [
    ("cases", None, lambda a: str(a.cases)),
    ("recall@1", "retrieval_cases", _metric("recall_at_1")),
    ("recall@5", "retrieval_cases", _metric("recall_at_5")),
    ("MRR", "retrieval_cases", _metric("mrr")),
    ("evidence precision", "evidence_cases", _metric("evidence_precision")),
    ("evidence recall", "evidence_cases", _metric("evidence_recall")),
    ("evidence F1", "evidence_cases", _metric("evidence_f1")),
    ("no-answer precision", "no_answer_cases", _metric("no_answer_precision")),
    ("no-answer recall", "no_answer_cases", _metric("no_answer_recall")),
    ("no-answer F1", "no_answer_cases", _metric("no_answer_f1")),
    ("page hit", "page_hit_cases", _metric("page_hit")),
    ("key-fact accuracy", "key_fact_cases", _metric("key_fact_accuracy")),
    ("forbidden-fact rate ↓", "forbidden_fact_cases", _metric("forbidden_fact_rate")),
    ("grounded-number rate", "numbers_total", _metric("grounded_number_rate")),
    ("behaviour accuracy", "cases", _metric("behaviour_accuracy")),
    *[
        (f"  {status}", None, (lambda s: lambda a: _rate(a.behaviour_accuracy_by_status.get(s)))(status))
        for status in STATUSES
    ],
    ("abstention precision", None, _metric("abstention_precision")),
    ("abstention recall", None, _metric("abstention_recall")),
    ("conflict detection", "conflict_cases", _metric("conflict_detection_rate")),
    ("false-conflict rate ↓", None, _metric("false_conflict_rate")),
    ("stray disagreeing source ↓", None, _metric("stray_conflict_rate")),
    ("both values, no note ↓", None, _metric("both_values_unnoted_rate")),
    ("language match", "cases", _metric("language_match")),
    (
        "quotes per answer",
        "quoting_answers",
        lambda a: "–" if a.quotes_per_answer is None else f"{a.quotes_per_answer:.2f}",
    ),
    *[(f"latency {key} p50/p95 ms", None, _latency(key)) for key in LATENCY_KEYS],
    ("prompt tokens (mean)", None, lambda a: "–" if a.prompt_tokens_mean is None else f"{a.prompt_tokens_mean:.0f}"),
    (
        "answered / abstained / other",
        None,
        lambda a: (
            f"{a.statuses.get('answered', 0)} / {a.statuses.get('abstained', 0)} / "
            f"{sum(n for s, n in a.statuses.items() if s not in ('answered', 'abstained'))}"
        ),
    ),
    ("errors", None, lambda a: str(a.errors)),
]


# rows left out when they apply to none of the runs (line-level figures: OMoS-QA sets only)
HIDDEN_WHEN_EMPTY = {"no-answer precision", "no-answer recall", "no-answer F1", "page hit"}


def summary_rows(runs: list[RunResult]) -> list[tuple[str, list[str]]]:
    """``(label, [value per run])`` for the rows that apply to at least one run."""
    rows: list[tuple[str, list[str]]] = []
    for label, denominator, show in ROWS:
        values = [show(run.metrics) for run in runs]
        if label.startswith("  ") and all(v == "–" for v in values):
            continue  # a behaviour this set does not test
        if label.startswith("latency") and all(v == "–" for v in values):
            continue  # the answer path does not report this timing
        if label in HIDDEN_WHEN_EMPTY and all(v == "–" for v in values):
            continue
        if denominator and runs:
            label = f"{label} (n={getattr(runs[0].metrics, denominator)})"
        rows.append((label, values))
    for language in sorted({lang for run in runs for lang in run.by_language}):
        for label, field in (
            ("behaviour accuracy", "behaviour_accuracy"),
            ("key-fact accuracy", "key_fact_accuracy"),
            ("evidence F1", "evidence_f1"),
        ):
            values = [
                _rate(getattr(run.by_language[language], field)) if language in run.by_language else "–" for run in runs
            ]
            rows.append((f"[{language}] {label}", values))
    return rows


def runs_by_set(report: Report) -> dict[str, list[RunResult]]:
    grouped: dict[str, list[RunResult]] = {}
    for run in report.runs:
        grouped.setdefault(run.set_name, []).append(run)
    return grouped


def print_summary(report: Report, console: Console) -> None:
    for set_name, runs in runs_by_set(report).items():
        table = Table(title=f"{set_name}: {runs[0].metrics.cases} cases", title_justify="left")
        table.add_column("metric")
        for run in runs:
            table.add_column(run.config, justify="right")
        for label, values in summary_rows(runs):
            table.add_row(Text(label), *values)  # Text: "[de] ..." is not console markup
        console.print(table)
        if any(run.metrics.no_answer_cases for run in runs):
            console.print(reference_table(runs))
    for note in report.notes:
        console.print(f"note: {note.subject}: {note.text}", highlight=False)


def reference_table(runs: list[RunResult]) -> Table:
    """This run's OMoS-QA figures beside the published ones (which had the page handed over)."""
    from assistant.evaluation.omosqa import PUBLISHED, PUBLISHED_NOTE

    table = Table(title=f"OMoS-QA reference: {PUBLISHED_NOTE}", title_justify="left")
    for column in ("system", "evidence F1", "no-answer F1"):
        table.add_column(column, justify="left" if column == "system" else "right")
    for run in runs:
        table.add_row(
            Text(f"this run: {run.config} (open corpus, {run.set_name})"),
            _rate(run.metrics.evidence_f1),
            _rate(run.metrics.no_answer_f1),
        )
    for system, evidence_f1, no_answer_f1 in PUBLISHED:
        table.add_row(Text(f"{system} (published)"), f"{evidence_f1:.2f}", f"{no_answer_f1:.2f}")
    return table
