"""Web security: headers, CSRF on staff actions, login rate limit, Gradio file serving, abuse limits.

Most checks run against the live server (the real app under uvicorn on loopback); the
staff checks need a configured user, so they use their own app with a TestClient.
"""

from __future__ import annotations

from contextlib import contextmanager
from types import SimpleNamespace

import httpx
import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import expect

from assistant.app import App
from assistant.components.index import current_version_path
from assistant.feedback.auth import MAX_FAILURES
from assistant.transports.admission import BUSY_MESSAGE, RATE_LIMITED_MESSAGE
from assistant.transports.http import create_http_app
from assistant.transports.security import CSRF_COOKIE
from assistant.transports.web import admission_refusal
from tests.transports.test_staff import PASSWORD, log_in, staff_app

QUESTION = {"question": "Wo ist das Fundbüro?"}


@pytest.fixture(scope="module")
def http(live_server):
    with httpx.Client(base_url=live_server.url, timeout=60) as client:
        yield client


# -- headers ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/kiosk/", "/widget/demo", "/staff/login", "/api/widget-config", "/healthz", "/widget.js", "/staff/app/"]
)
def test_every_response_carries_the_security_headers(http, path):
    response = http.get(path, headers={"accept": "text/html"})
    headers = response.headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"
    assert "camera=()" in headers["permissions-policy"] and "microphone=()" in headers["permissions-policy"]
    csp = headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp or "default-src 'none'" in csp


def test_the_api_gets_the_strictest_policy(http):
    csp = http.post("/api/ask", json=QUESTION).headers["content-security-policy"]
    assert csp.startswith("default-src 'none'")


@pytest.mark.browser
def test_the_kiosk_works_under_its_content_security_policy(page, live_server):
    violations: list[str] = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.goto(f"{live_server.url}/kiosk/")
    page.locator("#question textarea").fill("Was kostet ein Personalausweis?")
    page.locator("#ask").click()
    expect(page.locator("#answer section.sources")).to_be_visible(timeout=120_000)
    expect(page.locator("#answer .answer-text")).to_contain_text("37,00 Euro")
    assert not violations, violations


# -- Gradio file serving ---------------------------------------------------------------------------------


def secret_paths(live_server) -> dict[str, str]:
    settings = live_server.app.settings
    return {
        "/etc/passwd": "root:",
        settings.store.url.removeprefix("sqlite:///"): "SQLite format",
        str(current_version_path(settings.index_dir) / "manifest.json"): "embedding_model",
    }


@pytest.mark.parametrize(
    "route",
    [
        "/kiosk/gradio_api/file={}",
        "/kiosk/file={}",
        "/kiosk/gradio_api/file=..{}",
        "/kiosk/gradio_api/file=%2F..%2F..{}",
    ],
)
def test_the_kiosk_serves_no_file_of_the_machine(http, live_server, route):
    for path, marker in secret_paths(live_server).items():
        response = http.get(route.format(path))
        assert response.status_code in (403, 404), (route, path, response.status_code)
        assert marker not in response.text


@pytest.mark.parametrize(
    "route",
    [
        "/kiosk/static/../../../../etc/passwd",
        "/kiosk/assets/..%2F..%2F..%2Fetc%2Fpasswd",
        "/kiosk/gradio_api/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    ],
)
def test_static_routes_do_not_traverse(http, route):
    assert "root:" not in http.get(route).text


def test_the_kiosk_takes_no_uploads(http):
    response = http.post("/kiosk/gradio_api/upload", files={"files": ("big.bin", b"\0" * 1024)})
    assert response.status_code == 404


# -- staff: CSRF, login rate limit, files ----------------------------------------------------------------


@pytest.fixture
def staff(corpus_app, tmp_path):
    app = staff_app(corpus_app, tmp_path)
    with TestClient(create_http_app(app), follow_redirects=False) as client:
        yield client


def test_login_without_the_forms_token_is_refused(staff):
    response = staff.post("/staff/login", data={"username": "anna", "password": PASSWORD})
    assert response.status_code == 403 and "assistant_staff_session" not in response.headers.get("set-cookie", "")
    staff.get("/staff/login")
    wrong = staff.post("/staff/login", data={"username": "anna", "password": PASSWORD, "csrf": "forged" * 6})
    assert wrong.status_code == 403
    assert log_in(staff).status_code == 303  # with the form's own token


def test_the_login_form_carries_the_token_of_its_cookie(staff):
    page = staff.get("/staff/login")
    token = staff.cookies.get(CSRF_COOKIE)
    assert token and f'name="csrf" value="{token}"' in page.text
    assert "samesite=strict" in page.headers["set-cookie"].lower() and "httponly" in page.headers["set-cookie"].lower()


@pytest.mark.parametrize("headers", [{"origin": "https://evil.example"}, {"sec-fetch-site": "cross-site"}])
def test_cross_site_posts_to_staff_routes_are_refused(staff, headers):
    assert log_in(staff).status_code == 303
    for path in ("/staff/logout", "/staff/login", "/staff/app/gradio_api/queue/join"):
        assert staff.post(path, headers=headers).status_code == 403, path
    assert staff.get("/staff/app/", headers={"accept": "text/html"}).status_code == 200  # still logged in
    same_site = staff.post("/staff/logout", headers={"origin": "http://testserver"})
    assert same_site.status_code == 303


def test_login_is_rate_limited_even_with_the_right_password_afterwards(staff):
    for _ in range(MAX_FAILURES):
        assert log_in(staff, password="falsch").status_code == 401
    assert log_in(staff).status_code == 401  # blocked for this user from this client
    assert "assistant_staff_session" not in staff.cookies


def test_the_staff_app_serves_no_file_even_with_a_session(staff, tmp_path):
    assert log_in(staff).status_code == 303
    for path in ("/etc/passwd", str(tmp_path / "staff.sqlite3")):
        for route in ("/staff/app/gradio_api/file={}", "/staff/app/file={}"):
            response = staff.get(route.format(path))
            assert response.status_code == 404 and "root:" not in response.text
    assert staff.post("/staff/app/gradio_api/upload", files={"files": ("x.bin", b"x")}).status_code == 404


# -- abuse limits ----------------------------------------------------------------------------------------


@pytest.fixture
def limited(corpus_app, tmp_path):
    settings = corpus_app.settings.model_copy(deep=True)
    settings.store.url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    settings.store.spool_path = tmp_path / "spool.jsonl"
    settings.web.rate_limit_per_minute = 6
    settings.web.rate_limit_burst = 2
    app = App(settings, embedder=corpus_app.embedder, index=corpus_app.index, chat_model=None)
    with TestClient(create_http_app(app)) as client:
        yield client


def test_a_client_asking_too_often_gets_429_with_retry_after(limited):
    answers = [limited.post("/api/ask", json=QUESTION) for _ in range(2)]
    assert [a.status_code for a in answers] == [200, 200]
    refused = limited.post("/api/ask/stream", json=QUESTION)
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    assert refused.json()["rate_limited"] is True and refused.json()["detail"] == RATE_LIMITED_MESSAGE["en"]
    other = limited.post("/api/ask", json=QUESTION, headers={"x-forwarded-for": "198.51.100.9"})
    assert other.status_code == 429  # the address is uvicorn's client, not a header anyone can send
    rated = limited.post("/api/feedback", json={"interaction_id": answers[0].json()["interaction_id"], "rating": "up"})
    assert rated.status_code == 201  # ratings have their own bucket


def test_history_beyond_the_limits_is_422(limited):
    turns = [{"role": "user", "content": "Frage"}, {"role": "assistant", "content": "Antwort"}] * 11
    too_many = limited.post("/api/ask", json=QUESTION | {"history": turns[:21]})
    assert too_many.status_code == 422 and "at most 20" in too_many.text
    long_turns = [{"role": "user", "content": "x" * 3000}] * 3
    too_long = limited.post("/api/ask", json=QUESTION | {"history": long_turns})
    assert too_long.status_code == 422 and "9000 characters" in too_long.json()["detail"]


def test_the_kiosk_tells_a_client_asking_too_often_to_wait(corpus_app):
    app = App(corpus_app.settings.model_copy(deep=True))
    app.settings.web.rate_limit_per_minute, app.settings.web.rate_limit_burst = 1, 1
    request = SimpleNamespace(client=SimpleNamespace(host="192.0.2.44"))
    assert admission_refusal(app, request, "de") is None
    notice = admission_refusal(app, request, "de")
    assert notice and RATE_LIMITED_MESSAGE["de"] in notice


@contextmanager
def every_slot_taken(app: App):
    """Hold every answer slot and every place in the queue, as a crowd of citizens would."""
    admission = app.admission
    tickets = [admission.reserve() for _ in range(admission.max_concurrent + admission.max_queued)]
    for ticket in tickets[: admission.max_concurrent]:
        ticket.start()
    try:
        yield
    finally:
        for ticket in tickets:
            ticket.release()


def test_a_full_queue_answers_busy_at_once_with_503_and_retry_after(http, live_server):
    with every_slot_taken(live_server.app):
        for path in ("/api/ask", "/api/ask/stream"):
            response = http.post(path, json=QUESTION, timeout=5)
            assert response.status_code == 503, path
            assert response.json()["busy"] is True and response.json()["detail"] == BUSY_MESSAGE["en"]
            assert int(response.headers["retry-after"]) >= 1
        assert http.get("/healthz").json()["load"]["waiting"] == live_server.app.admission.max_queued
    assert http.post("/api/ask", json=QUESTION).status_code == 200  # and answers again once there is room


def test_a_question_that_waited_too_long_is_busy_not_a_hang(live_server, http, monkeypatch):
    admission = live_server.app.admission
    monkeypatch.setattr(admission, "wait_s", 0.5)
    holders = [admission.reserve() for _ in range(admission.max_concurrent)]
    for ticket in holders:
        ticket.start()
    try:
        response = http.post("/api/ask", json=QUESTION, timeout=10)
    finally:
        for ticket in holders:
            ticket.release()
    assert response.status_code == 503 and response.json()["busy"] is True
    assert admission.status()["waiting"] == 0 and admission.status()["answering"] == 0


@pytest.mark.browser
def test_the_kiosk_shows_a_friendly_busy_notice(page, live_server):
    page.goto(f"{live_server.url}/kiosk/")
    with every_slot_taken(live_server.app):
        page.locator("#question textarea").fill("Was kostet ein Personalausweis?")
        page.locator("#ask").click()
        expect(page.locator("#answer")).to_contain_text(BUSY_MESSAGE["de"], timeout=30_000)
    expect(page.locator("#question textarea")).to_have_value("")  # the busy event has ended
    page.locator("#question textarea").fill("Was kostet ein Personalausweis?")
    page.locator("#ask").click()
    expect(page.locator("#answer .answer-text")).to_contain_text("37,00 Euro", timeout=120_000)
