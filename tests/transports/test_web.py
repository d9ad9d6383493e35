"""Kiosk rendering (pure functions): escaping, dates, quotes in context, contact, disclosure."""

from datetime import date

from assistant.records import Answer, Contact, Disagreement, Document, Evidence
from assistant.transports.web import in_context, render_answer, render_contact, render_intro, safe_link


def test_rendered_answer_escapes_document_html_and_shows_dates():
    evidence = Evidence(
        n=1,
        doc_id="x",
        title="Hinweis <b>neu</b>",
        url="javascript:alert(1)",
        updated=date(2025, 3, 1),
        quote="<script>alert('x')</script> Gebühr 37,00 Euro",
        start=0,
        end=10,
        score=0.9,
    )
    answer = Answer(
        question="q", language="de", status="answered", answer="Antwort <img src=x> [1]", supporting=[evidence]
    )
    html = render_answer(answer)
    assert "<script>" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html and "37,00 Euro" in html
    assert "javascript:" not in html  # only https links to the city's domains become links
    assert "Stand 2025-03-01" in html


def test_links_only_to_the_citys_own_domains():
    domains = ["musterstadt.de"]
    assert safe_link("https://www.musterstadt.de/a", "A", domains).startswith("<a href=")
    for url in ("https://musterstadt.de.evil.example/a", "http://www.musterstadt.de/a", "https://evil.example"):
        assert "<a" not in safe_link(url, "A", domains)


def test_ai_disclosure_is_on_the_first_screen_in_both_languages():
    assert "KI-Assistent" in render_intro("de") and "nicht mit Ihrer Person verknüpft" in render_intro("de")
    assert "AI assistant" in render_intro("en") and "not linked to you" in render_intro("en")


def test_the_quote_is_highlighted_inside_its_surrounding_text():
    text = "# Personalausweis\n\nDer Ausweis gilt zehn Jahre. Er kostet 37,00 Euro. Zahlung mit Karte."
    doc = Document(doc_id="pa", title="Personalausweis", text=text, source="pa.md")
    quote = "Er kostet 37,00 Euro."
    start = text.index(quote)
    evidence = Evidence(
        n=1, doc_id="pa", title="Personalausweis", quote=quote, start=start, end=start + len(quote), score=0.9
    )
    shown = in_context(evidence, {"pa": doc})
    assert "Der Ausweis gilt zehn Jahre. <mark>Er kostet 37,00 Euro.</mark> Zahlung mit Karte." in shown


def test_disagreeing_sources_are_listed_separately_with_their_dates():
    evidence = Evidence(
        n=1,
        doc_id="pa",
        title="Personalausweis",
        updated=date(2025, 3, 1),
        quote="ab 24 Jahren: 37,00 Euro",
        start=0,
        end=10,
        score=0.9,
    )
    old = Disagreement(
        doc_id="pa-2021",
        title="Gebühren (Stand 2021)",
        updated=date(2021, 5, 1),
        quote="ab 24 Jahren: 28,80 Euro",
        conflicts_with=1,
        reason="amount: 28,80 vs 37,00",
    )
    html = render_answer(
        Answer(
            question="q",
            language="de",
            status="answered",
            answer="37,00 Euro [1]",
            supporting=[evidence],
            disagreeing=[old],
        )
    )
    sources, disagreeing = html.split("Abweichende oder veraltete Quellen", 1)
    assert "37,00 Euro" in sources and "28,80" not in sources
    assert "Stand 2021-05-01" in disagreeing and "amount: 28,80 vs 37,00" in disagreeing
    assert "Die Antwort folgt Quelle [1]" in disagreeing


def test_contact_shows_office_room_phone_and_hours():
    contact = Contact(
        office="Bürgerbüro <Rathaus>",
        room="Zimmer E.01",
        phone="0761 555-1000",
        hours=["Samstag: 9:00 bis 12:00 Uhr"],
        title="Bürgerbüro",
        url="https://www.musterstadt.de/buergerbuero",
    )
    html = render_contact(contact, "en")
    assert "Bürgerbüro &lt;Rathaus&gt;" in html and "0761 555-1000" in html and "Zimmer E.01" in html
    assert "Opening hours" in html and "Samstag: 9:00 bis 12:00 Uhr" in html


def test_quotes_from_one_document_are_one_source_with_several_highlighted_lines():
    text = (
        "# Hundesteuer\n\n## Steuersätze\n\n- erster Hund: 120,00 Euro im Jahr\n- zweiter Hund: 180,00 Euro im Jahr\n"
    )
    doc = Document(doc_id="hs", title="Hundesteuer", text=text, source="hs.md", updated=date(2025, 1, 10))

    def quote(n: int, line: str) -> Evidence:
        start = text.index(line)
        return Evidence(
            n=n,
            doc_id="hs",
            title="Hundesteuer",
            updated=doc.updated,
            quote=line,
            start=start,
            end=start + len(line),
            score=0.9,
        )

    answer = Answer(
        question="q",
        language="de",
        status="answered",
        answer="120,00 Euro [1]\n180,00 Euro [2]",
        supporting=[quote(1, "- erster Hund: 120,00 Euro im Jahr"), quote(2, "- zweiter Hund: 180,00 Euro im Jahr")],
    )
    html = render_answer(answer, documents={"hs": doc})
    assert html.count("<li>") == 1 and html.count('class="date"') == 1  # one source, one title and date
    assert html.count("<mark>") == 2 and html.count("<blockquote") == 1  # both lines marked in one passage
    assert '[1]</span> <span class="n" id="source-2">[2]' in html
    assert [s.doc_id for s in answer.sources] == ["hs"] and [q.n for q in answer.sources[0].quotes] == [1, 2]
    assert answer.model_dump(mode="json")["sources"][0]["quotes"][1]["quote"] == "- zweiter Hund: 180,00 Euro im Jahr"


def test_why_this_answer_lists_each_passage_with_its_effect_and_marks_disagreeing_ones():
    from assistant.records import Attribution, Explanation
    from assistant.transports.web import render_explanation

    def attribution(n: int, role: str, score: float, effect: str) -> Attribution:
        quote = f"Satz <{n}>"
        return Attribution(n=n, role=role, doc_id=f"d{n}", title=f"Seite {n}", quote=quote, score=score, effect=effect)

    explanation = Explanation(
        question="Was kostet ein Personalausweis?",
        answer="37,00 Euro.",
        status="answered",
        model="m",
        attributions=[
            attribution(1, "supporting", 4.2, "supports"),
            attribution(2, "disagreeing", -1.3, "pulls against"),
        ],
    )
    html = render_explanation(explanation, "de")
    assert html.index("trägt die Antwort") < html.index("spricht dagegen")  # strongest support first
    assert "Satz &lt;1&gt;" in html and "<1>" not in html  # quotes are text, never markup
    assert "Abweichende oder veraltete Quellen" in html.split("[2]")[1]  # the disagreeing one is marked
    english = render_explanation(explanation.model_copy(update={"attributions": []}), "en")
    assert "rests on no passage" in english
