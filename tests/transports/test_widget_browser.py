"""The embeddable widget in headless Chromium, on pages of other origins than the assistant's."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from assistant.app import App
from assistant.ingest.pipeline import ingest
from tests.conftest import write
from tests.transports.conftest import KEPT, drafting_app, loopback_socket, server_app, start_server

pytestmark = pytest.mark.browser

BUTTON_NAME = "Bürgerassistent / Citizen assistant"
ANSWER_TIMEOUT_MS = 120_000  # the first answer of a session loads models; a busy 2-core machine is slow
DISAGREEING = "Abweichende oder veraltete Quellen / Disagreeing or outdated sources"
# Markup in a document (and in its title) must reach the citizen as text, never as HTML.
HOSTILE_PAGE = """---
title: '<img src=x onerror="window.pwned=3"> Hundemarke'
url: https://evil.example/hundemarke
department: Steueramt
updated: 2025-01-01
language: de
---
# Hundemarke

Eine neue Hundemarke kostet 5 Euro Gebühr, Vermerk im Formular: \
`<b>Gebühr</b> <script>window.pwned=1</script> <img src=x onerror="window.pwned=2">`.

Die Hundemarke erhalten Sie im Bürgerbüro im Rathaus.
"""


def open_widget(page: Page, url: str):
    page.goto(url)
    page.get_by_role("button", name=BUTTON_NAME).click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    return dialog


def ask(dialog, question: str) -> None:
    dialog.get_by_label("Ihre Frage").fill(question)
    dialog.get_by_label("Ihre Frage").press("Enter")


def test_a_citizen_asks_sees_both_sides_and_rates_the_answer(page, live_server, static_site):
    dialog = open_widget(page, f"{static_site.url}/demo.html")
    expect(dialog).to_contain_text("Sie sprechen mit einem KI-Assistenten")
    expect(dialog).to_contain_text("You are talking to an AI assistant")

    ask(dialog, "Was kostet ein Personalausweis?")

    answer = dialog.locator(".bsa-assistant[data-interaction-id]")
    expect(answer).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    expect(answer.get_by_role("region", name="Quellen", exact=True)).to_contain_text("Stand 20")
    expect(answer.locator(".bsa-sources blockquote").first).not_to_be_empty()
    disagreeing = answer.get_by_role("region", name=DISAGREEING)
    expect(disagreeing).to_contain_text(re.compile(r"Stand \d{4}-\d\d-\d\d"))
    expect(disagreeing).to_contain_text("Grund:")
    source_link = answer.locator(".bsa-sources a").first
    expect(source_link).to_have_attribute("href", re.compile(r"^https://(www\.)?musterstadt\.de/"))

    answer.get_by_role("button", name="Nicht hilfreich").click()
    answer.get_by_role("radio", name="Veraltet").check()
    answer.get_by_label("Ihre Anmerkung (freiwillig)").fill("Die Gebühr stimmt nicht mehr.")
    answer.locator(".bsa-reasons").get_by_role("button", name="Senden").click()
    expect(answer.get_by_role("status")).to_have_text("Danke für Ihre Rückmeldung!")

    stored = live_server.app.feedback.interaction(answer.get_attribute("data-interaction-id"))
    assert (stored.rating, stored.reason, stored.channel) == ("down", "outdated", "widget")
    assert "Gebühr" in stored.comment


def test_the_widget_is_keyboard_usable_and_escape_closes_it(page, live_server, static_site):
    page.goto(f"{static_site.url}/demo.html")
    launcher = page.get_by_role("button", name=BUTTON_NAME)
    launcher.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Ihre Frage")).to_be_focused()

    page.keyboard.press("Escape")

    expect(dialog).to_be_hidden()
    expect(launcher).to_be_focused()
    expect(launcher).to_have_attribute("aria-expanded", "false")


def test_a_page_on_a_foreign_origin_gets_no_answer_and_a_clear_error(page, live_server, foreign_site):
    dialog = open_widget(page, f"{foreign_site.url}/demo.html")

    ask(dialog, "Was kostet ein Personalausweis?")

    expect(dialog.get_by_role("alert")).to_contain_text(
        "nicht für den Assistenten freigeschaltet", timeout=ANSWER_TIMEOUT_MS
    )
    expect(dialog.locator(".bsa-assistant")).to_have_count(0)


@pytest.fixture(scope="module")
def hostile_server(corpus_app, static_site, tmp_path_factory):
    """A server over a one-page corpus whose text and title contain HTML and script."""
    tmp = tmp_path_factory.mktemp("hostile")
    write(tmp / "corpus" / "hundemarke.md", HOSTILE_PAGE)
    settings = corpus_app.settings.model_copy(deep=True)
    settings.index_dir = tmp / "index"
    report = ingest([Path(tmp / "corpus")], settings, corpus_app.embedder)
    assert report.documents_total == 1, report
    base = App(settings, embedder=corpus_app.embedder, chat_model=None)
    server = start_server(server_app(base, tmp, [static_site.origin]), loopback_socket())
    server.page_url = static_site.add_widget_page("hostile.html", f"{server.url}/widget.js")
    yield server
    server.stop()


def test_markup_in_documents_is_shown_as_text_and_never_runs(page, hostile_server):
    dialog = open_widget(page, hostile_server.page_url)

    ask(dialog, "Was kostet eine neue Hundemarke?")

    answer = dialog.locator(".bsa-assistant[data-interaction-id]")
    expect(answer).to_contain_text("<script>window.pwned=1</script>", timeout=ANSWER_TIMEOUT_MS)
    expect(answer).to_contain_text('<img src=x onerror="window.pwned=2">')
    expect(answer.locator(".bsa-sources")).to_contain_text('<img src=x onerror="window.pwned=3"> Hundemarke')
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert answer.locator("script, img, b").count() == 0
    # a source outside the configured link domains is shown as text, not as a link
    expect(answer.locator(".bsa-sources")).to_contain_text("https://evil.example/hundemarke")
    assert answer.locator(".bsa-sources a").count() == 0


# set before asking: notes whether the widget's shadow DOM ever contained the needle
WATCH_WIDGET_FOR = """(needle) => {
  window.__sawNeedle = false;
  const root = document.getElementById("buergerassistent-widget").shadowRoot;
  const check = () => { if (root.textContent.includes(needle)) window.__sawNeedle = true; };
  new MutationObserver(check).observe(root, {subtree: true, childList: true, characterData: true});
}"""


@pytest.fixture(scope="module")
def drafting_server(corpus_app, static_site, tmp_path_factory):
    """A fake model that writes slowly a draft with an invented fee (conftest.DRAFT)."""
    app = drafting_app(corpus_app, tmp_path_factory.mktemp("widget-drafting"), 0.2, [static_site.origin])
    server = start_server(app, loopback_socket())
    server.page_url = static_site.add_widget_page("drafting.html", f"{server.url}/widget.js")
    yield server
    server.stop()


def test_the_evidence_answer_shows_first_and_the_checked_answer_replaces_it(page, drafting_server):
    dialog = open_widget(page, drafting_server.page_url)
    page.evaluate(WATCH_WIDGET_FOR, "99,00")

    ask(dialog, "Was kostet ein Personalausweis?")

    bubble = dialog.locator(".bsa-assistant")
    expect(bubble.get_by_role("status")).to_contain_text("Formulierung wird noch verbessert", timeout=ANSWER_TIMEOUT_MS)
    expect(bubble.locator(".bsa-sources blockquote").first).to_contain_text("37,00 Euro")
    expect(bubble.get_by_role("button", name="Hilfreich", exact=True)).to_have_count(0)  # not rated yet
    final = dialog.locator(".bsa-assistant[data-interaction-id]")
    expect(final.locator(".bsa-answer")).to_contain_text(KEPT, timeout=ANSWER_TIMEOUT_MS)
    expect(final.locator(".bsa-improving")).to_have_count(0)
    expect(final.get_by_role("button", name="Hilfreich", exact=True)).to_be_visible()
    expect(dialog.locator(".bsa-assistant")).to_have_count(1)  # replaced, not added
    assert not page.evaluate("window.__sawNeedle"), "the model's invented sentence reached the widget"


@pytest.fixture(scope="module")
def explaining_server(llm_app, static_site, tmp_path_factory):
    """The real bundled model composes, so answers can be explained."""
    server = start_server(
        server_app(llm_app, tmp_path_factory.mktemp("widget-explain"), [static_site.origin]), loopback_socket()
    )
    server.page_url = static_site.add_widget_page("explain.html", f"{server.url}/widget.js")
    yield server
    server.stop()


def test_why_this_answer_lists_what_the_answer_rests_on_and_what_speaks_against_it(page, explaining_server):
    dialog = open_widget(page, explaining_server.page_url)
    ask(dialog, "Was kostet ein Personalausweis?")
    answer = dialog.locator(".bsa-assistant[data-interaction-id]")
    expect(answer).to_be_visible(timeout=ANSWER_TIMEOUT_MS)

    answer.get_by_role("button", name="Warum diese Antwort?").click()
    entries = answer.locator(".bsa-attribution")
    expect(entries.first).to_contain_text("trägt die Antwort", timeout=ANSWER_TIMEOUT_MS)
    cited = {quote.strip() for quote in answer.locator(".bsa-sources blockquote").all_inner_texts()}
    assert entries.first.locator("blockquote").inner_text().strip() in cited
    expect(answer.locator(".bsa-explanation")).to_contain_text("abweichende Quelle")  # the old fee is weighed


def test_without_a_local_model_the_widget_offers_no_explanation(page, live_server, static_site):
    dialog = open_widget(page, f"{static_site.url}/demo.html")
    ask(dialog, "Wo ist das Fundbüro?")
    answer = dialog.locator(".bsa-assistant[data-interaction-id]")
    expect(answer).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    expect(answer.get_by_role("button", name="Hilfreich", exact=True)).to_be_visible()
    expect(answer.get_by_role("button", name="Warum diese Antwort?")).to_have_count(0)


def test_talk_to_a_person_from_the_widget_opens_a_ticket_for_staff(page, live_server, static_site):
    dialog = open_widget(page, f"{static_site.url}/demo.html")
    ask(dialog, "Wann hat das Bürgerbüro geöffnet?")
    answer = dialog.locator(".bsa-assistant[data-interaction-id]")
    expect(answer).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    answer.get_by_role("button", name="Mit einem Menschen sprechen").click()
    answer.get_by_label("Ihre E-Mail oder Telefonnummer (freiwillig)").fill("0761 123456")
    answer.get_by_role("button", name="Anfrage senden").click()
    expect(answer.locator(".bsa-ticket-status")).to_contain_text("bei den Mitarbeitenden der Stadt")

    interaction_id = answer.get_attribute("data-interaction-id")
    item = live_server.app.review.item(interaction_id)
    assert "ticket" in item.tags and item.ticket.contact == "0761 123456"
