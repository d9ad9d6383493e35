"""Per-case scores and aggregates on small hand-checked answers."""

from assistant.evaluation.golden import GoldenCase
from assistant.evaluation.metrics import aggregate, failing_cases
from assistant.records import Answer, Disagreement
from tests.evaluation.builders import (
    ABSTAIN_CASE,
    FEE_CASE,
    abstained,
    answered,
    evidence,
    perfect_fee_answer,
    result,
)


def test_a_perfect_answer_scores_one_everywhere():
    scored = result(FEE_CASE, perfect_fee_answer(), retrieved=["personalausweis", "reisepass"]).metrics
    assert (scored.recall_at_1, scored.recall_at_5, scored.reciprocal_rank) == (1.0, 1.0, 1.0)
    assert (scored.evidence_precision, scored.evidence_recall, scored.evidence_f1) == (1.0, 1.0, 1.0)
    assert scored.key_facts_ok is True and scored.forbidden_hit is False
    assert scored.grounded_number_rate == 1.0
    assert scored.behaviour_ok and scored.language_ok and scored.conflict_detected
    assert scored.failures == []


def test_an_empty_answer_scores_zero_and_says_why():
    empty = Answer(question=FEE_CASE.question, language="de", status="answered", answer="")
    scored = result(FEE_CASE, empty, retrieved=["reisepass"]).metrics
    assert (scored.recall_at_5, scored.reciprocal_rank) == (0.0, 0.0)
    assert (scored.evidence_precision, scored.evidence_recall, scored.evidence_f1) == (0.0, 0.0, 0.0)
    assert scored.key_facts_ok is False and scored.missing_key_facts == ["37,00 Euro"]
    assert scored.conflict_detected is False and not scored.language_ok
    assert any("37,00 Euro" in f for f in scored.failures)
    assert any(f.startswith("retrieval") for f in scored.failures)


def test_a_hallucinated_number_is_caught_by_the_grounded_number_rate():
    quote = evidence("Antragstellerinnen und Antragsteller ab 24 Jahren: 37,00 Euro")
    answer = answered(FEE_CASE, "Ab 24 Jahren kostet er 37,00 Euro, Expressversand 32,00 Euro. [1]", [quote])
    scored = result(FEE_CASE, answer).metrics
    assert scored.ungrounded_numbers == ["32"]
    assert scored.numbers_total == 3 and scored.grounded_number_rate == round(2 / 3, 4)
    assert any("32" in f for f in scored.failures)


def test_numbers_are_grounded_only_in_the_cited_quotes():
    cited = evidence("Ab 24 Jahren: 37,00 Euro", n=1)
    uncited = evidence("Express: 32,00 Euro", n=2, doc_id="reisepass")
    answer = answered(FEE_CASE, "37,00 Euro, express 32,00 Euro [1]", [cited, uncited])
    answer.sentences[0].citations = [1]
    assert result(FEE_CASE, answer).metrics.ungrounded_numbers == ["32"]


def test_the_115_of_the_abstention_message_is_not_a_claim():
    scored = result(ABSTAIN_CASE, abstained(ABSTAIN_CASE)).metrics
    assert scored.numbers_total == 0 and scored.grounded_number_rate is None
    assert scored.behaviour_ok and scored.failures == []


def test_a_wrong_language_answer_is_caught():
    case = GoldenCase(
        id="dog-en",
        question="How much is the dog tax for one dog?",
        language="en",
        expected_status="answered",
        key_facts=["120.00"],
    )
    german = answered(
        case,
        "Die Hundesteuer beträgt für den ersten Hund 120,00 Euro im Jahr. [1]",
        [evidence("Für den ersten Hund: 120,00 Euro", doc_id="hundesteuer")],
        language="en",
    )
    scored = result(case, german).metrics
    assert scored.key_facts_ok  # right fact, wrong language
    assert scored.answer_language == "de" and not scored.language_ok
    assert "language: answer in 'de', question in 'en'" in scored.failures


def test_a_forbidden_fact_is_caught_in_another_format():
    quote = evidence("ab 24 Jahren: 28,80 Euro", doc_id="personalausweis-gebuehren-2021")
    stale = answered(FEE_CASE, "Der Ausweis kostet EUR 28.80. [1]", [quote])
    scored = result(FEE_CASE, stale).metrics
    assert scored.forbidden_hit and scored.forbidden_found == ["28,80 Euro"]
    assert scored.grounded_number_rate == 1.0  # grounded, but in the outdated page


def test_a_disagreeing_source_outside_a_conflict_is_a_false_conflict():
    case = GoldenCase(
        id="pa-duration", question="Wie lange dauert der Personalausweis?", language="de", expected_status="answered"
    )
    other = Disagreement(
        doc_id="reisepass", title="Reisepass", quote="sechs Wochen", conflicts_with=1, reason="duration"
    )
    answer = answered(case, "Drei bis vier Wochen. [1]", [evidence("drei bis vier Wochen")], disagreeing=[other])
    assert result(case, answer).metrics.false_conflict is True
    answer.disagreeing = []
    assert result(case, answer).metrics.false_conflict is False


def test_a_conflict_is_detected_only_with_a_source_from_the_conflicting_documents():
    answer = perfect_fee_answer()
    answer.disagreeing[0].doc_id = "hundesteuer"
    assert result(FEE_CASE, answer).metrics.conflict_detected is False


def test_aggregates_count_only_the_cases_a_figure_applies_to():
    results = [
        result(FEE_CASE, perfect_fee_answer(), retrieved=["personalausweis"]),
        result(ABSTAIN_CASE, abstained(ABSTAIN_CASE)),
        # an answerable question wrongly abstained
        result(
            FEE_CASE.model_copy(update={"id": "pa-2", "question": "Was kostet der Perso?"}),
            abstained(FEE_CASE),
            retrieved=["reisepass", "personalausweis"],
        ),
        # an unanswerable question answered anyway
        result(
            ABSTAIN_CASE.model_copy(update={"id": "ab-2"}), answered(ABSTAIN_CASE, "Eine Apostille kostet 20 Euro.", [])
        ),
    ]
    total = aggregate(results)
    assert total.cases == 4
    assert total.retrieval_cases == 2 and total.recall_at_1 == 0.5 and total.mrr == 0.75
    assert total.key_fact_cases == 2 and total.key_fact_accuracy == 0.5
    assert total.behaviour_accuracy == 0.5
    assert total.behaviour_accuracy_by_status == {"abstained": 0.5, "answered": 0.5}
    assert total.abstention_precision == 0.5 and total.abstention_recall == 0.5
    assert total.grounded_number_rate == round(2 / 3, 4)  # 24 and 37 grounded, the invented 20 not
    assert total.latency_ms["total"].n == 4
    assert failing_cases(results, "abstention_recall") == ["ab-2"]
    assert failing_cases(results, "abstention_precision") == ["pa-2"]
    assert failing_cases(results, "grounded_number_rate") == ["ab-2"]


def test_prompt_tokens_and_unknown_timings_are_reported_when_present():
    answer = perfect_fee_answer()
    answer.timings_ms = {"retrieval": 10.0, "first_token": 300.0, "total": 900.0, "grounding": 50.0}
    answer.prompt_tokens = 412
    scored = result(FEE_CASE, answer).metrics
    assert scored.prompt_tokens == 412
    assert set(scored.timings_ms) == {"retrieval", "first_token", "total", "grounding", "wall"}
    no_prompt = abstained(ABSTAIN_CASE)
    assert result(ABSTAIN_CASE, no_prompt).metrics.prompt_tokens is None
