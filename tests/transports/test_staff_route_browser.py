"""The item page's route and review-tag controls, in headless Chromium: staff correct a question's
route and tag the answer, and both are stored (the route as a router training example)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from assistant.feedback.auth import hash_password
from tests.transports.conftest import loopback_socket, server_app, start_server

pytestmark = pytest.mark.browser
PASSWORD = "Rathaus-Test-2026!"
QUESTION = "Wo bekomme ich einen Angelschein?"  # not answered from the sample corpus: in the queue


@pytest.fixture(scope="module")
def staff_server(corpus_app, tmp_path_factory):
    app = server_app(corpus_app, tmp_path_factory.mktemp("staff-route"), [])
    app.settings.staff.users = {"anna": hash_password(PASSWORD)}
    app.settings.staff.curated_eval_path = tmp_path_factory.mktemp("eval") / "curated.jsonl"
    server = start_server(app, loopback_socket())
    yield server
    server.stop()


def test_staff_correct_the_route_and_tag_the_answer_on_the_item_page(browser, staff_server):
    app = staff_server.app
    interaction_id = app.asking.ask(QUESTION, [], "kiosk").interaction_id
    assert app.review.item(interaction_id).route == "answer"

    staff = browser.new_context(locale="de-DE").new_page()
    staff.set_default_timeout(60_000)
    staff.goto(f"{staff_server.url}/staff/login")
    staff.locator("#username").fill("anna")
    staff.locator("#password").fill(PASSWORD)
    staff.locator("#login-submit").click()
    expect(staff.locator("#staff-queue")).to_contain_text("Angelschein", timeout=30_000)
    staff.locator("#staff-item-select input").click()
    staff.get_by_role("option").filter(has_text="Angelschein").first.click()
    expect(staff.locator("#staff-item article")).to_contain_text("Route:", timeout=30_000)

    staff.get_by_text("Route und Stichworte / Route and review tags").click()
    staff.locator("#staff-route input").click()
    staff.get_by_role("option", name="andere Behörde / other authority").click()
    staff.locator("#staff-route-submit").click()
    expect(staff.locator("#staff-action-status")).to_contain_text("Route gespeichert", timeout=30_000)
    expect(staff.locator("#staff-item article")).to_contain_text("corrected: andere Behörde / other authority")

    staff.locator("#staff-tags").get_by_text("hätte verweisen sollen / should have referred").click()
    staff.locator("#staff-tags-submit").click()
    expect(staff.locator("#staff-action-status")).to_contain_text("should have referred", timeout=30_000)
    expect(staff.locator("#staff-item article .staff-tags")).to_contain_text("hätte verweisen sollen")
    staff.context.close()

    item = app.review.item(interaction_id)
    assert item.corrected_route == "other_authority" and item.tags == ["should_have_referred"]
    assert app.review.route_examples() == [("other_authority", "de", QUESTION)]
