"""Curated answers: staff corrections, their quotes, and their retirement when the source page changes."""

from __future__ import annotations

import copy

import pytest

from assistant.evaluation.golden import load_cases
from assistant.feedback.review.errors import NotFoundError, ReviewError
from tests.feedback.review.builders import PA_QUOTE, log


def test_correction_is_stored_resolves_the_item_and_is_exported(review):
    question = "Was kostet der Personalausweis ab 24?"
    interaction_id = log(review, question, rating="down", reason="wrong")
    curated = review.correct(
        interaction_id,
        "Ab 24 Jahren kostet der Personalausweis 37,00 Euro.",
        "personalausweis",
        quote=PA_QUOTE,
        staff="anna",
    )

    assert curated.id is not None and curated.question == question and curated.language == "de"
    assert curated.title == "Personalausweis beantragen" and curated.created_by == "anna"
    assert [c.id for c in review.curated_answers()] == [curated.id]
    item = review.item(interaction_id)
    assert item.review_state == "resolved" and item.curated_id == curated.id
    assert interaction_id not in {i.id for i in review.queue()}

    cases, _notes = load_cases([review.settings.staff.curated_eval_path])
    assert len(cases) == 1
    case = cases[0]
    assert (case.question, case.language, case.expected_status) == (question, "de", "answered")
    assert case.expected_docs == ["personalausweis"] and case.expected_evidence == [PA_QUOTE]
    assert "37,00 Euro" in case.key_facts and case.source == f"feedback:{interaction_id}"


def test_correction_refuses_unknown_documents_and_quotes_not_in_the_document(review):
    interaction_id = log(review, "Was kostet ein Reisepass?", rating="down")
    with pytest.raises(ReviewError, match="not in the index"):
        review.correct(interaction_id, "70,00 Euro", "reisepass-gibt-es-nicht")
    with pytest.raises(ReviewError, match="does not occur"):
        review.correct(interaction_id, "70,00 Euro", "personalausweis", quote="Der Ausweis kostet 99,00 Euro")
    with pytest.raises(ReviewError, match="empty"):
        review.correct(interaction_id, "  ", "personalausweis")
    with pytest.raises(NotFoundError):
        review.correct("0" * 32, "37,00 Euro", "personalausweis")
    assert review.curated_answers() == [] and review.item(interaction_id).review_state == "open"


def test_quote_may_differ_in_line_breaks_and_bullet_but_is_stored_verbatim(review):
    interaction_id = log(review, "Was kostet ein Ausweis?", rating="down")
    curated = review.correct(
        interaction_id,
        "37,00 Euro",
        "personalausweis",
        quote="- Antragstellerinnen und Antragsteller\n ab 24 Jahren:  37,00 Euro",
    )
    assert curated.quote == PA_QUOTE


def test_a_curated_answer_whose_source_page_changed_goes_back_to_the_queue(review):
    question = "Was kostet der Personalausweis ab 24?"
    interaction_id = log(review, question, rating="down", reason="wrong")
    answer = "Ab 24 Jahren kostet der Personalausweis 37,00 Euro."
    curated = review.correct(interaction_id, answer, "personalausweis", quote=PA_QUOTE, staff="anna")
    assert review.recheck_sources() == []  # the page is unchanged: the answer stays

    # the next index version holds an edited page (another content hash)
    new_index = copy.copy(review.index)
    page = new_index.documents["personalausweis"]
    edited = page.model_copy(update={"text": page.text.replace("37,00", "46,00"), "content_hash": "edited"})
    new_index.documents = {**new_index.documents, "personalausweis": edited}
    review.index = new_index

    assert review.recheck_sources() == [curated.id]
    assert review.curated_answers() == []  # no longer given to citizens
    item = review.item(interaction_id)
    assert item.review_state == "open" and interaction_id in {i.id for i in review.queue()}
    assert review.recheck_sources() == []  # retired once
