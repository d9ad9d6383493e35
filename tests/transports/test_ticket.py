"""Handover: ``POST /api/ticket`` through the whole HTTP app, the staff queue's "ticket"
filter, a correction that becomes a curated answer, and retention of the citizen's contact."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from assistant.app import App
from assistant.components.store import TicketRow
from assistant.feedback.auth import hash_password
from assistant.transports.http import create_http_app
from tests.transports.test_staff import PASSWORD, log_in

QUESTION = "Wo kann ich mein Boot anmelden?"
CONTACT = "max.mustermann@example.de, 0171 2345678"


def ticket_app(corpus_app, tmp_path, **web) -> App:
    settings = corpus_app.settings.model_copy(deep=True)
    settings.store.url = f"sqlite:///{tmp_path / 'ticket.sqlite3'}"
    settings.store.spool_path = tmp_path / "spool.jsonl"
    settings.staff.curated_eval_path = tmp_path / "curated.jsonl"
    settings.staff.users = {"anna": hash_password(PASSWORD)}
    settings.web.rate_limit_per_minute = web.get("rate_limit_per_minute", 0)
    settings.web.rate_limit_burst = web.get("rate_limit_burst", settings.web.rate_limit_burst)
    return App(settings, embedder=corpus_app.embedder, index=corpus_app.index, chat_model=None)


@pytest.fixture
def app(corpus_app, tmp_path) -> App:
    return ticket_app(corpus_app, tmp_path)


@pytest.fixture
def client(app):
    with TestClient(create_http_app(app), follow_redirects=False) as client:
        yield client


def test_a_ticket_reaches_staff_with_the_contact_and_its_correction_answers_the_next_citizen(client, app):
    asked = client.post("/api/ask", json={"question": QUESTION, "channel": "widget"}).json()
    interaction_id = asked["interaction_id"]

    response = client.post(
        "/api/ticket",
        json={
            "interaction_id": interaction_id,
            "contact": CONTACT,
            "message": "Bitte rufen Sie mich an, meine Adresse ist Hauptstraße 5.",
        },
    )
    assert response.status_code == 201
    assert response.json()["stored"] is True and response.json()["ticket_id"]
    assert client.post("/api/ticket", json={"interaction_id": "0" * 32}).status_code == 404
    assert client.post("/api/ticket", json={"interaction_id": interaction_id, "contact": "x" * 301}).status_code == 422

    # staff: the ticket filter lists it; the item shows the contact as typed, everything else redacted
    assert client.get("/staff/api/queue?tag=ticket").status_code == 401
    log_in(client)
    queue = client.get("/staff/api/queue?tag=ticket").json()
    assert [item["id"] for item in queue] == [interaction_id]
    assert queue[0]["tags"] == ["ticket"]
    item = client.get(f"/staff/api/items/{interaction_id}").json()
    assert item["ticket"]["contact"] == CONTACT
    assert "Hauptstraße 5" not in item["ticket"]["message"] and item["ticket"]["message"].startswith("Bitte rufen")
    assert item["question"] == QUESTION and item["answer"] == asked["answer"]  # what the citizen saw
    assert client.get("/staff/api/queue?tag=wrong_fact").json() == []

    # staff correct it like any other item: it becomes a curated answer for the next citizen
    app.review.correct(
        interaction_id,
        "Boote meldet nicht die Stadt an: die Behördennummer 115 nennt Ihnen das zuständige Schifffahrtsamt.",
        "behoerdennummer-115",
        staff="anna",
    )
    assert client.get("/staff/api/queue?tag=ticket").json() == []  # resolved: out of the open queue
    again = client.post("/api/ask", json={"question": QUESTION}).json()
    assert again["curated_id"] is not None and "Schifffahrtsamt" in again["answer"]


def test_the_retention_purge_deletes_the_contact_with_the_interaction(client, app):
    interaction_id = client.post("/api/ask", json={"question": "Wo ist das Fundbüro?"}).json()["interaction_id"]
    assert client.post("/api/ticket", json={"interaction_id": interaction_id, "contact": CONTACT}).status_code == 201
    assert app.feedback.purge() == 0  # within the retention period: kept
    assert app.review.item(interaction_id).ticket.contact == CONTACT

    assert app.feedback.purge(older_than_days=0) == 1
    with app.store.session() as session:
        assert session.scalar(select(func.count()).select_from(TicketRow)) == 0
    assert client.post("/api/ticket", json={"interaction_id": interaction_id, "contact": CONTACT}).status_code == 404


def test_tickets_share_the_rating_bucket_of_the_rate_limit(corpus_app, tmp_path):
    app = ticket_app(corpus_app, tmp_path, rate_limit_per_minute=6, rate_limit_burst=2)
    with TestClient(create_http_app(app)) as client:
        interaction_id = client.post("/api/ask", json={"question": "Wo ist das Fundbüro?"}).json()["interaction_id"]
        body = {"interaction_id": interaction_id, "contact": CONTACT}
        assert [client.post("/api/ticket", json=body).status_code for _ in range(2)] == [201, 201]
        refused = client.post("/api/ticket", json=body)
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
