import pytest

from assistant.answering.retrieve import HybridRetriever, rrf, search


def top_docs(app, query, k=5, **kwargs):
    hits = search(app.index, app.embedder, query, app.settings.retrieval, k=k, **kwargs)
    return [hit.chunk.doc_id for hit in hits]


def test_rrf_prefers_items_ranked_well_by_several_lists():
    fused = rrf([(1.0, ["a", "b", "c"]), (1.0, ["b", "c", "a"])], k=60)
    assert max(fused, key=fused.get) == "b"  # 1st + 2nd beats 1st + 3rd
    weighted = rrf([(1.0, ["a", "b"]), (0.2, ["b", "a"])], k=60)
    assert max(weighted, key=weighted.get) == "a"  # a low-weight list cannot outvote


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Was kostet ein Personalausweis?", "personalausweis"),
        ("Wann wird der Sperrmüll abgeholt und wie melde ich ihn an?", "sperrmuell"),
        ("Hundesteuer erster Hund Betrag", "hundesteuer"),
        ("Wo beantrage ich Kindergeld?", "kindergeld"),
    ],
)
def test_german_questions_find_the_right_page(corpus_app, question, expected):
    assert expected in top_docs(corpus_app, question, k=5)  # recall@5, as in the benchmark


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("How much does a German ID card cost?", {"personalausweis", "en/id-card-and-passport"}),
        ("Where can I get a certificate of good conduct?", {"fuehrungszeugnis"}),
        ("How do I register a business?", {"gewerbeanmeldung"}),
    ],
)
def test_english_questions_find_german_pages(corpus_app, question, expected):
    found = top_docs(corpus_app, question, k=5, language="de")  # German pages only
    assert expected & set(found), found


def test_dense_alone_crosses_languages_where_bm25_cannot(corpus_app):
    question = "certificate of good conduct"
    no_glossary = corpus_app.settings.retrieval.model_copy(update={"glossed_bm25_weight": 0.0})
    assert "fuehrungszeugnis" in top_docs(corpus_app, question, k=5, mode="dense", language="de")
    hits = search(corpus_app.index, corpus_app.embedder, question, no_glossary, k=5, mode="bm25", language="de")
    assert "fuehrungszeugnis" not in [hit.chunk.doc_id for hit in hits]


def test_the_glossary_lets_bm25_find_the_german_page_for_an_english_service_name(corpus_app):
    # "certificate of good conduct" is "Führungszeugnis" in the bilingual glossary (assistant/answering/facts/words.py)
    found = top_docs(corpus_app, "certificate of good conduct", k=3, mode="bm25", language="de")
    assert found[0] == "fuehrungszeugnis", found


def test_filters_restrict_language_and_department(corpus_app):
    hits = search(
        corpus_app.index, corpus_app.embedder, "waste collection", corpus_app.settings.retrieval, k=10, language="en"
    )
    assert hits and all(hit.chunk.language == "en" for hit in hits)
    department = corpus_app.index.documents["hundesteuer"].department
    hits = search(
        corpus_app.index, corpus_app.embedder, "Gebühren", corpus_app.settings.retrieval, k=10, department=department
    )
    assert hits and all(hit.chunk.department == department for hit in hits)


def test_langchain_retriever_interface(corpus_app):
    retriever = HybridRetriever(
        index=corpus_app.index, embedder=corpus_app.embedder, settings=corpus_app.settings.retrieval, k=3
    )
    docs = retriever.invoke("Öffnungszeiten Bürgerbüro")
    assert len(docs) == 3
    first = docs[0]
    source = corpus_app.index.documents[first.metadata["doc_id"]].text
    assert source[first.metadata["start"] : first.metadata["end"]] == first.page_content
