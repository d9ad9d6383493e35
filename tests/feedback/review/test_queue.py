"""The review queue of the staff review service: what it holds, its filters, review tags and route corrections
(over a real SQLite file, the sample corpus index and the e5 model)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from assistant.components.store import InteractionRow
from assistant.feedback.review.errors import ReviewError
from assistant.feedback.review.queue import REVIEW_TAGS
from tests.feedback.review.builders import NOW, log, rate

TODAY = NOW.date()


def test_queue_holds_thumbs_down_and_unanswered_newest_first(review):
    liked = log(review, "Was kostet ein Personalausweis?", rating="up")
    unrated = log(review, "Wann hat das Bürgerbüro offen?")
    down = log(review, "Was kostet ein Reisepass?", rating="down", reason="wrong", when=NOW - timedelta(hours=1))
    missing = log(review, "Wo melde ich mein Boot an?", status="abstained", when=NOW - timedelta(hours=2))
    changed_mind = log(review, "Wie beantrage ich Elterngeld?", rating="down", when=NOW - timedelta(hours=3))
    rate(review, changed_mind, "up", NOW)  # the latest rating counts

    ids = [item.id for item in review.queue()]
    assert ids == [down, missing]
    assert liked not in ids and unrated not in ids and changed_mind not in ids
    item = review.item(down)
    assert (item.rating, item.reason, item.review_state) == ("down", "wrong", "open")


def test_queue_filters(review):
    kiosk_de = log(review, "Was kostet ein Reisepass?", rating="down", reason="wrong", when=NOW - timedelta(days=3))
    widget_en = log(
        review,
        "How much is a passport?",
        rating="down",
        reason="outdated",
        channel="widget",
        language="en",
        when=NOW - timedelta(days=1),
    )
    abstained = log(review, "Wo melde ich mein Boot an?", status="abstained", when=NOW)

    def ids(**filters) -> set[str]:
        return {item.id for item in review.queue(**filters)}

    assert ids(channel="widget") == {widget_en}
    assert ids(language="de") == {kiosk_de, abstained}
    assert ids(reason="wrong") == {kiosk_de}
    assert ids(since=(NOW - timedelta(days=1)).date()) == {widget_en, abstained}
    assert ids(until=(NOW - timedelta(days=1)).date()) == {kiosk_de, widget_en}
    assert len(review.queue(limit=1)) == 1
    review.dismiss(abstained, staff="anna")
    assert ids() == {kiosk_de, widget_en}
    assert ids(state="dismissed") == {abstained}
    assert ids(state=None) == {kiosk_de, widget_en, abstained}


def test_a_low_quality_answer_is_in_the_queue_without_a_rating(review):
    low, high = log(review, "Wie beantrage ich einen Angelschein?"), log(review, "Wo ist das Fundbüro?")
    with review.store.session() as session:
        session.get(InteractionRow, low).quality = 0.1
        session.get(InteractionRow, high).quality = 0.9
    queued = {item.id: item for item in review.queue()}
    assert low in queued and high not in queued
    assert queued[low].quality == 0.1 and queued[low].rating is None


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
