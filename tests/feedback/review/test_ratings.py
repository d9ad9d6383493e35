"""What citizens' ratings say about pages: distinct clients, outdated pages, page-wide or per question."""

from __future__ import annotations

from assistant.feedback.review.service import ReviewService
from assistant.records import Evidence
from tests.feedback.review.builders import NOW, log, rate


def cited(doc_id: str) -> list[Evidence]:
    return [Evidence(n=1, doc_id=doc_id, title=doc_id, quote="x", start=0, end=1, score=0.9)]


def rate_as(review: ReviewService, interaction_id: str, client: str, rating="down", reason="outdated") -> None:
    rate(review, interaction_id, rating, NOW, reason=reason, client=client)


def test_twenty_ratings_from_one_client_change_nothing(review):
    for n in range(20):
        rate_as(review, log(review, f"Hundesteuer Frage {n}", supporting=cited("hundesteuer")), client="abuser")
    prior = {p.doc_id: p for p in review.document_priors()}["hundesteuer"]
    assert prior.down_clients == 1 and prior.weight == 1.0
    assert review.rating_weights() == {}
    assert review.dashboard(today=NOW.date()).rated_pages == []


def test_a_page_rated_outdated_by_several_clients_ranks_lower_and_is_listed(review):
    for client in ("a", "b", "c", "d"):
        rate_as(review, log(review, "Wie hoch ist die Hundesteuer?", supporting=cited("hundesteuer")), client)
    helpful = log(review, "Hundesteuer für zwei Hunde?", supporting=cited("hundesteuer"))
    rate_as(review, helpful, "e", rating="up", reason=None)
    rate_as(review, log(review, "Wo ist das Fundbüro?", supporting=cited("fundbuero")), "a", reason="wrong")

    priors = {p.doc_id: p for p in review.document_priors()}
    dog_tax = priors["hundesteuer"]
    assert (dog_tax.down_clients, dog_tax.up_clients, dog_tax.outdated_clients) == (4, 1, 4)
    assert dog_tax.weight == 0.7  # 3 net clients x 0.1
    assert priors["fundbuero"].weight == 1.0  # one client
    assert review.rating_weights() == {"hundesteuer": 0.7}
    assert [p.doc_id for p in review.dashboard(today=NOW.date()).rated_pages] == ["hundesteuer"]


def test_a_thumbs_down_for_a_wrong_answer_lowers_the_page_for_every_question_only_when_switched_so(review):
    for client in ("a", "b", "c"):
        rate_as(review, log(review, "Wo ist das Fundbüro?", supporting=cited("fundbuero")), client, reason="wrong")
    assert review.rating_weights() == {}  # wrong for that question: the question prior weighs it
    assert [(p.doc_id, p.down_clients) for p in review.document_priors()] == [("fundbuero", 3)]
    page_wide = review.settings.model_copy(deep=True)
    page_wide.staff.rating_prior_similarity = None  # every thumbs-down lowers the page for every question
    assert ReviewService(page_wide, review.store, review.index, review.embedder).rating_weights() == {"fundbuero": 0.7}
