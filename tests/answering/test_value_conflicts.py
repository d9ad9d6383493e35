"""Two supporting quotes from different documents with different values: the newer one answers."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.answering.stages.value_conflicts import settle, values
from assistant.app import App
from assistant.ingest.pipeline import ingest
from assistant.records import Evidence
from tests.conftest import make_settings, markdown, write


def quote(n: int, doc_id: str, text: str, updated: date | None) -> Evidence:
    return Evidence(n=n, doc_id=doc_id, title=doc_id, quote=text, start=0, end=len(text), score=0.9, updated=updated)


@pytest.fixture
def vectors(embedder):
    return lambda evidence: embedder.embed_passages([e.quote for e in evidence])


def test_the_older_page_leaves_supporting_and_disagrees_with_its_date(vectors):
    evidence = [
        quote(1, "archiv-2021", "Der Bewohnerparkausweis kostet 25 Euro im Jahr.", date(2021, 3, 1)),
        quote(2, "parken", "Der Bewohnerparkausweis kostet 30 Euro im Jahr.", date(2025, 1, 15)),
    ]
    kept, disagreeing, undecided = settle(evidence, vectors(evidence), "de")
    assert [e.doc_id for e in kept] == ["parken"] and not undecided
    (older,) = disagreeing
    assert older.doc_id == "archiv-2021" and older.updated == date(2021, 3, 1) and older.conflicts_with == 2
    assert older.reason.startswith("Betrag 25 statt 30") and "2025-01-15" in older.reason


def test_a_duration_in_prose_conflicts_too_and_the_reason_is_in_the_question_language(vectors):
    evidence = [
        quote(1, "pass", "Der Reisepass liegt nach drei bis vier Wochen zur Abholung bereit.", date(2025, 2, 1)),
        quote(2, "pass-alt", "Der Reisepass liegt nach sechs Wochen zur Abholung bereit.", date(2022, 2, 1)),
    ]
    kept, disagreeing, _ = settle(evidence, vectors(evidence), "fr")
    assert [e.doc_id for e in kept] == ["pass"]
    assert disagreeing[0].reason.startswith("durée 6 week au lieu de 3-4 week")


def test_undated_sources_that_disagree_answer_neither(vectors):
    evidence = [
        quote(1, "a", "Die Hundesteuer für den ersten Hund beträgt 100 Euro.", None),
        quote(2, "b", "Die Hundesteuer für den ersten Hund beträgt 120 Euro.", None),
    ]
    kept, disagreeing, undecided = settle(evidence, vectors(evidence), "en")
    assert kept == [] and undecided and {d.doc_id for d in disagreeing} == {"a", "b"}
    assert "neither source is dated" in disagreeing[0].reason


def test_values_for_different_groups_do_not_conflict(vectors):
    evidence = [
        quote(1, "pass", "Für Erwachsene kostet der Reisepass 70 Euro.", date(2025, 1, 1)),
        quote(2, "pass-kinder", "Für Kinder kostet der Reisepass 37,50 Euro.", date(2021, 1, 1)),
    ]
    kept, disagreeing, _ = settle(evidence, vectors(evidence), "de")
    assert len(kept) == 2 and not disagreeing


def test_values_are_read_from_prose_lists_and_tables():
    assert {v.value for v in values("| Erwachsene | 70,00 € |")} == {"70"}
    assert {v.value for v in values("- Bearbeitungszeit: 2 Wochen")} == {"2 week"}
    assert {v.value for v in values("Gültig für zehn Jahre, ab 24 Jahren.")} == {"10 year"}


@pytest.fixture(scope="module")
def archive_app(tmp_path_factory, embedder):
    corpus = tmp_path_factory.mktemp("value-conflicts")
    write(corpus / "bewohnerparken.md", markdown(
        "Bewohnerparkausweis",
        "Den Bewohnerparkausweis beantragen Sie online oder im Bürgerbüro.\n\n"
        "Der Bewohnerparkausweis kostet 30 Euro im Jahr.",
        updated="2025-01-15",
    ))  # fmt: skip
    write(corpus / "bewohnerparken-archiv.md", markdown(
        "Bewohnerparkausweis (Archiv)",
        "Diese Seite ist ein Archiv.\n\nDer Bewohnerparkausweis kostet 25 Euro im Jahr.",
        updated="2021-03-01",
    ))  # fmt: skip
    settings = make_settings(tmp_path_factory.mktemp("value-conflicts-index"))
    settings.llm.mode = "extractive"
    report = ingest([corpus], settings, embedder)
    assert not report.skipped
    return App(settings, embedder=embedder)


def test_the_answer_states_the_current_value_and_shows_the_archive_as_disagreeing(archive_app):
    answer = archive_app.answers.answer("Was kostet der Bewohnerparkausweis?")
    assert answer.status == "answered"
    assert "30 Euro" in answer.answer and "25 Euro" not in answer.answer
    assert all("25 Euro" not in e.quote for e in answer.supporting)
    assert [d.updated for d in answer.disagreeing] == [date(2021, 3, 1)]
