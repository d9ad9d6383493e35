"""Why this answer? Ablation scores with the real models in llama.cpp, on a crafted case."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from assistant.answering.explain import explain
from assistant.answering.pipeline import ExplainUnavailable
from assistant.records import Evidence
from assistant.transports.http import create_http_app
from tests.quality_model import load_quality_model, needs_quality_model

QUESTION = "What time does the swimming pool open on Sundays?"
ANSWER = "The swimming pool opens at 8 am on Sundays."
CARRIES = "The swimming pool opens at 8 am on Sundays."
NEUTRAL = "The pool has a sauna."
CONTRADICTS = "On Sundays the swimming pool opens at 11 am."


def evidence(*quotes: str) -> list[Evidence]:
    return [
        Evidence(n=n, doc_id=f"pool-{n}", title="Swimming pool", quote=q, start=0, end=len(q), score=0.9)
        for n, q in enumerate(quotes, start=1)
    ]


def test_the_sentence_carrying_the_answer_gets_the_top_score(chat_model):
    _, tokens, attributions = explain(chat_model, QUESTION, ANSWER, evidence(CARRIES, NEUTRAL, CONTRADICTS), "en")
    assert tokens > 5
    assert [a.n for a in attributions][0] == 1  # sorted, strongest support first
    top, *rest = attributions
    assert top.effect == "supports" and top.quote == CARRIES
    assert all(top.score > other.score + 2 for other in rest)  # clearly ahead, not by noise


def test_a_contradicting_sentence_scores_below_zero(chat_model):
    _, _, attributions = explain(chat_model, QUESTION, ANSWER, evidence(CARRIES, NEUTRAL, CONTRADICTS), "en")
    by_n = {a.n: a for a in attributions}
    assert by_n[3].score < 0 and by_n[3].effect != "supports"  # "11 am" makes "8 am" less likely


def test_scores_repeat_exactly_and_generation_is_unchanged_afterwards(chat_model):
    """The KV-cache reuse must not leak into later answers: same scores twice, same text as before."""
    from langchain_core.messages import HumanMessage

    prompt = [HumanMessage(content="Name one colour of the rainbow.")]
    before = chat_model.invoke(prompt).content
    first = explain(chat_model, QUESTION, ANSWER, evidence(CARRIES, NEUTRAL), "en")
    second = explain(chat_model, QUESTION, ANSWER, evidence(CARRIES, NEUTRAL), "en")
    assert first[0] == pytest.approx(second[0], abs=1e-3)
    assert [a.score for a in first[2]] == pytest.approx([a.score for a in second[2]], abs=1e-3)
    assert chat_model.invoke(prompt).content == before


@pytest.mark.slow
@needs_quality_model
def test_with_the_quality_model_a_contradicting_sentence_pulls_against():
    model = load_quality_model()
    _, _, attributions = explain(model, QUESTION, ANSWER, evidence(CARRIES, NEUTRAL, CONTRADICTS), "en")
    by_n = {a.n: a for a in attributions}
    assert attributions[0].n == 1 and by_n[1].effect == "supports"
    assert by_n[3].score < 0 and by_n[3].effect == "pulls against"


def test_the_api_explains_a_real_answer_and_names_the_sources(llm_app):
    client = TestClient(create_http_app(llm_app))
    response = client.post("/api/explain", json={"question": "Was kostet die Hundesteuer?"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "answered" and body["attributions"]
    roles = {a["role"] for a in body["attributions"]}
    assert "disagreeing" in roles  # the old dog-tax statute is weighed too
    top = body["attributions"][0]
    assert top["role"] == "supporting" and top["effect"] == "supports"


def test_without_a_local_model_explaining_is_refused_plainly(corpus_app):
    with pytest.raises(ExplainUnavailable, match="llama.cpp model"):
        corpus_app.answers.explain("Was kostet die Hundesteuer?")
    response = TestClient(create_http_app(corpus_app)).post("/api/explain", json={"question": "Wo ist das Fundbüro?"})
    assert response.status_code == 501 and "ASSISTANT_LLM__PROFILE" in response.json()["detail"]


def test_a_logged_answer_is_explained_by_its_id_without_answering_again(llm_app, tmp_path):
    """The widget sends the interaction id: the explanation is of the answer the citizen saw."""
    from tests.transports.conftest import server_app

    app = server_app(llm_app, tmp_path, [])
    client = TestClient(create_http_app(app))
    given = client.post("/api/ask", json={"question": "Was kostet die Hundesteuer?", "channel": "widget"}).json()
    answered = app.answers.answer  # answering again would be a second, slow model run
    app.answers.answer = lambda *a, **k: pytest.fail("explaining a logged answer must not answer again")
    try:
        response = client.post("/api/explain", json={"interaction_id": given["interaction_id"]})
    finally:
        app.answers.answer = answered
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["question"] == given["question"]
    explained = {(a["doc_id"], a["quote"]) for a in body["attributions"] if a["role"] == "supporting"}
    assert explained == {(e["doc_id"], e["quote"]) for e in given["supporting"]}
    assert {a["quote"] for a in body["attributions"] if a["role"] == "disagreeing"} == {
        d["quote"] for d in given["disagreeing"]
    }
    missing = client.post("/api/explain", json={"interaction_id": "no-such-answer"})
    assert missing.status_code == 404 and "interaction_id" in missing.json()["detail"]


def test_the_widget_is_told_whether_answers_can_be_explained(llm_app, corpus_app):
    assert TestClient(create_http_app(llm_app)).get("/api/widget-config").json()["explain"] is True
    assert TestClient(create_http_app(corpus_app)).get("/api/widget-config").json()["explain"] is False
