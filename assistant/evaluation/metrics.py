"""Score one answer against its golden case, and aggregate scores (``eval/METRICS.md``).

>>> from assistant.records import Answer, AnswerSentence, Evidence
>>> case = GoldenCase(id="fee", question="Was kostet der Ausweis?", language="de",
...     expected_status="answered", expected_docs=["ausweis"],
...     expected_evidence=["Der Ausweis kostet 37,00 Euro."], key_facts=["37,00 Euro"])
>>> quote = Evidence(n=1, doc_id="ausweis", title="Ausweis", quote="Der Ausweis kostet 37,00 Euro.",
...     start=0, end=30, score=0.9)
>>> answer = Answer(question=case.question, language="de", status="answered",
...     answer="Der Ausweis kostet 37,00 Euro. [1]", supporting=[quote],
...     sentences=[AnswerSentence(text="Der Ausweis kostet 37,00 Euro.", citations=[1])])
>>> m = score_case(case, answer, retrieved_docs=["ausweis"], languages=("de", "en"))
>>> m.recall_at_1, m.evidence_f1, m.key_facts_ok, m.grounded_number_rate, m.failures
(1.0, 1.0, True, 1.0, [])
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from functools import cache

import numpy as np

from assistant.evaluation.golden import GoldenCase
from assistant.evaluation.matching import CITATION, clean, fact_in_tokens, numbers, quote_matches, tokens
from assistant.evaluation.records import Aggregate, CaseMetrics, CaseResult, Latency
from assistant.records import Answer
from assistant.text import detect_language

RETRIEVAL_DEPTH = 10  # hits asked from retrieval for recall@k and MRR
# (doc_id, start, end) of a quote -> the page line numbers it covers; None: not a page of the set
LineLookup = Callable[[str, int, int], set[int] | None]
TOKEN_KEYS = ("prompt_tokens",)  # keys of timings_ms that are counts, not milliseconds


@cache
def template_numbers() -> frozenset[str]:
    """Numbers in the fixed texts of ``assistant.messages`` (e.g. the 115 service number):
    they are part of the frame, not claims taken from the documents."""
    try:
        from assistant.messages import MESSAGES
    except ImportError:  # the answer path is free to move its fixed texts
        return frozenset()
    found: set[str] = set()
    for texts in MESSAGES.values():
        for text in texts.values():
            found |= numbers(text)
    return frozenset(found)


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _cited(answer: Answer) -> set[int]:
    cited = {n for sentence in answer.sentences for n in sentence.citations}
    for marker in CITATION.finditer(answer.answer):
        cited |= {int(n) for n in marker.group().strip(" []").replace(";", ",").split(",")}
    return cited


def _prompt_tokens(answer: Answer) -> float | None:
    """Tokens sent to the model; ``None`` when not reported or no prompt was sent (0)."""
    value = answer.timings_ms.get("prompt_tokens")
    if value is None:
        value = getattr(answer, "prompt_tokens", None)
    return float(value) if isinstance(value, int | float) and value > 0 else None


def score_retrieval(metrics: CaseMetrics, case: GoldenCase, retrieved_docs: list[str]) -> None:
    metrics.retrieved_docs = retrieved_docs
    expected = set(case.expected_docs)
    rank = next((i for i, doc in enumerate(retrieved_docs, start=1) if doc in expected), None)
    metrics.retrieval_rank = rank
    metrics.recall_at_1 = float(rank is not None and rank <= 1)
    metrics.recall_at_5 = float(rank is not None and rank <= 5)
    metrics.reciprocal_rank = 1.0 / rank if rank else 0.0
    if not metrics.recall_at_5:
        where = f"first at rank {rank}" if rank else f"none in the top {RETRIEVAL_DEPTH}"
        metrics.failures.append(f"retrieval: no expected document in the top 5 ({where})")


def score_evidence(metrics: CaseMetrics, case: GoldenCase, answer: Answer | None) -> None:
    supporting = answer.supporting if answer else []
    matched = [e.n for e in supporting if any(quote_matches(e.quote, expected) for expected in case.expected_evidence)]
    found = [
        expected for expected in case.expected_evidence if any(quote_matches(e.quote, expected) for e in supporting)
    ]
    precision = len(matched) / len(supporting) if supporting else 0.0
    recall = len(found) / len(case.expected_evidence)
    metrics.matched_quotes = matched
    metrics.missed_evidence = [e for e in case.expected_evidence if e not in found]
    metrics.evidence_precision = round(precision, 4)
    metrics.evidence_recall = round(recall, 4)
    metrics.evidence_f1 = round(2 * precision * recall / (precision + recall), 4) if precision + recall else 0.0
    for expected in metrics.missed_evidence:
        metrics.failures.append(f"evidence: expected sentence not quoted: “{_short(expected)}”")
    if supporting and len(matched) < len(supporting):
        metrics.failures.append(
            f"evidence: {len(supporting) - len(matched)} of {len(supporting)} quotes match no expected sentence"
        )


def _f1(precision: float, recall: float) -> float:
    return round(2 * precision * recall / (precision + recall), 4) if precision + recall else 0.0


def score_lines(metrics: CaseMetrics, case: GoldenCase, answer: Answer | None, line_of: LineLookup | None) -> None:
    """Line-level evidence, no-answer and page hit for a case with ``expected_lines`` (OMoS-QA).

    The answer's prediction is the set of (document, page line) its quotes cover; an
    answer that is not ``answered``/``referred`` (or quotes nothing) predicts "no answer",
    i.e. no lines. A quote from a document without a line map (not a page of the set) or
    covering no page line counts as one wrong line.
    """
    gold = {(doc_id, n) for doc_id, lines in case.expected_lines.items() for n in lines}
    quotes = answer.supporting if answer is not None and answer.status in FACT_STATUSES else []
    predicted: set[tuple[str, int]] = set()
    matched: list[int] = []
    for position, quote in enumerate(quotes, start=1):
        lines = line_of(quote.doc_id, quote.start, quote.end) if line_of else None
        covered = {(quote.doc_id, n) for n in lines} if lines else {(quote.doc_id, -position)}
        predicted |= covered
        if covered & gold:
            matched.append(quote.n)
    metrics.quoted_lines = {
        doc_id: sorted(n for d, n in predicted if d == doc_id and n >= 0)
        for doc_id in sorted({d for d, _ in predicted})
    }
    metrics.no_answer_expected = not gold
    metrics.no_answer_predicted = not quotes
    if not gold:
        if quotes:
            metrics.failures.append("no-answer: the page does not answer this, but the answer quotes it")
        return
    hits = predicted & gold
    precision = len(hits) / len(predicted) if predicted else 0.0
    recall = len(hits) / len(gold)
    metrics.matched_quotes = matched
    metrics.evidence_precision = round(precision, 4)
    metrics.evidence_recall = round(recall, 4)
    metrics.evidence_f1 = _f1(precision, recall)
    gold_docs = {doc_id for doc_id, lines in case.expected_lines.items() if lines}
    metrics.page_hit = any(quote.doc_id in gold_docs for quote in quotes)
    for doc_id in sorted(gold_docs):
        missed = sorted(n for d, n in gold - hits if d == doc_id)
        metrics.missed_evidence += [f"{doc_id} line {n}" for n in missed]
        if missed:
            metrics.failures.append(f"evidence: gold lines of {doc_id} not quoted: {', '.join(map(str, missed))}")
    wrong = predicted - gold
    if wrong:
        metrics.failures.append(f"evidence: {len(wrong)} of {len(predicted)} quoted lines are not gold lines")
    if not metrics.page_hit:
        metrics.failures.append(f"page: {', '.join(sorted(gold_docs))} is not among the supporting documents")


def score_facts(metrics: CaseMetrics, case: GoldenCase, answer_tokens: list[str]) -> None:
    if case.key_facts:
        metrics.missing_key_facts = [f for f in case.key_facts if not fact_in_tokens(tokens(f), answer_tokens)]
        metrics.key_facts_ok = not metrics.missing_key_facts
        metrics.failures.extend(f"key fact missing: “{f}”" for f in metrics.missing_key_facts)
    if case.forbidden_facts:
        metrics.forbidden_found = [f for f in case.forbidden_facts if fact_in_tokens(tokens(f), answer_tokens)]
        metrics.forbidden_hit = bool(metrics.forbidden_found)
        metrics.failures.extend(f"forbidden fact stated: “{f}”" for f in metrics.forbidden_found)


FACT_STATUSES = ("answered", "referred")  # the others are fixed texts (clarify adds page titles)


def score_numbers(metrics: CaseMetrics, case: GoldenCase, answer: Answer) -> None:
    if answer.status not in FACT_STATUSES:
        return
    stated = numbers(answer.answer) - template_numbers()
    if not stated:
        return
    cited = _cited(answer)
    quotes = [e.quote for e in answer.supporting if not cited or e.n in cited]
    quotes += [d.quote for d in answer.disagreeing]
    # numbers the citizen wrote ("Ich bin 19") may be repeated without a source
    quotes += [case.question, *(turn.content for turn in case.history)]
    grounded = set().union(*(numbers(q) for q in quotes))
    metrics.numbers_total = len(stated)
    metrics.numbers_grounded = len(stated & grounded)
    metrics.ungrounded_numbers = sorted(stated - grounded)
    metrics.grounded_number_rate = round(metrics.numbers_grounded / metrics.numbers_total, 4)
    if metrics.ungrounded_numbers:
        metrics.failures.append("numbers not in the cited evidence: " + ", ".join(metrics.ungrounded_numbers))


def score_conflict(metrics: CaseMetrics, case: GoldenCase, answer: Answer | None) -> None:
    disagreeing = answer.disagreeing if answer else []
    if case.conflict:
        sides = set(case.conflict_docs)
        metrics.conflict_detected = any(d.doc_id in sides for d in disagreeing) if sides else bool(disagreeing)
        if not metrics.conflict_detected:
            listed = ", ".join(d.doc_id for d in disagreeing) or "none"
            metrics.failures.append(
                f"conflict not surfaced: no disagreeing source from "
                f"{', '.join(case.conflict_docs) or 'any document'} (listed: {listed})"
            )
        if sides:
            stray = sorted({d.doc_id for d in disagreeing} - sides - set(case.expected_docs))
            metrics.stray_conflict = bool(stray)
            if stray:
                metrics.failures.append("disagreeing source that is neither side: " + ", ".join(stray))
    else:
        metrics.false_conflict = bool(disagreeing)
        if disagreeing:
            metrics.failures.append(
                "false conflict: lists disagreeing " + ", ".join(sorted({d.doc_id for d in disagreeing}))
            )


def score_both_values(metrics: CaseMetrics, case: GoldenCase, answer: Answer | None) -> None:
    """Two values for one slot stated side by side with no disagreeing source to say which applies."""
    if not (case.key_facts and case.forbidden_facts) or answer is None or answer.status not in FACT_STATUSES:
        return
    stated_both = metrics.key_facts_ok is True and metrics.forbidden_hit is True
    metrics.both_values_unnoted = stated_both and not answer.disagreeing
    if metrics.both_values_unnoted:
        metrics.failures.append("the current and an outdated value are both stated without a note")


def score_case(
    case: GoldenCase,
    answer: Answer | None,
    retrieved_docs: list[str] | None,
    languages: tuple[str, ...],
    wall_ms: float | None = None,
    error: str | None = None,
    line_of: LineLookup | None = None,
) -> CaseMetrics:
    """All per-case figures. ``retrieved_docs`` is ``None`` when retrieval was not measured
    (cases without expected documents, follow-ups that need their history); ``line_of``
    maps quotes to page lines for cases with ``expected_lines``."""
    metrics = CaseMetrics()
    if error:
        metrics.failures.append(f"error: {error}")
    if retrieved_docs is not None and case.expected_docs:
        score_retrieval(metrics, case, retrieved_docs)
    if case.expected_evidence:
        score_evidence(metrics, case, answer)
    if case.expected_lines:
        score_lines(metrics, case, answer, line_of)
    text = answer.answer if answer else ""
    score_facts(metrics, case, tokens(text))
    if answer is not None:
        score_numbers(metrics, case, answer)
    status = answer.status if answer else "error"
    metrics.behaviour_ok = status == case.expected_status
    if not metrics.behaviour_ok:
        metrics.failures.insert(0, f"behaviour: expected {case.expected_status}, got {status}")
    score_conflict(metrics, case, answer)
    score_both_values(metrics, case, answer)
    metrics.answer_language = detect_language(clean(text), languages, default="") if text.strip() else ""
    metrics.language_ok = metrics.answer_language == case.language
    if not metrics.language_ok:
        metrics.failures.append(
            f"language: answer in '{metrics.answer_language or 'unknown'}', question in '{case.language}'"
        )
    if answer is not None:
        metrics.timings_ms = {
            key: float(value)
            for key, value in answer.timings_ms.items()
            if key not in TOKEN_KEYS and isinstance(value, int | float)
        }
        metrics.prompt_tokens = _prompt_tokens(answer)
    if wall_ms is not None:
        metrics.timings_ms["wall"] = round(wall_ms, 1)
    return metrics


def _mean(values: Iterable[float | bool | None]) -> float | None:
    present = [float(v) for v in values if v is not None]
    return round(sum(present) / len(present), 4) if present else None


def _share(hits: int, total: int) -> float | None:
    return round(hits / total, 4) if total else None


def aggregate(results: list[CaseResult]) -> Aggregate:
    """Figures over ``results``: means over the cases each figure applies to."""
    metrics = [r.metrics for r in results]
    cases = [r.case for r in results]
    statuses = [r.answer.status if r.answer else "error" for r in results]
    expected_abstained = sum(c.expected_status == "abstained" for c in cases)
    predicted_abstained = sum(s == "abstained" for s in statuses)
    true_abstained = sum(
        c.expected_status == "abstained" and s == "abstained" for c, s in zip(cases, statuses, strict=True)
    )
    by_status: dict[str, list[bool]] = {}
    for case, m in zip(cases, metrics, strict=True):
        by_status.setdefault(case.expected_status, []).append(m.behaviour_ok)
    latency: dict[str, Latency] = {}
    for key in sorted({k for m in metrics for k in m.timings_ms}):
        values = [m.timings_ms[key] for m in metrics if key in m.timings_ms]
        latency[key] = Latency(
            p50=round(float(np.percentile(values, 50)), 1),
            p95=round(float(np.percentile(values, 95)), 1),
            n=len(values),
        )
    numbers_total = sum(m.numbers_total for m in metrics)
    line_cases = [m for m in metrics if m.no_answer_expected is not None]
    no_answer_expected = sum(bool(m.no_answer_expected) for m in line_cases)
    no_answer_predicted = sum(bool(m.no_answer_predicted) for m in line_cases)
    no_answer_true = sum(bool(m.no_answer_expected and m.no_answer_predicted) for m in line_cases)
    no_answer_precision = _share(no_answer_true, no_answer_predicted)
    no_answer_recall = _share(no_answer_true, no_answer_expected)
    quote_counts = [
        len(r.answer.supporting)
        for r in results
        if r.answer is not None and r.answer.status in FACT_STATUSES and r.answer.supporting
    ]
    return Aggregate(
        cases=len(results),
        retrieval_cases=sum(m.recall_at_5 is not None for m in metrics),
        recall_at_1=_mean(m.recall_at_1 for m in metrics),
        recall_at_5=_mean(m.recall_at_5 for m in metrics),
        mrr=_mean(m.reciprocal_rank for m in metrics),
        evidence_cases=sum(m.evidence_f1 is not None for m in metrics),
        evidence_precision=_mean(m.evidence_precision for m in metrics),
        evidence_recall=_mean(m.evidence_recall for m in metrics),
        evidence_f1=_mean(m.evidence_f1 for m in metrics),
        no_answer_cases=len(line_cases),
        no_answer_precision=no_answer_precision,
        no_answer_recall=no_answer_recall,
        # 2PR/(P+R) = 2TP/(predicted + expected): 0, not "–", when only one side is empty
        no_answer_f1=_share(2 * no_answer_true, no_answer_predicted + no_answer_expected),
        page_hit_cases=sum(m.page_hit is not None for m in metrics),
        page_hit=_mean(m.page_hit for m in metrics),
        quoting_answers=len(quote_counts),
        quotes_per_answer=_mean(quote_counts),
        key_fact_cases=sum(m.key_facts_ok is not None for m in metrics),
        key_fact_accuracy=_mean(m.key_facts_ok for m in metrics),
        forbidden_fact_cases=sum(m.forbidden_hit is not None for m in metrics),
        forbidden_fact_rate=_mean(m.forbidden_hit for m in metrics),
        numbers_total=numbers_total,
        grounded_number_rate=_share(sum(m.numbers_grounded for m in metrics), numbers_total),
        behaviour_accuracy=_mean(m.behaviour_ok for m in metrics),
        behaviour_accuracy_by_status={status: _mean(oks) for status, oks in sorted(by_status.items())},
        abstention_precision=_share(true_abstained, predicted_abstained),
        abstention_recall=_share(true_abstained, expected_abstained),
        conflict_cases=sum(m.conflict_detected is not None for m in metrics),
        conflict_detection_rate=_mean(m.conflict_detected for m in metrics),
        false_conflict_rate=_mean(m.false_conflict for m in metrics),
        stray_conflict_rate=_mean(m.stray_conflict for m in metrics),
        both_values_unnoted_rate=_mean(m.both_values_unnoted for m in metrics),
        language_match=_mean(m.language_ok for m in metrics),
        latency_ms=latency,
        prompt_tokens_mean=_mean(m.prompt_tokens for m in metrics),
        statuses=dict(sorted(Counter(statuses).items())),
        errors=sum(r.error is not None for r in results),
    )


def breakdown(results: list[CaseResult], key: Callable[[CaseResult], str]) -> dict[str, Aggregate]:
    groups: dict[str, list[CaseResult]] = {}
    for result in results:
        groups.setdefault(key(result), []).append(result)
    return {name: aggregate(group) for name, group in sorted(groups.items())}


# For the gate and the HTML report: which cases pull a figure down.
CASE_FAILS: dict[str, Callable[[CaseResult], bool]] = {
    "recall_at_1": lambda r: r.metrics.recall_at_1 == 0.0,
    "recall_at_5": lambda r: r.metrics.recall_at_5 == 0.0,
    "mrr": lambda r: r.metrics.reciprocal_rank is not None and r.metrics.reciprocal_rank < 1.0,
    "evidence_precision": lambda r: r.metrics.evidence_precision is not None and r.metrics.evidence_precision < 1,
    "evidence_recall": lambda r: r.metrics.evidence_recall is not None and r.metrics.evidence_recall < 1,
    "evidence_f1": lambda r: r.metrics.evidence_f1 is not None and r.metrics.evidence_f1 < 1,
    "no_answer_precision": lambda r: bool(r.metrics.no_answer_predicted and not r.metrics.no_answer_expected),
    "no_answer_recall": lambda r: bool(r.metrics.no_answer_expected and not r.metrics.no_answer_predicted),
    "no_answer_f1": lambda r: (
        r.metrics.no_answer_expected is not None and r.metrics.no_answer_expected != r.metrics.no_answer_predicted
    ),
    "page_hit": lambda r: r.metrics.page_hit is False,
    "key_fact_accuracy": lambda r: r.metrics.key_facts_ok is False,
    "forbidden_fact_rate": lambda r: r.metrics.forbidden_hit is True,
    "grounded_number_rate": lambda r: bool(r.metrics.ungrounded_numbers),
    "behaviour_accuracy": lambda r: not r.metrics.behaviour_ok,
    "abstention_precision": lambda r: bool(
        r.answer and r.answer.status == "abstained" and r.case.expected_status != "abstained"
    ),
    "abstention_recall": lambda r: r.case.expected_status == "abstained" and not r.metrics.behaviour_ok,
    "conflict_detection_rate": lambda r: r.metrics.conflict_detected is False,
    "false_conflict_rate": lambda r: r.metrics.false_conflict is True,
    "stray_conflict_rate": lambda r: r.metrics.stray_conflict is True,
    "both_values_unnoted_rate": lambda r: r.metrics.both_values_unnoted is True,
    "language_match": lambda r: not r.metrics.language_ok,
}


def failing_cases(results: list[CaseResult], metric: str) -> list[str]:
    """Ids of the cases that pull ``metric`` down (a dotted name such as
    ``behaviour_accuracy_by_status.abstained`` or ``by_language.en.key_fact_accuracy``
    is narrowed to that group)."""
    parts = metric.split(".")
    if parts[0] in ("by_language", "by_behaviour") and len(parts) >= 3:
        field = "language" if parts[0] == "by_language" else "expected_status"
        results = [r for r in results if getattr(r.case, field) == parts[1]]
        parts = parts[2:]
    if parts[0] == "behaviour_accuracy_by_status" and len(parts) == 2:
        results = [r for r in results if r.case.expected_status == parts[1]]
        parts = ["behaviour_accuracy"]
    if parts[0] == "latency_ms" and len(parts) >= 2:
        timed = sorted(
            (r for r in results if parts[1] in r.metrics.timings_ms), key=lambda r: -r.metrics.timings_ms[parts[1]]
        )
        return [r.case.id for r in timed[: max(1, len(timed) // 20)]]  # the slowest 5%
    test = CASE_FAILS.get(parts[0])
    return [r.case.id for r in results if test and test(r)]
