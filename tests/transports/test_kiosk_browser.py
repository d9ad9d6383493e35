"""The city-hall kiosk in headless Chromium: a citizen's whole session, then the next citizen."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from assistant.components.store import RatingRow
from tests.transports.conftest import loopback_socket, server_app, start_server

pytestmark = pytest.mark.browser
IDLE_SECONDS = 6

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
    expect(answer.locator("section.sources")).to_be_visible(timeout=120_000)
    expect(answer.locator(".answer-text")).to_contain_text("37,00 Euro")
    expect(answer.locator("section.sources mark").first).not_to_be_empty()  # the quote, highlighted in context
    disagreeing = answer.locator("section.disagreeing")
    expect(disagreeing).to_contain_text("Abweichende oder veraltete Quellen")
    expect(disagreeing).to_contain_text("Stand 2021-05-01")
    expect(disagreeing).to_contain_text("28,80")
    states = page.evaluate("window.__answerStates")
    assert any(state.rstrip().endswith("…") and "Einen Moment" not in state for state in states), (
        "the model's answer was not shown while it was being written"
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
