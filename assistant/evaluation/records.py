"""The report schema: what ``report.json`` holds (one ``Report``).

Per case the full ``Answer`` and the golden case travel with the figures, so a
report can be rendered, compared and checked without the golden files.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from assistant.evaluation.configs import ConfigError
from assistant.evaluation.golden import GoldenCase
from assistant.records import Answer

REPORT_SCHEMA = 1


class CaseMetrics(BaseModel):
    """Every figure of one answer; ``None`` means "does not apply to this case"."""

    retrieval_rank: int | None = None  # rank of the first chunk of an expected doc in the top 10
    recall_at_1: float | None = None
    recall_at_5: float | None = None
    reciprocal_rank: float | None = None
    retrieved_docs: list[str] = Field(default_factory=list)  # doc ids of the top 10, in order

    evidence_precision: float | None = None
    evidence_recall: float | None = None
    evidence_f1: float | None = None
    matched_quotes: list[int] = Field(default_factory=list)  # Evidence.n that match expected evidence
    missed_evidence: list[str] = Field(default_factory=list)  # expected sentences no quote matched
    # line-level cases (GoldenCase.expected_lines, OMoS-QA): evidence_* above are computed over lines
    quoted_lines: dict[str, list[int]] = Field(default_factory=dict)  # doc id -> page lines the quotes cover
    no_answer_expected: bool | None = None  # the gold lines are empty (the page does not answer)
    no_answer_predicted: bool | None = None  # the answer quotes no line (see eval/METRICS.md)
    page_hit: bool | None = None  # answerable: the gold page is among the supporting documents

    key_facts_ok: bool | None = None
    missing_key_facts: list[str] = Field(default_factory=list)
    forbidden_found: list[str] = Field(default_factory=list)
    forbidden_hit: bool | None = None

    numbers_total: int = 0
    numbers_grounded: int = 0
    ungrounded_numbers: list[str] = Field(default_factory=list)
    grounded_number_rate: float | None = None

    behaviour_ok: bool = False
    conflict_detected: bool | None = None  # only for cases with conflict: true
    false_conflict: bool | None = None  # only for cases without a conflict
    # conflict cases with conflict_docs: a disagreeing source from a page that is neither side
    # (another service, another fact)
    stray_conflict: bool | None = None
    # cases with key and forbidden facts: both stated and no disagreeing source names the difference
    both_values_unnoted: bool | None = None
    answer_language: str = ""
    language_ok: bool = False

    timings_ms: dict[str, float] = Field(default_factory=dict)
    prompt_tokens: float | None = None
    failures: list[str] = Field(default_factory=list)  # what a reader should look at, in words


class CaseResult(BaseModel):
    case: GoldenCase
    answer: Answer | None = None  # None when answering raised
    error: str | None = None
    metrics: CaseMetrics


class Latency(BaseModel):
    p50: float
    p95: float
    n: int


class Aggregate(BaseModel):
    """Figures over a group of cases; each rate has its denominator next to it."""

    cases: int = 0
    retrieval_cases: int = 0
    recall_at_1: float | None = None
    recall_at_5: float | None = None
    mrr: float | None = None
    evidence_cases: int = 0
    evidence_precision: float | None = None
    evidence_recall: float | None = None
    evidence_f1: float | None = None
    no_answer_cases: int = 0  # cases with line-level gold (expected_lines)
    no_answer_precision: float | None = None
    no_answer_recall: float | None = None
    no_answer_f1: float | None = None
    page_hit_cases: int = 0
    page_hit: float | None = None
    quoting_answers: int = 0  # answers (answered / referred) with at least one quote
    quotes_per_answer: float | None = None  # mean supporting quotes of those answers
    key_fact_cases: int = 0
    key_fact_accuracy: float | None = None
    forbidden_fact_cases: int = 0
    forbidden_fact_rate: float | None = None
    numbers_total: int = 0
    grounded_number_rate: float | None = None
    behaviour_accuracy: float | None = None
    behaviour_accuracy_by_status: dict[str, float] = Field(default_factory=dict)
    abstention_precision: float | None = None
    abstention_recall: float | None = None
    conflict_cases: int = 0
    conflict_detection_rate: float | None = None
    false_conflict_rate: float | None = None
    stray_conflict_rate: float | None = None
    both_values_unnoted_rate: float | None = None
    language_match: float | None = None
    latency_ms: dict[str, Latency] = Field(default_factory=dict)  # retrieval, first_token, total, wall
    prompt_tokens_mean: float | None = None
    statuses: dict[str, int] = Field(default_factory=dict)  # what the assistant answered, counted
    errors: int = 0


class RunResult(BaseModel):
    """One golden set under one configuration."""

    set_name: str
    config: str
    overrides: dict = Field(default_factory=dict)
    index_dir: str = ""
    index_version: str = ""
    seconds: float = 0.0
    metrics: Aggregate
    by_language: dict[str, Aggregate] = Field(default_factory=dict)
    by_behaviour: dict[str, Aggregate] = Field(default_factory=dict)
    cases: list[CaseResult] = Field(default_factory=list)


class Note(BaseModel):
    """Something a run skipped or changed, printed and kept in the report."""

    subject: str
    text: str


class Report(BaseModel):
    schema_version: int = REPORT_SCHEMA
    created: datetime
    limit: int | None = None  # --limit: cases per set
    limits: dict[str, int] = Field(default_factory=dict)  # per-set limits (the gate's [run] table)
    configs: list[str] = Field(default_factory=list)
    sets: list[str] = Field(default_factory=list)
    notes: list[Note] = Field(default_factory=list)
    runs: list[RunResult] = Field(default_factory=list)

    def run(self, set_name: str, config: str) -> RunResult | None:
        return next((r for r in self.runs if r.set_name == set_name and r.config == config), None)


def save_report(report: Report, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(report.model_dump_json(indent=1), encoding="utf-8")
    return path


def load_report(path: Path) -> Report:
    """A ``report.json``; raises ConfigError naming the path when it cannot be read."""
    try:
        return Report.model_validate_json(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except ValidationError as exc:
        raise ConfigError(f"{path} is not an evaluation report: {exc.errors()[0]['msg']}") from exc
