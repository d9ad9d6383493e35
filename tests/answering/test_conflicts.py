from datetime import date

from assistant.answering.conflicts import find_conflicts
from assistant.ingest.chunking import chunk_document
from assistant.records import Document, Evidence, SearchHit

TODAY = date(2026, 11, 26)


def hits_for(*docs: Document) -> list[SearchHit]:
    hits = []
    for doc in docs:
        for chunk in chunk_document(doc):
            hits.append(SearchHit(chunk=chunk, score=1.0, rank=len(hits) + 1, dense_score=0.9))
    return hits


def evidence_from(doc: Document, quote: str, n: int = 1) -> Evidence:
    start = doc.text.index(quote)
    return Evidence(
        n=n,
        doc_id=doc.doc_id,
        title=doc.title,
        quote=quote,
        start=start,
        end=start + len(quote),
        score=0.9,
        updated=doc.updated,
    )


def page(doc_id: str, title: str, text: str, updated: date, valid_until: date | None = None) -> Document:
    return Document(
        doc_id=doc_id,
        title=title,
        text=f"# {title}\n\n{text}",
        source=f"{doc_id}.md",
        updated=updated,
        valid_until=valid_until,
        language="de",
    )


CURRENT = page(
    "pa",
    "Personalausweis beantragen",
    "## Gebühren\n\n- ab 24 Jahren: 37,00 Euro\n- unter 24 Jahren: 22,80 Euro",
    date(2025, 3, 1),
)
OLD = page(
    "pa-2021",
    "Gebühren Personalausweis (Stand 2021)",
    "## Gebühren\n\n- ab 24 Jahren: 28,80 Euro\n- unter 24 Jahren: 22,80 Euro",
    date(2021, 5, 1),
)


def test_an_older_page_with_another_fee_disagrees_and_the_newer_one_is_followed():
    evidence = [evidence_from(CURRENT, "- ab 24 Jahren: 37,00 Euro")]
    kept, disagreeing = find_conflicts(evidence, hits_for(CURRENT, OLD), today=TODAY)
    assert kept == evidence
    (conflict,) = disagreeing
    assert conflict.doc_id == "pa-2021" and conflict.updated == date(2021, 5, 1)
    assert conflict.quote == "- ab 24 Jahren: 28,80 Euro" and conflict.conflicts_with == 1
    assert "28,80" in conflict.reason and "37,00" in conflict.reason
    assert "2025-03-01 over 2021-05-01" in conflict.reason


def test_when_the_outdated_page_was_selected_the_newer_one_replaces_it():
    evidence = [evidence_from(OLD, "- ab 24 Jahren: 28,80 Euro")]
    kept, disagreeing = find_conflicts(evidence, hits_for(OLD, CURRENT), today=TODAY)
    assert kept[0].doc_id == "pa" and "37,00 Euro" in kept[0].quote and kept[0].n == 1
    assert disagreeing[0].doc_id == "pa-2021" and disagreeing[0].updated == date(2021, 5, 1)


def test_same_value_is_no_conflict():
    evidence = [evidence_from(CURRENT, "- unter 24 Jahren: 22,80 Euro")]
    _, disagreeing = find_conflicts(evidence, hits_for(CURRENT, OLD), today=TODAY)
    assert disagreeing == []


def test_a_notice_in_force_overrides_the_opening_hours_page():
    hours = page(
        "oeffnungszeiten",
        "Öffnungszeiten des Bürgerbüros",
        "- Montag: 8:00 bis 12:00 Uhr\n- Samstag: 9:00 bis 12:00 Uhr",
        date(2025, 2, 3),
    )
    notice = page(
        "hinweis",
        "Hinweis: Bürgerbüro samstags geschlossen",
        "Ab dem 1. November 2026 ist das Bürgerbüro samstags geschlossen.",
        date(2026, 10, 5),
        valid_until=date(2027, 3, 31),
    )
    evidence = [evidence_from(hours, "- Samstag: 9:00 bis 12:00 Uhr")]
    kept, disagreeing = find_conflicts(evidence, hits_for(hours, notice), today=TODAY)
    assert kept[0].doc_id == "hinweis" and "geschlossen" in kept[0].quote
    assert disagreeing[0].doc_id == "oeffnungszeiten" and "newer notice" in disagreeing[0].reason
    # the same notice after its end date contradicts nothing
    expired = notice.model_copy(update={"valid_until": date(2026, 11, 1)})
    kept, disagreeing = find_conflicts(evidence, hits_for(hours, expired), today=TODAY)
    assert kept == evidence and disagreeing == []


def test_unrelated_pages_with_other_amounts_do_not_conflict():
    library = page("bibliothek", "Stadtbibliothek", "- Jahresausweis für Erwachsene: 20,00 Euro", date(2025, 1, 1))
    evidence = [evidence_from(CURRENT, "- ab 24 Jahren: 37,00 Euro")]
    _, disagreeing = find_conflicts(evidence, hits_for(CURRENT, library), today=TODAY)
    assert disagreeing == []
