"""The city-hall kiosk in headless Chromium: a citizen's whole session, then the next citizen;
the evidence answer first, and the model's unchecked draft never on screen."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from assistant.components.store import RatingRow
from assistant.messages import message
from tests.transports.conftest import INVENTED, KEPT, drafting_app, loopback_socket, server_app, start_server

pytestmark = pytest.mark.browser
IDLE_SECONDS = 6
WRITE_DELAY_S = 0.3  # per streamed piece of the fake model's draft: it writes for about 7 s
IMPROVING = "Die Formulierung wird noch verbessert"

# every text the answer area showed, so the test can see the answer arrive in pieces
RECORD_ANSWER_STATES = """() => {
  window.__answerStates = [];
  const target = document.querySelector('#answer');
  new MutationObserver(() => window.__answerStates.push(target.innerText))
    .observe(target, {subtree: true, childList: true, characterData: true});
}"""


@pytest.fixture(scope="module")
def kiosk(llm_app, tmp_path_factory):
    """The app with the real bundled model (so answers stream) and a short idle reset."""
    app = server_app(llm_app, tmp_path_factory.mktemp("kiosk"), [])
    app.settings.web.idle_reset_s = IDLE_SECONDS
    server = start_server(app, loopback_socket())
    yield server
    server.stop()


def ask(page: Page, question: str) -> None:
    page.locator("#question textarea").fill(question)
    page.locator("#ask").click()


def test_a_citizen_session_from_question_to_rating_and_then_the_idle_reset(page, kiosk):
    page.goto(f"{kiosk.url}/kiosk/")
    expect(page.locator("#ai-disclosure")).to_contain_text("Sie sprechen mit einem KI-Assistenten")
    expect(page.locator("#ai-disclosure")).to_contain_text("nicht mit Ihrer Person verknüpft")
    page.evaluate(RECORD_ANSWER_STATES)

    ask(page, "Was kostet ein Personalausweis?")
    answer = page.locator("#answer")
    expect(page.locator("#thumbs-down")).to_be_visible(timeout=120_000)  # the final, logged answer is there
    expect(answer.locator(".improving")).to_have_count(0)  # it replaced the evidence answer
    expect(answer.locator("section.sources")).to_be_visible()
    expect(answer.locator(".answer-text")).to_contain_text("37,00 Euro")
    expect(answer.locator("section.sources mark").first).not_to_be_empty()  # the quote, highlighted in context
    disagreeing = answer.locator("section.disagreeing")
    expect(disagreeing).to_contain_text("Abweichende oder veraltete Quellen")
    expect(disagreeing).to_contain_text("Stand 2021-05-01")
    expect(disagreeing).to_contain_text("28,80")
    states = page.evaluate("window.__answerStates")
    assert any(IMPROVING in state and "37,00 Euro" in state for state in states), (
        "the evidence answer was not shown while the model wrote"
    )

    page.locator("#thumbs-down").click()
    page.get_by_role("radio", name="Veraltet", exact=True).check()
    page.locator("#feedback-comment textarea").fill("Die Gebühr stimmt nicht, meine Mail ist max@example.de")
    page.locator("#feedback-send").click()
    expect(page.locator("#feedback-thanks")).to_contain_text("Danke für Ihre Rückmeldung")
    with kiosk.app.store.session() as session:
        ratings = session.scalars(select(RatingRow)).all()
    assert [(r.rating, r.reason) for r in ratings] == [("down", "outdated")]
    assert "max@example.de" not in ratings[0].comment and "Die Gebühr stimmt nicht" in ratings[0].comment

    page.locator("#talk-to-person").click()
    expect(page.locator("#contact")).to_contain_text("0761 555-1000")
    expect(page.locator("#contact")).to_contain_text("Bürgerbüro")

    # the citizen walks away: after the idle time the next citizen sees nothing of this session
    expect(page.locator("#answer")).to_be_empty(timeout=(IDLE_SECONDS + 20) * 1000)
    expect(page.locator("#contact")).to_be_empty()
    expect(page.locator("#feedback-thanks")).to_be_empty()
    expect(page.locator("#thumbs-down")).to_be_hidden()
    expect(page.locator("#question textarea")).to_have_value("")


def test_the_language_picker_switches_the_screen_and_answers_follow_the_question(page, kiosk):
    page.goto(f"{kiosk.url}/kiosk/")
    page.locator("#language-picker").get_by_text("English").click()
    expect(page.locator("#ai-disclosure")).to_contain_text("You are talking to an AI assistant")
    expect(page.locator("#ask")).to_have_text("Ask")
    ask(page, "How much is the dog tax for the first dog?")
    answer = page.locator("#answer")
    expect(answer.locator("section.sources")).to_contain_text("Sources", timeout=120_000)
    expect(answer.locator("section.disagreeing")).to_contain_text("Disagreeing or outdated sources")


def test_the_kiosk_is_usable_with_the_keyboard_alone(page, kiosk):
    page.goto(f"{kiosk.url}/kiosk/")
    page.locator("#question textarea").focus()
    page.keyboard.type("Wann hat das Bürgerbüro am Samstag geöffnet?")
    page.keyboard.press("Enter")
    expect(page.locator("#answer section.sources")).to_be_visible(timeout=120_000)


def test_the_kiosk_with_an_answer_passes_the_wcag_aa_checks_of_axe(page, live_server):
    from axe_playwright_python.sync_playwright import Axe

    page.goto(f"{live_server.url}/kiosk/")
    ask(page, "Was kostet ein Personalausweis?")
    expect(page.locator("#answer section.disagreeing")).to_be_visible(timeout=120_000)
    page.locator("#thumbs-down").click()
    page.locator("#talk-to-person").click()
    expect(page.locator("#contact")).to_contain_text("Telefon")
    # Gradio fades a block while it updates; measure contrast on the settled screen
    expect(page.locator(".pending, .generating")).to_have_count(0, timeout=30_000)
    page.wait_for_timeout(500)
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa"]}})
    problems = [
        f"{v['id']} ({v['impact']}): {v['help']} - {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
    ]
    assert not problems, "\n".join(problems)


# set before asking: notes whether any text of the page ever contained the needle
WATCH_FOR = """(needle) => {
  window.__sawNeedle = false;
  const check = () => { if (document.body.textContent.includes(needle)) window.__sawNeedle = true; };
  new MutationObserver(check).observe(document.body,
    {subtree: true, childList: true, characterData: true, attributes: true});
}"""


@pytest.fixture(scope="module")
def drafting_kiosk(corpus_app, tmp_path_factory):
    """A fake model that writes slowly a draft with an invented fee (conftest.DRAFT)."""
    app = drafting_app(corpus_app, tmp_path_factory.mktemp("drafting-kiosk"), delay_s=WRITE_DELAY_S)
    server = start_server(app, loopback_socket())
    yield server
    server.stop()


def test_the_evidence_answer_is_shown_at_once_and_the_draft_never_reaches_the_screen(page, drafting_kiosk):
    page.goto(f"{drafting_kiosk.url}/kiosk/")
    page.evaluate(WATCH_FOR, "99,00")
    ask(page, "Was kostet ein Personalausweis?")

    answer = page.locator("#answer")
    notice = answer.locator(".improving[role=status]")
    expect(notice).to_contain_text(IMPROVING, timeout=120_000)  # while the model still writes
    expect(answer.locator(".answer-text")).to_contain_text(message("evidence_intro", "de"))
    expect(answer.locator("section.sources mark").first).to_contain_text("37,00 Euro")
    expect(answer.locator("section.disagreeing")).to_contain_text("28,80")
    expect(page.locator("#thumbs-up")).to_be_hidden()  # only the logged final answer is rated

    polls = 0
    while notice.count():  # poll the screen while the model writes
        assert "99,00" not in page.locator("body").inner_text()
        polls += 1
        page.wait_for_timeout(250)
    assert polls >= 3, "the evidence answer was not on screen while the model wrote"

    expect(page.locator("#thumbs-up")).to_be_visible()
    text = answer.locator(".answer-text")
    expect(text).to_contain_text(KEPT)  # the model's checked sentence
    expect(text).not_to_contain_text(message("evidence_intro", "de"))  # replaced the evidence answer
    expect(answer.locator("section.sources")).to_be_visible()
    assert not page.evaluate("window.__sawNeedle"), f"the invented sentence {INVENTED!r} reached the page"
    assert "99,00" not in page.content()


def test_why_this_answer_shows_the_passages_the_answer_rests_on(page, kiosk):
    page.goto(f"{kiosk.url}/kiosk/")
    ask(page, "Was kostet ein Personalausweis?")
    expect(page.locator("#thumbs-down")).to_be_visible(timeout=120_000)
    page.locator("#explain").click()
    explanation = page.locator("#explanation")
    expect(explanation).to_contain_text("Warum diese Antwort?", timeout=120_000)
    items = explanation.locator("li.attribution")
    expect(items.first).to_have_class(re.compile(r"\bsupports\b"))  # the answer rests on its first passage
    shown_first = items.first.locator("blockquote").inner_text()
    cited = page.locator("#answer section.sources").inner_text()
    assert shown_first.strip()[:30] in cited  # ... and that passage is one the answer cites
    expect(explanation).to_contain_text("Abweichende oder veraltete Quellen")  # the old fee is weighed too

    page.locator("#reset").click()  # the next citizen does not see it
    expect(explanation).to_be_empty()


def test_talk_to_a_person_hands_the_question_to_staff_with_the_contact_typed(page, kiosk):
    page.goto(f"{kiosk.url}/kiosk/")
    ask(page, "Wo ist das Fundbüro?")
    expect(page.locator("#thumbs-down")).to_be_visible(timeout=120_000)
    page.locator("#talk-to-person").click()
    expect(page.locator("#contact")).to_contain_text("Telefon")
    page.locator("#ticket-contact textarea, #ticket-contact input").first.fill("erika@example.de")
    page.locator("#ticket-message textarea").fill("Ich habe am 3. Mai meinen Schlüssel verloren, Tel. 0171 2345678.")
    page.locator("#ticket-send").click()
    expect(page.locator("#ticket-status")).to_contain_text("bei den Mitarbeitenden der Stadt")

    [item] = kiosk.app.review.queue(tag="ticket")
    assert item.question == "Wo ist das Fundbüro?" and item.channel == "kiosk"
    ticket = kiosk.app.review.item(item.id).ticket
    assert ticket.contact == "erika@example.de"  # kept as typed: the citizen asked to be contacted
    assert "Schlüssel" in ticket.message and "0171 2345678" not in ticket.message  # anything else redacted

    page.locator("#reset").click()  # the next citizen sees no trace of it
    expect(page.locator("#ticket-status")).to_be_empty()
    expect(page.locator("#ticket")).to_be_hidden()
