"""The HTTP API through a real client against the live server (uvicorn on loopback)."""

from __future__ import annotations

import json

import httpx
import pytest
from fastapi.testclient import TestClient

from assistant.app import App
from assistant.messages import message
from assistant.settings import Settings
from assistant.transports.http import create_http_app
from tests.transports.conftest import INVENTED, drafting_app, loopback_socket, start_server

CONFLICT_QUESTION = "Was kostet ein Personalausweis?"
FOREIGN_ORIGIN = "http://evil.example"


@pytest.fixture(scope="module")
def client(live_server) -> httpx.Client:
    with httpx.Client(base_url=live_server.url, timeout=120) as http:
        yield http


def ask(client: httpx.Client, question: str, **extra) -> httpx.Response:
    return client.post("/api/ask", json={"question": question, **extra})


def stream_lines(response: httpx.Response) -> list[dict]:
    return [json.loads(line) for line in response.iter_lines() if line.strip()]


def test_ask_returns_the_answer_json_with_sources_and_an_interaction_id(client):
    response = ask(client, "Wo ist das Fundbüro?")

    assert response.status_code == 200
    answer = response.json()
    assert answer["status"] == "answered"
    assert answer["ai_generated"] is True
    assert answer["interaction_id"]
    assert answer["supporting"], answer
    first = answer["supporting"][0]
    assert {"n", "doc_id", "title", "url", "updated", "quote", "start", "end", "score"} <= first.keys()
    assert "Fundbüro" in answer["answer"]


def test_the_planted_conflict_has_a_disagreeing_source_with_date_and_reason(client):
    answer = ask(client, CONFLICT_QUESTION).json()

    assert answer["status"] == "answered"
    assert answer["disagreeing"], answer
    disagreeing = answer["disagreeing"][0]
    assert disagreeing["reason"] and disagreeing["updated"] and disagreeing["quote"]
    assert disagreeing["conflicts_with"] in {ev["n"] for ev in answer["supporting"]}


def test_the_answer_is_logged_under_its_channel(client, live_server):
    answer = ask(client, "Wo ist das Fundbüro?", channel="widget").json()

    logged = live_server.app.feedback.interaction(answer["interaction_id"])
    assert logged.channel == "widget"
    assert logged.status == "answered"


def test_stream_sends_one_json_object_per_line_ending_with_the_answer(client):
    with client.stream("POST", "/api/ask/stream", json={"question": CONFLICT_QUESTION}) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/x-ndjson")
        events = stream_lines(response)

    assert [event["type"] for event in events] == ["answer"]  # extractive: the evidence is the answer
    answer = events[-1]["answer"]
    assert answer["interaction_id"] and answer["disagreeing"]


def test_feedback_is_stored_with_its_reason(client, live_server):
    interaction_id = ask(client, CONFLICT_QUESTION).json()["interaction_id"]

    response = client.post(
        "/api/feedback",
        json={
            "interaction_id": interaction_id,
            "rating": "down",
            "reason": "outdated",
            "comment": "Die Gebühr ist alt.",
        },
    )

    assert response.status_code == 201
    assert response.json() == {"stored": True}
    stored = live_server.app.feedback.interaction(interaction_id)
    assert (stored.rating, stored.reason) == ("down", "outdated")


def test_feedback_for_an_unknown_interaction_is_404(client):
    response = client.post("/api/feedback", json={"interaction_id": "0" * 32, "rating": "up"})

    assert response.status_code == 404
    assert "interaction_id" in response.json()["detail"]


def test_feedback_with_an_unknown_rating_is_422(client):
    response = client.post("/api/feedback", json={"interaction_id": "abc", "rating": "meh"})

    assert response.status_code == 422


def test_too_long_and_empty_questions_are_422_with_a_clear_message(client, live_server):
    limit = live_server.app.settings.web.max_question_chars

    too_long = ask(client, "Wie " * limit)
    empty = ask(client, "   ")

    assert too_long.status_code == 422
    assert f"at most {limit} characters" in too_long.json()["detail"]
    assert empty.status_code == 422
    assert "empty" in empty.json()["detail"]
    assert client.post("/api/ask/stream", json={"question": "x" * (limit + 1)}).status_code == 422


def test_a_foreign_origin_is_refused_on_the_server(client):
    response = client.post("/api/ask", json={"question": "Wo ist das Fundbüro?"}, headers={"Origin": FOREIGN_ORIGIN})
    preflight = client.options("/api/ask", headers={"Origin": FOREIGN_ORIGIN, "Access-Control-Request-Method": "POST"})

    assert response.status_code == 403
    assert "widget_origins" in response.json()["detail"]
    assert "access-control-allow-origin" not in response.headers
    assert preflight.status_code == 403
    assert "access-control-allow-origin" not in preflight.headers


def test_an_allowed_origin_gets_cors_headers(client, static_site):
    headers = {"Origin": static_site.origin}
    preflight = client.options(
        "/api/ask/stream",
        headers=headers | {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"},
    )
    response = client.post("/api/ask", json={"question": "Wo ist das Fundbüro?"}, headers=headers)

    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == static_site.origin
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == static_site.origin
    assert "Origin" in response.headers["vary"]


def test_same_origin_and_origin_less_requests_need_no_allow_list(client, live_server):
    same_origin = client.post(
        "/api/ask", json={"question": "Wo ist das Fundbüro?"}, headers={"Origin": live_server.url}
    )

    assert same_origin.status_code == 200
    assert "access-control-allow-origin" not in same_origin.headers
    assert "Origin" in same_origin.headers["vary"]


def test_healthz_reports_model_index_and_store(client, live_server):
    response = client.get("/healthz")

    assert response.status_code == 200
    health = response.json()
    assert health["status"] == "ok"
    assert health["model"] == "extractive"
    assert health["index_version"] == live_server.app.index.version
    assert health["documents"] == len(live_server.app.index.documents) > 0
    assert isinstance(health["store"], dict)
    assert health["spooled"] == 0


def test_healthz_is_503_without_an_index(tmp_path):
    app = App(Settings(index_dir=tmp_path / "no-index"))

    response = TestClient(create_http_app(app)).get("/healthz")

    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert "no-index" in response.json()["error"]


def test_root_redirects_to_the_kiosk_and_the_widget_is_served(client):
    root = client.get("/", follow_redirects=False)
    widget = client.get("/widget.js")
    demo = client.get("/widget/demo")

    assert root.status_code in (302, 307)
    assert root.headers["location"] == "/kiosk/"
    assert widget.status_code == 200
    assert "javascript" in widget.headers["content-type"]
    assert '"link_domains": ["musterstadt.de"]' in widget.text  # the server's settings, inlined
    assert "/*WIDGET_CONFIG*/" not in widget.text
    assert demo.status_code == 200
    assert '<script src="/widget.js"' in demo.text
    assert client.get("/kiosk/").status_code == 200


@pytest.fixture(scope="module")
def drafting_server(corpus_app, tmp_path_factory):
    """A model composes: it writes a draft with an invented fee (conftest.DRAFT)."""
    server = start_server(drafting_app(corpus_app, tmp_path_factory.mktemp("drafting-server")), loopback_socket())
    yield server
    server.stop()


def test_stream_sends_the_evidence_answer_first_and_never_the_draft(drafting_server):
    with (
        httpx.Client(base_url=drafting_server.url, timeout=180) as http,
        http.stream("POST", "/api/ask/stream", json={"question": CONFLICT_QUESTION}) as response,
    ):
        raw = "".join(response.iter_text())
    events = [json.loads(line) for line in raw.splitlines() if line.strip()]

    assert [event["type"] for event in events] == ["evidence", "answer"], events
    evidence, final = events[0]["answer"], events[1]["answer"]
    assert evidence["answer"].startswith(message("evidence_intro", "de"))  # the verified quotes
    assert any("37,00 Euro" in quote["quote"] for quote in evidence["supporting"])
    assert evidence["disagreeing"] and evidence["interaction_id"] is None  # shown, not logged
    assert "first_text" in evidence["timings_ms"]
    assert final["interaction_id"] and final["model"] != "extractive"
    assert "37,00 Euro" in final["answer"]
    # the invented sentence of the draft: dropped by the grounding gate, so in no line at all
    assert "99,00" not in final["answer"]
    assert INVENTED not in raw and "99,00" not in raw
    logged = drafting_server.app.feedback.interaction(final["interaction_id"])
    assert logged.status == "answered"  # only the final answer is logged
