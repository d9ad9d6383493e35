"""The review vocabulary, route corrections and "accuracy over time" of the staff review service,
over a real SQLite file, the sample corpus index and the e5 model."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta

import pytest

from assistant.components.store import Store
from assistant.feedback.review import REVIEW_TAGS, ReviewError, ReviewService
from tests.feedback.test_review import NOW, log

TODAY = NOW.date()


@pytest.fixture
def review(tmp_path, corpus_app) -> ReviewService:
    settings = corpus_app.settings.model_copy(deep=True)
    settings.store.url = f"sqlite:///{tmp_path / 'review.sqlite3'}"
    settings.staff.curated_eval_path = tmp_path / "eval" / "curated.jsonl"
    settings.staff.eval_reports_dir = tmp_path / "reports"
    store = Store(settings.store.url)
    store.migrate()
    return ReviewService(settings, store, corpus_app.index, corpus_app.embedder)


def test_staff_tag_items_filter_the_queue_by_tag_and_see_counts_and_the_csv(review):
    wrong = log(review, "Was kostet ein Reisepass?", rating="down", reason="wrong")
    long = log(review, "Wann ist das Bürgerbüro offen?", rating="down")
    untagged = log(review, "Wo ist das Fundbüro?", rating="down")

    review.set_tags(wrong, ["wrong_fact", "outdated_source"], staff="anna")
    review.set_tags(long, ["too_long"], staff="ben")
    assert review.item(wrong).tags == ["wrong_fact", "outdated_source"]

    assert [item.id for item in review.queue(tag="wrong_fact")] == [wrong]
    assert [item.id for item in review.queue(tag="too_long")] == [long]
    assert {item.id for item in review.queue()} == {wrong, long, untagged}
    assert {item.id: item.tags for item in review.queue()}[untagged] == []

    # replacing the set: a tag taken away no longer filters
    review.set_tags(wrong, ["wrong_fact"], staff="anna")
    assert review.queue(tag="outdated_source") == []
    with pytest.raises(ReviewError, match="unknown review tag"):
        review.set_tags(wrong, ["rude"], staff="anna")
    assert review.item(wrong).tags == ["wrong_fact"]  # unchanged by the refused call

    board = review.dashboard(days=7, today=TODAY)
    assert board.tag_counts["wrong_fact"] == 1 and board.tag_counts["too_long"] == 1
    assert board.tag_counts["outdated_source"] == 0 and set(REVIEW_TAGS) <= set(board.tag_counts)

    rows = list(csv.DictReader(io.StringIO(review.export_csv(tag="wrong_fact"))))
    assert [(row["id"], row["tags"]) for row in rows] == [(wrong, "wrong_fact")]


def test_a_corrected_route_is_validated_kept_beside_the_routers_and_exported_once_per_question(review, tmp_path):
    first = log(review, "Ich halte es nicht mehr aus, wer hilft mir?")
    second = log(review, "Ich halte es  nicht mehr aus, wer hilft mir?")  # the same question again
    with pytest.raises(ReviewError, match="unknown route"):
        review.correct_route(first, "ignore_previous", staff="anna")
    assert review.item(first).corrected_route is None

    item = review.correct_route(first, "personal_advice", staff="anna")
    assert (item.route, item.corrected_route) == ("answer", "personal_advice")
    review.correct_route(second, "crisis", staff="ben")  # later: this one wins
    assert review.route_examples() == [("crisis", "de", "Ich halte es nicht mehr aus, wer hilft mir?")]

    out = tmp_path / "routes.tsv"
    assert review.export_route_examples(out) == 1
    assert out.read_text(encoding="utf-8").splitlines()[1] == "crisis\tde\tIch halte es nicht mehr aus, wer hilft mir?"


def test_accuracy_over_time_counts_reviewed_answers_by_week_and_lists_eval_runs(review, tmp_path):
    this_monday = TODAY - timedelta(days=TODAY.weekday())
    last_week = NOW - timedelta(days=7)
    dismissed = [log(review, f"Frage {n}?", rating="down", when=last_week) for n in range(3)]
    corrected = log(review, "Was kostet ein Personalausweis?", rating="down", when=last_week)
    rerouted = log(review, "Wen soll ich wählen?", when=NOW)
    log(review, "Noch offen?", rating="down", when=NOW)  # not reviewed: not counted
    for interaction_id in dismissed:
        review.dismiss(interaction_id, staff="anna")
    review.correct(corrected, "Der Personalausweis kostet 37,00 Euro.", "personalausweis", staff="anna")
    review.correct_route(rerouted, "political_opinion", staff="anna")

    report = tmp_path / "reports" / "nightly"
    report.mkdir(parents=True)
    metrics = {"cases": 40, "behaviour_accuracy": 0.725, "key_fact_accuracy": 0.7083, "recall_at_5": 0.9167}
    run = {"set_name": "sample", "config": "full", "metrics": metrics | {"grounded_number_rate": 1.0}}
    (report / "report.json").write_text(json.dumps({"created": "2026-03-01T22:05:48Z", "runs": [run]}))
    (tmp_path / "reports" / "broken").mkdir()
    (tmp_path / "reports" / "broken" / "report.json").write_text("{not json")

    board = review.dashboard(days=14, today=TODAY)
    weeks = {week.week: (week.reviewed, week.right, week.corrected) for week in board.accuracy}
    assert weeks == {this_monday - timedelta(days=7): (4, 3, 1), this_monday: (1, 0, 1)}
    assert board.accuracy[0].right_share == pytest.approx(0.75)
    [figures] = board.eval_runs  # the broken report is skipped
    assert (figures.set_name, figures.config, figures.cases, figures.key_fact_accuracy) == (
        "sample",
        "full",
        40,
        0.7083,
    )
    assert figures.created == datetime(2026, 3, 1, 22, 5, 48, tzinfo=UTC)

    from assistant.transports.staff import render_dashboard

    page = render_dashboard(board)
    assert "Accuracy over time" in page and "75%" in page and "71%" in page  # week share, key facts
    assert (this_monday - timedelta(days=7)).isoformat() in page and "nightly" in page
    assert date(2026, 3, 1).isoformat() in page
