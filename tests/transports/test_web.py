from datetime import date

from assistant.records import Answer, Evidence
from assistant.transports.web import DISCLOSURE, render_answer


def test_rendered_answer_escapes_document_html_and_shows_dates():
    evidence = Evidence(n=1, doc_id="x", title="Hinweis <b>neu</b>", url="javascript:alert(1)",
                        updated=date(2025, 3, 1), quote="<script>alert('x')</script> Gebühr 37,00 Euro",
                        start=0, end=10, score=0.9)
    answer = Answer(question="q", language="de", status="answered", answer="Antwort <img src=x> [1]",
                    supporting=[evidence])
    html = render_answer(answer)
    assert "<script>" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html and "37,00 Euro" in html
    assert "javascript:" not in html  # only https links become links
    assert "Stand 2025-03-01" in html


def test_ai_disclosure_is_on_the_first_screen():
    assert "KI-Assistent" in DISCLOSURE and "AI assistant" in DISCLOSURE


def test_disagreeing_sources_are_listed_separately_with_their_dates():
    from assistant.records import Disagreement

    evidence = Evidence(n=1, doc_id="pa", title="Personalausweis", updated=date(2025, 3, 1),
                        quote="ab 24 Jahren: 37,00 Euro", start=0, end=10, score=0.9)
    old = Disagreement(doc_id="pa-2021", title="Gebühren (Stand 2021)", updated=date(2021, 5, 1),
                       quote="ab 24 Jahren: 28,80 Euro", conflicts_with=1, reason="amount: 28,80 vs 37,00")
    html = render_answer(Answer(question="q", language="de", status="answered", answer="37,00 Euro [1]",
                                supporting=[evidence], disagreeing=[old]))
    sources, disagreeing = html.split("Abweichende oder veraltete Quellen")
    assert "37,00 Euro" in sources and "28,80" not in sources
    assert "Stand 2021-05-01" in disagreeing and "amount: 28,80 vs 37,00" in disagreeing
