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
