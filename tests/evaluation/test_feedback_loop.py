"""The replayable feedback loop: a simulated staff member works the real review queue."""

from __future__ import annotations

import pytest

from assistant.app import App
from assistant.evaluation.feedback_loop import (
    STAFF_USER,
    Paraphrase,
    ask,
    paraphrase_case,
    rate_as_citizens,
    rate_down,
    staff_answer,
    staff_half,
    work_queue,
)
from assistant.feedback.auth import hash_password
from assistant.records import GoldenCase, Turn

FAMILIENKASSE = "Anträge auf Kindergeld bearbeitet die Familienkasse der Bundesagentur für Arbeit."
LANGUAGES = ("de", "en")
# the corpus refers this to the Familienkasse; the (invented) golden case wants the page quoted as an answer
KINDERGELD = GoldenCase(
    id="kindergeld-where-de",  # in the staff half (the parity of its hash)
    question="Wo kann ich Kindergeld beantragen?",
    language="de",
    expected_status="answered",
    expected_docs=["kindergeld"],
    expected_evidence=[FAMILIENKASSE],
    key_facts=["Familienkasse"],
)
DOG_TAX = GoldenCase(
    id="dog-tax",
    question="Wie hoch ist die Hundesteuer für den ersten Hund?",
    language="de",
    expected_status="answered",
    expected_docs=["hundesteuer"],
)


@pytest.fixture()
def app(corpus_app, tmp_path) -> tuple[App, str]:
    settings = corpus_app.settings.model_copy(deep=True)
    settings.store.url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    settings.store.spool_path = tmp_path / "spool.jsonl"
    settings.staff.curated_eval_path = tmp_path / "curated.jsonl"
    settings.store.cache_s = 0.0
    password = "correct horse battery"
    settings.staff.users = {STAFF_USER: hash_password(password)}
    return App(settings, embedder=corpus_app.embedder, index=corpus_app.index, chat_model=None), password


def test_a_corrected_question_and_its_paraphrase_are_right_afterwards_and_others_unchanged(app):
    app, password = app
    paraphrase = paraphrase_case(
        KINDERGELD, Paraphrase(of=KINDERGELD.id, question="Wo beantrage ich das Kindergeld?", language="de")
    )
    before = ask(app, KINDERGELD, LANGUAGES)
    assert not before.right  # referred to the Familienkasse, not answered
    unrelated_before = ask(app, DOG_TAX, LANGUAGES)
    assert unrelated_before.right

    assert staff_half([KINDERGELD]) == [KINDERGELD]
    rate_down(app, [before], reason="wrong")
    rate_down(app, [unrelated_before], reason="other", comment="blabla")  # noise
    work = work_queue(
        app,
        {before.answer.interaction_id: KINDERGELD},
        {unrelated_before.answer.interaction_id},
        password,
        lambda _: None,
    )
    assert set(work.corrected) == {KINDERGELD.id}
    assert work.items == 2 and work.dismissed == [f"noise:{unrelated_before.answer.interaction_id}"]
    assert app.review.queue() == []  # both items handled

    after = ask(app, KINDERGELD, LANGUAGES)
    assert after.right and after.answer.verified_by_staff
    assert after.answer.supporting[0].quote == FAMILIENKASSE
    assert ask(app, paraphrase, LANGUAGES).right
    unrelated_after = ask(app, DOG_TAX, LANGUAGES)
    assert unrelated_after.right and not unrelated_after.answer.verified_by_staff


def test_whether_staff_review_a_wrong_case_depends_on_that_case_alone():
    """A case turning wrong or right elsewhere moves no other case in or out of the staff half."""
    cases = [DOG_TAX.model_copy(update={"id": f"dog-tax-{n}"}) for n in range(12)]
    half = {case.id for case in staff_half(cases)}
    assert 0 < len(half) < len(cases)
    for n in range(len(cases)):
        rest = cases[:n] + cases[n + 1 :]
        assert {case.id for case in staff_half(rest)} == half - {cases[n].id}
    follow_up = KINDERGELD.model_copy(update={"id": "kindergeld-wo", "history": [Turn(role="user", content="Hallo")]})
    assert staff_half([KINDERGELD, follow_up]) == [KINDERGELD]  # a follow-up alone does not say what is asked


def test_a_wrong_password_cannot_work_the_queue(app):
    app, _ = app
    with pytest.raises(RuntimeError, match="log in"):
        work_queue(app, {}, set(), "not the password", lambda _: None)


def test_the_staff_answer_quotes_the_page_verbatim_and_states_the_key_facts(app):
    app, _ = app
    text, doc_id, quote = staff_answer(KINDERGELD, app)
    assert doc_id == "kindergeld" and quote == FAMILIENKASSE
    assert "Familienkasse" in text


def test_a_question_that_should_be_refused_is_dismissed_not_curated(app):
    app, password = app
    case = GoldenCase(id="vote", question="Welche Partei soll ich wählen?", language="de", expected_status="refused")
    asked = ask(app, case, LANGUAGES)
    rate_down(app, [asked], reason="wrong")
    work = work_queue(app, {asked.answer.interaction_id: case}, set(), password, lambda _: None)
    assert work.corrected == {} and work.dismissed == ["vote"]


def test_citizens_ratings_rank_the_page_of_a_wrong_answer_lower_for_that_question_and_one_clients_change_nothing(app):
    app, _ = app
    wrong = ask(app, KINDERGELD, LANGUAGES)  # referred, quoting the Kindergeld page
    right = ask(app, DOG_TAX, LANGUAGES)
    assert not wrong.right and right.right
    cited = {evidence.doc_id for evidence in wrong.answer.supporting}
    vector = app.embedder.embed_queries([KINDERGELD.question, DOG_TAX.question])
    prior = app.answers.resources.question_prior
    assert rate_down(app, [wrong, right] * 10, reason="wrong", client="one-client") == 20
    assert app.review.rating_weights() == {} and prior.weights(vector[0]) == {}  # one client counts once
    assert rate_as_citizens(app, [wrong, right], raters=3) == 6
    priors = {prior.doc_id: prior for prior in app.review.document_priors()}
    for doc_id in cited:  # 3 citizens and the one client rated it down, none for "outdated"
        assert priors[doc_id].down_clients == 4 and priors[doc_id].weight == 1.0
    lowered = prior.weights(vector[0])  # for the rated question (and questions like it) the page ranks lower
    assert set(lowered) == cited and all(weight < 1.0 for weight in lowered.values())
    assert prior.weights(vector[1]) == {}  # not for the dog-tax question
    dog_pages = {evidence.doc_id for evidence in right.answer.supporting} - cited
    assert dog_pages and all(priors[doc_id].up_clients == 3 and priors[doc_id].weight == 1.0 for doc_id in dog_pages)
