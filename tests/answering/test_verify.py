from datetime import date

import pytest

from assistant.answering.verify import verify
from assistant.records import Evidence


def ev(n: int, quote: str, doc_id: str = "personalausweis") -> Evidence:
    return Evidence(
        n=n,
        doc_id=doc_id,
        title="Personalausweis",
        quote=quote,
        start=0,
        end=len(quote),
        score=0.9,
        updated=date(2025, 3, 1),
    )


def quote_vectors(embedder, evidence):
    """What the index stores for these quotes: their vectors in context (title: sentence)."""
    return embedder.embed_passages([f"{e.title}: {e.quote}" for e in evidence])


EVIDENCE = [
    ev(1, "Antragstellerinnen und Antragsteller ab 24 Jahren: 37,00 Euro"),
    ev(2, "Der Personalausweis liegt in der Regel nach drei bis vier Wochen zur Abholung bereit."),
]


@pytest.fixture
def check(embedder):
    def run(answer: str, language: str = "de", question: str = ""):
        return verify(answer, EVIDENCE, quote_vectors(embedder, EVIDENCE), embedder, language, 0.86, question)

    return run


def test_supported_sentences_are_kept_with_their_citations(check):
    kept, dropped = check(
        "Ab 24 Jahren kostet der Personalausweis 37,00 Euro [1]. "
        "Er liegt nach drei bis vier Wochen zur Abholung bereit [2]."
    )
    assert [s.citations for s in kept] == [[1], [2]]
    assert "[1]" not in kept[0].text and not dropped


def test_a_hallucinated_amount_is_dropped_even_with_a_citation(check):
    kept, dropped = check("Der Personalausweis kostet 45,00 Euro [1].")
    assert kept == []
    assert "amount 45" in dropped[0].reason


def test_a_number_format_variant_of_the_evidence_passes(embedder):
    english = [ev(1, "Antragstellerinnen und Antragsteller ab 24 Jahren: 37,00 Euro")]
    kept, _ = verify(
        "An ID card for applicants aged 24 or older costs EUR 37.00 [1].",
        english,
        quote_vectors(embedder, english),
        embedder,
        "en",
        min_support=0.86,
    )
    assert len(kept) == 1  # across languages: same number, close meaning


def test_added_claims_without_numbers_are_dropped_by_the_word_check(check):
    kept, dropped = check(
        "Der Personalausweis liegt nach drei bis vier Wochen bereit und wird "
        "kostenlos nach Hause geschickt, auch am Wochenende [2]."
    )
    assert kept == [] and "words not in the evidence" in dropped[0].reason


def test_uncited_sentence_is_matched_to_its_closest_evidence(check):
    kept, _ = check("Der Personalausweis liegt in der Regel nach drei bis vier Wochen zur Abholung bereit.")
    assert kept[0].citations == [2]


def test_unrelated_sentence_is_dropped(check):
    kept, dropped = check("Die Müllabfuhr kommt jeden Dienstag.")
    assert kept == [] and dropped


def test_a_sentence_that_repeats_the_question_is_dropped(check):
    question = "Wie lange dauert es, bis der Personalausweis zur Abholung bereit liegt?"
    kept, dropped = check(
        "Wie lange dauert es, bis der Personalausweis bereit liegt [2]? "
        "Der Personalausweis liegt nach drei bis vier Wochen zur Abholung bereit [2].",
        question=question,
    )
    assert [s.text for s in kept] == ["Der Personalausweis liegt nach drei bis vier Wochen zur Abholung bereit."]
    assert [d.reason for d in dropped] == ["repeats the question"]
