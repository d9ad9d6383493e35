"""The staff review app mounted on FastAPI: every route refuses anonymous visitors."""

from __future__ import annotations

import csv
import io
import time
import uuid
from datetime import UTC, date, datetime

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from assistant.app import App
from assistant.components.store import InteractionRow, RatingRow
from assistant.feedback.auth import hash_password
from assistant.records import Disagreement, Evidence, Interaction
from assistant.transports.security import CSRF_COOKIE
from assistant.transports.staff.conflicts import render_conflicts
from assistant.transports.staff.login import COOKIE, render_login
from assistant.transports.staff.mount import mount_staff
from assistant.transports.staff.queue import queue_filters, render_item

PASSWORD = "Rathaus-2026!"
HTML = {"accept": "text/html,application/xhtml+xml"}


def staff_app(corpus_app, tmp_path, **staff) -> App:
    settings = corpus_app.settings.model_copy(deep=True)
    settings.store.url = f"sqlite:///{tmp_path / 'staff.sqlite3'}"
    settings.staff.curated_eval_path = tmp_path / "curated.jsonl"
    settings.staff.users = staff.pop("users", {"anna": hash_password(PASSWORD)})
    for key, value in staff.items():
        setattr(settings.staff, key, value)
    return App(settings, embedder=corpus_app.embedder, index=corpus_app.index, chat_model=corpus_app.chat_model)


def client_for(app: App, base_url: str = "http://testserver") -> TestClient:
    api = FastAPI()

    @api.get("/other")
    def other() -> dict:
        return {"ok": True}

    mount_staff(api, app)
    return TestClient(api, base_url=base_url, follow_redirects=False)


@pytest.fixture
def app(corpus_app, tmp_path) -> App:
    return staff_app(corpus_app, tmp_path)


@pytest.fixture
def client(app):
    with client_for(app) as client:
        yield client


def log_in(client: TestClient, username: str = "anna", password: str = PASSWORD):
    """As a browser does: load the form (its CSRF cookie and field), then post it."""
    client.get("/staff/login")
    token = client.cookies.get(CSRF_COOKIE, "")
    return client.post("/staff/login", data={"username": username, "password": password, "csrf": token})


ANONYMOUS_ROUTES = [
    ("GET", "/staff/app/", HTML),
    ("GET", "/staff/app", HTML),
    ("GET", "/staff/app/config", {}),
    ("GET", "/staff/app/gradio_api/info", {}),
    ("POST", "/staff/app/gradio_api/queue/join", {}),
    ("GET", "/staff/app/gradio_api/queue/data?session_hash=x", {}),
    ("POST", "/staff/app/gradio_api/upload", {}),
    ("GET", "/staff/export.csv", {}),
    ("GET", "/staff/export.csv", HTML),
    ("POST", "/staff/logout", {}),
    ("GET", "/staff/app/theme.css", {}),
]


@pytest.mark.parametrize(("method", "path", "headers"), ANONYMOUS_ROUTES)
def test_anonymous_visitors_are_refused_everywhere(client, method, path, headers):
    response = client.request(method, path, headers=headers)
    if method == "GET" and headers:
        assert response.status_code == 303 and response.headers["location"] == "/staff/login"
    else:
        assert response.status_code == 401
    assert "staff-queue" not in response.text and "interaction" not in response.text.lower()


def test_login_page_is_an_accessible_form(client):
    response = client.get("/staff/login")
    assert response.status_code == 200 and response.headers["x-frame-options"] == "DENY"
    page = response.text
    assert '<html lang="de">' in page and 'method="post"' in page
    assert '<label for="username">' in page and '<label for="password">' in page
    assert 'autocomplete="current-password"' in page and "Password" in page and "Passwort" in page


def test_wrong_password_shows_the_form_again_with_401(client):
    response = log_in(client, password="falsch")
    assert response.status_code == 401 and COOKIE not in response.cookies
    assert 'role="alert"' in response.text and "Passwort falsch" in response.text
    assert 'value="anna"' in response.text  # the user name is kept
    assert log_in(client, username="mallory").status_code == 401


def test_login_sets_a_strict_http_only_cookie_and_opens_the_staff_app(client):
    response = log_in(client)
    assert response.status_code == 303 and response.headers["location"] == "/staff/app/"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=") and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert "Path=/staff" in cookie and "Max-Age=1800" in cookie and "Secure" not in cookie

    page = client.get("/staff/app/", headers=HTML)
    assert page.status_code == 200 and "<html" in page.text
    config = client.get("/staff/app/config")
    assert config.status_code == 200
    for elem_id in (
        "staff-queue",
        "staff-item",
        "staff-correct-text",
        "staff-correct-doc",
        "staff-correct-quote",
        "staff-correct-submit",
        "staff-flag-doc",
        "staff-flag-submit",
        "staff-dismiss",
        "staff-dashboard",
    ):
        assert f'"{elem_id}"' in config.text, elem_id
    assert config.json()["username"] == "anna"
    assert client.get("/staff/login").status_code == 303  # already logged in
    assert client.get("/other").status_code == 200  # the rest of the site is not affected


def test_https_cookie_is_secure(app):
    with client_for(app, base_url="https://testserver") as client:
        assert "Secure" in log_in(client).headers["set-cookie"]


def test_csv_export_needs_a_session_and_has_the_rows(client, app):
    interaction_id = uuid.uuid4().hex
    with app.store.session() as session:
        session.add(
            InteractionRow(
                id=interaction_id,
                created_at=datetime.now(UTC),
                channel="kiosk",
                language="de",
                question="Was kostet ein Reisepass?",
                answer="70,00 Euro",
                status="answered",
                supporting=[],
                disagreeing=[],
            )
        )
        session.add(RatingRow(id=uuid.uuid4().hex, interaction_id=interaction_id, rating="down", reason="wrong"))
    assert client.get("/staff/export.csv").status_code == 401
    log_in(client)
    response = client.get("/staff/export.csv?queue=true&channel=kiosk")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(row["id"], row["rating"], row["reason"]) for row in rows] == [(interaction_id, "down", "wrong")]
    assert client.get("/staff/export.csv?channel=fax").status_code == 422


def test_expired_session_is_refused(client, monkeypatch):
    log_in(client)
    assert client.get("/staff/app/config").status_code == 200
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 31 * 60)
    assert client.get("/staff/app/config").status_code == 401
    assert client.get("/staff/app/", headers=HTML).headers["location"] == "/staff/login"
    assert client.get("/staff/export.csv").status_code == 401


def test_an_active_session_is_extended(client, monkeypatch):
    log_in(client)
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 20 * 60)
    response = client.get("/staff/app/config")
    assert response.status_code == 200 and COOKIE in response.headers.get("set-cookie", "")
    monkeypatch.setattr(time, "time", lambda: real_time() + 45 * 60)  # 25 minutes after the renewal
    assert client.get("/staff/app/config").status_code == 200


def test_logout_ends_the_session(client):
    log_in(client)
    response = client.post("/staff/logout")
    assert response.status_code == 303 and response.headers["location"] == "/staff/login"
    assert client.get("/staff/app/config").status_code == 401


def test_without_users_login_is_impossible_and_the_page_says_how_to_configure(corpus_app, tmp_path):
    with client_for(staff_app(corpus_app, tmp_path, users={})) as client:
        page = client.get("/staff/login").text
        assert "assistant staff hash-password" in page and "ASSISTANT_STAFF__USERS" in page
        response = log_in(client, "staff", "staff")
        assert response.status_code == 401 and COOKIE not in response.cookies


def test_development_mode_lets_staff_staff_log_in(corpus_app, tmp_path):
    with client_for(staff_app(corpus_app, tmp_path, users={}, development=True)) as client:
        assert log_in(client, "staff", "staff").status_code == 303
        assert client.get("/staff/app/config").json()["username"] == "staff"


def test_rendered_item_escapes_citizen_text_and_shows_both_kinds_of_sources():
    item = Interaction(
        id="abc",
        created_at=datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
        channel="kiosk",
        language="de",
        question="<script>alert(1)</script> Was kostet der Ausweis?",
        answer="37,00 Euro [1]",
        status="answered",
        supporting=[
            Evidence(
                n=1,
                doc_id="personalausweis",
                title="Personalausweis",
                updated=date(2025, 3, 1),
                quote="ab 24 Jahren: 37,00 Euro",
                start=0,
                end=10,
                score=0.9,
            )
        ],
        disagreeing=[
            Disagreement(
                doc_id="pa-2021",
                title="Gebühren 2021",
                updated=date(2021, 5, 1),
                quote="ab 24 Jahren: 28,80 Euro",
                conflicts_with=1,
                reason="28,80 vs 37,00",
            )
        ],
        rating="down",
        reason="outdated",
        comment="<b>veraltet</b>",
    )
    page = render_item(item)
    assert "<script>" not in page and "&lt;script&gt;" in page and "<b>veraltet" not in page
    supporting, disagreeing = page.split("Disagreeing sources")
    assert "personalausweis" in supporting and "37,00 Euro" in supporting and "28,80" not in supporting
    assert "pa-2021" in disagreeing and "Stand 2021-05-01" in disagreeing


def test_queue_filters_from_form_values():
    assert queue_filters("alle / all", "de", "", "2026-03-01", "", "open") == {
        "channel": None,
        "language": "de",
        "reason": None,
        "since": date(2026, 3, 1),
        "until": None,
        "state": "open",
        "route": None,
        "tag": None,
    }
    chosen = queue_filters(route="crisis", tag="ticket")
    assert (chosen["route"], chosen["tag"]) == ("crisis", "ticket")
    with pytest.raises(ValueError, match="unknown value 'rude'"):
        queue_filters(tag="rude")
    with pytest.raises(ValueError, match="not a date"):
        queue_filters(since="1. März")
    assert "Staff login" in render_login("/staff", True)


def test_conflicting_pages_view_lists_the_fact_both_pages_values_and_dates():
    from assistant.answering.facts.answers import FactBook, page_conflicts
    from assistant.records import Document

    def page(doc_id: str, title: str, body: str, updated: date) -> Document:
        return Document(doc_id=doc_id, title=title, text=f"# {title}\n\n{body}", source=doc_id, updated=updated)

    current = page("hs", "Hundesteuer", "- erster Hund: 120,00 Euro im Jahr", date(2025, 1, 10))
    old = page("hs-2019", "Hundesteuersatzung", "- für den ersten Hund: 96,00 Euro", date(2019, 11, 28))
    html = render_conflicts(page_conflicts(FactBook({"hs": current, "hs-2019": old}), today=date(2026, 12, 1)))
    assert "erster Hund" in html and "120,00 Euro" in html and "96,00 Euro" in html
    assert "2025-01-10" in html and "2019-11-28" in html
    assert html.index("hs-2019") > html.index("120,00 Euro")  # the current page first, the older one after
    assert "Keine widersprüchlichen" in render_conflicts([])
