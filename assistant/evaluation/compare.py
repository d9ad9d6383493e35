"""``assistant eval --compare OLD.json NEW.json``: what improved and what regressed, case by case.

Runs are matched by (set, configuration), cases by id. A case regressed when a
check it passed now fails (behaviour, retrieval@5, key facts, forbidden facts,
conflict, false conflict, language, no error) or a score of it went down
(evidence F1, grounded-number rate, reciprocal rank). Latency is shown as
aggregate change only: it is too noisy on a shared machine to judge per case.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel, Field
from rich.console import Console

from assistant.evaluation.records import CaseResult, Report

EPSILON = 1e-9
LATENCY_TOLERANCE = 0.2  # p95 moves by a fifth on a shared machine without any code change

# name -> passed? (None: does not apply to this case)
CHECKS: dict[str, Callable[[CaseResult], bool | None]] = {
    "behaviour": lambda r: r.metrics.behaviour_ok,
    "retrieval@5": lambda r: None if r.metrics.recall_at_5 is None else r.metrics.recall_at_5 == 1.0,
    "key facts": lambda r: r.metrics.key_facts_ok,
    "no forbidden fact": lambda r: None if r.metrics.forbidden_hit is None else not r.metrics.forbidden_hit,
    "conflict surfaced": lambda r: r.metrics.conflict_detected,
    "no false conflict": lambda r: None if r.metrics.false_conflict is None else not r.metrics.false_conflict,
    "language": lambda r: r.metrics.language_ok,
    "page hit": lambda r: r.metrics.page_hit,
    "no error": lambda r: r.error is None,
}
SCORES: dict[str, Callable[[CaseResult], float | None]] = {
    "evidence F1": lambda r: r.metrics.evidence_f1,
    "grounded-number rate": lambda r: r.metrics.grounded_number_rate,
    "reciprocal rank": lambda r: r.metrics.reciprocal_rank,
}
# aggregate figures shown old -> new; the second value says whether lower is better
AGGREGATES: list[tuple[str, bool]] = [
    ("recall_at_1", False),
    ("recall_at_5", False),
    ("mrr", False),
    ("evidence_precision", False),
    ("evidence_recall", False),
    ("evidence_f1", False),
    ("no_answer_precision", False),
    ("no_answer_recall", False),
    ("no_answer_f1", False),
    ("page_hit", False),
    ("key_fact_accuracy", False),
    ("forbidden_fact_rate", True),
    ("grounded_number_rate", False),
    ("behaviour_accuracy", False),
    ("abstention_precision", False),
    ("abstention_recall", False),
    ("conflict_detection_rate", False),
    ("false_conflict_rate", True),
    ("stray_conflict_rate", True),
    ("both_values_unnoted_rate", True),
    ("language_match", False),
]


class CaseChange(BaseModel):
    set_name: str
    config: str
    case_id: str
    question: str
    kind: Literal["regressed", "improved"]
    what: list[str]


class MetricChange(BaseModel):
    set_name: str
    config: str
    metric: str
    old: float | None
    new: float | None
    lower_is_better: bool = False
    relative_tolerance: float = 0.0  # changes smaller than this share of the old value are noise

    @property
    def direction(self) -> Literal["better", "worse", "same"]:
        if self.old is None or self.new is None:
            return "same"
        if abs(self.new - self.old) < max(EPSILON, self.relative_tolerance * abs(self.old)):
            return "same"
        return "better" if (self.new < self.old) == self.lower_is_better else "worse"


class Comparison(BaseModel):
    changes: list[CaseChange] = Field(default_factory=list)
    metrics: list[MetricChange] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)

    @property
    def regressions(self) -> list[CaseChange]:
        return [c for c in self.changes if c.kind == "regressed"]

    @property
    def improvements(self) -> list[CaseChange]:
        return [c for c in self.changes if c.kind == "improved"]


def _status(result: CaseResult) -> str:
    return result.answer.status if result.answer else "error"


def _describe_check(name: str, old: CaseResult, new: CaseResult) -> str:
    if name == "behaviour":
        return f"behaviour {_status(old)} → {_status(new)} (expected {new.case.expected_status})"
    if name == "key facts":
        missing = new.metrics.missing_key_facts or old.metrics.missing_key_facts
        return f"key facts ({', '.join(missing)})"
    if name == "no forbidden fact":
        found = new.metrics.forbidden_found or old.metrics.forbidden_found
        return f"forbidden fact ({', '.join(found)})"
    if name == "retrieval@5":
        return f"retrieval rank {old.metrics.retrieval_rank or '>10'} → {new.metrics.retrieval_rank or '>10'}"
    if name == "language":
        return f"answer language {old.metrics.answer_language or '?'} → {new.metrics.answer_language or '?'}"
    return name


def compare_cases(old: CaseResult, new: CaseResult) -> tuple[list[str], list[str]]:
    """``(regressed, improved)`` descriptions for one case."""
    regressed, improved = [], []
    for name, check in CHECKS.items():
        before, after = check(old), check(new)
        if before is None or after is None or before == after:
            continue
        (improved if after else regressed).append(_describe_check(name, old, new))
    for name, score in SCORES.items():
        before, after = score(old), score(new)
        if before is None or after is None or abs(after - before) < EPSILON:
            continue
        (improved if after > before else regressed).append(f"{name} {before:.2f} → {after:.2f}")
    return regressed, improved


def compare_reports(old: Report, new: Report) -> Comparison:
    comparison = Comparison()
    for new_run in new.runs:
        old_run = old.run(new_run.set_name, new_run.config)
        if old_run is None:
            comparison.notes.append(f"{new_run.set_name} / {new_run.config}: not in the old report")
            continue
        old_cases = {r.case.id: r for r in old_run.cases}
        new_ids = {r.case.id for r in new_run.cases}
        for result in new_run.cases:
            before = old_cases.get(result.case.id)
            if before is None:
                continue
            regressed, improved = compare_cases(before, result)
            for kind, what in (("regressed", regressed), ("improved", improved)):
                if what:
                    comparison.changes.append(
                        CaseChange(
                            set_name=new_run.set_name,
                            config=new_run.config,
                            case_id=result.case.id,
                            question=result.case.question,
                            kind=kind,
                            what=what,
                        )
                    )
        added = len(new_ids - old_cases.keys())
        removed = len(old_cases.keys() - new_ids)
        if added or removed:
            comparison.notes.append(
                f"{new_run.set_name} / {new_run.config}: {added} cases only in the new "
                f"report, {removed} only in the old one (not compared)"
            )
        for metric, lower_is_better in AGGREGATES:
            comparison.metrics.append(
                MetricChange(
                    set_name=new_run.set_name,
                    config=new_run.config,
                    metric=metric,
                    old=getattr(old_run.metrics, metric),
                    new=getattr(new_run.metrics, metric),
                    lower_is_better=lower_is_better,
                )
            )
        for key in ("retrieval", "first_token", "total"):
            before, after = old_run.metrics.latency_ms.get(key), new_run.metrics.latency_ms.get(key)
            if before and after:
                comparison.metrics.append(
                    MetricChange(
                        set_name=new_run.set_name,
                        config=new_run.config,
                        metric=f"latency {key} p95 ms",
                        old=before.p95,
                        new=after.p95,
                        lower_is_better=True,
                        relative_tolerance=LATENCY_TOLERANCE,
                    )
                )
    for old_run in old.runs:
        if new.run(old_run.set_name, old_run.config) is None:
            comparison.notes.append(f"{old_run.set_name} / {old_run.config}: not in the new report")
    return comparison


def print_comparison(comparison: Comparison, console: Console) -> None:
    runs = sorted({(m.set_name, m.config) for m in comparison.metrics})
    for set_name, config in runs:
        changes = [c for c in comparison.changes if (c.set_name, c.config) == (set_name, config)]
        regressed = [c for c in changes if c.kind == "regressed"]
        improved = [c for c in changes if c.kind == "improved"]
        console.print(f"[bold]{set_name} / {config}[/bold]: {len(regressed)} cases regressed, {len(improved)} improved")
        for change in regressed + improved:
            label = "[red]regressed[/red]" if change.kind == "regressed" else "[green]improved [/green]"
            console.print(f"  {label} {change.case_id}: ", end="")
            console.print("; ".join(change.what), highlight=False, markup=False)
        for metric in (m for m in comparison.metrics if (m.set_name, m.config) == (set_name, config)):
            if metric.direction == "same":
                continue
            colour = "green" if metric.direction == "better" else "red"
            console.print(
                f"  [{colour}]{metric.metric}: {metric.old:.3f} → {metric.new:.3f} ({metric.direction})[/{colour}]",
                highlight=False,
            )
    for note in comparison.notes:
        console.print(f"note: {note}", highlight=False, markup=False)
    console.print(
        f"{len(comparison.regressions)} case regressions, {len(comparison.improvements)} case improvements in total",
        highlight=False,
    )
