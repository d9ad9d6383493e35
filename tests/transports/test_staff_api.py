"""The staff JSON API and the review vocabulary, through the real app (FastAPI TestClient, a SQLite
file, the sample corpus index): route corrections become router training examples, review tags
filter the queue and the CSV."""

from __future__ import annotations

import csv
import io

import pytest
from typer.testing import CliRunner

from assistant.cli import cli
from assistant.records import Feedback
from assistant.safety.router import EXAMPLES_PATH
from tests.transports.test_staff import client_for, log_in, staff_app

# a question the router answers, with an e-mail address the log must never keep
QUESTION = "Mein Nachbar ist seit Wochen laut, soll ich ihn verklagen? Schreiben Sie mir: erika.muster@example.de"


@pytest.fixture
def app(corpus_app, tmp_path):
    return staff_app(corpus_app, tmp_path)


@pytest.fixture
def client(app):
    with client_for(app) as client:
        yield client


def asked(app, question: str = QUESTION, channel: str = "kiosk") -> str:
    """Ask through the citizen's use case (answered and logged as a kiosk would); the interaction id."""
    return app.asking.ask(question, [], channel).interaction_id


def test_a_route_correction_via_the_api_is_stored_and_exported_as_a_training_example(
    client, app, tmp_path, monkeypatch
):
    interaction_id = asked(app)
    before = client.get(f"/staff/api/items/{interaction_id}")
    assert before.status_code == 401  # not logged in
    assert client.post(f"/staff/api/items/{interaction_id}/route", json={"route": "personal_advice"}).status_code == 401

    log_in(client)
    router_said = client.get(f"/staff/api/items/{interaction_id}").json()["route"]
    target = "personal_advice" if router_said != "personal_advice" else "other_authority"

    # CSRF: a page of another site cannot make the logged-in browser change a route
    foreign = client.post(
        f"/staff/api/items/{interaction_id}/route", json={"route": target}, headers={"origin": "https://evil.example"}
    )
    assert foreign.status_code == 403
    assert client.get(f"/staff/api/items/{interaction_id}").json()["corrected_route"] is None

    response = client.post(f"/staff/api/items/{interaction_id}/route", json={"route": target})
    assert response.status_code == 200
    item = response.json()
    assert item["corrected_route"] == target and item["route"] == router_said  # the router's own route stays
    assert "erika.muster@example.de" not in item["question"]

    assert client.post(f"/staff/api/items/{interaction_id}/route", json={"route": "ignore"}).status_code == 422
    assert client.post("/staff/api/items/nope/route", json={"route": target}).status_code == 404

    # the CSV has both routes
    rows = list(csv.DictReader(io.StringIO(client.get("/staff/export.csv").text)))
    assert [(row["id"], row["route"], row["corrected_route"]) for row in rows] == [
        (interaction_id, router_said, target)
    ]

    # exported as a router training example, in router_examples.tsv's format, the redacted question
    monkeypatch.setenv("ASSISTANT_STORE__URL", app.settings.store.url)
    out = tmp_path / "routes.tsv"
    result = CliRunner().invoke(cli, ["feedback", "export-routes", str(out)])
    assert result.exit_code == 0, result.output
    assert "wrote 1 route examples" in result.output
    lines = [line for line in out.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    assert len(lines) == 1
    route, language, question = lines[0].split("\t")
    assert (route, language) == (target, "de")
    assert question.startswith("Mein Nachbar ist seit Wochen laut") and "example.de" not in question
    assert EXAMPLES_PATH.read_text(encoding="utf-8").splitlines()[0].startswith("#")  # same comment convention


def test_the_route_filter_and_correction_in_the_staff_app(client, app):
    log_in(client)
    config = client.get("/staff/app/config")
    for elem_id in ("staff-filter-route", "staff-filter-tag", "staff-route", "staff-route-submit", "staff-tags"):
        assert f'"{elem_id}"' in config.text, elem_id


def test_review_tags_via_the_api_filter_the_queue_and_are_counted_on_the_dashboard(client, app):
    tagged = asked(app, "Was kostet ein Reisepass?")
    other = asked(app, "Wo ist das Fundbüro?")
    for interaction_id in (tagged, other):
        app.feedback.rate(Feedback(interaction_id=interaction_id, rating="down"))
    url = f"/staff/api/items/{tagged}/tags"
    assert client.post(url, json={"tags": ["wrong_fact"]}).status_code == 401

    log_in(client)
    response = client.post(url, json={"tags": ["wrong_fact", "should_have_referred"]})
    assert response.status_code == 200 and response.json()["tags"] == ["wrong_fact", "should_have_referred"]
    assert client.post(url, json={"tags": ["nonsense"]}).status_code == 422
    assert client.post(url, json={"tags": ["too_long"]}, headers={"origin": "https://evil.example"}).status_code == 403

    queue = client.get("/staff/api/queue?tag=should_have_referred").json()
    assert [item["id"] for item in queue] == [tagged]
    assert len(client.get("/staff/api/queue").json()) == 2
    assert client.get("/staff/api/queue?tag=rude").status_code == 422

    rows = list(csv.DictReader(io.StringIO(client.get("/staff/export.csv?tag=wrong_fact").text)))
    assert [(row["id"], row["tags"]) for row in rows] == [(tagged, "wrong_fact should_have_referred")]
    board = app.review.dashboard(days=1)
    assert board.tag_counts["should_have_referred"] == 1 and board.tag_counts["too_long"] == 0
