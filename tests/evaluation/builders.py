"""Small hand-checked records for the evaluation tests (no model, no index)."""

from __future__ import annotations

from datetime import UTC, datetime

from assistant.evaluation.golden import GoldenCase
from assistant.evaluation.metrics import aggregate, breakdown, score_case
from assistant.evaluation.records import CaseResult, Report, RunResult
from assistant.records import Answer, AnswerSentence, Disagreement, Evidence

LANGUAGES = ("de", "en")

FEE_CASE = GoldenCase(
    id="pa-fee-adult-de",
    question="Was kostet ein neuer Personalausweis für Erwachsene?",
    language="de",
    expected_status="answered",
    expected_docs=["personalausweis"],
    expected_evidence=["Antragstellerinnen und Antragsteller ab 24 Jahren: 37,00 Euro"],
    key_facts=["37,00 Euro"],
    forbidden_facts=["28,80 Euro"],
    conflict=True,
    conflict_docs=["personalausweis", "personalausweis-gebuehren-2021"],
)

ABSTAIN_CASE = GoldenCase(
    id="ab-apostille-de",
    question="Was kostet eine Apostille für meine Geburtsurkunde?",
    language="de",
    expected_status="abstained",
)

ABSTAIN_TEXT = (
    "Dazu habe ich in den Unterlagen der Stadt leider nichts Verlässliches gefunden. "
    "Bitte wenden Sie sich an das Bürgerbüro oder an die Behördennummer 115."
)


def evidence(quote: str, n: int = 1, doc_id: str = "personalausweis") -> Evidence:
    return Evidence(n=n, doc_id=doc_id, title=doc_id, quote=quote, start=0, end=len(quote), score=0.9)


def answered(
    case: GoldenCase,
    text: str,
    quotes: list[Evidence],
    language: str = "de",
    disagreeing: list[Disagreement] | None = None,
    timings: dict | None = None,
) -> Answer:
    return Answer(
        question=case.question,
        language=language,
        status="answered",
        answer=text,
        sentences=[AnswerSentence(text=text, citations=[e.n for e in quotes])],
        supporting=quotes,
        disagreeing=disagreeing or [],
        timings_ms=timings or {"retrieval": 20.0, "total": 100.0},
    )


def abstained(case: GoldenCase) -> Answer:
    return Answer(
        question=case.question,
        language="de",
        status="abstained",
        answer=ABSTAIN_TEXT,
        timings_ms={"retrieval": 15.0, "total": 40.0},
    )


def perfect_fee_answer() -> Answer:
    quote = "- Antragstellerinnen und Antragsteller ab 24 Jahren: 37,00 Euro"
    old = Disagreement(
        doc_id="personalausweis-gebuehren-2021",
        title="Gebühren (Stand 2021)",
        quote="Antragstellerinnen und Antragsteller ab 24 Jahren: 28,80 Euro",
        conflicts_with=1,
        reason="fee 28,80 Euro vs 37,00 Euro",
    )
    return answered(
        FEE_CASE, "Ein Personalausweis kostet ab 24 Jahren 37,00 Euro. [1]", [evidence(quote)], disagreeing=[old]
    )


def result(case: GoldenCase, answer: Answer | None, retrieved: list[str] | None = None) -> CaseResult:
    metrics = score_case(case, answer, retrieved, LANGUAGES, wall_ms=answer.timings_ms.get("total") if answer else 1)
    return CaseResult(case=case, answer=answer, metrics=metrics)


def run_of(results: list[CaseResult], config: str = "full", set_name: str = "sample") -> RunResult:
    return RunResult(
        set_name=set_name,
        config=config,
        metrics=aggregate(results),
        by_language=breakdown(results, lambda r: r.case.language),
        by_behaviour=breakdown(results, lambda r: r.case.expected_status),
        cases=results,
    )


def report_of(*runs: RunResult) -> Report:
    return Report(
        created=datetime(2026, 11, 26, tzinfo=UTC),
        runs=list(runs),
        sets=sorted({r.set_name for r in runs}),
        configs=sorted({r.config for r in runs}),
    )
