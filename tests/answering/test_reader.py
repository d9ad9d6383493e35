"""The evidence reader on crafted pages: the answering line of a list, duplicates once, abstention.

Real components: the bundled reader artifact, the real e5 model, a real index of the pages.
"""

from __future__ import annotations

import numpy as np
import pytest

from assistant.answering.reader import (
    Candidates,
    Selection,
    choose,
    collect,
    load_model,
    mark_answer_types,
    read_evidence,
    score_lines,
    types_present,
)
from assistant.answering.retrieve import search
from assistant.app import App
from assistant.ingest.pipeline import ingest
from tests.conftest import make_settings, markdown, write

PASSPORT = """Den Reisepass beantragen Sie persönlich im Bürgerbüro.

Der Reisepass ist zehn Jahre gültig, für Personen unter 24 Jahren sechs Jahre.

Die Gebühren für den Reisepass:

- Antragsteller unter 24 Jahren: 37,50 Euro
- Antragsteller ab 24 Jahren: 70,00 Euro
- Expresszuschlag: 32,00 Euro

Die Bearbeitung dauert etwa drei bis vier Wochen.

Der Reisepass ist zehn Jahre gültig, für Personen unter 24 Jahren sechs Jahre.

Bitte bringen Sie ein aktuelles biometrisches Passfoto mit."""

LIBRARY = """Die Stadtbibliothek hat montags bis freitags von 10 bis 19 Uhr geöffnet.

Der Bibliotheksausweis kostet für Erwachsene 15 Euro im Jahr.

Kinder und Jugendliche leihen kostenlos aus."""


@pytest.fixture(scope="module")
def pages(tmp_path_factory, embedder) -> App:
    folder = tmp_path_factory.mktemp("reader-pages")
    write(folder / "pages" / "reisepass.md", markdown("Reisepass", PASSPORT))
    write(folder / "pages" / "bibliothek.md", markdown("Stadtbibliothek", LIBRARY))
    settings = make_settings(folder / "index")
    settings.evidence.selector = "reader"
    settings.llm.mode = "extractive"
    ingest([folder / "pages"], settings, embedder)
    return App(settings, embedder=embedder)


def _read(app: App, question: str):
    vector = app.embedder.embed_queries([question])[0]
    retrieval = app.settings.retrieval
    hits = search(app.index, app.embedder, question, retrieval, k=retrieval.evidence_pool, query_vector=vector)
    model = load_model()
    return read_evidence(*score_lines(question, vector, hits, app.index, model, "de"), app.index, model.selection), hits


def test_the_reader_quotes_the_answering_line_of_a_list(pages):
    evidence, _ = _read(pages, "Was kostet der Expresszuschlag für den Reisepass?")
    quotes = [e.quote for e in evidence]
    assert any("Expresszuschlag: 32,00 Euro" in q for q in quotes), quotes
    assert all(e.doc_id == evidence[0].doc_id for e in evidence)  # one page answers it
    assert not any("Bearbeitung" in q or "Passfoto" in q for q in quotes)  # the passage stays in the fee list


def test_a_fee_question_is_answered_with_the_whole_fee_list(pages):
    evidence, _ = _read(pages, "Welche Gebühren fallen für den Reisepass an?")
    quotes = " ".join(e.quote for e in evidence)
    assert "37,50 Euro" in quotes and "70,00 Euro" in quotes, quotes  # both ages' fees, not one
    assert "Bibliothek" not in quotes


def test_a_sentence_the_page_repeats_is_quoted_once(pages):
    evidence, hits = _read(pages, "Wie lange ist der Reisepass gültig?")
    quotes = [e.quote for e in evidence]
    assert any("zehn Jahre gültig" in q for q in quotes), quotes
    assert sum("zehn Jahre gültig" in q for q in quotes) == 1
    found = collect(hits, pages.index)  # the page holds it twice: one near-duplicate group
    twice = [i for i, text in enumerate(found.texts) if "zehn Jahre gültig" in text]
    assert len(twice) == 2 and found.group[twice[1]] == twice[0]


def test_the_answer_path_abstains_when_no_line_answers(pages):
    answer = pages.answers.answer("Wo kann ich meinen Hund zur Hundesteuer anmelden?")
    assert answer.status == "abstained"
    assert answer.supporting == []


def test_an_answering_line_is_more_likely_than_any_line_of_an_unrelated_question(pages):
    answered, _ = _read(pages, "Wann hat die Stadtbibliothek geöffnet?")
    unrelated, _ = _read(pages, "Wo kann ich meinen Hund zur Hundesteuer anmelden?")
    assert answered and "10 bis 19 Uhr" in answered[0].quote
    assert max((e.score for e in unrelated), default=0.0) < answered[0].score


def _page_of(probabilities: list[float], headings: tuple[int, ...] = ()) -> Candidates:
    n = len(probabilities)
    return Candidates(
        doc_ids=["page"] * n,
        page=[0] * n,
        intro=[-1] * n,
        group=list(range(n)),
        quotable=[i not in headings for i in range(n)],
    )


def test_the_best_line_brings_the_passage_that_continues_it():
    # line 2 answers; 3 and 4 continue it (lower, as continuations share few words with the question)
    probabilities = np.array([0.02, 0.3, 0.9, 0.25, 0.22, 0.05, 0.3])
    passage = Selection(answer=0.5, line=0.5, max_lines=1, extend=0.2, block=5)
    assert choose(probabilities, _page_of(list(probabilities)), passage) == [1, 2, 3, 4]  # 5 ends it, 6 is beyond
    shorter = Selection(answer=0.5, line=0.5, max_lines=1, extend=0.2, block=3)
    assert choose(probabilities, _page_of(list(probabilities)), shorter) == [2, 3, 4]
    single = Selection(answer=0.5, line=0.5, max_lines=1)  # extend off: the line alone
    assert choose(probabilities, _page_of(list(probabilities)), single) == [2]
    # a heading inside the passage is skipped, not quoted and not an end
    assert choose(probabilities, _page_of(list(probabilities), headings=(3,)), passage) == [1, 2, 4]


def test_a_cost_question_gets_the_pages_line_with_an_amount_when_the_best_line_has_none():
    texts = [
        "Den Bibliotheksausweis erhalten Sie an der Theke.",  # best line, no amount
        "Der Bibliotheksausweis kostet 15 Euro im Jahr.",
        "Die Bücherhalle Nord kostet 3 Euro Eintritt.",  # an amount, but on another page
    ]
    found = mark_answer_types(
        Candidates(
            doc_ids=["a", "a", "b"],
            page=[0, 0, 1],
            intro=[-1] * 3,
            group=[0, 1, 2],
            quotable=[True] * 3,
            texts=texts,
        ),
        "Was kostet der Bibliotheksausweis?",
    )
    probabilities = np.array([0.8, 0.1, 0.3])
    without = Selection(answer=0.5, line=0.5, max_lines=2)
    assert choose(probabilities, found, without) == [0]
    assert not types_present([0], found)  # the answer path would refuse this answer
    typed = Selection(answer=0.5, line=0.5, max_lines=2, typed=0.05)
    assert choose(probabilities, found, typed) == [0, 1]  # the amount of the same page, not the other page's
    assert types_present([0, 1], found)
    assert choose(probabilities, found, Selection(answer=0.5, line=0.5, max_lines=2, typed=0.2)) == [0]


def _scorer_app(pages: App, reader_gate: float | None) -> App:
    settings = pages.settings.model_copy(deep=True)
    settings.evidence.selector = "scorer"
    settings.evidence.reader_gate = reader_gate
    return App(settings, embedder=pages.embedder)


def test_a_scorer_answer_carries_the_readers_confidence_and_its_opt_in_gate_abstains_below_it(pages):
    question = "Wann hat die Stadtbibliothek geöffnet?"
    plain = _scorer_app(pages, None).answers.answer(question)
    assert plain.status == "answered" and "10 bis 19 Uhr" in plain.answer and plain.reader_confidence is None

    answer = _scorer_app(pages, -1.0).answers.answer(question)  # the artifact's own threshold
    assert answer.status == "answered" and answer.answer == plain.answer  # the scorer's quotes, unchanged
    assert answer.reader_confidence is not None and answer.reader_confidence >= load_model().selection.answer
    stricter = _scorer_app(pages, min(answer.reader_confidence + 0.01, 1.0)).answers.answer(question)
    assert stricter.status == "abstained" and stricter.supporting == []
