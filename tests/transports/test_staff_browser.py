"""The loop that improves answers, in headless Chromium: a citizen gets no answer at the kiosk,
staff write the correct one, and the next citizen asking the same thing gets it, marked verified."""

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


def test_staff_correction_becomes_the_answer_at_the_kiosk(browser, city_hall):
    citizen = browser.new_context(locale="de-DE").new_page()
    citizen.set_default_timeout(60_000)
    ask_at_kiosk(citizen, city_hall.url)
    expect(citizen.locator("#answer .answer-text")).to_contain_text("nichts Verlässliches gefunden", timeout=120_000)
    citizen.context.close()

    staff = browser.new_context(locale="de-DE").new_page()
    staff.set_default_timeout(60_000)
    staff.goto(f"{city_hall.url}/staff/app/")
    expect(staff).to_have_url(f"{city_hall.url}/staff/login", timeout=10_000)
    staff.locator("#username").fill("anna")
    staff.locator("#password").fill(PASSWORD)
    staff.locator("#login-submit").click()
    staff.wait_for_url("**/staff/app/")
    expect(staff.locator("#staff-queue")).to_contain_text(QUESTION, timeout=30_000)
    staff.locator("#staff-item-select input").click()
    staff.get_by_role("option").filter(has_text=QUESTION).first.click()
    expect(staff.locator("#staff-item article")).to_contain_text(QUESTION, timeout=30_000)
    staff.locator("#staff-correct-text textarea").fill(CORRECTION)
    staff.locator("#staff-correct-doc input, #staff-correct-doc textarea").first.fill("buergerbuero-oeffnungszeiten")
    staff.locator("#staff-correct-quote textarea").fill(QUOTE)
    staff.locator("#staff-correct-submit").click()
    expect(staff.locator("#staff-action-status")).to_contain_text("curated answer", timeout=60_000)
    staff.context.close()

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
