"""Evidence selection (the default scorer) on crafted pages: minimal answers.

Real components: the real e5 model and a real index of the pages.
"""

from __future__ import annotations

import pytest

from assistant.answering.evidence import select_evidence
from assistant.answering.retrieve import search
from assistant.app import App
from assistant.ingest.pipeline import ingest
from tests.conftest import make_settings, markdown, write

PASSPORT = """Den Reisepass beantragen Sie persönlich im Bürgerbüro.

Die Bearbeitung des Reisepasses dauert etwa drei bis vier Wochen.

Einen vorläufigen Reisepass erhalten Sie sofort, er ist ein Jahr gültig."""

ID_CARD = """Den Personalausweis beantragen Sie persönlich im Bürgerbüro.

Die Bearbeitung des Personalausweises dauert etwa zwei bis drei Wochen.

Der Personalausweis ist zehn Jahre gültig."""

QUESTION = "Wie lange dauert die Bearbeitung beim Reisepass?"


@pytest.fixture(scope="module")
def pages(tmp_path_factory, embedder) -> App:
    folder = tmp_path_factory.mktemp("evidence-pages")
    write(folder / "pages" / "reisepass.md", markdown("Reisepass", PASSPORT))
    write(folder / "pages" / "personalausweis.md", markdown("Personalausweis", ID_CARD))
    settings = make_settings(folder / "index")
    settings.llm.mode = "extractive"
    ingest([folder / "pages"], settings, embedder)
    return App(settings, embedder=embedder)


def _select(app: App, **evidence_settings):
    vector = app.embedder.embed_queries([QUESTION])[0]
    retrieval = app.settings.retrieval
    hits = search(app.index, app.embedder, QUESTION, retrieval, k=retrieval.evidence_pool, query_vector=vector)
    settings = app.settings.evidence.model_copy(update=evidence_settings)
    return select_evidence(QUESTION, vector, hits, app.index, settings, "de")


def test_a_similar_line_of_another_page_is_quoted_only_when_it_comes_close_to_the_best(pages):
    unlimited = _select(pages, other_page_gap=None, max_score_gap=None)
    assert "drei bis vier Wochen" in unlimited[0].quote  # the passport page answers
    assert any(e.doc_id != unlimited[0].doc_id for e in unlimited)  # ... and the ID-card page is quoted too

    focused = _select(pages, other_page_gap=0.0, max_score_gap=None)
    assert focused[0].quote == unlimited[0].quote
    assert {e.doc_id for e in focused} == {unlimited[0].doc_id}  # the citizen reads about the passport only
    assert [e.n for e in focused] == list(range(1, len(focused) + 1))  # numbered without gaps


def test_lines_far_below_the_best_are_left_out(pages):
    unlimited = _select(pages, other_page_gap=None, max_score_gap=None)
    short = _select(pages, other_page_gap=None, max_score_gap=0.0)
    assert len(unlimited) > 1 and [e.quote for e in short] == [unlimited[0].quote]
