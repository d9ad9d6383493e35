"""Answers and disagreeing sources by fact: the fitting fee row, one entry per outdated page."""

from datetime import date

from assistant.answering.facts.answers import FactBook, answer_by_facts, page_conflicts
from assistant.records import Document, Evidence

TODAY = date(2026, 12, 1)


def page(doc_id: str, title: str, body: str, updated: date, language: str = "de", **extra) -> Document:
    return Document(
        doc_id=doc_id,
        title=title,
        text=f"# {title}\n\n{body}",
        source=f"{doc_id}.md",
        updated=updated,
        language=language,
        **extra,
    )


DOG_TAX = page(
    "hundesteuer",
    "Hundesteuer",
    "## Steuersätze\n\n- erster Hund: 120,00 Euro im Jahr\n- zweiter Hund: 180,00 Euro im Jahr\n"
    "- jeder weitere Hund: 180,00 Euro im Jahr\n- gefährlicher Hund (Listenhund): 720,00 Euro im Jahr",
    date(2025, 1, 10),
)
DOG_TAX_2019 = page(
    "hundesteuer-satzung-2019",
    "Satzung über die Erhebung der Hundesteuer (Hundesteuersatzung)",
    "## § 2 Steuersatz\n\n- für den ersten Hund: 96,00 Euro\n- für den zweiten Hund: 144,00 Euro\n"
    "- für jeden weiteren Hund: 144,00 Euro",
    date(2019, 11, 28),
)
DOG_TAX_EN = page(
    "en/dog-tax",
    "Dog tax",
    "## Tax rates\n\n- first dog: EUR 96.00 per year\n- each additional dog: EUR 144.00 per year",
    date(2020, 3, 15),
    language="en",
)
ID_CARD = page(
    "personalausweis",
    "Personalausweis beantragen",
    "## Gebühren\n\n- ab 24 Jahren: 37,00 Euro\n- unter 24 Jahren: 22,80 Euro",
    date(2025, 3, 1),
)
ID_CARD_2021 = page(
    "personalausweis-2021",
    "Gebühren Personalausweis (Stand 2021)",
    "## Gebühren\n\n- ab 24 Jahren: 28,80 Euro\n- unter 24 Jahren: 22,80 Euro",
    date(2021, 5, 1),
)
PASSPORT = page(
    "reisepass",
    "Reisepass beantragen",
    "## Gebühren\n\n- ab 24 Jahren: 70,00 Euro\n- unter 24 Jahren: 37,50 Euro",
    date(2025, 3, 1),
)


def quote(doc: Document, text: str, n: int = 1) -> Evidence:
    start = doc.text.index(text)
    return Evidence(n=n, doc_id=doc.doc_id, title=doc.title, quote=text, start=start, end=start + len(text), score=0.9)


def book(*docs: Document) -> FactBook:
    return FactBook({doc.doc_id: doc for doc in docs})


def ask(question: str, evidence: list[Evidence], facts: FactBook, language: str = "de"):
    return answer_by_facts(question, language, evidence, [], facts, today=TODAY)


def test_one_dog_gets_the_first_dog_row_not_each_further_dog():
    # the kiosk once answered 180 EUR from "jeder weitere Hund" for this question
    wrong = quote(DOG_TAX, "- jeder weitere Hund: 180,00 Euro im Jahr")
    result = ask("Was kostet die Hundesteuer für einen Hund?", [wrong], book(DOG_TAX))
    assert [e.quote for e in result.evidence] == ["- erster Hund: 120,00 Euro im Jahr"]
    assert result.disagreeing == []


def test_an_older_page_disagrees_once_with_both_dates_and_a_german_reason():
    facts = book(DOG_TAX, DOG_TAX_2019, ID_CARD)
    evidence = [quote(DOG_TAX, "- erster Hund: 120,00 Euro im Jahr")]
    result = ask("Wie hoch ist die Hundesteuer?", evidence, facts)
    assert [d.doc_id for d in result.disagreeing] == ["hundesteuer-satzung-2019"]  # one entry per page
    reason = result.disagreeing[0].reason
    assert "28.11.2019" in reason and "10.01.2025" in reason
    assert "96,00 Euro" in reason and "120,00 Euro" in reason and "heute gilt" in reason
    assert "144,00 Euro" in reason  # the page's other outdated rows are in the same entry
    quoted = {e.quote for e in result.evidence}
    assert not any("96,00" in q or "144,00" in q for q in quoted)  # the outdated value is not support


def test_the_newer_page_answers_even_when_the_older_one_was_selected():
    old = quote(ID_CARD_2021, "- ab 24 Jahren: 28,80 Euro")
    result = ask("Was kostet ein Personalausweis? Ich bin 30.", [old], book(ID_CARD, ID_CARD_2021))
    assert [e.quote for e in result.evidence] == ["- ab 24 Jahren: 37,00 Euro"]
    assert [(d.doc_id, d.updated) for d in result.disagreeing] == [("personalausweis-2021", date(2021, 5, 1))]


def test_an_english_question_gets_the_reason_in_english():
    facts = book(DOG_TAX, DOG_TAX_EN)
    result = ask(
        "How much is the dog tax for one dog?", [quote(DOG_TAX_EN, "- first dog: EUR 96.00 per year")], facts, "en"
    )
    assert [e.doc_id for e in result.evidence] == ["hundesteuer"]
    assert [d.doc_id for d in result.disagreeing] == ["en/dog-tax"]
    assert "15 March 2020" in result.disagreeing[0].reason and "applies" in result.disagreeing[0].reason


def test_another_service_never_disagrees():
    facts = book(ID_CARD, PASSPORT)
    evidence = [quote(ID_CARD, "- ab 24 Jahren: 37,00 Euro"), quote(PASSPORT, "- ab 24 Jahren: 70,00 Euro", 2)]
    result = ask("Was kostet ein Personalausweis für Erwachsene?", evidence, facts)
    assert result.disagreeing == []
    assert [e.doc_id for e in result.evidence] == ["personalausweis"]  # the passport row is not the answer


def test_the_same_value_on_two_pages_is_no_conflict():
    same = page("pa-copy", "Personalausweis", "- ab 24 Jahren: 37,00 Euro", date(2024, 1, 1))
    result = ask("Personalausweis Kosten ab 24?", [quote(ID_CARD, "- ab 24 Jahren: 37,00 Euro")], book(ID_CARD, same))
    assert result.disagreeing == []


def test_a_notice_in_force_closes_the_saturday_hours():
    hours = page(
        "bb",
        "Bürgerbüro – Öffnungszeiten",
        "- Montag: 8:00 bis 16:00 Uhr\n- Samstag: 9:00 bis 12:00 Uhr",
        date(2025, 2, 3),
    )
    notice = page(
        "bb-hinweis",
        "Hinweis – Geänderte Öffnungszeiten des Bürgerbüros am Samstag",
        "Ab dem 1. November 2026 ist das Bürgerbüro samstags geschlossen.",
        date(2026, 10, 5),
        valid_until=date(2027, 3, 31),
    )
    evidence = [quote(hours, "- Samstag: 9:00 bis 12:00 Uhr")]
    result = ask("Hat das Bürgerbüro samstags geöffnet?", evidence, book(hours, notice))
    assert result.evidence[0].doc_id == "bb-hinweis"
    assert [d.doc_id for d in result.disagreeing] == ["bb"]
    assert "geschlossen" in result.disagreeing[0].reason


def test_staff_list_of_conflicting_pages_names_the_fact_both_values_and_dates():
    conflicts = page_conflicts(book(ID_CARD, ID_CARD_2021, PASSPORT), today=TODAY)
    assert [(c.current.doc_id, c.older.doc_id, c.current.raw, c.older.raw) for c in conflicts] == [
        ("personalausweis", "personalausweis-2021", "37,00 Euro", "28,80 Euro")
    ]  # the same under-24 fee and the passport's fees are no conflict
    assert conflicts[0].older.updated == date(2021, 5, 1)


PARKING = page(
    "bewohnerparken",
    "Bewohnerparkausweis",
    "## Gebühren\n\n- Pkw bis 4,20 m: 30,00 Euro im Jahr\n- Pkw bis 4,70 m: 60,00 Euro im Jahr\n"
    "- Pkw über 4,70 m: 90,00 Euro im Jahr\n- Motorrad: 20,00 Euro im Jahr\n"
    "- Elektrofahrzeug: 15,00 Euro im Jahr\n- Zweitausweis: 10,00 Euro im Jahr",
    date(2025, 2, 1),
)


def test_a_long_fee_table_quotes_some_rows_and_asks_which_of_the_others_applies():
    evidence = [quote(PARKING, "- Pkw bis 4,20 m: 30,00 Euro im Jahr")]
    result = answer_by_facts("Was kostet ein Bewohnerparkausweis?", "de", evidence, [], book(PARKING), 4, TODAY)
    shown = [e.quote for e in result.evidence]
    assert len(shown) == 4
    # every fitting row is either quoted or named in the question back to the citizen
    named = " ".join(result.more_rows)
    for row in ("4,20 m", "4,70 m", "über 4,70 m", "Motorrad", "Elektrofahrzeug", "Zweitausweis"):
        assert any(row in q for q in shown) or row in named, row
    assert not any(label in " ".join(shown) for label in result.more_rows)


def test_a_short_fee_table_is_quoted_whole_without_asking_back():
    evidence = [quote(ID_CARD, "- ab 24 Jahren: 37,00 Euro")]
    result = ask("Was kostet ein Personalausweis?", evidence, book(ID_CARD))
    assert len(result.evidence) == 2 and result.more_rows == []
