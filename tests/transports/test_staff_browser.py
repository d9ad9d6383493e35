"""The loop that improves answers, in headless Chromium: a citizen gets no answer at the kiosk (and
says so with a reason), staff write the correct one, and the next citizen asking the same thing - at
the kiosk, or in other words through the widget on the city's website - gets it, marked verified."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from assistant.feedback.auth import hash_password
from tests.transports.conftest import loopback_socket, server_app, start_server

pytestmark = pytest.mark.browser
PASSWORD = "Rathaus-Test-2026!"
QUESTION = "Wo bekomme ich einen Angelschein?"
CORRECTION = "Den Fischereischein stellt das Bürgerbüro im Rathaus aus, Erdgeschoss, Zimmer E.01–E.12."
QUOTE = "Sie finden das Bürgerbüro im Rathaus, Erdgeschoss, Zimmer E.01–E.12."
PARAPHRASE = "Wo kann ich einen Angelschein beantragen?"  # other words, same request


@pytest.fixture(scope="module")
def city_hall(corpus_app, tmp_path_factory):
    """Kiosk and staff review in one server, with one staff account."""
    app = server_app(corpus_app, tmp_path_factory.mktemp("city-hall"), [])
    app.settings.staff.users = {"anna": hash_password(PASSWORD)}
    app.settings.staff.curated_eval_path = tmp_path_factory.mktemp("eval") / "curated.jsonl"
    app.settings.store.cache_s = 0  # the kiosk sees the correction at once
    server = start_server(app, loopback_socket())
    yield server
    server.stop()


def ask_at_kiosk(page, url: str) -> None:
    page.goto(f"{url}/kiosk/")
    page.locator("#question textarea").fill(QUESTION)
    page.locator("#ask").click()


def correct_as_staff(browser, url: str, question: str) -> None:
    """Anna logs in, picks the question from the review queue and writes the verified answer."""
    staff = browser.new_context(locale="de-DE").new_page()
    staff.set_default_timeout(60_000)
    staff.goto(f"{url}/staff/app/")
    expect(staff).to_have_url(f"{url}/staff/login", timeout=10_000)
    staff.locator("#username").fill("anna")
    staff.locator("#password").fill(PASSWORD)
    staff.locator("#login-submit").click()
    staff.wait_for_url("**/staff/app/")
    expect(staff.locator("#staff-queue")).to_contain_text(question, timeout=30_000)
    staff.locator("#staff-item-select input").click()
    staff.get_by_role("option").filter(has_text=question).first.click()
    expect(staff.locator("#staff-item article")).to_contain_text(question, timeout=30_000)
    staff.locator("#staff-correct-text textarea").fill(CORRECTION)
    staff.locator("#staff-correct-doc input, #staff-correct-doc textarea").first.fill("buergerbuero-oeffnungszeiten")
    staff.locator("#staff-correct-quote textarea").fill(QUOTE)
    staff.locator("#staff-correct-submit").click()
    expect(staff.locator("#staff-action-status")).to_contain_text("curated answer", timeout=60_000)
    staff.context.close()


def test_staff_correction_becomes_the_answer_at_the_kiosk(browser, city_hall):
    citizen = browser.new_context(locale="de-DE").new_page()
    citizen.set_default_timeout(60_000)
    ask_at_kiosk(citizen, city_hall.url)
    expect(citizen.locator("#answer .answer-text")).to_contain_text("nichts Verlässliches gefunden", timeout=120_000)
    citizen.context.close()

    correct_as_staff(browser, city_hall.url, QUESTION)

    next_citizen = browser.new_context(locale="de-DE").new_page()
    next_citizen.set_default_timeout(60_000)
    ask_at_kiosk(next_citizen, city_hall.url)
    answer = next_citizen.locator("#answer")
    expect(answer.locator(".verified")).to_contain_text(
        "Von Mitarbeitenden der Stadt geprüfte Antwort", timeout=120_000
    )
    expect(answer.locator(".answer-text")).to_contain_text(CORRECTION)
    expect(answer.locator("section.sources mark")).to_have_text(QUOTE)
    next_citizen.context.close()

    cases = city_hall.app.settings.staff.curated_eval_path.read_text(encoding="utf-8")
    assert QUESTION in cases and "buergerbuero-oeffnungszeiten" in cases


@pytest.fixture(scope="module")
def city_hall_and_website(corpus_app, static_site, tmp_path_factory):
    """Kiosk, staff review and the widget on the city's website (another origin), one database."""
    app = server_app(corpus_app, tmp_path_factory.mktemp("city-hall-web"), [static_site.origin])
    app.settings.staff.users = {"anna": hash_password(PASSWORD)}
    app.settings.staff.curated_eval_path = tmp_path_factory.mktemp("eval-web") / "curated.jsonl"
    app.settings.store.cache_s = 0
    server = start_server(app, loopback_socket())
    server.page_url = static_site.add_widget_page("city-website.html", f"{server.url}/widget.js")
    yield server
    server.stop()


def test_a_thumbs_down_at_the_kiosk_a_correction_and_a_paraphrase_on_the_website_gets_the_verified_answer(
    browser, city_hall_and_website
):
    server = city_hall_and_website
    citizen = browser.new_context(locale="de-DE").new_page()
    citizen.set_default_timeout(60_000)
    ask_at_kiosk(citizen, server.url)
    expect(citizen.locator("#thumbs-down")).to_be_visible(timeout=120_000)
    citizen.locator("#thumbs-down").click()
    citizen.get_by_role("radio", name="Falsch", exact=True).check()
    citizen.locator("#feedback-send").click()
    expect(citizen.locator("#feedback-thanks")).to_contain_text("Danke für Ihre Rückmeldung")
    citizen.context.close()
    rated = server.app.review.queue(channel="kiosk")
    assert [(item.question, item.rating, item.reason) for item in rated] == [(QUESTION, "down", "wrong")]

    correct_as_staff(browser, server.url, QUESTION)

    visitor = browser.new_context(locale="de-DE").new_page()
    visitor.set_default_timeout(60_000)
    visitor.goto(server.page_url)
    visitor.get_by_role("button", name="Bürgerassistent / Citizen assistant").click()
    dialog = visitor.get_by_role("dialog")
    dialog.get_by_label("Ihre Frage").fill(PARAPHRASE)
    dialog.get_by_label("Ihre Frage").press("Enter")
    answer = dialog.locator(".bsa-assistant[data-interaction-id]")
    expect(answer.locator(".bsa-badge")).to_contain_text("Von der Stadtverwaltung geprüft", timeout=120_000)
    expect(answer.locator(".bsa-answer")).to_contain_text(CORRECTION)
    expect(answer.locator(".bsa-sources blockquote").first).to_have_text(QUOTE)
    visitor.context.close()
